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

    /// Packed: 8 rows per permutation call, lanes filled straight from the matrices.
    public func hashRows(
        of matrices: [UnsafeBufferPointer<F>],
        widths: [Int],
        rows: Range<Int>,
        into out: UnsafeMutablePointer<Digest>
    ) {
        let permutation = sponge.permutation
        withUnsafeTemporaryAllocation(of: Poseidon2Lanes<F>.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            let words = UnsafeMutableRawPointer(s).assumingMemoryBound(to: UInt32.self)
            var r = rows.lowerBound
            while r + 8 <= rows.upperBound {
                s.initialize(repeating: Poseidon2Lanes(words: .zero), count: 16)
                var position = 0
                for k in 0..<matrices.count {
                    let w = widths[k]
                    let base = matrices[k].baseAddress!
                    for c in 0..<w {
                        let column = base + (r * w + c)
                        for l in 0..<8 { words[position * 8 + l] = column[l * w].montgomery }
                        position += 1
                        if position == 8 {
                            permutation.permute(lanes: s)
                            position = 0
                        }
                    }
                }
                if position != 0 { permutation.permute(lanes: s) }
                for l in 0..<8 {
                    var v = SIMD8<UInt32>()
                    for j in 0..<8 { v[j] = words[j * 8 + l] }
                    (out + (r - rows.lowerBound + l)).initialize(to: Digest(montgomeryWords: v))
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
        let permutation = compression.permutation
        withUnsafeTemporaryAllocation(of: Poseidon2Lanes<F>.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            var i = 0
            while i + 8 <= count {
                for j in 0..<8 {
                    var a = SIMD8<UInt32>()
                    var b = SIMD8<UInt32>()
                    for l in 0..<8 {
                        a[l] = left[(i + l) * stride].words[j]
                        b[l] = right[(i + l) * stride].words[j]
                    }
                    (s + j).initialize(to: Poseidon2Lanes(words: a))
                    (s + 8 + j).initialize(to: Poseidon2Lanes(words: b))
                }
                permutation.permute(lanes: s)
                for l in 0..<8 {
                    var v = SIMD8<UInt32>()
                    for j in 0..<8 { v[j] = s[j].words[l] }
                    (out + i + l).initialize(to: Digest(montgomeryWords: v))
                }
                i += 8
            }
            while i < count {
                (out + i).initialize(to: compression.compress(left[i * stride], right[i * stride]))
                i += 1
            }
        }
    }
}
