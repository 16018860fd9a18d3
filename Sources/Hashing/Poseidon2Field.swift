import Algebra

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
}

/// The per-field definition of Poseidon2: S-box degree, round numbers and the
/// internal diagonal matrix, bit-compatible with Plonky3's default instances.
public protocol Poseidon2Parameters: MontyParameters {
    /// The S-box exponent `d` of `x -> x^d` (3 for KoalaBear, 7 for BabyBear).
    static var sboxDegree: Int { get }
    /// Number of partial (internal) rounds for a state of `width` elements, or
    /// `nil` when this field has no Poseidon2 instance of that width.
    static func partialRounds(width: Int) -> Int?
    /// The internal linear layer `state -> (1 + Diag(V)) state`, with `V` applied in
    /// its "as written" form (small multiples and inverse powers of two).
    static func internalLayer<R: Poseidon2Arithmetic>(_ state: UnsafeMutablePointer<R>, width: Int)
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
    @inlinable public static var sboxDegree: Int { 3 }

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
            s[9] = s[9].divided(byTwoToThe: 8) + sum
            s[10] = s[10].divided(byTwoToThe: 3) + sum
            s[11] = s[11].divided(byTwoToThe: 24) + sum
            s[12] = sum - s[12].divided(byTwoToThe: 8)
            s[13] = sum - s[13].divided(byTwoToThe: 3)
            s[14] = sum - s[14].divided(byTwoToThe: 4)
            s[15] = sum - s[15].divided(byTwoToThe: 24)
        } else {
            s[9] = s[9].divided(byTwoToThe: 8) + sum
            s[10] = s[10].divided(byTwoToThe: 2) + sum
            s[11] = s[11].divided(byTwoToThe: 3) + sum
            s[12] = s[12].divided(byTwoToThe: 4) + sum
            s[13] = s[13].divided(byTwoToThe: 5) + sum
            s[14] = s[14].divided(byTwoToThe: 6) + sum
            s[15] = s[15].divided(byTwoToThe: 24) + sum
            s[16] = sum - s[16].divided(byTwoToThe: 8)
            s[17] = sum - s[17].divided(byTwoToThe: 3)
            s[18] = sum - s[18].divided(byTwoToThe: 4)
            s[19] = sum - s[19].divided(byTwoToThe: 5)
            s[20] = sum - s[20].divided(byTwoToThe: 6)
            s[21] = sum - s[21].divided(byTwoToThe: 7)
            s[22] = sum - s[22].divided(byTwoToThe: 9)
            s[23] = sum - s[23].divided(byTwoToThe: 24)
        }
    }
}

extension BabyBearParameters: Poseidon2Parameters {
    @inlinable public static var sboxDegree: Int { 7 }

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
            s[9] = s[9].divided(byTwoToThe: 8) + sum
            s[10] = s[10].divided(byTwoToThe: 2) + sum
            s[11] = s[11].divided(byTwoToThe: 3) + sum
            s[12] = s[12].divided(byTwoToThe: 27) + sum
            s[13] = sum - s[13].divided(byTwoToThe: 8)
            s[14] = sum - s[14].divided(byTwoToThe: 4)
            s[15] = sum - s[15].divided(byTwoToThe: 27)
        } else {
            s[9] = s[9].divided(byTwoToThe: 8) + sum
            s[10] = s[10].divided(byTwoToThe: 2) + sum
            s[11] = s[11].divided(byTwoToThe: 3) + sum
            s[12] = s[12].divided(byTwoToThe: 4) + sum
            s[13] = s[13].divided(byTwoToThe: 7) + sum
            s[14] = s[14].divided(byTwoToThe: 9) + sum
            s[15] = s[15].divided(byTwoToThe: 27) + sum
            s[16] = sum - s[16].divided(byTwoToThe: 8)
            s[17] = sum - s[17].divided(byTwoToThe: 2)
            s[18] = sum - s[18].divided(byTwoToThe: 3)
            s[19] = sum - s[19].divided(byTwoToThe: 4)
            s[20] = sum - s[20].divided(byTwoToThe: 5)
            s[21] = sum - s[21].divided(byTwoToThe: 6)
            s[22] = sum - s[22].divided(byTwoToThe: 7)
            s[23] = sum - s[23].divided(byTwoToThe: 27)
        }
    }
}
