import Algebra
import Stark
import Testing

/// The query checks run in a fixed order (every tree's openings for all queries, then each
/// query's folding chain down to the final polynomial, then the FRI layers' openings), and each
/// rejects its own tampering with its own error.
@Suite("Query checks")
struct QueryCheckTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing
    /// A statement with every kind of tree: a preprocessed group (the byte table's fixed
    /// column), main, aux (the LogUp bus) and quotient.
    let airs: [any Air<F>] = [U16ValuesAir<F>(), ByteTableAir<F>()]

    func proof() throws -> StarkProof<F> {
        let values = (0..<16).map { UInt32($0 * 4099 & 0xffff) }
        return try StarkProver(config: config).prove(rangeCheckTables(values: values, field: F.self))
    }

    @Test func honestProofVerifies() throws {
        try StarkVerifier(config: config).verify(airs: airs, proof: try proof())
    }

    @Test func tamperedOpenedRowFailsItsTree() throws {
        let honest = try proof()
        let verifier = StarkVerifier(config: config)
        #expect(honest.queries[1].inputs.count == 4)
        for tree in 0..<4 {
            var p = honest
            p.queries[1].inputs[tree].rows[0][0] += .one
            #expect(throws: VerificationError.merkle(query: 1, tree: tree)) {
                try verifier.verify(airs: airs, proof: p)
            }
        }
    }

    @Test func tamperedSiblingBreaksTheFoldingChain() throws {
        let honest = try proof()
        let verifier = StarkVerifier(config: config)
        let rounds = honest.queries[2].layers.count
        #expect(rounds >= 2)
        for round in [0, rounds - 1] {
            var p = honest
            p.queries[2].layers[round].sibling += .one
            #expect(throws: VerificationError.finalPolynomial(query: 2)) {
                try verifier.verify(airs: airs, proof: p)
            }
        }
    }

    @Test func tamperedLayerPathFailsItsRound() throws {
        let honest = try proof()
        let verifier = StarkVerifier(config: config)
        let rounds = honest.queries[3].layers.count
        for round in [0, rounds - 1] {
            var p = honest
            let node = p.queries[3].layers[round].path[0]
            p.queries[3].layers[round].path[0] = StarkDigest<F>(node.elements.map { $0 + .one })
            #expect(throws: VerificationError.friFolding(query: 3, round: round)) {
                try verifier.verify(airs: airs, proof: p)
            }
        }
    }

    @Test func missingLayerIsAShapeError() throws {
        var p = try proof()
        p.queries[0].layers.removeLast()
        #expect(throws: VerificationError.shape("query")) {
            try StarkVerifier(config: config).verify(airs: airs, proof: p)
        }
    }
}
