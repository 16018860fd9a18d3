import Algebra
import Stark
import Testing

/// FRI folding by 2^s per round (``FriParameters/logFoldingArity``): proofs of a statement with
/// two codeword heights verify at every arity, and each round's leaf (the coset that folds to
/// one point) is bound to the folding chain and to its commitment.
@Suite("FRI folding arity")
struct FoldingArityTests {
    typealias F = KoalaBear
    /// Two tables of 2^4 and 2^8 rows: the shorter codeword joins the folding chain part way.
    let airs: [any Air<F>] = [U16ValuesAir<F>(), ByteTableAir<F>()]

    /// INSECURE test parameters (`StarkConfig.testing`) with the given folding arity.
    func config(logArity: Int) -> StarkConfig<F> {
        var c = StarkConfig<F>.testing
        c.fri.logFoldingArity = logArity
        return c
    }

    func proof(logArity: Int) throws -> StarkProof<F> {
        let values = (0..<16).map { UInt32($0 * 4099 & 0xffff) }
        return try StarkProver(config: config(logArity: logArity)).prove(
            rangeCheckTables(values: values, field: F.self)
        )
    }

    @Test func scheduleStopsAtEveryHeightAndTheFinalCodeword() {
        func fri(blowup: Int, final: Int, arity: Int) -> FriParameters {
            FriParameters(
                logBlowup: blowup,
                numQueries: 1,
                queryPowBits: 0,
                logFinalPolyLength: final,
                logFoldingArity: arity
            )
        }
        // Codewords of 2^9 and 2^5, final codeword 2^1, folding by up to 8: 9 → 6, then 6 → 5
        // (the 2^5 codeword joins there), 5 → 2, 2 → 1.
        #expect(fri(blowup: 1, final: 0, arity: 3).foldSchedule(codewordLogSizes: [9, 5]) == [3, 1, 3, 1])
        #expect(
            fri(blowup: 1, final: 0, arity: 1).foldSchedule(codewordLogSizes: [9, 5]) == Array(repeating: 1, count: 8)
        )
        #expect(fri(blowup: 4, final: 0, arity: 4).foldSchedule(codewordLogSizes: [20]) == [4, 4, 4, 4])
        #expect(fri(blowup: 2, final: 1, arity: 2).foldSchedule(codewordLogSizes: [3]).isEmpty)
    }

    @Test(arguments: 2...4)
    func honestProofsVerifyAndRoundTrip(logArity: Int) throws {
        let p = try proof(logArity: logArity)
        #expect(p.fri.logFoldingArity == logArity)
        #expect(p.queries[0].layers.contains { $0.siblings.count == (1 << logArity) - 1 })
        let bytes = p.encoded()
        #expect(try StarkProof<F>(decoding: bytes) == p)
        try StarkVerifier(config: config(logArity: logArity)).verify(airs: airs, bytes: bytes)
    }

    @Test(arguments: 2...4)
    func everySiblingIsBoundToTheChain(logArity: Int) throws {
        let honest = try proof(logArity: logArity)
        let verifier = StarkVerifier(config: config(logArity: logArity))
        for round in honest.queries[1].layers.indices {
            for k in honest.queries[1].layers[round].siblings.indices {
                var p = honest
                p.queries[1].layers[round].siblings[k] += .one
                #expect(throws: VerificationError.finalPolynomial(query: 1)) {
                    try verifier.verify(airs: airs, proof: p)
                }
            }
        }
    }

    @Test func leafPathAndShapeAreChecked() throws {
        let honest = try proof(logArity: 3)
        let verifier = StarkVerifier(config: config(logArity: 3))
        var p = honest
        let node = p.queries[2].layers[0].path[0]
        p.queries[2].layers[0].path[0] = StarkDigest<F>(node.elements.map { $0 + .one })
        #expect(throws: VerificationError.friFolding(query: 2, round: 0)) {
            try verifier.verify(airs: airs, proof: p)
        }
        p = honest
        p.queries[2].layers[0].siblings.removeLast()
        #expect(throws: VerificationError.self) { try verifier.verify(airs: airs, proof: p) }
        // The same proof under folding by 2 is another statement: refused.
        #expect(throws: VerificationError.self) {
            try StarkVerifier(config: config(logArity: 1)).verify(airs: airs, proof: honest)
        }
    }

    @Test func decoderRefusesArityOutOfRange() throws {
        let bytes = try proof(logArity: 2).encoded()
        // magic 4, version 2, field 1, log blowup 1, queries (1-byte LEB128), PoW 1, final 1, phase PoW 1.
        let at = 4 + 2 + 1 + 1 + 1 + 1 + 1 + 1
        #expect(bytes[at] == 2)
        for bad: UInt8 in [0, 5, 255] {
            var b = bytes
            b[at] = bad
            #expect(throws: DecodingError.self) { _ = try StarkProof<F>(decoding: b) }
        }
    }
}
