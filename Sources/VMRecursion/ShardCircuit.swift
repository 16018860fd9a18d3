import Algebra
import Hashing
import Recursion
import Stark
import VMProver

/// The statement of a shard proof, as slots of a recursion circuit that verified it.
public struct ShardStatementSlots: Sendable {
    /// The root of the fixed tables (program, range, bytes): the program id.
    public var programId: [Slot]
    /// The root of the output table's fixed columns (the shard's committed bytes).
    public var outputRoot: [Slot]
    /// The roots of the start and final memory images.
    public var startImage: [Slot]
    public var finalImage: [Slot]
    /// The CPU table's public values (``VMProver/CPUAir/Public``): start pc, end pc, halted,
    /// exit code (two 16-bit limbs), cycles, shard index.
    public var cpu: [Slot]
}

/// Writes the verification of one shard proof into a recursion circuit: the shard's STARK
/// proof against the AIRs of its program and accelerator set, with every preprocessed root
/// (program id, output, start and final images) left to the caller to bind.
public func verifyShard(
    _ shard: ShardProof,
    key: VMProgramKey,
    config: StarkConfig<VMField>,
    builder: CircuitBuilder
) throws(VerificationError) -> ShardStatementSlots {
    let airs = key.airs(output: shard.output, start: nil, final: nil, accelerators: shard.accelerators)
    let statement = try StarkVerifierCircuit(config: config, builder: builder).verify(airs: airs, proof: shard.stark)
    // Groups present, ascending: fixed 0, output 1, start image 2, final image 3.
    guard statement.preprocessedRoots.count == 4 else { throw .shape("expected 4 preprocessed commitments") }
    let roots = statement.preprocessedRoots
    return ShardStatementSlots(
        programId: roots[ShardCommitmentGroup.fixed],
        outputRoot: roots[ShardCommitmentGroup.output],
        startImage: roots[ShardCommitmentGroup.startImage],
        finalImage: roots[ShardCommitmentGroup.finalImage],
        cpu: statement.publicValues[ShardTable.cpu.rawValue]
    )
}
