import Algebra
import Foundation
import Logging
import NetworkCore
import Stark
import Testing
import VM
import VMProver
import VMRecursion
import VMTestSupport

@testable import ProverNetwork
@testable import VMProofKinds

/// A small guest proven through the network: `vm-shard` → `vm-aggregate` → `vm-final` jobs on
/// the testing kinds (INSECURE parameters, about 20 bits, for tests only), proven by two nodes
/// over HTTP and verified by the coordinator; then the coordinator's refusals.
@Suite struct VMProofKindTests {
    /// Reads a 4-byte loop bound from the input, runs a store/load/multiply loop that many
    /// times, commits the last square and exits with 3.
    static func program(tag: UInt32 = 0) -> Program {
        let data = TestProgram.dataBase
        var w: [UInt32] = []
        w += RV.li(17, 63) + RV.li(10, 0) + RV.li(11, data) + RV.li(12, 4) + [RV.ecall]
        w += RV.li(7, data) + [RV.lw(6, 7, 0)] + RV.li(5, tag)
        // loop: x8 = x5 * x5; sw x8, 4(x7); lw x9, 4(x7); x5 += 1; bne x5, x6, loop
        w += [RV.op("mul", 8, 5, 5), RV.sw(8, 7, 4), RV.lw(9, 7, 4), RV.addi(5, 5, 1), RV.b(-16, 6, 5, 1)]
        w += RV.li(17, 0x1000) + RV.li(10, data + 4) + RV.li(11, 4) + [RV.ecall]
        w += RV.exit(3)
        return TestProgram.program(w)
    }

    static let shardSize = 1 << 8
    /// A loop bound that makes two shards of 2^8 cycles (the suite's time goes to proving: a
    /// leaf is about 10 s on two cores, an aggregate about 9; the tree's shape for more shards
    /// is checked without proofs, and `zkprover devnet --network-only` proves four).
    static let input: [UInt8] = [80, 0, 0, 0]

    /// The kinds know the guest and a second program (another loop start), which is never run;
    /// shard tables are taken to be at most 2^9 rows high, for a small recursion shape.
    static let kinds = Result {
        try VMProofKinds(programs: [program(), program(tag: 1)], insecure: true, maxLogShardHeight: 9)
    }
    static var registry: ProofKindRegistry { ProofKindRegistry((try? kinds.get().all) ?? []) }

    /// The program id of `program(tag:)` under the testing configuration.
    static func programId(tag: UInt32 = 0) throws -> StarkDigest<VMField> {
        try VMProgramKey(program: program(tag: tag), config: .testing).programId
    }

    /// The run proven once through the network, shared by the suite.
    struct NetworkRun: Sendable {
        let plan: VMRunPlan
        /// Proofs by planned job name.
        let proofs: [String: [UInt8]]
        let verified: Int
        let seconds: Double
        let ledgerBalanced: Bool
    }

    static let network = Task { try await provenThroughTheNetwork() }

