import Algebra
import Stark
import Testing

@testable import Recursion

/// The verifier circuit on proofs whose FRI folds by 4 and 8 per round: honest proofs satisfy
/// it, a changed value anywhere in a round's leaf or a wrong place of the chain's value in it
/// fails it, and a zero proof of the shape gives the same circuit.
///
/// INSECURE test parameters (`StarkConfig.testing`, about 20 bits) with the folding arity set.
@Suite struct VerifierCircuitArityTests {
    static func config(logArity: Int) -> StarkConfig<RF> {
        var c = StarkConfig<RF>.testing
        c.fri.logFoldingArity = logArity
        return c
    }

    static func proof(
        _ s: ExampleStatement,
        logRows: Int,
        config: StarkConfig<RF>
    ) throws -> (airs: [any Air<RF>], proof: StarkProof<RF>) {
        let proof = try StarkProver(config: config).prove(s.input(logRows: logRows, field: RF.self).tables)
        let airs = s.airs(logRows: logRows, field: RF.self)
        try StarkVerifier(config: config).verify(airs: airs, proof: proof)
        return (airs, proof)
    }

    static func circuit(
        airs: [any Air<RF>],
        proof: StarkProof<RF>,
        config: StarkConfig<RF>
    ) throws -> (circuit: RecursionCircuit, witness: CircuitWitness, failures: [String]) {
        let b = CircuitBuilder()
        _ = try StarkVerifierCircuit(config: config, builder: b).verify(airs: airs, proof: proof)
        let (c, w) = b.build()
        return (c, w, b.failures)
    }

    @Test(arguments: [2, 3])
    func honestProofsSatisfyTheCircuit(logArity: Int) throws {
        let config = Self.config(logArity: logArity)
        for (s, logRows) in [(ExampleStatement.rangeCheck, 8), (.committedRange, 8), (.fibonacci, 6)] {
            let (airs, proof) = try Self.proof(s, logRows: logRows, config: config)
            let r = try Self.circuit(airs: airs, proof: proof, config: config)
            #expect(r.failures == [], "\(s)")
            #expect(r.circuit.check(r.witness) == nil, "\(s)")
            let placeholder = try StarkProof<RF>.placeholder(
                airs: airs,
                logHeights: proof.tables.map(\.logHeight),
                fri: config.fri
            )
            #expect(try Self.circuit(airs: airs, proof: placeholder, config: config).circuit == r.circuit, "\(s)")
        }
    }

    @Test(arguments: [2, 3])
    func everyLeafValueIsChecked(logArity: Int) throws {
        let config = Self.config(logArity: logArity)
        let (airs, proof) = try Self.proof(.rangeCheck, logRows: 8, config: config)
        let honest = try Self.circuit(airs: airs, proof: proof, config: config)
        for round in proof.queries[2].layers.indices {
            for k in proof.queries[2].layers[round].siblings.indices {
                var p = proof
                p.queries[2].layers[round].siblings[k] += QuarticExtension<RF>(RF(1))
                let r = try Self.circuit(airs: airs, proof: p, config: config)
                #expect(!r.failures.isEmpty && r.circuit == honest.circuit, "round \(round), sibling \(k)")
                #expect(r.circuit.check(r.witness) != nil)
            }
        }
        // The leaf's values in another order (the chain's value at another place) fail too.
        var p = proof
        p.queries[1].layers[0].siblings.reverse()
        #expect(try !Self.circuit(airs: airs, proof: p, config: config).failures.isEmpty)
    }

    /// With proof of work before each commit round (`commitPowBits`), the circuit checks each
    /// round's witness where the verifier does: the honest proof satisfies it, and a wrong
    /// witness in any round fails it (with the same circuit).
    @Test func commitRoundWitnessesAreChecked() throws {
        var config = Self.config(logArity: 2)
        config.fri.commitPowBits = 8
        let (airs, proof) = try Self.proof(.rangeCheck, logRows: 8, config: config)
        #expect(proof.commitWitnesses.count >= 2)
        let honest = try Self.circuit(airs: airs, proof: proof, config: config)
        #expect(honest.failures == [] && honest.circuit.check(honest.witness) == nil)
        for round in proof.commitWitnesses.indices {
            var p = proof
            p.commitWitnesses[round] += RF(1)
            let r = try Self.circuit(airs: airs, proof: p, config: config)
            #expect(!r.failures.isEmpty && r.circuit == honest.circuit, "round \(round)")
            #expect(r.circuit.check(r.witness) != nil, "round \(round)")
        }
    }
}
