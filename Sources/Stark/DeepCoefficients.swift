import Algebra
import Hashing

/// One committed matrix as the DEEP batching sees it: its width in base columns, and whether
/// its columns are the coordinates of extension columns (aux and quotient: four base columns
/// each) or base columns (preprocessed and main).
package struct DeepMatrix: Equatable, Sendable {
    package var width: Int
    package var isExtension: Bool

    package init(width: Int, isExtension: Bool) {
        self.width = width
        self.isExtension = isExtension
    }

    /// Columns per challenge: the four coordinates of an extension column, or one base column.
    var group: Int { isExtension ? 4 : 1 }
}

/// The DEEP batching's column coefficients: an independent random extension challenge per
/// base column, and per extension column `j` of an aux or quotient matrix one challenge `c_j`,
/// its coordinate `k` (base column `4j + k`) weighted by `c_j·Xᵏ`.
///
/// Why extension columns take one challenge: their four coordinates are batched as the one
/// extension-valued column `A_j = Σ_k Xᵏ·a_{4j+k}` they are, which is close to the extension
/// Reed–Solomon code exactly when each coordinate is close to the base code, and the verifier
/// uses only `A_j(ζ) = Σ_k Xᵏ·a_{4j+k}(ζ)` of their opened values — the one thing
/// `Σ_k c_j·Xᵏ·y_k = c_j·A_j(ζ)` binds. A base column's opened value is used alone, so it
/// needs its own challenge: with `c_j·Xᵏ` over four base columns, opened values moved along
/// `Σ_k Xᵏ·δ_k = 0` (for instance `+X·δ` on one, `−δ` on the next) would leave the batched
/// sum, and so FRI, unchanged while the constraint check sees other values.
///
/// What it buys is in recursion: a query of a recursion circuit combines an extension column's
/// four opened coordinates, which its input table writes as one extension slot, with one
/// multiply-add instead of four.
///
/// Matrices come in the batching's order: per table, preprocessed, main, aux, quotient
/// (``AirShape/deepMatrices``).
package enum DeepCoefficients {
    /// The number of challenges for `matrices`.
    package static func challengeCount(_ matrices: [DeepMatrix]) -> Int {
        matrices.reduce(0) { $0 + ($1.width + $1.group - 1) / $1.group }
    }

    /// The per-column coefficients from `challengeCount(_:)` challenges, matrix after
    /// matrix; `times(c, k)` is `c·Xᵏ` (for `k` in 1…3).
    package static func expand<C>(_ challenges: [C], _ matrices: [DeepMatrix], times: (C, Int) -> C) -> [C] {
        precondition(challenges.count == challengeCount(matrices), "one challenge per base or extension column")
        var out: [C] = []
        out.reserveCapacity(matrices.reduce(0) { $0 + $1.width })
        var j = 0
        for m in matrices {
            for col in 0..<m.width {
                let k = col % m.group
                out.append(k == 0 ? challenges[j] : times(challenges[j], k))
                if k == m.group - 1 || col == m.width - 1 { j += 1 }
            }
        }
        return out
    }

    /// Samples the challenges of `matrices` and expands them (``expand(_:_:times:)``).
    static func sample<F: StarkField>(
        _ matrices: [DeepMatrix],
        challenger ch: inout DuplexChallenger<Poseidon2<F>>
    ) -> [QuarticExtension<F>] {
        typealias E = QuarticExtension<F>
        let challenges = (0..<challengeCount(matrices)).map { _ -> E in ch.sampleExtension() }
        let basis = (0..<4).map { k in E(coefficients: (0..<4).map { $0 == k ? F.one : F.zero }) }
        return expand(challenges, matrices) { c, k in c * basis[k] }
    }
}
