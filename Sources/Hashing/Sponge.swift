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
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            s.initialize(repeating: 0, count: 16)
            var position = 0
            for slice in slices where !slice.isEmpty {
                // Field elements are single Montgomery words.
                let words = UnsafeRawPointer(slice.baseAddress!)
                for i in 0..<slice.count {
                    s[position] = words.load(fromByteOffset: 4 * i, as: UInt32.self)
                    position += 1
                    if position == 8 {
                        permutation.permute(words: s)
                        position = 0
                    }
                }
            }
            if position != 0 { permutation.permute(words: s) }
            return Digest(montgomeryWords: UnsafeRawPointer(s).loadUnaligned(as: SIMD8<UInt32>.self))
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
        withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 2) { buffer in
            let s = buffer.baseAddress!
            s[0] = left.words
            s[1] = right.words
            UnsafeMutableRawPointer(s).withMemoryRebound(to: UInt32.self, capacity: 16) {
                permutation.permute(words: $0)
            }
            return Digest(montgomeryWords: s[0])
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
        compress8(left: left, right: right, stride: 1, out: out)
    }

    /// `out[i] = compress(left[i * stride], right[i * stride])` for `i < 8`, packed.
    @inlinable
    public func compress8(
        left: UnsafePointer<Digest<F>>,
        right: UnsafePointer<Digest<F>>,
        stride: Int,
        out: UnsafeMutablePointer<Digest<F>>
    ) {
        withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 16) { buffer in
            let s = buffer.baseAddress!
            transpose8(UnsafeRawPointer(left), stride: 32 * stride, to: s)
            transpose8(UnsafeRawPointer(right), stride: 32 * stride, to: s + 8)
            permutation.permute(words8: s)
            out.withMemoryRebound(to: SIMD8<UInt32>.self, capacity: 8) {
                transpose8(UnsafeRawPointer(s), stride: 32, to: $0)
            }
        }
    }
}

extension TruncatedPermutation {
    /// `out[i] = compress(left[i * stride], right[i * stride])` for `i < 16`, with the
    /// 16-state packed permutation.
    @inlinable
    public func compress16(
        left: UnsafePointer<Digest<F>>,
        right: UnsafePointer<Digest<F>>,
        stride: Int,
        out: UnsafeMutablePointer<Digest<F>>
    ) {
        withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 32) { buffer in
            let s = buffer.baseAddress!
            for g in 0..<2 {
                let offset = 8 * g * stride
                transpose8(UnsafeRawPointer(left + offset), stride: 32 * stride, to: s + 16 * g)
                transpose8(UnsafeRawPointer(right + offset), stride: 32 * stride, to: s + 16 * g + 8)
            }
            permutation.permute(words16: s)
            out.withMemoryRebound(to: SIMD8<UInt32>.self, capacity: 16) { o in
                transpose8(UnsafeRawPointer(s), stride: 32, to: o)
                transpose8(UnsafeRawPointer(s + 16), stride: 32, to: o + 8)
            }
        }
    }
}

/// Transposes an 8 x 8 block of words: row `l` is the 8 words at `rows + l * stride`
/// (bytes); `out[j]` receives word `j` of every row. The strided call shape of Algebra's
/// `transpose8x8`, the one kernel.
@inlinable @inline(__always)
func transpose8(_ rows: UnsafeRawPointer, stride: Int, to out: UnsafeMutablePointer<SIMD8<UInt32>>) {
    transpose8x8(
        (
            rows, rows + stride, rows + 2 * stride, rows + 3 * stride,
            rows + 4 * stride, rows + 5 * stride, rows + 6 * stride, rows + 7 * stride
        ),
        into: UnsafeMutableRawPointer(out),
        stride: 32
    )
}
