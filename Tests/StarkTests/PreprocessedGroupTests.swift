import Algebra
import Stark
import Testing

/// Preprocessed commitment groups: one tree and one root in the proof per group; the verifier
/// takes a group's root from the caller or recomputes it from the AIRs.
///
/// The statement: two tables of per-proof values committed in group 2 (8 and 32 rows: one tree
/// over matrices of two heights), a table of values in the main trace (no fixed columns), and
/// the byte table (fixed column in group 0). The tables of group 2 come first, so the roots'
/// order (ascending group) differs from the tables' order.
@Suite("Preprocessed commitment groups")
struct PreprocessedGroupTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing

    static let imageA: [UInt32] = (0..<8).map { UInt32(($0 * 7919 + 3) & 0xffff) }
    static let imageB: [UInt32] = (0..<32).map { UInt32(($0 * 40_503 + 11) & 0xffff) }
    static let mainValues: [UInt32] = (0..<16).map { UInt32(($0 * 4099 + 5) & 0xffff) }

    /// The statement's AIRs; `nil` images for a verifier that is given group 2's root.
    static func airs(_ a: [UInt32]?, _ b: [UInt32]?, group: Int = 2) -> [any Air<F>] {
        [
            CommittedValuesAir<F>(values: a, group: group), U16ValuesAir<F>(),
            CommittedValuesAir<F>(values: b, group: group), ByteTableAir<F>(),
        ]
    }

    static func tables(_ a: [UInt32], _ b: [UInt32], group: Int = 2) -> [TableInput<F>] {
        let airs = airs(a, b, group: group)
        return [
            TableInput(air: airs[0], trace: CommittedValuesAir<F>.trace(values: a)),
            TableInput(air: airs[1], trace: U16ValuesAir<F>.trace(values: mainValues)),
            TableInput(air: airs[2], trace: CommittedValuesAir<F>.trace(values: b)),
            TableInput(air: airs[3], trace: ByteTableAir<F>.trace(values: a + mainValues + b)),
        ]
    }

    func prove(_ a: [UInt32] = imageA, _ b: [UInt32] = imageB) throws -> StarkProof<F> {
        try StarkProver(config: config).prove(Self.tables(a, b), options: ProvingOptions(checkConstraints: true))
    }

    /// `imageB` with one value changed (still below 2^16).
    static var otherImageB: [UInt32] {
        var b = imageB
        b[5] ^= 0x0100
        return b
    }

    @Test func twoGroupsProveAndVerify() throws {
        let proof = try prove()
        #expect(proof.preprocessedRoots.count == 2)
        let verifier = StarkVerifier(config: config)
        let airs = Self.airs(Self.imageA, Self.imageB)
        try verifier.verify(airs: airs, bytes: proof.encoded())
        // The helper gives exactly the prover's roots, in ascending group order.
        #expect(try verifier.preprocessedRoot(airs: airs, group: 0) == proof.preprocessedRoots[0])
        #expect(try verifier.preprocessedRoot(airs: airs, group: 2) == proof.preprocessedRoots[1])
        #expect(try verifier.preprocessedRoot(airs: airs, group: 1) == nil)
        // A verifying key for group 0 and an expected image root for group 2: the images are
        // not needed.
        let key = try #require(try verifier.preprocessedRoot(airs: [ByteTableAir<F>()], group: 0))
        let image = try #require(try verifier.preprocessedRoot(airs: airs, group: 2))
        try verifier.verify(airs: Self.airs(nil, nil), bytes: proof.encoded(), preprocessedRoots: [0: key, 2: image])
        // Both groups computed by the verifier and one of them also given agree.
        try verifier.verify(airs: airs, proof: proof, preprocessedRoots: [2: image])
    }

    @Test func wrongExpectedRootRejected() throws {
        let proof = try prove()
        let verifier = StarkVerifier(config: config)
        let airs = Self.airs(Self.imageA, Self.imageB)
        let otherImage = try #require(
            try verifier.preprocessedRoot(airs: Self.airs(Self.imageA, Self.otherImageB), group: 2)
        )
        #expect(otherImage != proof.preprocessedRoots[1])
        #expect(throws: VerificationError.preprocessedRootMismatch(group: 2)) {
            try verifier.verify(airs: airs, proof: proof, preprocessedRoots: [2: otherImage])
        }
        #expect(throws: VerificationError.preprocessedRootMismatch(group: 0)) {
            try verifier.verify(airs: airs, proof: proof, preprocessedRoots: [0: proof.preprocessedRoots[1]])
        }
        // Recomputed from other images: the same rejection.
        #expect(throws: VerificationError.preprocessedRootMismatch(group: 2)) {
            try verifier.verify(airs: Self.airs(Self.imageA, Self.otherImageB), proof: proof)
        }
        // A root expected for a group that has no fixed columns in this statement.
        let error = #expect(throws: VerificationError.self) {
            try verifier.verify(airs: airs, proof: proof, preprocessedRoots: [1: proof.preprocessedRoots[1]])
        }
        #expect(error.map(isShape) == true)
    }

    @Test func missingFixedColumnsWithoutRootRejected() throws {
        let proof = try prove()
        let verifier = StarkVerifier(config: config)
        let error = #expect(throws: VerificationError.self) {
            try verifier.verify(airs: Self.airs(nil, nil), proof: proof)
        }
        #expect(error.map(isShape) == true)
        #expect(throws: VerificationError.self) {
            _ = try verifier.preprocessedRoot(airs: Self.airs(nil, nil), group: 2)
        }
    }

    /// A caller that accepts a prover-chosen image passes the proof's own root, then compares
    /// it with other proofs' roots.
    @Test func proofsOwnRootAccepted() throws {
        let verifier = StarkVerifier(config: config)
        let proof = try prove()
        let other = try prove(Self.imageA, Self.otherImageB)
        for p in [proof, other] {
            let roots = try #require(p.preprocessedRootsByGroup(airs: Self.airs(nil, nil)))
            #expect(roots == [0: p.preprocessedRoots[0], 2: p.preprocessedRoots[1]])
            try verifier.verify(airs: Self.airs(nil, nil), proof: p, preprocessedRoots: [2: roots[2]!])
        }
        #expect(proof.preprocessedRootsByGroup(airs: [ByteTableAir<F>()]) == nil)
        #expect(proof.preprocessedRoots[0] == other.preprocessedRoots[0])
        #expect(proof.preprocessedRoots[1] != other.preprocessedRoots[1])
        // Another proof's root is not this proof's.
        #expect(throws: VerificationError.preprocessedRootMismatch(group: 2)) {
            try verifier.verify(
                airs: Self.airs(nil, nil),
                proof: proof,
                preprocessedRoots: [2: other.preprocessedRoots[1]]
            )
        }
    }

    @Test func flippedRootByteRejected() throws {
        let proof = try prove()
        let bytes = proof.encoded()
        let verifier = StarkVerifier(config: config)
        // The encoded roots: 8 little-endian field elements each, group 0's then group 2's.
        let encodedRoots = proof.preprocessedRoots.flatMap { root in
            root.elements.flatMap { e in (0..<4).map { UInt8(truncatingIfNeeded: e.canonical >> (8 * $0)) } }
        }
        let at = try #require(
            (0...(bytes.count - encodedRoots.count)).first {
                Array(bytes[$0..<($0 + encodedRoots.count)]) == encodedRoots
            }
        )
        for (k, group) in [(0, 0), (1, 2)] {
            var tampered = bytes
            tampered[at + 32 * k + 1] ^= 0x01  // element 0 changes by ±256 and stays canonical
            #expect(throws: VerificationError.preprocessedRootMismatch(group: group)) {
                try verifier.verify(airs: Self.airs(Self.imageA, Self.imageB), bytes: tampered)
            }
            let roots = [0: proof.preprocessedRoots[0], 2: proof.preprocessedRoots[1]]
            #expect(throws: VerificationError.preprocessedRootMismatch(group: group)) {
                try verifier.verify(airs: Self.airs(nil, nil), bytes: tampered, preprocessedRoots: roots)
            }
            // Taking the tampered proof's own root: its openings no longer verify.
            let own = try StarkProof<F>(decoding: tampered)
            #expect(throws: VerificationError.self) {
                try verifier.verify(
                    airs: Self.airs(nil, nil),
                    proof: own,
                    preprocessedRoots: [0: own.preprocessedRoots[0], 2: own.preprocessedRoots[1]]
                )
            }
        }
    }

    @Test func rootCountMustMatchGroups() throws {
        let proof = try prove()
        let verifier = StarkVerifier(config: config)
        let airs = Self.airs(Self.imageA, Self.imageB)
        for roots in [[proof.preprocessedRoots[0]], proof.preprocessedRoots + [proof.preprocessedRoots[1]], []] {
            var p = proof
            p.preprocessedRoots = roots
            let error = #expect(throws: VerificationError.self) { try verifier.verify(airs: airs, proof: p) }
            #expect(error.map(isShape) == true)
        }
        // The decoder refuses more than 16 roots.
        var p = proof
        p.preprocessedRoots = Array(repeating: proof.preprocessedRoots[0], count: ProofLimits.maxPreprocessedGroups + 1)
        #expect(throws: DecodingError.lengthOutOfBounds(what: "preprocessed roots", value: 17, limit: 16)) {
            _ = try StarkProof<F>(decoding: p.encoded())
        }
    }

    @Test(arguments: [-1, 16, Int.max])
    func groupOutOfRangeRejected(group: Int) throws {
        let error = #expect(throws: ProverError.self) {
            _ = try StarkProver(config: config).prove(Self.tables(Self.imageA, Self.imageB, group: group))
        }
        if case .shape = error {} else { Issue.record("expected a shape error, got \(String(describing: error))") }
        // The verifier refuses such AIRs before using the proof.
        let proof = try prove()
        let verror = #expect(throws: VerificationError.self) {
            try verifier().verify(airs: Self.airs(Self.imageA, Self.imageB, group: group), proof: proof)
        }
        #expect(verror.map(isShape) == true)
    }

    /// The static helper over one group's AIRs, in proof order, gives the prover's root; it
    /// returns `nil` (never traps) for AIRs without fixed columns or without a trace.
    @Test func staticPreprocessedRootMatchesProof() throws {
        let proof = try prove()
        typealias V = StarkVerifier<F>
        let group2: [any Air<F>] = [
            CommittedValuesAir<F>(values: Self.imageA, group: 2), CommittedValuesAir<F>(values: Self.imageB, group: 2),
        ]
        #expect(V.preprocessedRoot(airs: group2, config: config) == proof.preprocessedRoots[1])
        #expect(V.preprocessedRoot(airs: [ByteTableAir<F>()], config: config) == proof.preprocessedRoots[0])
        // Tables of different heights are committed tallest first whatever their order (the MMCS
        // sorts by height), so the order given does not change this root.
        #expect(V.preprocessedRoot(airs: group2.reversed(), config: config) == proof.preprocessedRoots[1])
        // A verifying key from the helper replaces the images.
        let key = try #require(V.preprocessedRoot(airs: group2, config: config))
        let roots = [2: key, 0: proof.preprocessedRoots[0]]
        try verifier().verify(airs: Self.airs(nil, nil), proof: proof, preprocessedRoots: roots)
        // No trace, no fixed columns, no AIRs: nil.
        let withoutFixed = Self.airs(nil, nil).filter { $0.preprocessedWidth > 0 }
        #expect(V.preprocessedRoot(airs: withoutFixed, config: config) == nil)
        #expect(V.preprocessedRoot(airs: [ByteTableAir<F>(), U16ValuesAir<F>()], config: config) == nil)
        #expect(V.preprocessedRoot(airs: [], config: config) == nil)
    }

    func verifier() -> StarkVerifier<F> { StarkVerifier(config: config) }
}

private func isShape(_ error: VerificationError) -> Bool {
    if case .shape = error { return true }
    return false
}
