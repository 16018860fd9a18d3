import Algebra

/// A row-major matrix that can be committed: `values[r * width + c]` is the
/// element at row `r`, column `c`. `RowMajorMatrix` conforms.
public protocol MerkleMatrix<Element> {
    associatedtype Element
    /// Number of columns.
    var width: Int { get }
    /// The elements, row after row (`width * height` of them).
    var values: [Element] { get }
}

extension RowMajorMatrix: MerkleMatrix {}

/// Width and height of a committed matrix, all a verifier needs to know about it.
public struct MatrixDimensions: Hashable, Sendable, CustomStringConvertible {
    /// Number of columns.
    public var width: Int
    /// Number of rows (a power of two for commitments).
    public var height: Int
    /// Dimensions `width` x `height`.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
    public var description: String { "\(width)x\(height)" }
}

/// Why a commitment could not be built, opened or verified.
public enum MerkleError: Error, Hashable, Sendable {
    /// No matrices were given.
    case noMatrices
    /// A matrix has no columns or no rows.
    case emptyMatrix(matrix: Int)
    /// A matrix's element count is not a multiple of its width.
    case raggedMatrix(matrix: Int)
    /// Matrices hashed row by row together have different heights.
    case heightMismatch(matrix: Int, expected: Int, actual: Int)
    /// A matrix's height is not a power of two.
    case heightNotPowerOfTwo(matrix: Int, height: Int)
    /// The row index is not below the tallest height.
    case indexOutOfRange(index: Int, height: Int)
    /// The opening holds a different number of rows than there are matrices.
    case wrongNumberOfRows(expected: Int, actual: Int)
    /// An opened row's length differs from its matrix's width.
    case wrongRowWidth(matrix: Int, expected: Int, actual: Int)
    /// The authentication path has the wrong number of siblings.
    case wrongPathLength(expected: Int, actual: Int)
    /// The recomputed root differs from the commitment.
    case rootMismatch
}

/// The rows of every matrix at one index and the sibling path that links them to the root.
public struct MerkleOpening<H: MerkleHasher>: Sendable {
    /// Row `index >> (log2(maxHeight) - log2(height_k))` of matrix `k`, in the
    /// order the matrices were committed.
    public var openedRows: [[H.Field]]
    /// Sibling digests from the leaf layer up to (not including) the root.
    public var siblings: [H.Digest]

    /// An opening from its rows and path (for decoding proofs).
    public init(openedRows: [[H.Field]], siblings: [H.Digest]) {
        self.openedRows = openedRows
        self.siblings = siblings
    }
}

/// The prover's side of a commitment: the matrices and every layer of the tree.
///
/// Semantics of Plonky3's `MerkleTreeMmcs`: leaf `i` is the hash of the
/// concatenation of row `i` of every matrix of the greatest height (in commit
/// order). Going up, layer `j + 1` has node `compress(left, right)`; where
/// matrices have exactly that layer's height, the node becomes
/// `compress(compress(left, right), hash(row i of each such matrix))`.
/// Heights must be powers of two.
public struct MerkleTree<H: MerkleHasher>: Sendable {
    /// The matrices' elements, in commit order.
    public let matrices: [[H.Field]]
    /// The matrices' dimensions, in commit order.
    public let dimensions: [MatrixDimensions]
    /// `layers[0]` holds the leaves, `layers.last` the root alone.
    public let layers: [[H.Digest]]

    /// The commitment.
    public var root: H.Digest { layers[layers.count - 1][0] }

    /// log2 of the tallest height: the length of every authentication path.
    public var depth: Int { layers.count - 1 }

