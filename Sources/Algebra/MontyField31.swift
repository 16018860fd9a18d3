/// Parameters of a 31-bit prime field kept in Montgomery form (R = 2^32).
public protocol MontyParameters: Sendable {
    /// The prime modulus.
    static var prime: UInt32 { get }
    /// `p^-1 mod 2^32`.
    static var mu: UInt32 { get }
    /// `R^2 mod p`, used to enter Montgomery form.
    static var rSquared: UInt32 { get }
    /// The multiplicative generator (canonical).
    static var generatorValue: UInt32 { get }
    /// `v2(p - 1)`.
    static var twoAdicity: Int { get }
    /// The constant `W` of the degree-4 binomial extension `x^4 - W` (canonical).
    static var extensionW: UInt32 { get }
}

/// An element of a 31-bit prime field, stored in Montgomery form.
///
/// `KoalaBear` and `BabyBear` are the two instances. The stored value is always
/// reduced to `0..<p`, so equality and hashing work on it directly.
@frozen
public struct MontyField31<P: MontyParameters>: PrimeField31, BinomiallyExtendable {
    /// Eight lanes of this field in one AVX2 register.
    public typealias Packing = PackedMontyField31<P>

    /// The Montgomery representative `value * 2^32 mod p`.
    public var montgomery: UInt32

    /// Wraps a raw Montgomery representative, which must already be `< p`.
    @inlinable @inline(__always)
    public init(montgomery: UInt32) { self.montgomery = montgomery }

    @inlinable @inline(__always)
    public init(_ value: UInt32) {
        self.montgomery = Self.montyReduce(UInt64(value % P.prime) &* UInt64(P.rSquared))
    }

    @inlinable @inline(__always)
    public init(reducing value: UInt64) {
        self.montgomery = Self.montyReduce(UInt64(UInt32(value % UInt64(P.prime))) &* UInt64(P.rSquared))
    }

    @inlinable @inline(__always)
    public init(integerLiteral value: UInt32) { self.init(value) }

    @inlinable
    public static var modulus: UInt32 { P.prime }
    @inlinable
    public static var twoAdicity: Int { P.twoAdicity }
    @inlinable
    public static var generator: Self { Self(P.generatorValue) }
    @inlinable
    public static var extensionW: Self { Self(P.extensionW) }
    @inlinable
    public static var zero: Self { Self(montgomery: 0) }
    @inlinable
    public static var one: Self { Self(1) }

    @inlinable @inline(__always)
    public var canonical: UInt32 { Self.montyReduce(UInt64(montgomery)) }

    /// Montgomery reduction of `x < p * 2^32`: returns `x * 2^-32 mod p` in `0..<p`.
    @inlinable @inline(__always)
    public static func montyReduce(_ x: UInt64) -> UInt32 {
        let t = UInt32(truncatingIfNeeded: x) &* P.mu
        let u = UInt64(t) &* UInt64(P.prime)
        let (d, borrow) = x.subtractingReportingOverflow(u)
        let hi = UInt32(truncatingIfNeeded: d >> 32)
        return borrow ? hi &+ P.prime : hi
    }

    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self {
        let s = lhs.montgomery &+ rhs.montgomery
        let (r, borrow) = s.subtractingReportingOverflow(P.prime)
        return Self(montgomery: borrow ? s : r)
    }

    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self {
        let (d, borrow) = lhs.montgomery.subtractingReportingOverflow(rhs.montgomery)
        return Self(montgomery: borrow ? d &+ P.prime : d)
    }

    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self.zero - value }

    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self {
        Self(montgomery: montyReduce(UInt64(lhs.montgomery) &* UInt64(rhs.montgomery)))
    }

    @inlinable
    public func inverse() -> Self? {
        if montgomery == 0 { return nil }
        return power(UInt64(P.prime - 2))
    }

    @inlinable
    public static func twoAdicGenerator(logOrder: Int) -> Self {
        precondition(logOrder >= 0 && logOrder <= P.twoAdicity, "no subgroup of order 2^\(logOrder)")
        return generator.power(UInt64((P.prime - 1) >> UInt32(logOrder)))
    }
}

/// KoalaBear parameters: p = 2^31 - 2^24 + 1, generator 3, two-adicity 24, extension x^4 - 3.
public enum KoalaBearParameters: MontyParameters {
    @inlinable public static var prime: UInt32 { 0x7f00_0001 }
    @inlinable public static var mu: UInt32 { 0x8100_0001 }
    @inlinable public static var rSquared: UInt32 { 0x17f7_efe4 }
    @inlinable public static var generatorValue: UInt32 { 3 }
    @inlinable public static var twoAdicity: Int { 24 }
    @inlinable public static var extensionW: UInt32 { 3 }
}

/// BabyBear parameters: p = 2^31 - 2^27 + 1, generator 31, two-adicity 27, extension x^4 - 11.
public enum BabyBearParameters: MontyParameters {
    @inlinable public static var prime: UInt32 { 0x7800_0001 }
    @inlinable public static var mu: UInt32 { 0x8800_0001 }
    @inlinable public static var rSquared: UInt32 { 0x45dd_dde3 }
    @inlinable public static var generatorValue: UInt32 { 31 }
    @inlinable public static var twoAdicity: Int { 27 }
    @inlinable public static var extensionW: UInt32 { 11 }
}

/// The KoalaBear field, p = 2^31 - 2^24 + 1 (the project's default).
public typealias KoalaBear = MontyField31<KoalaBearParameters>
/// The BabyBear field, p = 2^31 - 2^27 + 1.
public typealias BabyBear = MontyField31<BabyBearParameters>

/// A scalar is a one-lane packed value, so SIMD kernels can finish ragged tails with the same code.
extension MontyField31: PackedField {
    public typealias Scalar = Self
    @inlinable
    public static var width: Int { 1 }
    @inlinable @inline(__always)
    public init(broadcast value: Self) { self = value }
    @inlinable @inline(__always)
    public init(loading pointer: UnsafePointer<Self>) { self = pointer.pointee }
    @inlinable @inline(__always)
    public func store(to pointer: UnsafeMutablePointer<Self>) { pointer.pointee = self }
}
