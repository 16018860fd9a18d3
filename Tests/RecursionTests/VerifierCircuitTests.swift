import Algebra
import Hashing
import Stark
import Testing

@testable import Recursion

/// The STARK verifier written as a circuit, run natively: on honest proofs every check of the
/// circuit holds and the witness satisfies it; on tampered proofs some check fails; the
/// circuit depends only on the proof's shape.
///
/// Proofs use `StarkConfig.testing` (INSECURE, about 20 bits: test parameters only) to keep
/// the circuits small.
@Suite struct VerifierCircuitTests {
    static let config = StarkConfig<RF>.testing

    static func proof(_ s: ExampleStatement, logRows: Int) throws -> (airs: [any Air<RF>], proof: StarkProof<RF>) {
        let input = s.input(logRows: logRows, field: RF.self)
        let proof = try StarkProver(config: config).prove(input.tables)
        let airs = s.airs(logRows: logRows, field: RF.self)
        try StarkVerifier(config: config).verify(airs: airs, proof: proof)
        return (airs, proof)
    }

    static func circuit(
        airs: [any Air<RF>],
        proof: StarkProof<RF>
    ) throws -> (circuit: RecursionCircuit, witness: CircuitWitness, failures: [String], statement: VerifiedStatement) {
        let b = CircuitBuilder()
        let statement = try StarkVerifierCircuit(config: config, builder: b).verify(airs: airs, proof: proof)
        let (c, w) = b.build()
        return (c, w, b.failures, statement)
    }

    @Test(arguments: [
        (ExampleStatement.fibonacci, 6), (.rangeCheck, 8), (.committedRange, 8), (.poseidon2, 3),
    ])
    func honestProofSatisfiesTheCircuit(_ s: ExampleStatement, _ logRows: Int) throws {
        let (airs, proof) = try Self.proof(s, logRows: logRows)
        let r = try Self.circuit(airs: airs, proof: proof)
        #expect(r.failures == [])
        #expect(r.circuit.check(r.witness) == nil)
        // The statement slots hold the proof's public values and roots.
        #expect(r.statement.publicValues.map { $0.map { r.witness[$0].c0 } } == proof.tables.map(\.publicValues))
        #expect(
            r.statement.preprocessedRoots.map { $0.map { r.witness[$0].c0 } } == proof.preprocessedRoots.map(\.elements)
        )
    }

    /// Two proofs of the same shape with different traces and public values: one circuit.
    @Test func circuitDependsOnlyOnTheShape() throws {
        let a = try Self.proof(.fibonacci, logRows: 6)
        var input = ExampleStatement.fibonacci.input(logRows: 6, field: RF.self)
        // Another start: (2, 3).
        var t = input.tables[0].trace
        var x = RF(2)
        var y = RF(3)
        for r in 0..<t.height {
            t.values[2 * r] = x
            t.values[2 * r + 1] = y
            (x, y) = (y, x + y)
        }
        let result = t.values[2 * (t.height - 1) + 1]
        input.tables[0] = TableInput(air: FibonacciAir<RF>(), trace: t, publicValues: [RF(2), RF(3), result])
        let other = try StarkProver(config: Self.config).prove(input.tables)
        let ca = try Self.circuit(airs: a.airs, proof: a.proof)
        let cb = try Self.circuit(airs: a.airs, proof: other)
        #expect(ca.failures == [] && cb.failures == [])
        #expect(ca.circuit == cb.circuit && ca.witness != cb.witness)
    }

    /// Tampered proofs: the circuit is the honest one, some check fails, and the witness does
    /// not satisfy the circuit.
    @Test(arguments: [
        "public value", "opened main value", "quotient opening", "cumulative sum", "main root",
        "query row", "Merkle sibling", "FRI sibling", "final polynomial", "query proof of work",
    ])
    func tamperedProofFails(_ what: String) throws {
        let (airs, proof) = try Self.proof(.rangeCheck, logRows: 8)
        let honest = try Self.circuit(airs: airs, proof: proof)
        var p = proof
        let one = QuarticExtension<RF>(RF(1))
        switch what {
        case "public value":
            let f = try Self.proof(.fibonacci, logRows: 6)
            var q = f.proof
            q.tables[0].publicValues[2] += RF(1)
            let r = try Self.circuit(airs: f.airs, proof: q)
            let h = try Self.circuit(airs: f.airs, proof: f.proof)
            #expect(!r.failures.isEmpty && r.circuit == h.circuit)
            return
        case "opened main value": p.tables[0].openings.mainLocal[1] += one
        case "quotient opening": p.tables[1].openings.quotient[0] += one
        case "cumulative sum":
            p.tables[0].cumulativeSum! += one
            p.tables[1].cumulativeSum! -= one
        case "main root": p.mainRoots[0] = p.quotientRoots[0]
        case "query row": p.queries[3].inputs[1].rows[0][1] += RF(1)
        case "Merkle sibling": p.queries[5].inputs[1].path[2] = p.queries[5].inputs[1].path[3]
        case "FRI sibling": p.queries[2].layers[1].sibling += one
        case "final polynomial": p.finalPoly[0] += one
        case "query proof of work": p.powWitness += RF(1)
        default: Issue.record("unknown case")
        }
        #expect(throws: VerificationError.self) { try StarkVerifier(config: Self.config).verify(airs: airs, proof: p) }
        let r = try Self.circuit(airs: airs, proof: p)
        #expect(!r.failures.isEmpty, "\(what)")
        #expect(r.circuit == honest.circuit)
        #expect(r.circuit.check(r.witness) != nil)
    }

    /// A proof of another shape is refused before any op is written.
    @Test func wrongShapeThrows() throws {
        let (_, proof) = try Self.proof(.rangeCheck, logRows: 8)
        let fib = ExampleStatement.fibonacci.airs(logRows: 6, field: RF.self)
        #expect(throws: VerificationError.self) { try Self.circuit(airs: fib, proof: proof) }
        var p = proof
        p.queries[0].inputs[0].rows[0].removeLast()
        let airs = ExampleStatement.rangeCheck.airs(logRows: 8, field: RF.self)
        #expect(throws: VerificationError.self) { try Self.circuit(airs: airs, proof: p) }
    }
}

extension VerifierCircuitTests {
    /// The circuit built from a zero proof of the right shape is the one built from a real
    /// proof: a verifier can derive a recursion key from shapes alone.
    @Test(arguments: [(ExampleStatement.rangeCheck, 8), (.committedRange, 8), (.fibonacci, 6)])
    func placeholderGivesTheSameCircuit(_ s: ExampleStatement, _ logRows: Int) throws {
        let (airs, proof) = try Self.proof(s, logRows: logRows)
        let placeholder = try StarkProof<RF>.placeholder(
            airs: airs,
            logHeights: proof.tables.map(\.logHeight),
            fri: Self.config.fri
        )
        let real = try Self.circuit(airs: airs, proof: proof)
        let fake = try Self.circuit(airs: airs, proof: placeholder)
        #expect(real.circuit == fake.circuit && !fake.failures.isEmpty)
    }
}
