import Foundation
import NetworkCore
import Testing

@testable import ProverNetwork

let alice = "0x" + String(repeating: "1", count: 40)
let bob = "0x" + String(repeating: "2", count: 40)
let carol = "0x" + String(repeating: "3", count: 40)
let requesterA = "0x" + String(repeating: "a", count: 40)

/// The job state machine, leases, rescue and the ledger, driven without HTTP on SQLite.
@Suite struct StateMachineTests {
    @Test func happyPathRecordsEveryTransitionAndPays() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        let job = try await f.job("k1")
        #expect(job.state == .open)
        let grant = try #require(try await f.core.lease(node: alice, requestId: "r1"))
        #expect(grant.job.id == job.id)
        #expect(try await f.core.balance(Ledger.stake(alice)) == 1000 - 40)
        _ = try await f.core.heartbeat(node: alice, leaseId: grant.lease.id, progress: 0.5)
        let result = try await f.core.submitProof(node: alice, leaseId: grant.lease.id, proof: Proofs.sample(1).proof)
        #expect(result.accepted && result.reward == 100)
        let states = try await f.core.transitions(job.id).map(\.to)
        #expect(states == ["CREATED", "READY", "OPEN", "LEASED", "PROVING", "SUBMITTED", "VERIFIED"])
        #expect(try await f.core.transitions(job.id).allSatisfy { !$0.reason.isEmpty && $0.at > 0 })
        #expect(try await f.core.balance(Ledger.wallet(alice)) == 500 + 100)
        #expect(try await f.core.balance(Ledger.stake(alice)) == 1000)
        let consumed = try await f.core.consume(requester: requesterA, jobId: job.id)
        #expect(consumed.state == .consumed)
        try await f.expectBalanced()
    }

    @Test func sameRequestKeyReturnsSameJobAndSameLease() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        let a = try await f.job("same")
        let again = try await f.core.submitJob(
            requester: requesterA,
            request: JobRequest(
                requestKey: "same",
                kind: Proofs.kind.name,
                input: Proofs.base64(1),
                reward: 100,
                collateral: 40,
                deadlineSeconds: 600
            )
        )
        #expect(again.created == false && again.job.id == a.id)
        #expect(try await f.core.balance(Ledger.escrow(a.id)) == 100)
        let l1 = try #require(try await f.core.lease(node: alice, requestId: "req"))
        let l2 = try #require(try await f.core.lease(node: alice, requestId: "req"))
        #expect(l1.lease.id == l2.lease.id)
        let l3 = try #require(try await f.core.lease(node: alice, requestId: nil, jobId: a.id))
        #expect(l3.lease.id == l1.lease.id)
        #expect(try await f.core.balance(Ledger.stake(alice)) == 960)
        try await f.expectBalanced()
    }

    @Test func dagOpensDependentsAndCriticalPathOrdersLeases() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        // An independent job due in 650 s, and two shards due in 3000 s whose aggregate is due in 600 s.
        let loose = try await f.job("loose", seed: 1, deadline: 650)
        let s1 = try await f.job("s1", seed: 2, deadline: 3000)
        let s2 = try await f.job("s2", seed: 3, deadline: 3000)
        let agg = try await f.job("agg", seed: 1, deadline: 600, deps: [s1.id, s2.id])
        #expect(agg.state == .created && agg.pendingDependencies == 2)
        // The shards inherit the aggregate's deadline minus its work, so they come before `loose`.
        let first = try #require(try await f.core.lease(node: alice, requestId: nil))
        let second = try #require(try await f.core.lease(node: alice, requestId: nil))
        #expect(Set([first.job.id, second.job.id]) == Set([s1.id, s2.id]))
        let third = try #require(try await f.core.lease(node: alice, requestId: nil))
        #expect(third.job.id == loose.id)
        _ = try await f.core.submitProof(
            node: alice,
            leaseId: first.lease.id,
            proof: Proofs.sample(first.job.id == s1.id ? 2 : 3).proof
        )
        #expect(try await f.core.job(agg.id).state == .created)
        _ = try await f.core.submitProof(
            node: alice,
            leaseId: second.lease.id,
            proof: Proofs.sample(second.job.id == s1.id ? 2 : 3).proof
        )
        #expect(try await f.core.job(agg.id).state == .open)
        let aggLease = try #require(try await f.core.lease(node: alice, requestId: nil))
        #expect(aggLease.job.id == agg.id)
        _ = try await f.core.submitProof(node: alice, leaseId: aggLease.lease.id, proof: Proofs.sample(1).proof)
        // The aggregate consumed its shards' proofs.
        #expect(try await f.core.job(s1.id).state == .consumed)
        #expect(try await f.core.job(s2.id).state == .consumed)
        try await f.expectBalanced()
    }

    /// Found by schemathesis: a reused request key returned the existing job before the request
    /// was validated, so `maxAttempts: 101` got a 200. Now the request is validated first, and a
    /// different request under a used key is 409, not silently the old job.
    @Test func reusedRequestKeyIsValidatedAndMustMatch() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        let a = try await f.job("reuse")
        func again(reward: Int64 = 100, maxAttempts: Int64? = nil) async throws -> (job: Job, created: Bool) {
            try await f.core.submitJob(
                requester: requesterA,
                request: JobRequest(
                    requestKey: "reuse",
                    kind: Proofs.kind.name,
                    input: Proofs.base64(1),
                    reward: reward,
                    collateral: 40,
                    deadlineSeconds: 600,
                    maxAttempts: maxAttempts
                )
            )
        }
        let invalid = await #expect(throws: NetworkError.self) { _ = try await again(maxAttempts: 101) }
        #expect(invalid?.status == 400)
        let different = await #expect(throws: NetworkError.self) { _ = try await again(reward: 101) }
        #expect(different?.status == 409)
        let same = try await again()
        #expect(!same.created && same.job.id == a.id)
        // A job without a verified proof has no proof to read yet: 409, not 404.
        let noProof = await #expect(throws: NetworkError.self) { _ = try await f.core.proof(a.id) }
        #expect(noProof?.status == 409)
        let noJob = await #expect(throws: NetworkError.self) { _ = try await f.core.proof("job-none") }
        #expect(noJob?.status == 404)
        try await f.expectBalanced()
    }

    @Test func finalJobSettlesAndIsPaid() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        let job = try await f.job("final", role: .final)
        let g = try #require(try await f.core.lease(node: alice, requestId: nil))
        let r = try await f.core.submitProof(node: alice, leaseId: g.lease.id, proof: Proofs.sample(1).proof)
        #expect(r.state == .paid && r.reward == 100)
        let states = try await f.core.transitions(job.id).map(\.to)
        #expect(Array(states.suffix(4)) == ["VERIFIED", "SETTLING", "SETTLED", "PAID"])
        try await f.expectBalanced()
    }

    @Test func expiredLeaseIsSlashedHalfBurnedHalfToRescuer() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        _ = try await f.node(bob)
        let job = try await f.job("rescue", collateral: 40)
        let g = try #require(try await f.core.lease(node: alice, requestId: nil))
        f.clock.advance(millis: 1500)
        #expect(try await f.core.expireLeases() == 1)
        #expect(try await f.core.job(job.id).state == .open)
        #expect(try await f.core.balance(Ledger.burn) == 20)
        #expect(try await f.core.balance(Ledger.bounty(job.id)) == 20)
        #expect(try await f.core.balance(Ledger.stake(alice)) == 960)
        let rescue = try #require(try await f.core.lease(node: bob, requestId: nil))
        #expect(rescue.lease.rescue)
        let r = try await f.core.submitProof(node: bob, leaseId: rescue.lease.id, proof: Proofs.sample(1).proof)
        #expect(r.reward == 100 && r.bounty == 20)
        #expect(try await f.core.balance(Ledger.wallet(bob)) == 500 + 120)
        // The first holder's late submission is now a duplicate for a proven job.
        await #expect(throws: NetworkError.self) {
            _ = try await f.core.submitProof(node: alice, leaseId: g.lease.id, proof: Proofs.sample(1).proof)
        }
        let states = try await f.core.transitions(job.id).map(\.to)
        #expect(states.contains("EXPIRED"))
        #expect(try await f.core.node(alice).leasesExpired == 1)
        try await f.expectBalanced()
    }

    @Test func invalidProofIsRejectedSlashedAndReopened() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        let job = try await f.job("bad", seed: 1)
        let g = try #require(try await f.core.lease(node: alice, requestId: nil))
        // A real proof, but of another input.
        do {
            _ = try await f.core.submitProof(node: alice, leaseId: g.lease.id, proof: Proofs.sample(2).proof)
            Issue.record("invalid proof accepted")
        } catch let e as SubmitRejection {
            #expect(e.result.slashed == 40 && !e.result.accepted)
        }
        #expect(try await f.core.job(job.id).state == .open)
        #expect(try await f.core.balance(Ledger.burn) == 20)
        #expect(try await f.core.balance(Ledger.bounty(job.id)) == 20)
        #expect(try await f.core.transitions(job.id).map(\.to).contains("REJECTED_PROOF"))
        #expect(try await f.core.node(alice).proofsRejected == 1)
        try await f.expectBalanced()
    }

    @Test func attemptLimitFailsJobAndRefundsRequester() async throws {
        let f = try await CoreFixture.make(leaseMillis: 1000, maxAttempts: 2)
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        let job = try await f.job("limited")
        for _ in 0..<2 {
            _ = try #require(try await f.core.lease(node: alice, requestId: nil))
            f.clock.advance(millis: 1500)
            try await f.core.expireLeases()
        }
        #expect(try await f.core.job(job.id).state == .failed)
        #expect(try await f.core.lease(node: alice, requestId: nil) == nil)
        // Escrow (100) and the unclaimed bounty (2 × 20) go back to the requester.
        #expect(try await f.core.balance(Ledger.wallet(requesterA)) == 140)
        #expect(try await f.core.balance(Ledger.burn) == 40)
        try await f.expectBalanced()
    }

    @Test func leasesStayWithinStakeSlotsAndThroughput() async throws {
        let f = try await CoreFixture.make(leaseMillis: 10_000)
        defer { Task { await f.close() } }
        // Stake 100 covers two leases of collateral 40.
        _ = try await f.node(alice, stake: 100, wps: 1e9, slots: 8)
        for i in 0..<4 { _ = try await f.job("s\(i)", seed: UInt64(i % 2 + 1)) }
        #expect(try await f.core.lease(node: alice, requestId: nil) != nil)
        #expect(try await f.core.lease(node: alice, requestId: nil) != nil)
        #expect(try await f.core.lease(node: alice, requestId: nil) == nil)
        // One slot.
        _ = try await f.node(bob, stake: 1000, wps: 1e9, slots: 1)
        #expect(try await f.core.lease(node: bob, requestId: nil) != nil)
        #expect(try await f.core.lease(node: bob, requestId: nil) == nil)
        // Too slow to prove even one job within a lease period.
        let work = try await f.core.jobs(state: .open).first!.work
        _ = try await f.node(carol, stake: 1000, wps: work / 20, slots: 4)
        #expect(try await f.core.lease(node: carol, requestId: nil) == nil)
        try await f.expectBalanced()
    }

    @Test func releaseReturnsCollateralAndReopens() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        _ = try await f.node(alice)
        let job = try await f.job("rel")
        let g = try #require(try await f.core.lease(node: alice, requestId: nil))
        let l = try await f.core.release(node: alice, leaseId: g.lease.id, reason: "shutting down")
        #expect(l.state == .released)
        #expect(try await f.core.job(job.id).state == .open)
        #expect(try await f.core.balance(Ledger.stake(alice)) == 1000)
        try await f.expectBalanced()
    }
}
