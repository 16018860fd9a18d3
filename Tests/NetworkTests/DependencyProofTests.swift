import Foundation
import Logging
import NetworkCore
import Testing

@testable import ProverNetwork

/// A proof kind for the dependency plumbing: a proof is a 64-bit FNV-1a digest of the input and
/// of the dependencies' proofs (sorted, since `dependsOn` has no order), so a prover or verifier
/// that does not see the dependencies' proofs gets another digest. Takes 0 to `maxDependencies`
/// dependencies. Not a proof system: a stand-in for tests.
struct DigestKind: ProofKind {
    var name = "test-digest"
    var maxDependencies = 2

    var dependencyProofs: ClosedRange<Int>? { 0...maxDependencies }

    static func digest(_ input: [UInt8], _ dependencies: [[UInt8]]) -> [UInt8] {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [input] + dependencies.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            for b in part + [0xff] {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        return (0..<8).map { UInt8(truncatingIfNeeded: h >> (8 * $0)) }
    }

    func estimateWork(input: [UInt8]) throws(ProofKindError) -> Double {
        guard (1...64).contains(input.count) else { throw ProofKindError("input must be 1...64 bytes") }
        return 1
    }

    /// Without the dependencies: the digest of the input alone (what a node that ignored them
    /// would submit).
    func prove(input: [UInt8]) throws(ProofKindError) -> [UInt8] { Self.digest(input, []) }

    func verify(input: [UInt8], proof: [UInt8]) throws(ProofKindError) {
        try verify(input: input, proof: proof, dependencies: [])
    }

    func prove(input: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) -> [UInt8] {
        guard dependencies.allSatisfy({ $0.kind == name }) else { throw ProofKindError("a dependency of another kind") }
        return Self.digest(input, dependencies.map(\.proof))
    }

    func verify(input: [UInt8], proof: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) {
        guard dependencies.allSatisfy({ $0.kind == name }) else { throw ProofKindError("a dependency of another kind") }
        guard proof == Self.digest(input, dependencies.map(\.proof)) else {
            throw ProofKindError("not the digest of the input and the dependencies' proofs")
        }
    }

    func sampleInput(size: Int, seed: UInt64) -> [UInt8] { Array("sample \(seed)".utf8) }
}

/// Kinds that build on their dependencies' proofs: the coordinator verifies against the stored
/// proofs, nodes fetch them before proving, and a job's number of dependencies is checked.
@Suite struct DependencyProofTests {
    static let kind = DigestKind()
    static let registry = ProofKindRegistry([DigestKind(), StarkFibonacciKind.testing])

    func submit(
        _ f: CoreFixture,
        _ key: String,
        input: String,
        deps: [String] = [],
        kind: String = DigestKind().name
    ) async throws -> Job {
        _ = try await f.core.faucet(address: requesterA, amount: 100)
        return try await f.core.submitJob(
            requester: requesterA,
            request: JobRequest(
                requestKey: key,
                kind: kind,
                input: Data(input.utf8).base64EncodedString(),
                reward: 100,
                collateral: 40,
                deadlineSeconds: 600,
                dependsOn: deps
            )
        ).job
    }

    @Test func coordinatorVerifiesAgainstTheDependenciesProofs() async throws {
        let f = try await CoreFixture.make(kinds: Self.registry)
        defer { Task { await f.close() } }
        _ = try await f.core.faucet(address: alice, amount: 1500)
        _ = try await f.core.registerNode(
            address: alice,
            registration: NodeRegistration(kinds: [Self.kind.name], workPerSecond: 1e9, slots: 4, stake: 1000)
        )
        let a = try await submit(f, "a", input: "left")
        let b = try await submit(f, "b", input: "right")
        let top = try await submit(f, "top", input: "top", deps: [b.id, a.id])
        #expect(top.state == .created && top.dependsOn == [a.id, b.id].sorted())
        for _ in 0..<2 {
            let g = try #require(try await f.core.lease(node: alice, requestId: nil))
            let proof = try Self.kind.prove(input: Array(Data(base64Encoded: g.job.input)!), dependencies: [])
            #expect(try await f.core.submitProof(node: alice, leaseId: g.lease.id, proof: proof).accepted)
        }
        let g = try #require(try await f.core.lease(node: alice, requestId: nil))
        #expect(g.job.id == top.id)
        let deps = try await f.core.dependencyProofs(of: g.job)
        #expect(Set(deps.map(\.jobId)) == [a.id, b.id] && deps.allSatisfy { $0.kind == Self.kind.name })
        #expect(Set(deps.map(\.input)) == [Array("left".utf8), Array("right".utf8)])
        // A proof made without the dependencies is rejected (and slashed); with them, accepted
        // whatever their order.
        let ignoring = try Self.kind.prove(input: Array("top".utf8))
        await #expect(throws: SubmitRejection.self) {
            _ = try await f.core.submitProof(node: alice, leaseId: g.lease.id, proof: ignoring)
        }
        let again = try #require(try await f.core.lease(node: alice, requestId: nil))
        #expect(again.job.id == top.id)
        let proof = try Self.kind.prove(input: Array("top".utf8), dependencies: deps.reversed())
        #expect(try await f.core.submitProof(node: alice, leaseId: again.lease.id, proof: proof).accepted)
        #expect(try await f.core.job(a.id).state == .consumed)
        try await f.expectBalanced()
    }

