import Algebra
import Hashing

/// The DEEP batching's column coefficients: one random extension challenge `c_j` per group of
/// four consecutive columns of a committed matrix (the last group of a matrix may be shorter),
/// and column `4j + k` of the matrix weighted by `c_j·Xᵏ`.
///
/// So the four base columns of a group are batched as one extension-valued column
/// `V_j = Σ_k Xᵏ·f_{4j+k}` with an independent coefficient: `V_j` is close to a Reed–Solomon
/// codeword over the extension exactly when each of its coordinates is close to one over the
/// base field (the extension code is the base code in each coordinate), so this is the affine
/// batching of `⌈width/4⌉` extension columns a matrix, with the same error as independent
/// coefficients per column (``Soundness``'s batching term). What it buys is in recursion: a query of a
/// recursion circuit combines a group's four opened values, which the input table writes as
/// one extension slot, with one multiply-add instead of four.
///
/// Matrices come in the batching's order: per table, preprocessed, main, aux, quotient (the
/// aux and quotient matrices are extension columns, four base columns each, so their groups
/// are their extension columns).
package enum DeepCoefficients {
    /// The number of challenges for matrices of widths `widths`.
    package static func challengeCount(widths: [Int]) -> Int { widths.reduce(0) { $0 + ($1 + 3) / 4 } }

    /// The per-column coefficients `c_j·Xᵏ` from `challengeCount(widths:)` challenges, matrix
    /// after matrix; `times(c, k)` is `c·Xᵏ` (for `k` in 1…3).
    package static func expand<C>(_ challenges: [C], widths: [Int], times: (C, Int) -> C) -> [C] {
        precondition(challenges.count == challengeCount(widths: widths), "one challenge per group of four columns")
        var out: [C] = []
        out.reserveCapacity(widths.reduce(0, +))
        var j = 0
        for w in widths {
            for col in 0..<w {
                let k = col % 4
                out.append(k == 0 ? challenges[j] : times(challenges[j], k))
                if k == 3 || col == w - 1 { j += 1 }
            }
        }
        return out
    }

    /// Samples the challenges of matrices of widths `widths` and expands them
    /// (``expand(_:widths:times:)``).
    static func sample<F: StarkField>(
        widths: [Int],
        challenger ch: inout DuplexChallenger<Poseidon2<F>>
    ) -> [QuarticExtension<F>] {
        typealias E = QuarticExtension<F>
        let challenges = (0..<challengeCount(widths: widths)).map { _ -> E in ch.sampleExtension() }
        let basis = (0..<4).map { k in E(coefficients: (0..<4).map { $0 == k ? F.one : F.zero }) }
        return expand(challenges, widths: widths) { c, k in c * basis[k] }
    }
}
