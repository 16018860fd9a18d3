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

    /// Packed: 16 rows per permutation call (two groups of 8 lanes), then 8, then one at
    /// a time; lanes are filled from 8 x 8 transposes of the matrices. No allocation except
    /// for the last `rows.count % 8` rows.
    public func hashRows(
        of matrices: [UnsafeBufferPointer<F>],
        widths: [Int],
        rows: Range<Int>,
        into out: UnsafeMutablePointer<Digest>
    ) {
        // The round constants stay pinned for the whole batch (no retain per permutation).
        sponge.permutation.constants.withUnsafeBufferPointer { constants in
            hashRows(of: matrices, widths: widths, rows: rows, into: out, constants: constants.baseAddress!)
        }
    }

    /// `hashRows(of:widths:rows:into:)` with the permutation's constants at `rc`.
    func hashRows(
        of matrices: [UnsafeBufferPointer<F>],
        widths: [Int],
        rows: Range<Int>,
        into out: UnsafeMutablePointer<Digest>,
        constants rc: UnsafePointer<UInt32>
    ) {
        withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 48) { buffer in
            // Two groups of 8 sponge states (16 vectors each, group g at 16 g), then 16
            // vectors of transposed input.
            let s = buffer.baseAddress!
            let block = s + 32
            var r = rows.lowerBound
            while r + 8 <= rows.upperBound {
                let groups = r + 16 <= rows.upperBound ? 2 : 1
                for j in 0..<32 { s[j] = .zero }
                var position = 0
                for k in 0..<matrices.count {
                    let w = widths[k]
                    let rowBytes = 4 * w
                    var c = 0
                    while c < w {
                        let n = min(8, w - c)
                        // Columns c..<c+n of the 8 rows of each group, as vectors block[8 g + j].
                        for g in 0..<groups {
                            let base = UnsafeRawPointer(matrices[k].baseAddress!) + (r + 8 * g) * rowBytes
                            if n == 8 {
                                transpose8(base + 4 * c, stride: rowBytes, to: block + 8 * g)
                            } else {
                                for j in 0..<n {
                                    var v = SIMD8<UInt32>()
                                    for l in 0..<8 {
                                        v[l] = base.load(fromByteOffset: l * rowBytes + 4 * (c + j), as: UInt32.self)
                                    }
                                    block[8 * g + j] = v
                                }
                            }
                        }
                        for j in 0..<n {
                            for g in 0..<groups { s[16 * g + position] = block[8 * g + j] }
                            position += 1
                            if position == 8 {
                                permuteStates(s, groups, rc, F.Parameters.self)
                                position = 0
                            }
                        }
                        c += n
                    }
                }
                if position != 0 { permuteStates(s, groups, rc, F.Parameters.self) }
                for g in 0..<groups {
                    (out + (r + 8 * g - rows.lowerBound)).withMemoryRebound(to: SIMD8<UInt32>.self, capacity: 8) {
                        transpose8(UnsafeRawPointer(s + 16 * g), stride: 32, to: $0)
                    }
                }
                r += 8 * groups
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

    /// Packed: 16 compressions per permutation call (two groups of 8 lanes), then 8, then
    /// one at a time.
    public func compress(
        left: UnsafePointer<Digest>,
        right: UnsafePointer<Digest>,
        stride: Int,
        count: Int,
        into out: UnsafeMutablePointer<Digest>
    ) {
        var i = 0
        while i + 16 <= count {
            compression.compress16(left: left + i * stride, right: right + i * stride, stride: stride, out: out + i)
            i += 16
        }
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

/// One sponge permutation of `groups` (1 or 2) groups of 8 packed width-16 states at `s`
/// (group `g` at `s + 16 g`), with the permutation's constants at `rc`.
@inlinable @inline(__always)
func permuteStates<P: Poseidon2Parameters>(
    _ s: UnsafeMutablePointer<SIMD8<UInt32>>,
    _ groups: Int,
    _ rc: UnsafePointer<UInt32>,
    _: P.Type = P.self
) {
    if groups == 2 { P.permute16(lanes: s, constants: rc) } else { P.permute(lanes: s, width: 16, constants: rc) }
}
