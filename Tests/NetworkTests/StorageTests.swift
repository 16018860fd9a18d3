import Foundation
import Logging
import Testing

@testable import NetworkCore
@testable import ProverNetwork

/// The same SQL on SQLite and PostgreSQL; lease claims stay atomic under concurrency.
@Suite(.serialized) struct StorageTests {
    static var engines: [String?] {
        PostgresAvailability.reachable ? [nil, PostgresAvailability.url] : [nil]
    }

    @Test(arguments: engines)
    func concurrentLeaseClaimsAreAtomic(postgres: String?) async throws {
        let f = try await CoreFixture.make(postgres: postgres)
        defer { Task { await f.close() } }
        let nodes = (0..<6).map { "0x" + String(repeating: String($0 + 4), count: 40) }
        for n in nodes { _ = try await f.node(n, stake: 10_000, slots: 64) }
        var jobs: [String] = []
        for i in 0..<24 { jobs.append(try await f.job("c\(i)", seed: UInt64(i % 2 + 1)).id) }
        // Every node asks for leases concurrently until nothing is left.
        let grants = try await withThrowingTaskGroup(of: [LeaseGrant].self) { group in
            for n in nodes {
                group.addTask {
                    var mine: [LeaseGrant] = []
                    while let g = try await f.core.lease(node: n, requestId: nil) { mine.append(g) }
                    return mine
                }
            }
            var all: [LeaseGrant] = []
            for try await g in group { all += g }
            return all
        }
        #expect(grants.count == jobs.count)
        #expect(Set(grants.map(\.job.id)) == Set(jobs))
        #expect(Set(grants.map(\.lease.id)).count == jobs.count)
        // Every job has exactly one lease.
        for j in jobs { #expect(try await f.core.leases(jobId: j).count == 1) }
        // Finish half of them concurrently, expire the rest.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for g in grants.prefix(12) {
                group.addTask {
                    _ = try await f.core.submitProof(
                        node: g.lease.node,
                        leaseId: g.lease.id,
                        proof: Proofs.sample(g.job.input == Proofs.base64(1) ? 1 : 2).proof
                    )
                }
            }
            try await group.waitForAll()
        }
        f.clock.advance(millis: 20_000)
        #expect(try await f.core.expireLeases() == 12)
        #expect(try await f.core.jobs(state: .verified).count == 12)
        #expect(try await f.core.jobs(state: .open).count == 12)
        try await f.expectBalanced()
    }

    @Test(arguments: engines)
    func idempotentSubmissionUnderConcurrency(postgres: String?) async throws {
        let f = try await CoreFixture.make(postgres: postgres)
        defer { Task { await f.close() } }
        _ = try await f.core.faucet(address: requesterA, amount: 10_000)
        let results = try await withThrowingTaskGroup(of: (Job, Bool).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await f.core.submitJob(
                        requester: requesterA,
                        request: JobRequest(
                            requestKey: "once",
                            kind: Proofs.kind.name,
                            input: Proofs.base64(1),
                            reward: 100,
                            deadlineSeconds: 60
                        )
                    )
                }
            }
            var all: [(Job, Bool)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(Set(results.map(\.0.id)).count == 1)
        #expect(results.filter(\.1).count == 1)
        #expect(try await f.core.balance(Ledger.wallet(requesterA)) == 9_900)
        try await f.expectBalanced()
    }

    @Test func sqliteFileSurvivesReopen() async throws {
        let dir = NSTemporaryDirectory() + "zkprover-storage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.sqlite"
        var logger = Logger(label: "t")
        logger.logLevel = .error
        var config = CoordinatorConfig()
        config.faucetLimit = 1000
        let db1 = try await openDatabase(path, logger: logger)
        let c1 = try await CoordinatorCore(db: db1, kinds: Proofs.registry, config: config, logger: logger)
        _ = try await c1.faucet(address: alice, amount: 500)
        await db1.close()
        let db2 = try await openDatabase("sqlite://" + path, logger: logger)
        let c2 = try await CoordinatorCore(db: db2, kinds: Proofs.registry, config: config, logger: logger)
        #expect(try await c2.balance(Ledger.wallet(alice)) == 500)
        #expect(try await c2.checkLedger().balanced)
        await db2.close()
    }

    @Test func placeholderRewriteLeavesOtherDollarsAlone() {
        #expect(SQLiteTx.rewrite("SELECT $1, '$a', $12") == "SELECT ?1, '$a', ?12")
    }
}
