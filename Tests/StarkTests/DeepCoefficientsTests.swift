import Algebra
import Hashing
import Testing

@testable import Stark

/// The DEEP batching's coefficients: an independent challenge per base column (preprocessed,
/// main), one per extension column (aux, quotient) weighted `c_j·Xᵏ` over its coordinates.
@Suite struct DeepCoefficientsTests {
    typealias F = KoalaBear
    typealias E = QuarticExtension<F>

    static let basis = (0..<4).map { k in E(coefficients: (0..<4).map { $0 == k ? F.one : .zero }) }

    @Test func oneChallengePerBaseOrExtensionColumn() {
        let matrices = [
            DeepMatrix(width: 3, isExtension: false), DeepMatrix(width: 8, isExtension: true),
            DeepMatrix(width: 0, isExtension: false), DeepMatrix(width: 4, isExtension: true),
        ]
        #expect(DeepCoefficients.challengeCount(matrices) == 3 + 2 + 0 + 1)
        // Symbolic: (challenge, power of X).
        struct Term: Equatable {
            var challenge: Int
            var power: Int
        }
        let terms = DeepCoefficients.expand((0..<6).map { Term(challenge: $0, power: 0) }, matrices) { t, k in
            Term(challenge: t.challenge, power: t.power + k)
        }
        let expected: [(Int, Int)] = [
            (0, 0), (1, 0), (2, 0),  // three base columns
            (3, 0), (3, 1), (3, 2), (3, 3), (4, 0), (4, 1), (4, 2), (4, 3),  // two extension columns
            (5, 0), (5, 1), (5, 2), (5, 3),  // one extension column
        ]
        #expect(terms == expected.map { Term(challenge: $0.0, power: $0.1) })
    }

    /// Opened values at ζ are extension elements. Moving two of them by `+X·δ` and `−δ` leaves
    /// `Σ_k c·Xᵏ·y_k` unchanged, so four base columns under one challenge would not bind their
    /// opened values one by one (the verifier's constraint check reads them one by one); the
    /// batched sum must see the move for base columns. For an extension column it does not,
    /// and need not: the verifier uses only `Σ_k Xᵏ·y_k` of its coordinates, which the move keeps.
    @Test func baseColumnsAreBoundOneByOne() {
        let delta = E(F(5), F(7), F(11), F(13))
        let move = [Self.basis[1] * delta, -delta, .zero, .zero]
        for isExtension in [false, true] {
            var ch = DuplexChallenger(permutation: Poseidon2<F>(width: 16))
            ch.observe(F(42))
            let c = DeepCoefficients.sample([DeepMatrix(width: 4, isExtension: isExtension)], challenger: &ch)
            let shift = zip(c, move).reduce(E.zero) { $0 + $1.0 * $1.1 }
            #expect((shift == .zero) == isExtension)
            #expect(zip(Self.basis, move).reduce(E.zero) { $0 + $1.0 * $1.1 } == .zero)
        }
    }
}
