import Algebra
import Poseidon2AVX512

/// The arithmetic the Poseidon2 round functions need, shared by scalar field
/// elements and packed lanes of field elements.
///
/// Every operation returns a fully reduced value, so implementations can be
/// mixed freely. `divided(byTwoToThe:)` is only called with `k` no larger than
/// the field's two-adicity.
public protocol Poseidon2Arithmetic {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    /// `self + self`.
    func doubled() -> Self
    /// `self / 2`.
    func halved() -> Self
    /// `self / 2^k` for `1 <= k <= twoAdicity`.
    func divided(byTwoToThe k: Int) -> Self
    /// `self + x / 2^k`; implementations may fuse the reductions.
    func adding(_ x: Self, dividedByTwoToThe k: Int) -> Self
    /// `self - x / 2^k`; implementations may fuse the reductions.
    func subtracting(_ x: Self, dividedByTwoToThe k: Int) -> Self
}

extension Poseidon2Arithmetic {
    @inlinable @inline(__always)
    public func adding(_ x: Self, dividedByTwoToThe k: Int) -> Self { self + x.divided(byTwoToThe: k) }

    @inlinable @inline(__always)
    public func subtracting(_ x: Self, dividedByTwoToThe k: Int) -> Self { self - x.divided(byTwoToThe: k) }
}

/// The per-field definition of Poseidon2: S-box degree, round numbers and the
/// internal diagonal matrix, bit-compatible with Plonky3's default instances.
///
/// The S-box degree and the packed kernels' diagonal shifts come from
/// `Poseidon2LaneParameters` (module `Poseidon2AVX512`), where each field's values are written.
public protocol Poseidon2Parameters: Poseidon2LaneParameters {
    /// Number of partial (internal) rounds for a state of `width` elements, or
    /// `nil` when this field has no Poseidon2 instance of that width.
    static func partialRounds(width: Int) -> Int?
    /// The internal linear layer `state -> (1 + Diag(V)) state`, with `V` applied in
    /// its "as written" form (small multiples and inverse powers of two).
    static func internalLayer<R: Poseidon2Arithmetic>(_ state: UnsafeMutablePointer<R>, width: Int)
    /// One permutation of `width` Montgomery words with the given round constants
    /// (layout of `Poseidon2`). Conformances call `Poseidon2Kernel<Self>.permuteScalar`,
    /// which compiles the round function for this concrete field.
    static func permute(state: UnsafeMutablePointer<UInt32>, width: Int, constants: UnsafePointer<UInt32>)
    /// Eight permutations on packed lanes (vector `i` = element `i` of each state).
    /// Conformances call `Poseidon2Kernel<Self>.permutePacked`.
    static func permute(lanes: UnsafeMutablePointer<SIMD8<UInt32>>, width: Int, constants: UnsafePointer<UInt32>)
    /// Sixteen width-16 permutations on two groups of packed lanes (`lanes[0..<16]` and
    /// `lanes[16..<32]`), run together. Conformances call the AVX-512 kernel where
    /// ``Poseidon2Kernels/useAVX512`` says so, `Poseidon2Packed16.permutePair` otherwise.
    static func permute16(lanes: UnsafeMutablePointer<SIMD8<UInt32>>, constants: UnsafePointer<UInt32>)
}

/// A 31-bit Montgomery field that has Poseidon2 instances.
public protocol Poseidon2Field: PrimeField31, Poseidon2Arithmetic {
    /// The field's Montgomery and Poseidon2 parameters.
    associatedtype Parameters: Poseidon2Parameters
    /// The Montgomery representative.
    var montgomery: UInt32 { get }
    /// Wraps a Montgomery representative `< p`.
    init(montgomery: UInt32)
}

extension MontyField31: Poseidon2Arithmetic {
    /// `self / 2`: adds `p` to odd representatives, then shifts (valid in Montgomery form
    /// because halving is linear).
    @inlinable @inline(__always)
    public func halved() -> Self {
        let x = montgomery
        return Self(montgomery: (x >> 1) &+ ((x & 1) &* ((P.prime >> 1) &+ 1)))
    }

    /// `self / 2^k` for `1 <= k <= twoAdicity`, without a multiplication by a full
    /// constant: with `p = c 2^s + 1` and `m = -x mod 2^k`,
    /// `x / 2^k = (x + m) / 2^k + m c 2^(s-k)  (mod p)`.
    @inlinable @inline(__always)
    public func divided(byTwoToThe k: Int) -> Self {
        Self(montgomery: montyDivideByTwoPower(montgomery, k, P.prime, P.twoAdicity))
    }
}

