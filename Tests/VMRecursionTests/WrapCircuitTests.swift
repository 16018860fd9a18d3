import Algebra
import Recursion
import Stark
import Testing
import VMRecursion

/// The wrap circuit at the root of a run: it verifies the compress proof (the final circuit
/// over the root, proven under the compress configuration) and accepts no proof of another
/// circuit. INSECURE test parameters (``RunRecursion/testing(key:maxLogShardHeight:)``).
@Suite struct WrapCircuitTests {
    /// The compress proof of the aggregation fixture's root, and its statement.
    static func compressProof(_ f: AggregationTests.Fixture) throws -> (StarkProof<RF>, SegmentStatement?) {
        let b = try FinalCircuit.build(
            root: .init(proof: f.root.proof, isAggregate: f.root.isAggregate),
            shape: f.keys.shape,
            config: f.recursion.config,
            aggregateKey: f.keys.aggregate.root.elements
        )
        let (circuit, witness) = b.build(shape: f.keys.compress.shape)
        let proof = try RecursionProver.prove(circuit: circuit, witness: witness, config: f.recursion.compressConfig)
        return (proof, SegmentStatement(witness.publicValues(of: circuit)))
    }

    @Test func wrapsTheCompressProof() throws {
        let f = try AggregationTests.fixture.get()
        let (compress, statement) = try Self.compressProof(f)
        // The final proof states what the compress proof states.
        #expect(statement == f.final.statement)
        let b = try WrapCircuit.build(inner: compress, key: f.keys.compress, config: f.recursion.compressConfig)
        #expect(b.failures.isEmpty)
        let (circuit, witness) = b.build(shape: f.keys.final.shape)
        #expect(circuit.heights == f.keys.final.shape)
        #expect(SegmentStatement(witness.publicValues(of: circuit)) == f.final.statement)
        // The compress proof itself is not a final proof (another key, another configuration).
        let unwrapped = FinalProof(statement: f.final.statement, proof: compress, shards: f.final.shards)
        #expect(throws: AggregationError.self) { try f.recursion.verify(unwrapped) }
    }

    /// A valid proof of another circuit with the final circuit's shape and the same statement:
    /// only the key binding stands between it and a final proof.
    @Test func refusesAProofOfAnotherCircuit() throws {
        let f = try AggregationTests.fixture.get()
        let other = CircuitBuilder()
        for v in f.final.statement.values { other.makePublic(other.input(base: v)) }
        let (circuit, witness) = other.build(shape: f.keys.compress.shape)
        #expect(circuit.heights == f.keys.compress.shape)
        let forged = try RecursionProver.prove(circuit: circuit, witness: witness, config: f.recursion.compressConfig)
        let b = try WrapCircuit.build(inner: forged, key: f.keys.compress, config: f.recursion.compressConfig)
        #expect(b.failures == [String](repeating: "the wrapped proof is not of the expected circuit", count: 8))
        // Its witness does not satisfy the wrap circuit, so no final proof is made of it.
        let (wrap, wrapWitness) = b.build(shape: f.keys.final.shape)
        #expect(throws: (any Error).self) {
            try RecursionProver.prove(circuit: wrap, witness: wrapWitness, config: f.recursion.finalConfig)
        }
    }

    /// A proof of another shape and configuration (the root itself, an aggregate) does not fit.
    @Test func refusesAnotherShape() throws {
        let f = try AggregationTests.fixture.get()
        #expect(throws: VerificationError.self) {
            try WrapCircuit.build(inner: f.root.proof, key: f.keys.compress, config: f.recursion.compressConfig)
        }
    }
}
