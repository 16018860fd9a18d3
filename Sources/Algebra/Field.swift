/// A finite field: the arithmetic every prover algorithm is generic over.
///
/// Conforming types are small value types; operations never allocate.
public protocol Field: Sendable, Hashable, CustomStringConvertible {
    /// The additive identity.
    static var zero: Self { get }
    /// The multiplicative identity.
    static var one: Self { get }

    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static prefix func - (value: Self) -> Self

    /// `self * self`.
    func squared() -> Self
    /// `self + self`.
    func doubled() -> Self
    /// The multiplicative inverse, or `nil` for zero.
    func inverse() -> Self?
    /// `true` when this is the additive identity.
    var isZero: Bool { get }
    /// Number of base-field elements that make up one element of this field.
    static var extensionDegree: Int { get }
}

extension Field {
    @inlinable @inline(__always)
    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    @inlinable @inline(__always)
    public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    @inlinable @inline(__always)
    public static func *= (lhs: inout Self, rhs: Self) { lhs = lhs * rhs }

    @inlinable @inline(__always)
    public func squared() -> Self { self * self }
    @inlinable @inline(__always)
    public func doubled() -> Self { self + self }
    @inlinable @inline(__always)
    public var isZero: Bool { self == .zero }

    /// `self` raised to `exponent`, by square-and-multiply.
    @inlinable
    public func power(_ exponent: UInt64) -> Self {
        var result = Self.one
        var base = self
        var e = exponent
        while e != 0 {
            if e & 1 == 1 { result *= base }
            base = base.squared()
            e >>= 1
        }
        return result
    }

    /// `self` raised to `2^k`.
    @inlinable
    public func exp2(_ k: Int) -> Self {
        var r = self
        for _ in 0..<k { r = r.squared() }
        return r
    }
}

/// A prime field of at most 31 bits, the base field of the proof system.
public protocol PrimeField31: Field, ExpressibleByIntegerLiteral where IntegerLiteralType == UInt32 {
    /// The prime modulus `p`.
    static var modulus: UInt32 { get }
    /// A multiplicative generator of the whole group (3 for KoalaBear, 31 for BabyBear).
    static var generator: Self { get }
    /// The largest `k` with `2^k | p - 1`.
    static var twoAdicity: Int { get }

    /// The element congruent to `value` (reduced modulo `p`).
    init(_ value: UInt32)
    /// The element congruent to `value` (reduced modulo `p`).
    init(reducing value: UInt64)
    /// The canonical representative in `0..<p`.
    var canonical: UInt32 { get }
    /// A generator of the multiplicative subgroup of order `2^logOrder`,
    /// `generator^((p-1) / 2^logOrder)`.
    static func twoAdicGenerator(logOrder: Int) -> Self

    /// The SIMD type that computes on several elements at once (``PackedMontyField31`` for the
    /// Montgomery fields). Generic algorithms (the DFT) use it for their hot loops.
    associatedtype Packing: PackedField where Packing.Scalar == Self
}

/// Several elements of a prime field computed on at once, lane-wise (a SIMD register).
///
/// Lanes are stored exactly like an array of ``Scalar``s, so ``init(loading:)`` and
/// ``store(to:)`` move ``width`` consecutive array elements.
public protocol PackedField: Sendable {
    /// The field of one lane.
    associatedtype Scalar: PrimeField31
    /// Number of lanes.
    static var width: Int { get }
    /// Every lane equal to `value`.
    init(broadcast value: Scalar)
    /// Loads ``width`` consecutive elements (no alignment needed).
    init(loading pointer: UnsafePointer<Scalar>)
    /// Stores the lanes into ``width`` consecutive elements (no alignment needed).
    func store(to pointer: UnsafeMutablePointer<Scalar>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static prefix func - (value: Self) -> Self
    /// The decimation-in-frequency butterfly `(a + b, (a - b) * t)`.
    static func difButterfly(_ a: Self, _ b: Self, _ t: Self) -> (Self, Self)
    /// Lane `l` set to `pointer[l / repeats]` (`repeats` divides ``width``): each of
    /// `width / repeats` consecutive elements fills `repeats` adjacent lanes.
    init(loading pointer: UnsafePointer<Scalar>, repeatingEach repeats: Int)
}

extension PackedField {
    @inlinable @inline(__always)
    public init(loading pointer: UnsafePointer<Scalar>, repeatingEach repeats: Int) {
        if repeats == 1 {
            self.init(loading: pointer)
            return
        }
        if repeats >= Self.width {
            self.init(broadcast: pointer.pointee)
            return
        }
        self = withUnsafeTemporaryAllocation(of: Scalar.self, capacity: Self.width) { tmp in
            for l in 0..<Self.width { tmp[l] = pointer[l / repeats] }
            return Self(loading: tmp.baseAddress!)
        }
    }

    @inlinable @inline(__always)
    public static func difButterfly(_ a: Self, _ b: Self, _ t: Self) -> (Self, Self) { (a + b, (a - b) * t) }
}

extension PrimeField31 {
    @inlinable
    public static var extensionDegree: Int { 1 }

    /// Whether `value` is a canonical encoding (`value < p`).
    @inlinable
    public static func isCanonical(_ value: UInt32) -> Bool { value < modulus }

    /// The element for a canonical encoding, or `nil` when `value >= p`.
    @inlinable
    public init?(canonical value: UInt32) {
        guard value < Self.modulus else { return nil }
        self.init(value)
    }

    public var description: String { String(canonical) }
}

/// Batch inversion (Montgomery's trick): inverts every element with one field inversion.
///
/// Zero elements are left as zero.
@inlinable
public func batchInverse<F: Field>(_ values: [F]) -> [F] {
    var out = values
    var scratch = [F](repeating: .zero, count: values.count)
    out.withUnsafeMutableBufferPointer { o in
        scratch.withUnsafeMutableBufferPointer { s in batchInverseInPlace(o, scratch: s) }
    }
    return out
}

/// Batch inversion in place over a buffer (Montgomery's trick, zeros left as zero), with
/// `scratch` (at least as long as `values`) for the prefix products: the allocation-free form
/// for hot loops that invert block after block.
@inlinable
public func batchInverseInPlace<F: Field>(
    _ values: UnsafeMutableBufferPointer<F>,
    scratch: UnsafeMutableBufferPointer<F>
) {
    precondition(scratch.count >= values.count, "scratch shorter than the values")
    var acc = F.one
    for i in 0..<values.count {
        scratch[i] = acc
        if !values[i].isZero { acc *= values[i] }
    }
    var inv = acc.inverse() ?? .zero
    var i = values.count - 1
    while i >= 0 {
        let v = values[i]
        if !v.isZero {
            values[i] = scratch[i] * inv
            inv *= v
        }
        i -= 1
    }
}