    @Test func dependencyCountOutsideTheKindsRangeIsRefused() async throws {
        let f = try await CoreFixture.make(kinds: Self.registry)
        defer { Task { await f.close() } }
        let ids = [
            try await submit(f, "x", input: "x").id, try await submit(f, "y", input: "y").id,
            try await submit(f, "z", input: "z").id,
        ]
        await #expect(throws: NetworkError.self) { _ = try await submit(f, "three", input: "t", deps: ids) }
        // Repeated ids are one dependency; kinds that read no proofs take any number.
        #expect(try await submit(f, "two", input: "t", deps: [ids[0], ids[1], ids[0]]).dependsOn.count == 2)
        let fib = Data(StarkFibonacciKind.testing.sampleInput(size: 0, seed: 1))
        _ = try await f.core.faucet(address: requesterA, amount: 100)
        let stark = try await f.core.submitJob(
            requester: requesterA,
            request: JobRequest(
                requestKey: "fib",
                kind: StarkFibonacciKind.testingKindName,
                input: fib.base64EncodedString(),
                reward: 100,
                deadlineSeconds: 600,
                dependsOn: ids
            )
        )
        #expect(stark.job.dependsOn.count == 3)
    }

    /// A real node over HTTP fetches the dependencies' proofs before proving: a DAG of two
    /// leaves under one top job is proven and every proof verifies.
    // The time limit catches a hang, not slowness: in the whole suite on 2 cores a test's awaits
    // queue behind the proving tests for minutes (CI saw 6), so every limit here is 15 minutes.
    @Test(.timeLimit(.minutes(15))) func nodeFetchesDependencyProofsOverHTTP() async throws {
        let f = try await CoreFixture.make(kinds: Self.registry)
        var sc = CoordinatorServerConfig()
        sc.port = 0
        sc.sweepInterval = .milliseconds(50)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let running = try await CoordinatorServer(
            core: f.core,
            config: sc,
            metrics: CoordinatorMetrics(),
            logger: logger
        )
        .start()
        let dir = NSTemporaryDirectory() + "zkprover-deps-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var nc = ProverNodeConfig(coordinator: running.url, keyFile: dir + "/node.key")
        nc.faucet = 5000
        nc.slots = 1
        nc.workPerSecond = 1000
        nc.kinds = [Self.kind.name]
        nc.pollInterval = .milliseconds(100)
        let node = try ProverNode(config: nc, kinds: Self.registry, logger: logger)
        let proving = Task { try await node.run() }
        let a = try await submit(f, "a", input: "left")
        let b = try await submit(f, "b", input: "right")
        let top = try await submit(f, "top", input: "top", deps: [a.id, b.id])
        // The coordinator records the top proof before the node has read its answer to the
        // submission: wait for both, or a loaded machine sees the node's count one short.
        while try await !f.core.job(top.id).state.isProven || node.stats.verified + node.stats.rejected < 3 {
            try await Task.sleep(for: .milliseconds(50))
        }
        proving.cancel()
        _ = await proving.result
        let leaves = [try await f.core.proof(a.id), try await f.core.proof(b.id)]
        #expect(try await f.core.proof(top.id) == DigestKind.digest(Array("top".utf8), leaves))
        #expect(node.stats.verified == 3 && node.stats.rejected == 0)
        await running.stop()
        await f.close()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
