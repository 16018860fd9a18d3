import Algebra
import Hashing
import NetworkCore
import Stark
import VM
import VMProver
import VMRecursion

/// A guest run cut into shards, and the jobs that prove it on the network: what a requester
/// computes before submitting. The run is executed once in tracing mode; each shard's start and
/// end memory image roots (as the shard proofs commit them) and pcs go into its `vm-shard`
/// input, so that the coordinator accepts only the honest shard.
///
/// The jobs, children before parents: one `vm-shard` job per shard (role shard), the
/// `vm-aggregate` jobs of the aggregation tree level by level (adjacent segments paired, an odd
/// last one carried up, as `RunAggregator` pairs them; role aggregate), and one `vm-final` job
/// over the root (role final).
public struct VMRunPlan: Sendable {
    public var programId: StarkDigest<VMField>
    public var shardSize: Int
    /// The run's cycles, exit code and committed output (as the executor saw them).
    public var cycles: UInt64
    public var exitCode: Int32
    public var output: [UInt8]
    public var shards: [VMShardInput]
    public var jobs: [PlannedJob]
}

extension VMProofKinds {
    /// Runs program `programId` (one these kinds know) on `input` in shards of `shardSize`
    /// cycles and plans its jobs. Throws when the run fails, does not halt within
    /// ``maxShards`` shards, or the shard size is out of range.
    public func plan(
        programId: StarkDigest<VMField>,
        input: [UInt8],
        shardSize: Int
    ) throws(ProofKindError) -> VMRunPlan {
        let recursion = try recursion(programId)
        let key = recursion.key
        guard shardSize.nonzeroBitCount == 1, (4...Self.maxLogShardSize).contains(shardSize.trailingZeroBitCount) else {
            throw ProofKindError("shard size \(shardSize) is not a power of two in 2^4...2^\(Self.maxLogShardSize)")
        }
        try Self.checkShardSize(shardSize, recursion)
        guard input.count <= Self.maxGuestInputBytes else {
            throw ProofKindError("guest input of \(input.count) bytes, above \(Self.maxGuestInputBytes)")
        }
        let machine: Machine
        do {
            machine = try Machine(
                program: key.program,
                input: input,
                config: MachineConfig(maxCycles: UInt64(Self.maxShards) * UInt64(shardSize))
            )
        } catch {
            throw ProofKindError("the program cannot be loaded: \(error)")
        }
        let verifier = StarkVerifier<VMField>(config: recursion.shardConfig)
        func root(_ image: MemoryImage) -> StarkDigest<VMField>? {
            try? verifier.preprocessedRoot(airs: [StartImageAir(image: image)], group: ShardCommitmentGroup.startImage)
        }
        var image = key.startImage
        var startRoot = key.startImageRoot
        var shards: [VMShardInput] = []
        var failure: String? = nil
        do {
            try machine.trace(shardSize: shardSize) { shard in
                guard failure == nil else { return }
                image = ImageTransition(start: image, shard: shard).final
                guard let endRoot = root(image) else {
                    failure = "shard \(shard.index): the memory image cannot be committed"
                    return
                }
                shards.append(
                    VMShardInput(
                        programId: programId,
                        shardSize: shardSize,
                        index: shard.index,
                        start: VMShardBoundary(imageRoot: startRoot, pc: shard.startPC),
                        end: VMShardBoundary(imageRoot: endRoot, pc: shard.endPC),
                        halts: shard.exitCode != nil,
                        input: input
                    )
                )
                startRoot = endRoot
            }
        } catch {
            throw ProofKindError("the run fails: \(error)")
        }
        if let failure { throw ProofKindError(failure) }
        guard let exitCode = machine.exitCode, !shards.isEmpty else { throw ProofKindError("the run does not halt") }
        return VMRunPlan(
            programId: programId,
            shardSize: shardSize,
            cycles: machine.cycles,
            exitCode: exitCode,
            output: machine.publicOutput,
            shards: shards,
            jobs: jobs(programId: programId, shards: shards)
        )
    }

    /// The jobs over `shards`: shard jobs, the aggregation tree level by level, the final job.
    func jobs(programId: StarkDigest<VMField>, shards: [VMShardInput]) -> [PlannedJob] {
        var jobs = shards.map {
            PlannedJob(name: "shard-\($0.index)", kind: shardName, role: .shard, input: $0.encoded, dependsOn: [])
        }
        // Each tree node: its job index and its shards.
        var level = shards.indices.map { (job: $0, first: $0, last: $0) }
        while level.count > 1 {
            var next: [(job: Int, first: Int, last: Int)] = []
            for i in stride(from: 0, to: level.count - 1, by: 2) {
                let (l, r) = (level[i], level[i + 1])
                jobs.append(
                    PlannedJob(
                        name: "aggregate-\(l.first)-\(r.last)",
                        kind: aggregateName,
                        role: .aggregate,
                        input: VMAggregateInput(programId: programId, first: l.first, last: r.last).encoded,
                        dependsOn: [l.job, r.job]
                    )
                )
                next.append((jobs.count - 1, l.first, r.last))
            }
            if level.count % 2 == 1 { next.append(level.last!) }
            level = next
        }
        jobs.append(
            PlannedJob(
                name: "final",
                kind: finalName,
                role: .final,
                input: VMFinalInput(programId: programId, shards: shards.count).encoded,
                dependsOn: [level[0].job]
            )
        )
        return jobs
    }
}
