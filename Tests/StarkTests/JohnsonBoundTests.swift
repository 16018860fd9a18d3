import Foundation
import Testing

@testable import Stark

/// The Johnson-bound regime of the soundness calculator against the Ethereum Foundation's
/// soundcalc (github.com/ethereum/soundcalc, `soundcalc/proxgaps/johnson_bound.py`, with
/// `JohnsonBoundRegime(KOALABEAR_4, explicit_m=m)`: its `get_proximity_parameter` and
/// `get_error_linear`), and the choice of the multiplicity.
@Suite("Soundness calculator: Johnson bound")
struct JohnsonBoundTests {
    static let koalaBearBits = 30.988_684_687_449_26  // log2(2^31 - 2^24 + 1)

    /// (log2 1/ρ, log2 dimension, m, soundcalc's θ, soundcalc's −log2 ε_lin), printed by soundcalc.
    static let soundcalc: [(Int, Int, Int, Double, Double)] = [
        (4, 19, 3, 0.708_333_333_333_333_4, 86.502_288_354_235),
        (4, 19, 5, 0.725, 83.242_436_001_205_12),
        (1, 20, 3, 0.175_042_088_615_694_48, 93.001_665_052_684_39),
        (5, 15, 8, 0.812_174_761_247_323_4, 81.602_376_523_103_09),
    ]

    @Test func proximityAndLinearErrorMatchSoundcalc() {
        for (logBlowup, logDimension, m, theta, linearBits) in Self.soundcalc {
            let rate = exp2(-Double(logBlowup))
            let d = Soundness.Decoding.johnson(m: m)
            #expect(abs(d.proximity(rate: rate) - theta) < 1e-12, "\(logBlowup) \(m)")
            let e = d.linearError(rate: rate, dimension: exp2(Double(logDimension)), fieldLog: 4 * Self.koalaBearBits)
            #expect(abs(-log2(e) - linearBits) < 1e-6, "\(logBlowup) \(m)")
        }
    }

    func params(logBlowup: Int, queries: Int, phasePow: Int, commitPow: Int) -> SoundnessParameters {
        SoundnessParameters(
            baseFieldBits: Self.koalaBearBits,
            extensionDegree: 4,
            logTraceLength: 19,
            maxConstraintDegree: 3,
            numConstraints: 700,
            logBlowup: logBlowup,
            numQueries: queries,
            queryPowBits: 20,
            commitPowBits: commitPow,
            logFoldingArity: 4,
            numBatchedColumns: 600,
            numLookups: 3,
            phasePowBits: phasePow
        )
    }

    /// The report is the best multiplicity's: no m of the range does better, and it names its m.
    @Test func reportTakesTheBestMultiplicity() {
        let p = params(logBlowup: 4, queries: 43, phasePow: 18, commitPow: 18)
        let r = Soundness.report(p, regime: .johnsonBound)
        let m = try! #require(r.johnsonMultiplicity)
        #expect(Soundness.johnsonMultiplicities.contains(m))
        for k in Soundness.johnsonMultiplicities {
            #expect(Soundness.report(p, decoding: .johnson(m: k)).bits <= r.bits, "m = \(k)")
        }
        #expect(Soundness.report(p, regime: .uniqueDecoding).johnsonMultiplicity == nil)
    }

    /// At rate 1/16 a query is worth about 1.8 bits up to the Johnson bound against 0.91 in
    /// unique decoding: 43 queries reach 100 bits there (with grinding in the batching and
    /// commit rounds, whose proximity-gap error is larger), and not in unique decoding; without
    /// that grinding they do not reach 100 bits in either.
    @Test func finalParametersNeedTheJohnsonBoundAndTheGrinding() {
        let p = params(logBlowup: 4, queries: 43, phasePow: 18, commitPow: 18)
        #expect(Soundness.report(p, regime: .johnsonBound).bits >= 100)
        #expect(Soundness.report(p, regime: .uniqueDecoding).bits < 100)
        #expect(
            Soundness.report(params(logBlowup: 4, queries: 43, phasePow: 8, commitPow: 0), regime: .johnsonBound).bits
                < 100
        )
        #expect(
            Soundness.report(params(logBlowup: 4, queries: 42, phasePow: 18, commitPow: 18), regime: .johnsonBound).bits
                < 100
        )
    }
}
