import Algebra
import Hashing
import Recursion
import Stark
import VMProver

/// The leaf circuit: verifies one shard proof and states it as a one-shard segment.
public enum LeafCircuit {
    /// Builds the leaf circuit for `shard` with its witness.
    ///
    /// - `aggregateKey`: the aggregate circuit's key, carried in the statement for the
    ///   aggregates above (a leaf does not check it).
    ///
    /// Beyond the shard's STARK proof, the circuit checks what the native run verifier checks
    /// of one shard alone: `halted` is a bit and the shard ran at least one cycle. Failed
    /// checks are in ``CircuitBuilder/failures`` of the returned builder.
    public static func build(
        shard: ShardProof,
        key: VMProgramKey,
        config: StarkConfig<VMField>,
        aggregateKey: [RF]
    ) throws(VerificationError) -> CircuitBuilder {
        guard aggregateKey.count == 8 else { throw .shape("an aggregate key of \(aggregateKey.count) elements") }
        let b = CircuitBuilder()
        let s = try verifyShard(shard, key: key, config: config, builder: b)
        let cpu = s.cpu
        let halted = cpu[CPUAir.Public.halted]
        b.assertBool(halted, "halted is not a bit")
        _ = b.inverse(cpu[CPUAir.Public.cycles], "a shard without cycles")
        let statement = SegmentSlots(
            programId: s.programId,
            startImage: s.startImage,
            startPC: cpu[CPUAir.Public.startPC],
            firstShard: cpu[CPUAir.Public.shardIndex],
            finalImage: s.finalImage,
            endPC: cpu[CPUAir.Public.endPC],
            lastShard: cpu[CPUAir.Public.shardIndex],
            outputDigest: s.outputRoot,
            halted: halted,
            exitLo: cpu[CPUAir.Public.exitLo],
            exitHi: cpu[CPUAir.Public.exitHi],
            aggregateKey: b.inputs(base: aggregateKey),
            keysDigest: [Slot](repeating: RecursionCircuit.zero, count: 8),
            cycles: cpu[CPUAir.Public.cycles]
        )
        statement.makePublic(b)
        return b
    }
}
