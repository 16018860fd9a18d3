import Algebra
import Testing

@testable import Stark

/// The DEEP batching's coefficients: one challenge per group of four columns of a matrix,
/// column `4j + k` weighted by `c_j·Xᵏ`, groups never crossing a matrix.
@Suite struct DeepCoefficientsTests {
    typealias E = QuarticExtension<KoalaBear>

    @Test func groupsOfFourPerMatrix() {
        #expect(DeepCoefficients.challengeCount(widths: [5, 0, 8, 1]) == 2 + 0 + 2 + 1)
        // Symbolic: (challenge, power of X).
        struct Term: Equatable {
            var challenge: Int
            var power: Int
        }
        let terms = DeepCoefficients.expand(
            (0..<5).map { Term(challenge: $0, power: 0) },
            widths: [5, 0, 8, 1]
        ) { t, k in Term(challenge: t.challenge, power: t.power + k) }
        let expected: [(Int, Int)] = [
            (0, 0), (0, 1), (0, 2), (0, 3), (1, 0),  // matrix 0: a group of four, then one column
            (2, 0), (2, 1), (2, 2), (2, 3), (3, 0), (3, 1), (3, 2), (3, 3),  // matrix 2
            (4, 0),  // matrix 3
        ]
        #expect(terms == expected.map { Term(challenge: $0.0, power: $0.1) })
    }

    /// The combination of a group's four base values with its expanded coefficients is the
    /// challenge times the extension element whose coordinates they are.
    @Test func aGroupIsOneExtensionColumn() {
        let c = E(KoalaBear(3), KoalaBear(5), KoalaBear(7), KoalaBear(11))
        let basis = (0..<4).map { k in E(coefficients: (0..<4).map { $0 == k ? KoalaBear.one : .zero }) }
        let coefficients = DeepCoefficients.expand([c], widths: [4]) { x, k in x * basis[k] }
        let v = (0..<4).map { KoalaBear(UInt32(100 + 17 * $0)) }
        let sum = zip(coefficients, v).reduce(E.zero) { $0 + $1.0 * E($1.1) }
        #expect(sum == c * E(coefficients: v))
        #expect(Set(coefficients).count == 4)
    }
}
