import Foundation
import NetworkCore
import Testing

@testable import ProverNetwork

/// Who gets slashed collateral, and who is never slashed: the rules of `docs/network.md`
/// ("Slashing and bounties", "Coordinator outages"), driven on SQLite with a test clock.
@Suite struct SlashingRulesTests {
    /// Leases `job` to `node` and lets it expire: 40 collateral, 20 burned, 20 to the bounty.
    func expire(_ f: CoreFixture, _ node: String, leaseMillis: Int64 = 1000) async throws -> LeaseGrant {
        let g = try #require(try await f.core.lease(node: node, requestId: nil))
        f.clock.advance(millis: leaseMillis + 500)
        #expect(try await f.core.expireLeases() == 1)
        return g
    }

    /// A late proof from the expired holder is accepted and paid the reward, but the holder's own
    /// slash goes to the rescuer whose lease it supersedes (it used to come back to the holder).
    @Test func lateHolderNeverEarnsBackItsSlashTheRescuerDoes() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        _ = try await f.node(bob)
        let job = try await f.job("late")
        let late = try await expire(f, alice)
        let rescue = try #require(try await f.core.lease(node: bob, requestId: nil))
        #expect(rescue.lease.rescue)
        let r = try await f.core.submitProof(node: alice, leaseId: late.lease.id, proof: Proofs.sample(1).proof)
        #expect(r.accepted && r.reward == 100 && r.bounty == 0)
        #expect(try await f.core.balance(Ledger.wallet(alice)) == 500 + 100)
        #expect(try await f.core.balance(Ledger.stake(alice)) == 960)
        #expect(try await f.core.balance(Ledger.wallet(bob)) == 500 + 20)
        #expect(try await f.core.balance(Ledger.stake(bob)) == 1000)
        #expect(try await f.core.lease(rescue.lease.id).state == .superseded)
        #expect(try await f.core.balance(Ledger.bounty(job.id)) == 0)
        #expect(try await f.core.job(job.id).state == .verified)
        try await f.expectBalanced()
    }

    /// With no rescuer holding a lease, the late holder's own slash goes to the requester.
    @Test func lateHolderWithoutRescuerSlashGoesToRequester() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        let job = try await f.job("late-alone")
        let requesterBefore = try await f.core.balance(Ledger.wallet(requesterA))
        let late = try await expire(f, alice)
        let r = try await f.core.submitProof(node: alice, leaseId: late.lease.id, proof: Proofs.sample(1).proof)
        #expect(r.accepted && r.bounty == 0)
        #expect(try await f.core.balance(Ledger.wallet(requesterA)) == requesterBefore + 20)
        #expect(try await f.core.balance(Ledger.bounty(job.id)) == 0)
        try await f.expectBalanced()
    }

    /// The same holds when the slashed node leases the job again and proves it in time.
    @Test func nodeReleasingItsOwnExpiredJobEarnsNoBounty() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        _ = try await f.job("again")
        let requesterBefore = try await f.core.balance(Ledger.wallet(requesterA))
        _ = try await expire(f, alice)
        let again = try #require(try await f.core.lease(node: alice, requestId: nil))
        let r = try await f.core.submitProof(node: alice, leaseId: again.lease.id, proof: Proofs.sample(1).proof)
        #expect(r.accepted && r.reward == 100 && r.bounty == 0)
        #expect(try await f.core.balance(Ledger.wallet(requesterA)) == requesterBefore + 20)
        try await f.expectBalanced()
    }

    /// Two slashed holders: the late one collects the other's slash, its own goes to the rescuer.
    @Test func lateHolderCollectsOnlyOthersSlashes() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000)
        defer { Task { await f.close() } }
        for n in [alice, bob, carol] { _ = try await f.node(n) }
        _ = try await f.job("two-slashes")
        let late = try await expire(f, alice)
        _ = try await expire(f, bob)
        let rescue = try #require(try await f.core.lease(node: carol, requestId: nil))
        let r = try await f.core.submitProof(node: alice, leaseId: late.lease.id, proof: Proofs.sample(1).proof)
        #expect(r.accepted && r.bounty == 20)
        #expect(try await f.core.balance(Ledger.wallet(alice)) == 500 + 100 + 20)
        #expect(try await f.core.balance(Ledger.wallet(carol)) == 500 + 20)
        #expect(try await f.core.lease(rescue.lease.id).state == .superseded)
        try await f.expectBalanced()
    }

    /// The coordinator was down for longer than a lease: the first sweep after it comes back must
    /// not expire a lease that was live when it went down. Before the fix it did, and slashed.
    @Test func outageLongerThanLeaseSlashesNoOne() async throws {
        let f = try await CoreFixture.make(leaseMillis: 10_000)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        _ = try await f.job("outage")
        #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 0)
        let g = try #require(try await f.core.lease(node: alice, requestId: nil))
        f.clock.advance(millis: 2000)
        #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 1)  // a 2 s pause already counts
        f.clock.advance(millis: 13_000)
        #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 1)
        #expect(try await f.core.expireLeases() == 0)
        let lease = try await f.core.lease(g.lease.id)
        #expect(lease.state == .active && lease.expiresAt == f.clock.now + 10_000)
        #expect(lease.reason.contains("outage of 13000 ms"))
        // Back to normal: a live coordinator, and a node that stays silent for a lease, is slashed.
        for _ in 0..<55 {
            f.clock.advance(millis: 200)
            #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 0)
        }
        #expect(try await f.core.expireLeases() == 1)
        #expect(try await f.core.balance(Ledger.burn) == 20)
        try await f.expectBalanced()
    }

    /// A lease already overdue before the outage began is not forgiven.
    @Test func leaseOverdueBeforeOutageIsStillExpired() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        _ = try await f.job("overdue")
        #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 0)
        _ = try #require(try await f.core.lease(node: alice, requestId: nil))
        for _ in 0..<6 {
            f.clock.advance(millis: 200)
            #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 0)
        }
        f.clock.advance(millis: 5000)
        #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 0)
        #expect(try await f.core.expireLeases() == 1)
    }

    /// A coordinator whose storage holds no "alive" mark (first start of a database written by an
    /// older version) extends every active lease once.
    @Test func unknownDowntimeExtendsEveryLiveLease() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        _ = try await f.job("unknown")
        let g = try #require(try await f.core.lease(node: alice, requestId: nil))
        f.clock.advance(millis: 30_000)
        #expect(try await f.core.markAlive(outageAfterMillis: 1000) == 1)
        #expect(try await f.core.expireLeases() == 0)
        #expect(try await f.core.lease(g.lease.id).reason.contains("an unknown time"))
    }
}