extension MontyField31: Poseidon2Field where P: Poseidon2Parameters {
    public typealias Parameters = P
}

/// `x / 2^k mod p` for a Montgomery or canonical representative `x < p`,
/// `p = c 2^s + 1`, `1 <= k <= s`. Result in `0..<p`.
@inlinable @inline(__always)
package func montyDivideByTwoPower(_ x: UInt32, _ k: Int, _ p: UInt32, _ s: Int) -> UInt32 {
    let mask = (UInt32(1) << UInt32(k)) &- 1
    let m = (0 &- x) & mask
    let c = (p &- 1) >> UInt32(s)
    let r = ((x &+ m) >> UInt32(k)) &+ m &* (c << UInt32(s - k))
    return min(r, r &- p)
}

/// Shared start of the internal layer for all four instances: diagonal entries
/// `[-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4]` for positions 0...8. Returns the full sum.
@inlinable @inline(__always)
func internalLayerPrefix<R: Poseidon2Arithmetic>(_ s: UnsafeMutablePointer<R>, width: Int) -> R {
    var partial = s[1]
    for i in 2..<width { partial = partial + s[i] }
    let sum = partial + s[0]
    s[0] = partial - s[0]
    s[1] = s[1] + sum
    s[2] = s[2].doubled() + sum
    s[3] = s[3].halved() + sum
    s[4] = sum + s[4].doubled() + s[4]
    s[5] = sum + s[5].doubled().doubled()
    s[6] = sum - s[6].halved()
    s[7] = sum - (s[7].doubled() + s[7])
    s[8] = sum - s[8].doubled().doubled()
    return sum
}

extension KoalaBearParameters: Poseidon2Parameters {
    public static func permute16(lanes: UnsafeMutablePointer<SIMD8<UInt32>>, constants: UnsafePointer<UInt32>) {
        let rp = partialRounds(width: 16)!
        let rc = constants + (8 * 16 + rp + 2 * 16)
        if Poseidon2Kernels.useAVX512 {
            Poseidon2AVX512.permuteKoalaBear(pairs: lanes, partialRounds: rp, constants: rc)
        } else {
            Poseidon2Packed16<Self>.permutePair(lanes, partialRounds: rp, constants: rc)
        }
    }

    public static func permute(state: UnsafeMutablePointer<UInt32>, width: Int, constants: UnsafePointer<UInt32>) {
        Poseidon2Kernel<Self>.permuteScalar(state, width: width, constants: constants)
    }

    public static func permute(
        lanes: UnsafeMutablePointer<SIMD8<UInt32>>,
        width: Int,
        constants: UnsafePointer<UInt32>
    ) {
        Poseidon2Kernel<Self>.permutePacked(lanes, width: width, constants: constants)
    }

    @inlinable
    public static func partialRounds(width: Int) -> Int? {
        switch width {
        case 16: 20
        case 24: 23
        default: nil
        }
    }

    /// Width 16: `V = [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/8, 1/2^24, -1/2^8, -1/8, -1/16, -1/2^24]`.
    /// Width 24: `V = [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/4, 1/8, 1/16, 1/32, 1/64, 1/2^24,
    /// -1/2^8, -1/8, -1/16, -1/32, -1/64, -1/2^7, -1/2^9, -1/2^24]`.
    @inlinable @inline(__always)
    public static func internalLayer<R: Poseidon2Arithmetic>(_ s: UnsafeMutablePointer<R>, width: Int) {
        let sum = internalLayerPrefix(s, width: width)
        if width == 16 {
            s[9] = sum.adding(s[9], dividedByTwoToThe: 8)
            s[10] = sum.adding(s[10], dividedByTwoToThe: 3)
            s[11] = sum.adding(s[11], dividedByTwoToThe: 24)
            s[12] = sum.subtracting(s[12], dividedByTwoToThe: 8)
            s[13] = sum.subtracting(s[13], dividedByTwoToThe: 3)
            s[14] = sum.subtracting(s[14], dividedByTwoToThe: 4)
            s[15] = sum.subtracting(s[15], dividedByTwoToThe: 24)
        } else {
            s[9] = sum.adding(s[9], dividedByTwoToThe: 8)
            s[10] = sum.adding(s[10], dividedByTwoToThe: 2)
            s[11] = sum.adding(s[11], dividedByTwoToThe: 3)
            s[12] = sum.adding(s[12], dividedByTwoToThe: 4)
            s[13] = sum.adding(s[13], dividedByTwoToThe: 5)
            s[14] = sum.adding(s[14], dividedByTwoToThe: 6)
            s[15] = sum.adding(s[15], dividedByTwoToThe: 24)
            s[16] = sum.subtracting(s[16], dividedByTwoToThe: 8)
            s[17] = sum.subtracting(s[17], dividedByTwoToThe: 3)
            s[18] = sum.subtracting(s[18], dividedByTwoToThe: 4)
            s[19] = sum.subtracting(s[19], dividedByTwoToThe: 5)
            s[20] = sum.subtracting(s[20], dividedByTwoToThe: 6)
            s[21] = sum.subtracting(s[21], dividedByTwoToThe: 7)
            s[22] = sum.subtracting(s[22], dividedByTwoToThe: 9)
            s[23] = sum.subtracting(s[23], dividedByTwoToThe: 24)
        }
    }
}

