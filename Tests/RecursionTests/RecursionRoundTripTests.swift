import Algebra
import Hashing
import Stark
import Testing

@testable import Recursion

/// Recursion end to end: a proof verified by a circuit, the circuit proven, and that proof
/// verified by a second circuit, proven in turn.
///
/// Every proof uses `StarkConfig.testing` (INSECURE test parameters, about 20 bits) so the
/// circuits stay small enough for the test suite.
@Suite struct RecursionRoundTripTests {
    static let config = StarkConfig<RF>.testing

    /// A circuit that verifies `proof` against `airs` and makes the first table's public
    /// values and the first preprocessed root (when present) its own.
    static func wrap(airs: [any Air<RF>], proof: StarkProof<RF>) throws -> (RecursionCircuit, CircuitWitness) {
        let b = CircuitBuilder()
        let s = try StarkVerifierCircuit(config: config, builder: b).verify(airs: airs, proof: proof)
        #expect(b.failures == [])
        for v in s.publicValues.last! { b.makePublic(v) }
        for v in s.preprocessedRoots.first ?? [] { b.makePublic(v) }
        return b.build()
    }

    @Test func twoLayers() throws {
        let input = ExampleStatement.fibonacci.input(logRows: 6, field: RF.self)
        let inner = try StarkProver(config: Self.config).prove(input.tables)
        let airs = ExampleStatement.fibonacci.airs(logRows: 6, field: RF.self)

        // Layer 1: the Fibonacci proof inside a circuit; its statement is the Fibonacci one.
        let (c1, w1) = try Self.wrap(airs: airs, proof: inner)
        let p1 = try RecursionProver.prove(circuit: c1, witness: w1, config: Self.config)
        let k1 = try RecursionVerifyingKey(circuit: c1, config: Self.config)
        #expect(w1.publicValues(of: c1) == input.tables[0].publicValues)
        try RecursionProver.verify(key: k1, proof: p1, publicValues: input.tables[0].publicValues, config: Self.config)

        // Layer 2: the layer-1 proof inside a circuit; its statement carries the Fibonacci
        // statement and layer 1's key.
        let (c2, w2) = try Self.wrap(airs: k1.airs, proof: p1)
        let p2 = try RecursionProver.prove(circuit: c2, witness: w2, config: Self.config)
        let expected = input.tables[0].publicValues + k1.root.elements
        #expect(w2.publicValues(of: c2) == expected)
        try RecursionProver.verify(circuit: c2, proof: p2, publicValues: expected, config: Self.config)
        // Another statement is refused.
        var wrong = expected
        wrong[2] += RF(1)
        #expect(throws: VerificationError.self) {
            try RecursionProver.verify(circuit: c2, proof: p2, publicValues: wrong, config: Self.config)
        }
    }

    /// A tampered inner proof gives a witness the prover refuses: it cannot be proven.
    @Test func tamperedInnerProofCannotBeProven() throws {
        let input = ExampleStatement.fibonacci.input(logRows: 6, field: RF.self)
        var inner = try StarkProver(config: Self.config).prove(input.tables)
        inner.tables[0].openings.mainNext[0] += QuarticExtension(RF(1))
        let airs = ExampleStatement.fibonacci.airs(logRows: 6, field: RF.self)
        let b = CircuitBuilder()
        _ = try StarkVerifierCircuit(config: Self.config, builder: b).verify(airs: airs, proof: inner)
        #expect(!b.failures.isEmpty)
        let (c, w) = b.build()
        #expect(throws: RecursionProverError.self) {
            try RecursionProver.prove(circuit: c, witness: w, config: Self.config)
        }
    }
}

extension RecursionRoundTripTests {
    /// Two circuits of different sizes padded to one shape: their proofs have one statement
    /// shape, and each verifies only under its own key.
    @Test func paddedToOneShape() throws {
        func circuit(_ n: Int) -> (RecursionCircuit, CircuitWitness) {
            let b = CircuitBuilder()
            var x = b.input(base: RF(3))
            for _ in 0..<n { x = b.mul(x, x) }
            b.makePublic(x)
            return b.build(shape: RecursionShape(arith: 64, poseidon2: 4, input: 8))
        }
        let (c1, w1) = circuit(5)
        let (c2, w2) = circuit(40)
        let k1 = try RecursionVerifyingKey(circuit: c1, config: Self.config)
        let k2 = try RecursionVerifyingKey(circuit: c2, config: Self.config)
        #expect(k1.shape == k2.shape && k1.shape == RecursionShape(arith: 64, poseidon2: 4, input: 8))
        #expect(k1.root != k2.root)
        let p1 = try RecursionProver.prove(circuit: c1, witness: w1, config: Self.config)
        let p2 = try RecursionProver.prove(circuit: c2, witness: w2, config: Self.config)
        try RecursionProver.verify(key: k1, proof: p1, publicValues: w1.publicValues(of: c1), config: Self.config)
        try RecursionProver.verify(key: k2, proof: p2, publicValues: w2.publicValues(of: c2), config: Self.config)
        #expect(throws: VerificationError.self) {
            try RecursionProver.verify(key: k2, proof: p1, publicValues: w1.publicValues(of: c1), config: Self.config)
        }
    }
}