    static func provenThroughTheNetwork() async throws -> NetworkRun {
        let plan = try kinds.get().plan(programId: try programId(), input: input, shardSize: shardSize)
        let f = try await CoreFixture.make(leaseMillis: 120_000, kinds: registry)
        var sc = CoordinatorServerConfig()
        sc.port = 0
        sc.sweepInterval = .milliseconds(100)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let running = try await CoordinatorServer(
            core: f.core,
            config: sc,
            metrics: CoordinatorMetrics(),
            logger: logger
        )
        .start()
        let dir = NSTemporaryDirectory() + "zkprover-vmkinds-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let nodes = try (1...2).map { i in
            var nc = ProverNodeConfig(coordinator: running.url, keyFile: dir + "/node\(i).key")
            nc.faucet = 5000
            nc.slots = 1
            nc.workPerSecond = 1e6
            nc.pollInterval = .milliseconds(100)
            return try ProverNode(config: nc, kinds: registry, logger: logger)
        }
        let tasks = nodes.map { n in Task { try await n.run() } }
        let start = ContinuousClock.now
        var ids: [String] = []
        for job in plan.jobs {
            _ = try await f.core.faucet(address: requesterA, amount: 100)
            let (j, _) = try await f.core.submitJob(
                requester: requesterA,
                request: JobRequest(
                    requestKey: job.name,
                    kind: job.kind,
                    input: Data(job.input).base64EncodedString(),
                    reward: 100,
                    collateral: 40,
                    deadlineSeconds: 600,
                    dependsOn: job.dependsOn.map { ids[$0] },
                    role: job.role
                )
            )
            ids.append(j.id)
        }
        while try await !f.core.job(ids.last!).state.isProven {
            try #require(try await f.core.jobs().allSatisfy { $0.state != .failed })
            try await Task.sleep(for: .milliseconds(100))
        }
        let elapsed = ContinuousClock.now - start
        // A node counts a proof as verified when the coordinator's answer to its submission
        // reaches it, which can come after the coordinator has marked the job proven: wait for
        // the last count (a busy machine delayed it past the cancellation in a full-suite run).
        let counted = ContinuousClock.now
        while nodes.map(\.stats.verified).reduce(0, +) < plan.jobs.count,
            ContinuousClock.now - counted < .seconds(120)
        {
            try await Task.sleep(for: .milliseconds(100))
        }
        for t in tasks { t.cancel() }
        for t in tasks { _ = await t.result }
        var proofs: [String: [UInt8]] = [:]
        for (job, id) in zip(plan.jobs, ids) { proofs[job.name] = try await f.core.proof(id) }
        let balanced = try await f.core.checkLedger().balanced
        await running.stop()
        await f.close()
        try? FileManager.default.removeItem(atPath: dir)
        return NetworkRun(
            plan: plan,
            proofs: proofs,
            verified: nodes.map(\.stats.verified).reduce(0, +),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            ledgerBalanced: balanced
        )
    }

    @Test(.timeLimit(.minutes(15))) func runIsProvenThroughTheNetwork() async throws {
        let run = try await Self.network.value
        let plan = run.plan
        #expect(plan.shards.count == 2 && plan.exitCode == 3 && plan.output.count == 4)
        #expect(plan.jobs.map(\.name) == ["shard-0", "shard-1", "aggregate-0-1", "final"])
        #expect(plan.jobs.map(\.dependsOn) == [[], [], [0, 1], [2]])
        #expect(run.verified == plan.jobs.count)
        #expect(run.ledgerBalanced)
        // The final proof, checked again here against the root's proof, states the run.
        let kinds = try Self.kinds.get()
        let root = ProofDependency(
            jobId: "root",
            kind: kinds.aggregateName,
            input: plan.jobs[2].input,
            proof: try #require(run.proofs["aggregate-0-1"])
        )
        let verified = try kinds.final.verified(
            input: plan.jobs[3].input,
            proof: try #require(run.proofs["final"]),
            dependencies: [root]
        )
        #expect(verified.exitCode == 3 && verified.output == plan.output)
        #expect(verified.shards == 2 && verified.cycles == plan.cycles)
        print("vm kinds: \(plan.jobs.count) jobs over \(plan.cycles) cycles proven in \(run.seconds) s")
    }

    /// The inputs' encodings: round trips, and strict refusals.
    @Test func inputsAreCheckedStrictly() throws {
        let id = try Self.programId()
        let shard = try Self.kinds.get().plan(programId: id, input: Self.input, shardSize: Self.shardSize).shards[1]
        #expect(try VMShardInput(decoding: shard.encoded) == shard)
        #expect(shard.encoded.count == 119 + Self.input.count)
        for cut in 0..<shard.encoded.count {
            #expect(throws: ProofKindError.self) { try VMShardInput(decoding: Array(shard.encoded.prefix(cut))) }
        }
        #expect(throws: ProofKindError.self) { try VMShardInput(decoding: shard.encoded + [0]) }
        var bad = shard
        bad.shardSize = 100
        #expect(throws: ProofKindError.self) { try VMShardInput(decoding: bad.encoded) }
        bad = shard
        bad.start.pc += 2
        #expect(throws: ProofKindError.self) { try VMShardInput(decoding: bad.encoded) }
        var flag = shard.encoded
        flag[114] = 2
        #expect(throws: ProofKindError.self) { try VMShardInput(decoding: flag) }
        var field = shard.encoded
        field[2...5] = [0xff, 0xff, 0xff, 0xff]
        #expect(throws: ProofKindError.self) { try VMShardInput(decoding: field) }
        // Aggregates: only nodes of the aggregation tree.
        for (first, last, ok) in [
            (0, 1, true), (2, 3, true), (0, 3, true), (4, 4, false), (1, 2, false), (0, 2, true),
            (4, 6, true), (2, 4, false), (8, 12, true), (3, 1, false),
        ] {
            let bytes = VMAggregateInput(programId: id, first: first, last: last).encoded
            #expect(((try? VMAggregateInput(decoding: bytes)) != nil) == ok, "\(first)...\(last)")
        }
        #expect(VMAggregateInput(programId: id, first: 0, last: 4).mid == 4)
        #expect(VMAggregateInput(programId: id, first: 8, last: 11).mid == 10)
        #expect(throws: ProofKindError.self) {
            try VMFinalInput(decoding: VMFinalInput(programId: id, shards: 0).encoded)
        }
        // An unknown program is refused at submission (work estimate).
        let kinds = try Self.kinds.get()
        var other = shard
        other.programId = try VMProgramKey(program: TestProgram.program(RV.exit(1)), config: .testing).programId
        #expect(throws: ProofKindError.self) { try kinds.shard.estimateWork(input: other.encoded) }
        #expect(try kinds.shard.estimateWork(input: shard.encoded) > 0)
    }

    /// The tree of an odd number of shards carries the last one up.
    @Test func jobsFollowTheAggregationTree() throws {
        let kinds = try Self.kinds.get()
        let s = try kinds.plan(programId: try Self.programId(), input: Self.input, shardSize: Self.shardSize).shards[0]
        let shards = (0..<5).map { k in
            var t = s
            t.index = k
            return t
        }
        let jobs = kinds.jobs(programId: s.programId, shards: shards)
        #expect(
            jobs.map(\.name).suffix(5) == ["aggregate-0-1", "aggregate-2-3", "aggregate-0-3", "aggregate-0-4", "final"]
        )
        #expect(jobs.map(\.dependsOn).suffix(5) == [[0, 1], [2, 3], [5, 6], [7, 4], [8]])
        for j in jobs where j.role == .aggregate { #expect((try? VMAggregateInput(decoding: j.input)) != nil) }
    }

    /// Submits a job for `requesterA` and returns it.
    static func submit(
        _ f: CoreFixture,
        _ key: String,
        kind: String,
        input: [UInt8],
        deps: [String] = []
    ) async throws -> Job {
        _ = try await f.core.faucet(address: requesterA, amount: 100)
        return try await f.core.submitJob(
            requester: requesterA,
            request: JobRequest(
                requestKey: key,
                kind: kind,
                input: Data(input).base64EncodedString(),
                reward: 100,
                collateral: 40,
                deadlineSeconds: 600,
                dependsOn: deps,
                maxAttempts: 10
            )
        ).job
    }

    /// Leases job `id` to `alice` and submits `proof`: whether the coordinator accepted it.
    static func deliver(_ f: CoreFixture, _ id: String, _ proof: [UInt8]) async throws -> Bool {
        let grant = try #require(try await f.core.lease(node: alice, requestId: nil, jobId: id))
        do {
            return try await f.core.submitProof(node: alice, leaseId: grant.lease.id, proof: proof).accepted
        } catch is SubmitRejection {
            return false
        }
    }

    /// The coordinator refuses proofs whose statements are not the job's: a leaf of another
    /// shard, aggregates over children that are not the two adjacent halves of the job's
    /// segment or of another program, tampered proofs and statements, and final proofs over a
    /// segment that is not the root.
    @Test(.timeLimit(.minutes(15))) func coordinatorRefusesWhatIsNotTheJob() async throws {
        let run = try await Self.network.value
        let kinds = try Self.kinds.get()
        let plan = run.plan
        let f = try await CoreFixture.make(leaseMillis: 120_000, kinds: Self.registry)
        defer { Task { await f.close() } }
        _ = try await f.core.faucet(address: alice, amount: 5000)
        _ = try await f.core.registerNode(
            address: alice,
            registration: NodeRegistration(kinds: kinds.all.map(\.name), workPerSecond: 1e9, slots: 4, stake: 4000)
        )
        func proof(_ name: String) throws -> [UInt8] { try #require(run.proofs[name]) }
        var shards: [String] = []
        for k in 0..<2 {
            shards.append(try await Self.submit(f, "s\(k)", kind: kinds.shardName, input: plan.shards[k].encoded).id)
        }
        // The same shard again, under another request.
        let again = try await Self.submit(f, "again", kind: kinds.shardName, input: plan.shards[0].encoded).id
        // A leaf of shard 0 for the job of shard 1, then the right ones.
        #expect(try await !Self.deliver(f, shards[1], proof("shard-0")))
        for k in 0..<2 { #expect(try await Self.deliver(f, shards[k], proof("shard-\(k)"))) }
        #expect(try await Self.deliver(f, again, proof("shard-0")))

        let pair = VMAggregateInput(programId: plan.programId, first: 0, last: 1).encoded
        let aggregate = try proof("aggregate-0-1")
        // Not two dependencies: refused at submission.
        await #expect(throws: NetworkError.self) {
            _ = try await Self.submit(f, "one", kind: kinds.aggregateName, input: pair, deps: [shards[0]])
        }
        // Children that are not adjacent: shard 0 twice.
        let overlap = try await Self.submit(
            f,
            "overlap",
            kind: kinds.aggregateName,
            input: pair,
            deps: [shards[0], again]
        )
        #expect(try await !Self.deliver(f, overlap.id, aggregate))
        // The children named for another segment, and for another program's aggregate.
        let elsewhere = VMAggregateInput(programId: plan.programId, first: 2, last: 3).encoded
        let moved = try await Self.submit(f, "moved", kind: kinds.aggregateName, input: elsewhere, deps: shards)
        #expect(try await !Self.deliver(f, moved.id, aggregate))
        let otherInput = VMAggregateInput(programId: try Self.programId(tag: 1), first: 0, last: 1).encoded
        let other = try await Self.submit(f, "other", kind: kinds.aggregateName, input: otherInput, deps: shards)
        #expect(try await !Self.deliver(f, other.id, aggregate))
        // The right job: a flipped byte in the proof, a changed statement, other shard shapes, a
        // leaf, then the proof.
        let job = try await Self.submit(f, "pair", kind: kinds.aggregateName, input: pair, deps: shards.reversed())
        var flipped = aggregate
        flipped[flipped.count / 2] ^= 1
        #expect(try await !Self.deliver(f, job.id, flipped))
        var changed = try SegmentProof(decoding: aggregate)
        changed.statement.exitLo += VMField(1)
        #expect(try await !Self.deliver(f, job.id, changed.encoded()))
        var shapes = try SegmentProof(decoding: aggregate)
        shapes.shards.reverse()
        #expect(try await !Self.deliver(f, job.id, shapes.encoded()))
        #expect(try await !Self.deliver(f, job.id, try proof("shard-0")))
        #expect(try await Self.deliver(f, job.id, aggregate))

        // Final jobs over a segment that is not the whole run, or claiming another shard count.
        let final = try proof("final")
        let leafRoot = try await Self.submit(
            f,
            "final-leaf",
            kind: kinds.finalName,
            input: VMFinalInput(programId: plan.programId, shards: 2).encoded,
            deps: [shards[0]]
        )
        #expect(try await !Self.deliver(f, leafRoot.id, final))
        let count = try await Self.submit(
            f,
            "final-3",
            kind: kinds.finalName,
            input: VMFinalInput(programId: plan.programId, shards: 3).encoded,
            deps: [job.id]
        )
        #expect(try await !Self.deliver(f, count.id, final))
        try await f.expectBalanced()
    }
}
