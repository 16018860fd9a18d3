import Algebra

/// Extension coefficients packed for dot products with rows of base-field values:
/// `Σ_j c_j · row[j]` over `width` columns, eight lanes at a time.
///
/// Kept in `Stark`, next to its one user (``Fri/reducedOpenings(tables:zeta:challenger:)``):
/// as an `@inlinable package` type in `Algebra` its `accumulate` was not specialised in
/// `Stark`'s pre-specialised DEEP batching, which made proving up to 2.5 times slower.
struct PackedCoefficients<F: StarkPackedField> {
    typealias E = QuarticExtension<F>
    let width: Int
    let packs: [PackedExt<F>]
    let tail: [E]

    init(_ coefficients: ArraySlice<E>) {
        let w = F.Packing.width
        width = coefficients.count
        let full = coefficients.count / w
        var packs: [PackedExt<F>] = []
        var lanes = [F](repeating: .zero, count: 4 * w)
        for k in 0..<full {
            for l in 0..<w {
                let c = coefficients[coefficients.startIndex + k * w + l]
                lanes[l] = c.c0
                lanes[w + l] = c.c1
                lanes[2 * w + l] = c.c2
                lanes[3 * w + l] = c.c3
            }
            lanes.withUnsafeBufferPointer { p in
                let b = p.baseAddress!
                packs.append(
                    PackedExt(
                        F.Packing(loading: b),
                        F.Packing(loading: b + w),
                        F.Packing(loading: b + 2 * w),
                        F.Packing(loading: b + 3 * w)
                    )
                )
            }
        }
        self.packs = packs
        self.tail = Array(coefficients[(coefficients.startIndex + full * w)...])
    }

    /// Adds `Σ_j c_j · row[j]` lane-wise into `acc` (lanes summed later) and the tail into `scalar`.
    @inline(__always)
    func accumulate(_ row: UnsafePointer<F>, into acc: inout PackedExt<F>, scalar: inout E) {
        let w = F.Packing.width
        packs.withUnsafeBufferPointer { p in
            for k in 0..<p.count { acc = acc + p[k] * F.Packing(loading: row + k &* w) }
        }
        let base = packs.count * w
        for (j, c) in tail.enumerated() { scalar += c * row[base + j] }
    }
}
