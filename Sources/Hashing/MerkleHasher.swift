import Algebra

/// The two hash functions of a Merkle tree over field-element rows: a leaf hash
/// of a sequence of elements and a 2-to-1 compression of digests, with batch
/// forms that implementations may speed up (packed lanes).
public protocol MerkleHasher: Sendable {
    /// The field of the committed matrices.
    associatedtype Field: PrimeField31
    /// A node of the tree.
    associatedtype Digest: Hashable, Sendable

    /// The digest of the concatenation of `slices`.
    func hash(slices: [UnsafeBufferPointer<Field>]) -> Digest

    /// 2-to-1 compression of two nodes.
    func compress(_ left: Digest, _ right: Digest) -> Digest

    /// For every `r` in `rows`: `out[r - rows.lowerBound] = hash(row r of every matrix)`,
    /// where row `r` of matrix `k` is `matrices[k][r * widths[k] ..< (r + 1) * widths[k]]`.
    func hashRows(
        of matrices: [UnsafeBufferPointer<Field>],
        widths: [Int],
        rows: Range<Int>,
        into out: UnsafeMutablePointer<Digest>
    )

    /// For `i < count`: `out[i] = compress(left[i * stride], right[i * stride])`.
    func compress(
        left: UnsafePointer<Digest>,
        right: UnsafePointer<Digest>,
        stride: Int,
        count: Int,
        into out: UnsafeMutablePointer<Digest>
    )
}

extension MerkleHasher {
    /// One row at a time.
    public func hashRows(
        of matrices: [UnsafeBufferPointer<Field>],
        widths: [Int],
        rows: Range<Int>,
        into out: UnsafeMutablePointer<Digest>
    ) {
        var slices = [UnsafeBufferPointer<Field>](
            repeating: UnsafeBufferPointer(start: nil, count: 0),
            count: matrices.count
        )
        for r in rows {
            for k in 0..<matrices.count {
                slices[k] = UnsafeBufferPointer(rebasing: matrices[k][(r * widths[k])..<((r + 1) * widths[k])])
            }
            (out + (r - rows.lowerBound)).initialize(to: hash(slices: slices))
        }
    }

    /// One pair at a time.
    public func compress(
        left: UnsafePointer<Digest>,
        right: UnsafePointer<Digest>,
        stride: Int,
        count: Int,
        into out: UnsafeMutablePointer<Digest>
    ) {
        for i in 0..<count { (out + i).initialize(to: compress(left[i * stride], right[i * stride])) }
    }
}

extension MerkleHasher {
    /// The digest of every row of `matrices` (row `r` = the concatenation of row `r` of
    /// each matrix, which must all have the same height), computed in batches (packed
    /// for Poseidon2) on up to `threads` threads.
    public func hashRows<M: MerkleMatrix>(
        of matrices: [M],
        threads: Int = Parallel.maxThreads
    ) throws(MerkleError) -> [Digest] where M.Element == Field {
        guard !matrices.isEmpty else { throw .noMatrices }
        var dims: [MatrixDimensions] = []
        for (k, m) in matrices.enumerated() {
            guard m.width > 0, !m.values.isEmpty else { throw .emptyMatrix(matrix: k) }
            guard m.values.count % m.width == 0 else { throw .raggedMatrix(matrix: k) }
            dims.append(MatrixDimensions(width: m.width, height: m.values.count / m.width))
        }
        for k in dims.indices where dims[k].height != dims[0].height {
            throw .heightMismatch(matrix: k, expected: dims[0].height, actual: dims[k].height)
        }
        return MerkleTree<Self>.hashRows(
            self,
            values: matrices.map(\.values),
            dims: dims,
            select: Array(dims.indices),
            threads: threads
        )
    }
}

/// The Merkle hasher of Plonky3's default configuration: leaves hashed with the
/// padding-free width-16 Poseidon2 sponge, nodes compressed with the truncated
/// width-16 permutation. Batches run 8 at a time on packed lanes.
public struct Poseidon2MerkleHasher<F: Poseidon2Field>: MerkleHasher {
    public typealias Field = F
    public typealias Digest = Hashing.Digest<F>

    /// The leaf hash.
    public let sponge: PaddingFreeSponge<F>
    /// The node compression.
    public let compression: TruncatedPermutation<F>

    /// Both functions over one width-16 permutation (the default one when omitted).
    public init(permutation: Poseidon2<F> = Poseidon2(width: 16)) {
        sponge = PaddingFreeSponge(permutation: permutation)
        compression = TruncatedPermutation(permutation: permutation)
    }

    public func hash(slices: [UnsafeBufferPointer<F>]) -> Digest { sponge.hash(slices: slices) }

    public func compress(_ left: Digest, _ right: Digest) -> Digest { compression.compress(left, right) }

    /// Packed: 8 rows per permutation call, lanes filled from 8 x 8 transposes of the matrices.
    public func hashRows(
        of matrices: [UnsafeBufferPointer<F>],
        widths: [Int],
        rows: Range<Int>,
        into out: UnsafeMutablePointer<Digest>
    ) {
        let permutation = sponge.permutation
        withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 24) { buffer in
            let s = buffer.baseAddress!
            let block = s + 16
            var r = rows.lowerBound
            while r + 8 <= rows.upperBound {
                for j in 0..<16 { s[j] = .zero }
                var position = 0
                for k in 0..<matrices.count {
                    let w = widths[k]
                    let rowBytes = 4 * w
                    let base = UnsafeRawPointer(matrices[k].baseAddress!) + r * rowBytes
                    var c = 0
                    while c < w {
                        let n = min(8, w - c)
                        if n == 8 {
                            transpose8(base + 4 * c, stride: rowBytes, to: block)
                        } else {
                            for j in 0..<n {
                                var v = SIMD8<UInt32>()
                                for l in 0..<8 {
                                    v[l] = base.load(fromByteOffset: l * rowBytes + 4 * (c + j), as: UInt32.self)
                                }
                                block[j] = v
                            }
                        }
                        for j in 0..<n {
                            s[position] = block[j]
                            position += 1
                            if position == 8 {
                                permutation.permute(words8: s)
                                position = 0
                            }
                        }
                        c += n
                    }
                }
                if position != 0 { permutation.permute(words8: s) }
                (out + (r - rows.lowerBound)).withMemoryRebound(to: SIMD8<UInt32>.self, capacity: 8) {
                    transpose8(UnsafeRawPointer(s), stride: 32, to: $0)
                }
                r += 8
            }
            if r < rows.upperBound {
                var slices = [UnsafeBufferPointer<F>](
                    repeating: UnsafeBufferPointer(start: nil, count: 0),
                    count: matrices.count
                )
                while r < rows.upperBound {
                    for k in 0..<matrices.count {
                        slices[k] = UnsafeBufferPointer(
                            rebasing: matrices[k][(r * widths[k])..<((r + 1) * widths[k])]
                        )
                    }
                    (out + (r - rows.lowerBound)).initialize(to: hash(slices: slices))
                    r += 1
                }
            }
        }
    }

    /// Packed: 8 compressions per permutation call.
    public func compress(
        left: UnsafePointer<Digest>,
        right: UnsafePointer<Digest>,
        stride: Int,
        count: Int,
        into out: UnsafeMutablePointer<Digest>
    ) {
        var i = 0
        while i + 8 <= count {
            compression.compress8(left: left + i * stride, right: right + i * stride, stride: stride, out: out + i)
            i += 8
        }
        while i < count {
            (out + i).initialize(to: compression.compress(left[i * stride], right[i * stride]))
            i += 1
        }
    }
}
