import Algebra

/// The padding-free sponge over width-16 Poseidon2 (rate 8, capacity 8, 8-element
/// digest), as Plonky3's `PaddingFreeSponge<_, 16, 8, 8>`.
///
/// The state starts at zero. Input is absorbed in chunks of 8 by *overwriting*
/// the first elements of the state; the state is permuted after every chunk,
/// including a final partial one. No padding: an empty input hashes to the zero
/// digest. This is only collision resistant for inputs of a fixed length, which
/// is how commitments use it (rows of a known width).
public struct PaddingFreeSponge<F: Poseidon2Field>: Sendable {
    /// The width-16 permutation.
    public let permutation: Poseidon2<F>

    /// Elements absorbed per permutation.
    @inlinable public static var rate: Int { 8 }

    /// A sponge over `permutation`, which must have width 16.
    public init(permutation: Poseidon2<F>) {
        precondition(permutation.width == 16, "the sponge uses width-16 Poseidon2")
        self.permutation = permutation
    }

    /// A sponge over the default width-16 Poseidon2 of `F`.
    public init() { self.init(permutation: Poseidon2(width: 16)) }

    /// The digest of `input`.
    @inlinable
    public func hash(_ input: some Sequence<F>) -> Digest<F> {
        withUnsafeTemporaryAllocation(of: F.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            s.initialize(repeating: .zero, count: 16)
            var position = 0
            for x in input {
                s[position] = x
                position += 1
                if position == 8 {
                    permutation.permute(s)
                    position = 0
                }
            }
            if position != 0 { permutation.permute(s) }
            return Digest(UnsafePointer(s))
        }
    }

    /// The digest of the concatenation of `slices`.
    @inlinable
    public func hash(slices: [UnsafeBufferPointer<F>]) -> Digest<F> {
        withUnsafeTemporaryAllocation(of: F.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            s.initialize(repeating: .zero, count: 16)
            var position = 0
            for slice in slices {
                for x in slice {
                    s[position] = x
                    position += 1
                    if position == 8 {
                        permutation.permute(s)
                        position = 0
                    }
                }
            }
            if position != 0 { permutation.permute(s) }
            return Digest(UnsafePointer(s))
        }
    }
}

/// 2-to-1 compression by a truncated permutation, as Plonky3's
/// `TruncatedPermutation<_, 2, 8, 16>`: permute `left ++ right` with width-16
/// Poseidon2 and keep the first 8 elements.
public struct TruncatedPermutation<F: Poseidon2Field>: Sendable {
    /// The width-16 permutation.
    public let permutation: Poseidon2<F>

    /// A compression function over `permutation`, which must have width 16.
    public init(permutation: Poseidon2<F>) {
        precondition(permutation.width == 16, "the compression uses width-16 Poseidon2")
        self.permutation = permutation
    }

    /// A compression function over the default width-16 Poseidon2 of `F`.
    public init() { self.init(permutation: Poseidon2(width: 16)) }

    /// The first 8 elements of `Poseidon2(left ++ right)`.
    @inlinable
    public func compress(_ left: Digest<F>, _ right: Digest<F>) -> Digest<F> {
        withUnsafeTemporaryAllocation(of: F.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            left.store(to: s)
            right.store(to: s + 8)
            permutation.permute(s)
            return Digest(UnsafePointer(s))
        }
    }

    /// Compresses 8 pairs at once with packed Poseidon2:
    /// `out[i] = compress(left[i], right[i])` for `i < 8`.
    @inlinable
    public func compress8(
        left: UnsafePointer<Digest<F>>,
        right: UnsafePointer<Digest<F>>,
        out: UnsafeMutablePointer<Digest<F>>
    ) {
        withUnsafeTemporaryAllocation(of: Poseidon2Lanes<F>.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            transposeIn(left, to: s)
            transposeIn(right, to: s + 8)
            permutation.permute(lanes: s)
            transposeOut(s, to: out)
        }
    }
}

/// Loads 8 digests so that vector `j` holds element `j` of each.
@inlinable @inline(__always)
func transposeIn<F>(_ digests: UnsafePointer<Digest<F>>, to s: UnsafeMutablePointer<Poseidon2Lanes<F>>) {
    for j in 0..<8 {
        var v = SIMD8<UInt32>()
        for l in 0..<8 { v[l] = digests[l].words[j] }
        (s + j).initialize(to: Poseidon2Lanes(words: v))
    }
}

/// Stores vectors 0..<8 as 8 digests (the inverse of `transposeIn`).
@inlinable @inline(__always)
func transposeOut<F>(_ s: UnsafeMutablePointer<Poseidon2Lanes<F>>, to digests: UnsafeMutablePointer<Digest<F>>) {
    for l in 0..<8 {
        var v = SIMD8<UInt32>()
        for j in 0..<8 { v[j] = s[j].words[l] }
        digests[l] = Digest(montgomeryWords: v)
    }
}
