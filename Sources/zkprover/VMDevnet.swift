import ArgumentParser
import EVMGuestInput
import Foundation
import NetworkCore
import ProverNetwork
import Stark
import Synchronization
import VM
import VMProofKinds
import VMProver
import VMRecursion

/// The network-only devnet's zkVM run: the EVM guest on one state-test vector, cut into at least
/// four shards, planned as `vm-shard`, `vm-aggregate` and `vm-final` jobs for the two nodes.
enum VMDevnet {
    /// The default vector: a CALL with a large memory offset (Prague's vector 0).
    static let defaultFixture = "state_tests/frontier/opcodes/test_call_large_offset_mstore.json"

    /// Builds the EVM guest, plans its run on the vector and returns the devnet's options (the
    /// planned jobs, the nodes' speed, the final statement's summary) and the proof kinds.
    static func options(
        fixture: String?,
        forks: String,
        index: Int,
        shardSize: Int?,
        insecure: Bool,
        buildDirectory: String,
        say: @escaping @Sendable (String) -> Void
    ) throws -> (DevnetOptions, ProofKindRegistry, Outcome) {
        say("building the EVM guest (minutes on a cold cache)...")
        let guest = try VMCommandSupport.buildExampleGuest("evm", buildDirectory: buildDirectory, softwareKeccak: false)
        let path = fixture ?? guest.eestFixtures.appendingPathComponent(defaultFixture).path
        let vectors = try StateTestVector.load(path: path, forks: Set(forks.split(separator: ",").map(String.init)))
        guard vectors.indices.contains(index) else {
            throw ValidationError("\(path) has \(vectors.count) vectors for \(forks)")
        }
        let vector = vectors[index]
        let input = vector.input.encode()
        let machine = try Machine(program: guest.program, input: input)
        _ = try machine.run()
        let size = shardSize ?? Self.shardSize(cycles: machine.cycles)
        guard size.nonzeroBitCount == 1, (4...VMProofKinds.maxLogShardSize).contains(size.trailingZeroBitCount) else {
            throw ValidationError("--shard-size must be a power of two in 2^4...2^\(VMProofKinds.maxLogShardSize)")
        }
        // The recursion shape holds shard tables up to 2^maxLogShardHeight rows: the production
        // kinds hold every shard; the testing kinds are sized to this run (its shard size, its
        // memory image) so that their recursion proofs stay small.
        let key = try VMProgramKey(program: guest.program, config: StarkConfig<VMField>.vm(insecure: insecure))
        let imageLog = key.startImage.height.trailingZeroBitCount + 1
        let maxLog = insecure ? min(VMProofKinds.maxLogShardSize, max(size.trailingZeroBitCount, imageLog)) : nil
        let kinds = try VMProofKinds(programs: [guest.program], insecure: insecure, maxLogShardHeight: maxLog)
        let plan = try kinds.plan(programId: key.programId, input: input, shardSize: size)
        say("guest: \(guest.path.path), program id \(key.programId)")
        say(
            "run: \(vector.id): \(plan.cycles) cycles in \(plan.shards.count) shards of \(size), exit code \(plan.exitCode); fixture post-state root \(VMCommandSupport.hexString(Array(vector.expectedRoot.bytes)))"
        )
        say(
            "proofs: \(insecure ? "INSECURE test parameters (about 20 bits)" : "100 bits (shards, leaves and aggregates at rate 1/4; the final circuit at rate 1/16, wrapped into the final proof at rate 1/64)")"
        )
        var options = DevnetOptions()
        options.jobs = plan.jobs
        // Every VM job is minutes of work at the kinds' estimates: nodes take any job, one at a
        // time, and heartbeat while proving.
        options.nodeWorkPerSecond = 1e6
        let expectedRoot = Array(vector.expectedRoot.bytes)
        let outcome = Outcome()
        options.summary = { jobs, proofs in
            try Self.summary(jobs: jobs, proofs: proofs, kinds: kinds, plan: plan, expectedRoot: expectedRoot, outcome)
        }
        return (options, ProofKindRegistry(kinds.all), outcome)
    }

    /// Whether the final proof verified with the fixture's post-state root (set by the summary).
    final class Outcome: Sendable {
        let rootMatches = Mutex(false)
    }

    /// The largest shard size (a power of two, at least 2^4) that cuts `cycles` into four shards
    /// or more.
    static func shardSize(cycles: UInt64) -> Int {
        var log = VMProofKinds.maxLogShardSize
        while log > 4 && (cycles + (UInt64(1) << log) - 1) >> log < 4 { log -= 1 }
        return 1 << log
    }

    /// The final statement, verified here from the final proof and the root's: exit code, the
    /// committed post-state root (against the fixture's), gas used, shards, cycles.
    static func summary(
        jobs: [Job],
        proofs: [String: [UInt8]],
        kinds: VMProofKinds,
        plan: VMRunPlan,
        expectedRoot: [UInt8],
        _ outcome: Outcome
    ) throws -> [String] {
        guard let final = jobs.first(where: { $0.kind == kinds.finalName }), let proof = proofs[final.id],
            let rootId = final.dependsOn.first, let root = jobs.first(where: { $0.id == rootId }),
            let rootProof = proofs[rootId]
        else { return ["final statement: the final job is not proven"] }
        func bytes(_ b64: String) -> [UInt8] { [UInt8](Data(base64Encoded: b64) ?? Data()) }
        let run = try kinds.final.verified(
            input: bytes(final.input),
            proof: proof,
            dependencies: [ProofDependency(jobId: rootId, kind: root.kind, input: bytes(root.input), proof: rootProof)]
        )
        let stateRoot = Array(run.output.prefix(32))
        let gas = run.output.count >= 40 ? run.output[32..<40].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : 0
        let valid = run.output.count > 40 ? run.output[40] : 0
        let decoded = try FinalProof(decoding: proof)
        let bits = try kinds.recursion(plan.programId).provenBits(decoded)
        outcome.rootMatches.withLock { $0 = run.exitCode == 0 && stateRoot == expectedRoot }
        return [
            "final statement (vm-final \(final.id), \(proof.count) bytes, \(bits) proven bits):",
            "  program id \(plan.programId)",
            "  exit code \(run.exitCode), \(run.shards) shards, \(run.cycles) cycles",
            "  post-state root \(VMCommandSupport.hexString(stateRoot)) (\(stateRoot == expectedRoot ? "matches the fixture" : "DIFFERS from the fixture's \(VMCommandSupport.hexString(expectedRoot))"))",
            "  gas used \(gas), transaction valid \(valid == 1)",
        ]
    }
}