    /// Builds the tree of `matrices` with `hasher`, on up to `threads` threads.
    public init<M: MerkleMatrix>(
        hasher: H,
        matrices: [M],
        threads: Int = Parallel.maxThreads
    ) throws(MerkleError) where M.Element == H.Field {
        guard !matrices.isEmpty else { throw .noMatrices }
        var dims: [MatrixDimensions] = []
        for (k, m) in matrices.enumerated() {
            let w = m.width
            let n = m.values.count
            guard w > 0, n > 0 else { throw .emptyMatrix(matrix: k) }
            guard n % w == 0 else { throw .raggedMatrix(matrix: k) }
            let h = n / w
            guard h & (h - 1) == 0 else { throw .heightNotPowerOfTwo(matrix: k, height: h) }
            dims.append(MatrixDimensions(width: w, height: h))
        }
        let values = matrices.map(\.values)
        self.matrices = values
        self.dimensions = dims

        let maxHeight = dims.map(\.height).max()!
        func indices(ofHeight h: Int) -> [Int] { dims.indices.filter { dims[$0].height == h } }

        var layers: [[H.Digest]] = [
            Self.hashRows(hasher, values: values, dims: dims, select: indices(ofHeight: maxHeight), threads: threads)
        ]
        var height = maxHeight
        while height > 1 {
            height /= 2
            let previous = layers[layers.count - 1]
            var next = makeLargeArray(count: height) { (buffer: UnsafeMutableBufferPointer<H.Digest>) in
                previous.withUnsafeBufferPointer { prev in
                    let p = UncheckedSendableBox(prev.baseAddress!)
                    let o = UncheckedSendableBox(buffer.baseAddress!)
                    let t = height >= 512 ? threads : 1
                    forEachChunk(count: height, threads: t, alignment: 16) { range in
                        hasher.compress(
                            left: p.value + 2 * range.lowerBound,
                            right: p.value + 2 * range.lowerBound + 1,
                            stride: 2,
                            count: range.count,
                            into: o.value + range.lowerBound
                        )
                    }
                }
            }
            let inject = indices(ofHeight: height)
            if !inject.isEmpty {
                let rowDigests = Self.hashRows(hasher, values: values, dims: dims, select: inject, threads: threads)
                next = makeLargeArray(count: height) { (buffer: UnsafeMutableBufferPointer<H.Digest>) in
                    next.withUnsafeBufferPointer { a in
                        rowDigests.withUnsafeBufferPointer { b in
                            let pa = UncheckedSendableBox(a.baseAddress!)
                            let pb = UncheckedSendableBox(b.baseAddress!)
                            let o = UncheckedSendableBox(buffer.baseAddress!)
                            let t = height >= 512 ? threads : 1
                            forEachChunk(count: height, threads: t, alignment: 16) { range in
                                hasher.compress(
                                    left: pa.value + range.lowerBound,
                                    right: pb.value + range.lowerBound,
                                    stride: 1,
                                    count: range.count,
                                    into: o.value + range.lowerBound
                                )
                            }
                        }
                    }
                }
            }
            layers.append(next)
        }
        self.layers = layers
    }

    /// Digests of row `r` (concatenated over the selected matrices, which share one height) for every `r`.
    static func hashRows(
        _ hasher: H,
        values: [[H.Field]],
        dims: [MatrixDimensions],
        select: [Int],
        threads: Int
    ) -> [H.Digest] {
        let height = dims[select[0]].height
        let widths = select.map { dims[$0].width }
        return makeLargeArray(count: height) { (buffer: UnsafeMutableBufferPointer<H.Digest>) in
            withBuffers(select.map { values[$0] }) { slices in
                let o = UncheckedSendableBox(buffer.baseAddress!)
                let s = UncheckedSendableBox(slices)
                let rowCost = widths.reduce(0, +)
                let t = height * rowCost >= 16384 ? threads : 1
                forEachChunk(count: height, threads: t, alignment: 16) { range in
                    hasher.hashRows(of: s.value, widths: widths, rows: range, into: o.value + range.lowerBound)
                }
            }
        }
    }

    /// The rows at `index` (of the tallest matrices; smaller ones at the scaled-down
    /// index) and the sibling path.
    public func open(index: Int) throws(MerkleError) -> MerkleOpening<H> {
        let maxHeight = layers[0].count
        guard index >= 0, index < maxHeight else { throw .indexOutOfRange(index: index, height: maxHeight) }
        let log = depth
        let rows = dimensions.indices.map { k in
            let d = dimensions[k]
            let r = index >> (log - d.height.trailingZeroBitCount)
            return Array(matrices[k][(r * d.width)..<((r + 1) * d.width)])
        }
        let siblings = (0..<log).map { j in layers[j][(index >> j) ^ 1] }
        return MerkleOpening(openedRows: rows, siblings: siblings)
    }
}

extension MerkleTree {
    /// Checks that `opening` proves the rows at `index` of matrices with `dimensions`
    /// against `root`. Throws on any malformed or wrong input; never traps.
    public static func verify(
        hasher: H,
        root: H.Digest,
        dimensions: [MatrixDimensions],
        index: Int,
        opening: MerkleOpening<H>
    ) throws(MerkleError) {
        do {
            try verifyBatch(hasher: hasher, root: root, dimensions: dimensions, indices: [index], openings: [opening])
        } catch {
            throw error.error
        }
    }
}

/// Calls `body` with buffer pointers to every array of `arrays`.
@usableFromInline
func withBuffers<T, R>(_ arrays: [[T]], _ body: ([UnsafeBufferPointer<T>]) -> R) -> R {
    var buffers: [UnsafeBufferPointer<T>] = []
    buffers.reserveCapacity(arrays.count)
    func go(_ k: Int) -> R {
        if k == arrays.count { return body(buffers) }
        return arrays[k].withUnsafeBufferPointer { b in
            buffers.append(b)
            return go(k + 1)
        }
    }
    return go(0)
}
