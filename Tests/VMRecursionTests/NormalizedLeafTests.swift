import Algebra
import Recursion
import Stark
import Testing
import VM
import VMProver
import VMRecursion
import VMTestSupport

/// Leaves taller than the recursion shape: a shard with the Keccak tables has a leaf circuit
/// several times the shape's arithmetic rows, so it is proven in its own shape and normalized by
/// the wrap circuit (its leaf key a constant) into a segment proof of the recursion shape, which
/// verifies alone and as an aggregate's child. INSECURE test parameters
/// (``RunRecursion/testing(key:maxLogShardHeight:)``).
@Suite struct NormalizedLeafTests {
    static let config = StarkConfig<VMField>.testing

    /// One `keccak_f` call on the data base, 32 bytes committed, then a shard of no-ops: shards of
    /// 128 cycles, the first with the Keccak tables, the last without.
    static let run = Result {
        let d = TestProgram.dataBase
        var code = RV.li(17, 0x1010) + RV.li(10, d) + RV.li(11, 0) + [RV.ecall]
        code += RV.li(17, 0x1000) + RV.li(10, d) + RV.li(11, 32) + [RV.ecall]
        code += Array(repeating: RV.addi(0, 0, 0), count: 140)
        code += RV.exit(0)
        let program = TestProgram.program(code, data: (0..<200).map { UInt8($0) })
        let key = try VMProgramKey(program: program, config: config)
        let proof = try RunProver(key: key, config: config).prove(input: [], shardSize: 128)
        let recursion = RunRecursion.testing(key: key)
        return (recursion, proof, try proof.shards.map { try recursion.proveLeaf($0) })
    }

    @Test func aTallLeafIsNormalizedAndAggregated() throws {
        let (recursion, proof, leaves) = try Self.run.get()
        let keys = try recursion.keys()
        try #require(proof.shards.count >= 2)
        try #require(proof.shards[0].accelerators == .keccak)
        let plans = try proof.shards.map { try recursion.leafPlan(ShardShape($0)) }
        // The Keccak shard's leaf is taller than the recursion shape: normalized.
        #expect(!plans[0].leafShape.fits(in: keys.shape))
        #expect(plans[0].normalizeKey != nil)
        #expect(plans[0].segmentKey == plans[0].normalizeKey)
        // A shard without accelerators fits: its leaf proof is its segment proof.
        #expect(plans.last!.leafShape == keys.shape)
        #expect(plans.last!.normalizeKey == nil)
        for leaf in leaves {
            #expect(leaf.proof.tables.map(\.logHeight).first == keys.shape.arith.trailingZeroBitCount)
            try recursion.verifySegment(leaf)
        }
        // The normalized leaf next to its neighbour: one aggregate, which verifies.
        let pair = try recursion.proveAggregate(leaves[0], leaves[1])
        try recursion.verifySegment(pair)
    }

    /// The leaf proof itself (in its own shape) is not a segment proof, and the normalizing
    /// circuit refuses a leaf proof of any other key.
    @Test func theInnerLeafProofIsNotASegmentProof() throws {
        let (recursion, proof, leaves) = try Self.run.get()
        let keys = try recursion.keys()
        let plan = try recursion.leafPlan(ShardShape(proof.shards[0]))
        let b = try LeafCircuit.build(
            shard: proof.shards[0],
            key: recursion.key,
            config: Self.config,
            aggregateKey: keys.aggregate.root.elements
        )
        let (circuit, witness) = b.build(shape: plan.leafShape)
        #expect(circuit.heights == plan.leafShape)
        let inner = try RecursionProver.prove(circuit: circuit, witness: witness, config: recursion.config)
        try RecursionProver.verify(
            key: plan.leafKey,
            proof: inner,
            publicValues: leaves[0].statement.values,
            config: recursion.config
        )
        // Passed off as the shard's segment proof: another shape and key.
        var unnormalized = leaves[0]
        unnormalized.proof = inner
        #expect(throws: AggregationError.self) { try recursion.verifySegment(unnormalized) }
        // Normalized under another leaf key: every element of the key check fails.
        var otherRoot = plan.leafKey.root.elements
        otherRoot[0] += .one
        let forged = try WrapCircuit.build(
            inner: inner,
            shape: plan.leafShape,
            root: otherRoot,
            config: recursion.config
        )
        #expect(forged.failures == ["the wrapped proof is not of the expected circuit"])
        let honest = try WrapCircuit.build(inner: inner, key: plan.leafKey, config: recursion.config)
        #expect(honest.failures.isEmpty)
    }
}
