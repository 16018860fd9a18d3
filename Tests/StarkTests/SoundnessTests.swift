import Stark
import Testing

@Suite("Soundness calculator")
struct SoundnessTests {
    static let koalaBearBits = 30.988_684  // log2(2^31 - 2^24 + 1)

    func params(logBlowup: Int, queries: Int, pow: Int, logN: Int = 20) -> SoundnessParameters {
        SoundnessParameters(
            baseFieldBits: Self.koalaBearBits, extensionDegree: 4, logTraceLength: logN, maxConstraintDegree: 3,
            numConstraints: 1200, logBlowup: logBlowup, numQueries: queries, queryPowBits: pow,
            numBatchedColumns: 1400)
    }

    /// Plonky3's `prove_prime_field_31` defaults (rate 1/2, 100 queries, 16 bits) are
    /// documented as 57 proven bits in the unique-decoding regime: 100·log2(4/3) + 16.
    @Test func plonky3DefaultsGive57UDRQueryBits() {
        let r = Soundness.report(params(logBlowup: 1, queries: 100, pow: 16), regime: .uniqueDecoding)
        #expect(r.bits == 57)
        #expect(r.components.first { $0.name == "FRI queries" }?.bits == 57)
    }

    /// SP1 v6 (rate 1/4, 124 queries, 16 bits) reaches 100 bits (UDR).
    @Test func sp1ParametersReach100() {
        #expect(Soundness.report(params(logBlowup: 2, queries: 124, pow: 16), regime: .uniqueDecoding).bits >= 100)
        #expect(Soundness.report(params(logBlowup: 2, queries: 123, pow: 16), regime: .uniqueDecoding).bits < 100)
    }

    @Test func defaultConfigurationsReach100() {
        for fri in [FriParameters.standard, .highDegree] {
            let p = params(logBlowup: fri.logBlowup, queries: fri.numQueries, pow: fri.queryPowBits)
            #expect(Soundness.report(p, regime: .uniqueDecoding).bits >= 100)
        }
    }

    @Test func regimesAreOrdered() {
        let p = params(logBlowup: 1, queries: 203, pow: 16)
        let udr = Soundness.report(p, regime: .uniqueDecoding).bits
        let jbr = Soundness.report(p, regime: .johnsonBound).bits
        let conj = Soundness.conjecturedBits(p)
        #expect(udr <= conj)
        #expect(jbr <= conj)
        // Toy-problem bits: min(field bits, q·log2(1/ρ) + pow).
        #expect(conj == 123)
    }

    @Test func testingConfigurationIsInsecure() {
        let fri = FriParameters.testing
        let p = params(logBlowup: fri.logBlowup, queries: fri.numQueries, pow: fri.queryPowBits, logN: 5)
        #expect(Soundness.report(p, regime: .uniqueDecoding).bits < 40)
    }
}
