/// A dense matrix stored row after row: element `(r, c)` is `values[r * width + c]`.
///
/// Trace tables, their low-degree extensions and the leaves of Merkle trees are all row-major
/// matrices: a row is one step of a computation, and the DFT works on whole rows at once.
public struct RowMajorMatrix<F: Field>: Sendable, Equatable {
    /// The elements, row after row. Its count must stay a multiple of ``width``.
    public var values: [F]
    /// The number of columns (at least 1).
    public let width: Int

    /// A matrix over `values` with `width` columns; `values.count` must be a multiple of `width`.
    @inlinable
    public init(values: [F], width: Int) {
        precondition(width > 0, "a matrix has at least one column")
        precondition(values.count % width == 0, "\(values.count) values do not fill rows of width \(width)")
        self.values = values
        self.width = width
    }

    /// A `height × width` matrix of zeros.
    @inlinable
    public init(width: Int, height: Int) {
        self.init(values: [F](repeating: .zero, count: width * height), width: width)
    }

    /// A matrix from its rows, which must all have the same non-zero length.
    @inlinable
    public init(rows: [[F]]) {
        precondition(!rows.isEmpty, "use init(values:width:) for an empty matrix")
        let width = rows[0].count
        precondition(rows.allSatisfy { $0.count == width }, "rows of different lengths")
        self.init(values: rows.flatMap { $0 }, width: width)
    }

    /// A matrix whose column `c` is `columns[c]`; all columns must have the same length.
    @inlinable
    public init(columns: [[F]]) {
        precondition(!columns.isEmpty, "a matrix has at least one column")
        let height = columns[0].count
        precondition(columns.allSatisfy { $0.count == height }, "columns of different lengths")
        var values = [F](repeating: .zero, count: height * columns.count)
        for (c, column) in columns.enumerated() {
            for r in 0..<height { values[r * columns.count + c] = column[r] }
        }
        self.init(values: values, width: columns.count)
    }

    /// The number of rows.
    @inlinable
    public var height: Int { values.count / width }

    /// Element `(row, column)`.
    @inlinable
    public subscript(row: Int, column: Int) -> F {
        get {
            precondition(column >= 0 && column < width, "column out of range")
            return values[row * width + column]
        }
        set {
            precondition(column >= 0 && column < width, "column out of range")
            values[row * width + column] = newValue
        }
    }

    /// Row `r` (a slice of ``values``).
    @inlinable
    public func row(_ r: Int) -> ArraySlice<F> {
        precondition(r >= 0 && r < height, "row out of range")
        return values[(r * width)..<((r + 1) * width)]
    }

    /// Replaces row `r`; `newRow` must have ``width`` elements.
    @inlinable
    public mutating func setRow(_ r: Int, _ newRow: some Collection<F>) {
        precondition(r >= 0 && r < height, "row out of range")
        precondition(newRow.count == width, "row of the wrong length")
        values.replaceSubrange((r * width)..<((r + 1) * width), with: newRow)
    }

    /// Column `c` as an array.
    @inlinable
    public func column(_ c: Int) -> [F] {
        precondition(c >= 0 && c < width, "column out of range")
        return (0..<height).map { values[$0 * width + c] }
    }

    /// The rows as arrays.
    @inlinable
    public var rows: [[F]] { (0..<height).map { Array(row($0)) } }

    /// The transpose (a `width × height` matrix). Works in cache-sized tiles.
    @inlinable
    public func transposed() -> RowMajorMatrix<F> {
        let h = height
        let w = width
        if h == 0 { return RowMajorMatrix(values: [], width: max(w, 1)) }
        var out = [F](repeating: .zero, count: values.count)
        let tile = 32
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var r0 = 0
                while r0 < h {
                    let r1 = min(r0 + tile, h)
                    var c0 = 0
                    while c0 < w {
                        let c1 = min(c0 + tile, w)
                        for r in r0..<r1 {
                            for c in c0..<c1 { dst[c * h + r] = src[r * w + c] }
                        }
                        c0 = c1
                    }
                    r0 = r1
                }
            }
        }
        return RowMajorMatrix(values: out, width: h)
    }

    /// Rows `offset, offset + stride, offset + 2·stride, ...` as a new matrix.
    @inlinable
    public func verticallyStrided(stride: Int, offset: Int) -> RowMajorMatrix<F> {
        precondition(stride > 0 && offset >= 0, "bad stride or offset")
        var out: [F] = []
        var r = offset
        out.reserveCapacity((height / stride + 1) * width)
        while r < height {
            out.append(contentsOf: row(r))
            r += stride
        }
        return RowMajorMatrix(values: out, width: width)
    }

    /// Rows `range` as a new matrix.
    @inlinable
    public func rows(_ range: Range<Int>) -> RowMajorMatrix<F> {
        precondition(range.lowerBound >= 0 && range.upperBound <= height, "rows out of range")
        return RowMajorMatrix(
            values: Array(values[(range.lowerBound * width)..<(range.upperBound * width)]),
            width: width
        )
    }

    /// The matrix with `newHeight - height` rows of zeros appended (`newHeight >= height`).
    @inlinable
    public func paddedWithZeroRows(to newHeight: Int) -> RowMajorMatrix<F> {
        precondition(newHeight >= height, "cannot pad to fewer rows")
        var v = values
        v.append(contentsOf: repeatElement(F.zero, count: (newHeight - height) * width))
        return RowMajorMatrix(values: v, width: width)
    }
}

extension RowMajorMatrix where F: PrimeField31 {
    /// Permutes the rows into bit-reversed order (row `i` moves to `reverseBits(i, log2(height))`);
    /// the height must be a power of two.
    @inlinable
    public mutating func bitReverseRows() {
        if height <= 2 { return }
        _ = log2Strict(height)
        let w = width
        values.withUnsafeMutableBufferPointer { Algebra.bitReverseRows($0, width: w) }
    }

    /// A copy with the rows in bit-reversed order.
    @inlinable
    public func bitReversedRows() -> RowMajorMatrix<F> {
        var m = self
        m.bitReverseRows()
        return m
    }
}
