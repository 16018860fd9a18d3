import Algebra
import Stark
import Testing

/// Proof of work before the LogUp, DEEP and batching challenges (`FriParameters.phasePowBits`):
/// the prover grinds, the verifier checks each witness at its place in the transcript, and the
/// calculator credits the bits to those three terms only.
@Suite("Phase proof of work")
struct PhaseGrindingTests {
    typealias F = KoalaBear
    /// Test parameters (insecure on purpose) with 12 bits before each phase.
    let config = StarkConfig<F>(
        fri: FriParameters(logBlowup: 1, numQueries: 12, queryPowBits: 2, phasePowBits: 12),
        securityFloor: 0,
        allowInsecure: true
    )
    let airs: [any Air<F>] = [U16ValuesAir<F>(), ByteTableAir<F>()]

    func proof() throws -> StarkProof<F> {
        let values = (0..<32).map { UInt32($0 * 7919 & 0xffff) }
        return try StarkProver(config: config).prove(rangeCheckTables(values: values, field: F.self))
    }

    @Test func groundProofVerifies() throws {
        let p = try proof()
        #expect(p.phaseWitnesses.count == 3)
        try StarkVerifier(config: config).verify(airs: airs, bytes: p.encoded())
    }

    /// A witness that does not meet the target is rejected (another value passes with
    /// probability 2^-12; the proof is deterministic, so this test is too).
    @Test(arguments: [0, 1, 2])
    func wrongWitnessRejected(phase: Int) throws {
        var p = try proof()
        p.phaseWitnesses[phase] += .one
        #expect(throws: VerificationError.proofOfWork) {
            try StarkVerifier(config: config).verify(airs: airs, proof: p)
        }
    }

    /// A proof made without phase grinding does not verify under parameters that ask for it.
    @Test func parametersMustMatch() throws {
        let values = (0..<32).map { UInt32($0 * 7919 & 0xffff) }
        let plain = try StarkProver(config: .testing).prove(rangeCheckTables(values: values, field: F.self))
        #expect(throws: VerificationError.parameterMismatch) {
            try StarkVerifier(config: config).verify(airs: airs, proof: plain)
        }
    }

    @Test func calculatorCreditsThreeTerms() {
        func report(_ bits: Int) -> [String: Int] {
            let p = SoundnessParameters(
                baseFieldBits: 30.99,
                extensionDegree: 4,
                logTraceLength: 22,
                maxConstraintDegree: 3,
                numConstraints: 600,
                logBlowup: 1,
                numQueries: 203,
                queryPowBits: 16,
                numBatchedColumns: 500,
                numLookups: 8,
                phasePowBits: bits
            )
            return Dictionary(
                uniqueKeysWithValues: Soundness.report(p, regime: .uniqueDecoding).components.map {
                    ($0.name, $0.bits)
                }
            )
        }
        let without = report(0)
        let with = report(8)
        for term in ["batching", "DEEP", "LogUp"] { #expect(with[term]! - without[term]! == 8, "\(term)") }
        for term in ["ALI", "FRI queries"] { #expect(with[term] == without[term], "\(term)") }
    }
}

/// Without phase grinding the witnesses are unused and must be zero: a verifier must not
/// accept a proof that differs from the honest one (found by the verifier fuzz target).
@Suite("Phase proof of work off")
struct PhaseGrindingOffTests {
    typealias F = KoalaBear

    @Test(arguments: [0, 1, 2])
    func nonzeroUnusedWitnessRejected(phase: Int) throws {
        let config = StarkConfig<F>.testing
        #expect(config.fri.phasePowBits == 0)
        let values = (0..<32).map { UInt32($0 * 7919 & 0xffff) }
        var p = try StarkProver(config: config).prove(rangeCheckTables(values: values, field: F.self))
        let airs: [any Air<F>] = [U16ValuesAir<F>(), ByteTableAir<F>()]
        try StarkVerifier(config: config).verify(airs: airs, proof: p)
        p.phaseWitnesses[phase] = F(7)
        #expect(throws: VerificationError.proofOfWork) {
            try StarkVerifier(config: config).verify(airs: airs, proof: p)
        }
    }
}
