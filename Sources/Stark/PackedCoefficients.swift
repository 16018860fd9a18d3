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
    /// The coefficients in packs of `F.Packing.width`; when `width` is not a multiple, a last
    /// pack holds the tail's coefficients and zeros.
    let packs: [PackedExt<F>]
    /// The packs without a zero lane.
    let fullPacks: Int
    let tail: [E]
    /// Rows of a `height`-row matrix (row-major, `width` columns) from which a load of every
    /// pack, the padded one included, stays inside the matrix: the padded pack reads up to
    /// `Packing.width − 1` elements past the row, which belong to the next rows (its zero lanes
    /// cancel them). The last rows take the scalar tail instead.
    let paddedRows: Int

    init(_ coefficients: ArraySlice<E>, height: Int) {
        let w = F.Packing.width
        width = coefficients.count
        let full = coefficients.count / w
        fullPacks = full
        var packs: [PackedExt<F>] = []
        var lanes = [F](repeating: .zero, count: 4 * w)
        let packCount = (coefficients.count + w - 1) / w
        for k in 0..<packCount {
            for l in 0..<w {
                let j = k * w + l
                let c = j < coefficients.count ? coefficients[coefficients.startIndex + j] : E.zero
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
        // Rows r with r·width + packCount·w ≤ height·width.
        let span = packCount * w
        let total = height * width
        paddedRows = width == 0 || total < span ? 0 : (total - span) / width + 1
    }

    /// Adds `Σ_j c_j · row[j]` lane-wise into `acc` (lanes summed later) and, on the matrix's
    /// last rows (``paddedRows``), the tail into `scalar`. `row` is row `index` of the matrix.
    @inline(__always)
    func accumulate(_ row: UnsafePointer<F>, index: Int, into acc: inout PackedExt<F>, scalar: inout E) {
        let w = F.Packing.width
        let padded = index < paddedRows
        packs.withUnsafeBufferPointer { p in
            for k in 0..<(padded ? p.count : fullPacks) { acc = acc + p[k] * F.Packing(loading: row + k &* w) }
        }
        if padded { return }
        let base = fullPacks * w
        for (j, c) in tail.enumerated() { scalar += c * row[base + j] }
    }
}
