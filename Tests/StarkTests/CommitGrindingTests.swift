import Algebra
import Stark
import Testing

/// Proof of work before each FRI commit round's folding challenge (`FriParameters.commitPowBits`):
/// the prover grinds after observing the round's root, the verifier checks each witness there,
/// the encoding carries them, and the calculator credits the bits to the commit rounds only.
@Suite("Commit-round proof of work")
struct CommitGrindingTests {
    typealias F = KoalaBear
    /// Test parameters (insecure on purpose) with 12 bits before each commit round.
    let config = StarkConfig<F>(
        fri: FriParameters(logBlowup: 1, numQueries: 12, queryPowBits: 2, logFoldingArity: 2, commitPowBits: 12),
        securityFloor: 0,
        allowInsecure: true
    )
    let airs: [any Air<F>] = [U16ValuesAir<F>(), ByteTableAir<F>()]

    func proof(_ config: StarkConfig<F>) throws -> StarkProof<F> {
        let values = (0..<32).map { UInt32($0 * 7919 & 0xffff) }
        return try StarkProver(config: config).prove(rangeCheckTables(values: values, field: F.self))
    }

    /// The honest proof verifies after an encoding round trip, with one witness per round.
    @Test func groundProofVerifies() throws {
        let p = try proof(config)
        #expect(p.commitWitnesses.count == p.friRoots.count && p.friRoots.count >= 2)
        let decoded = try StarkProof<F>(decoding: p.encoded())
        #expect(decoded == p)
        try StarkVerifier(config: config).verify(airs: airs, bytes: p.encoded())
    }

    /// A witness that does not meet its round's target is rejected, in every round (another
    /// value passes with probability 2^-12; the proof is deterministic, so this test is too).
    @Test func wrongWitnessRejected() throws {
        let honest = try proof(config)
        for round in honest.commitWitnesses.indices {
            var p = honest
            p.commitWitnesses[round] += .one
            #expect(throws: VerificationError.proofOfWork, "round \(round)") {
                try StarkVerifier(config: config).verify(airs: airs, proof: p)
            }
        }
        var short = honest
        short.commitWitnesses.removeLast()
        #expect(throws: VerificationError.self) { try StarkVerifier(config: config).verify(airs: airs, proof: short) }
    }

    /// Without commit grinding the witnesses are unused and must be zero.
    @Test func nonzeroUnusedWitnessRejected() throws {
        var plain = config
        plain.fri.commitPowBits = 0
        let honest = try proof(plain)
        #expect(honest.commitWitnesses.allSatisfy { $0 == .zero })
        try StarkVerifier(config: plain).verify(airs: airs, proof: honest)
        var p = honest
        p.commitWitnesses[0] = F(7)
        #expect(throws: VerificationError.proofOfWork) { try StarkVerifier(config: plain).verify(airs: airs, proof: p) }
        // And the parameters are part of the statement: a proof without commit grinding does
        // not verify under parameters that ask for it.
        #expect(throws: VerificationError.parameterMismatch) {
            try StarkVerifier(config: config).verify(airs: airs, proof: honest)
        }
    }

    @Test func calculatorCreditsTheCommitRounds() {
        func report(_ bits: Int, _ regime: SoundnessRegime) -> [String: Int] {
            let p = SoundnessParameters(
                baseFieldBits: 30.99,
                extensionDegree: 4,
                logTraceLength: 19,
                maxConstraintDegree: 3,
                numConstraints: 600,
                logBlowup: 4,
                numQueries: 43,
                queryPowBits: 20,
                commitPowBits: bits,
                logFoldingArity: 4,
                numBatchedColumns: 500,
                numLookups: 3,
                phasePowBits: 18
            )
            let r = Soundness.report(p, regime: regime)
            return Dictionary(uniqueKeysWithValues: r.components.map { ($0.name, $0.bits) })
        }
        // Unique decoding (in the Johnson-bound regime the calculator's choice of m moves with
        // the grinding, so the other terms may change there).
        let without = report(0, .uniqueDecoding)
        let with = report(10, .uniqueDecoding)
        let commit = "FRI commit rounds (4)"
        #expect(with[commit]! - without[commit]! == 10)
        for term in ["batching", "FRI queries", "ALI", "DEEP", "LogUp"] {
            #expect(with[term] == without[term], "\(term)")
        }
    }
}