extension BabyBearParameters: Poseidon2Parameters {
    public static func permute16(lanes: UnsafeMutablePointer<SIMD8<UInt32>>, constants: UnsafePointer<UInt32>) {
        let rp = partialRounds(width: 16)!
        let rc = constants + (8 * 16 + rp + 2 * 16)
        if Poseidon2Kernels.useAVX512 {
            Poseidon2AVX512.permuteBabyBear(pairs: lanes, partialRounds: rp, constants: rc)
        } else {
            Poseidon2Packed16<Self>.permutePair(lanes, partialRounds: rp, constants: rc)
        }
    }

    public static func permute(state: UnsafeMutablePointer<UInt32>, width: Int, constants: UnsafePointer<UInt32>) {
        Poseidon2Kernel<Self>.permuteScalar(state, width: width, constants: constants)
    }

    public static func permute(
        lanes: UnsafeMutablePointer<SIMD8<UInt32>>,
        width: Int,
        constants: UnsafePointer<UInt32>
    ) {
        Poseidon2Kernel<Self>.permutePacked(lanes, width: width, constants: constants)
    }

    @inlinable
    public static func partialRounds(width: Int) -> Int? {
        switch width {
        case 16: 13
        case 24: 21
        default: nil
        }
    }

    /// Width 16: `V = [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/4, 1/8, 1/2^27, -1/2^8, -1/16, -1/2^27]`.
    /// Width 24: `V = [-2, 1, 2, 1/2, 3, 4, -1/2, -3, -4, 1/2^8, 1/4, 1/8, 1/16, 1/2^7, 1/2^9, 1/2^27,
    /// -1/2^8, -1/4, -1/8, -1/16, -1/32, -1/64, -1/2^7, -1/2^27]`.
    @inlinable @inline(__always)
    public static func internalLayer<R: Poseidon2Arithmetic>(_ s: UnsafeMutablePointer<R>, width: Int) {
        let sum = internalLayerPrefix(s, width: width)
        if width == 16 {
            s[9] = sum.adding(s[9], dividedByTwoToThe: 8)
            s[10] = sum.adding(s[10], dividedByTwoToThe: 2)
            s[11] = sum.adding(s[11], dividedByTwoToThe: 3)
            s[12] = sum.adding(s[12], dividedByTwoToThe: 27)
            s[13] = sum.subtracting(s[13], dividedByTwoToThe: 8)
            s[14] = sum.subtracting(s[14], dividedByTwoToThe: 4)
            s[15] = sum.subtracting(s[15], dividedByTwoToThe: 27)
        } else {
            s[9] = sum.adding(s[9], dividedByTwoToThe: 8)
            s[10] = sum.adding(s[10], dividedByTwoToThe: 2)
            s[11] = sum.adding(s[11], dividedByTwoToThe: 3)
            s[12] = sum.adding(s[12], dividedByTwoToThe: 4)
            s[13] = sum.adding(s[13], dividedByTwoToThe: 7)
            s[14] = sum.adding(s[14], dividedByTwoToThe: 9)
            s[15] = sum.adding(s[15], dividedByTwoToThe: 27)
            s[16] = sum.subtracting(s[16], dividedByTwoToThe: 8)
            s[17] = sum.subtracting(s[17], dividedByTwoToThe: 2)
            s[18] = sum.subtracting(s[18], dividedByTwoToThe: 3)
            s[19] = sum.subtracting(s[19], dividedByTwoToThe: 4)
            s[20] = sum.subtracting(s[20], dividedByTwoToThe: 5)
            s[21] = sum.subtracting(s[21], dividedByTwoToThe: 6)
            s[22] = sum.subtracting(s[22], dividedByTwoToThe: 7)
            s[23] = sum.subtracting(s[23], dividedByTwoToThe: 27)
        }
    }
}
