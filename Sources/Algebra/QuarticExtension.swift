/// A prime field with a degree-4 binomial extension `F[x] / (x^4 - W)`.
public protocol BinomiallyExtendable: PrimeField31 {
    /// The non-residue `W` with `x^4 - W` irreducible (3 for KoalaBear, 11 for BabyBear).
    static var extensionW: Self { get }
}

/// Common interface of extension fields over a 31-bit prime field.
public protocol ExtensionField: Field {
    associatedtype Base: PrimeField31
    /// Embeds a base-field element.
    init(_ base: Base)
    /// The coefficients `c0 + c1 x + c2 x^2 + c3 x^3` over the base field.
    var coefficients: [Base] { get }
    /// Builds an element from `extensionDegree` base coefficients.
    init(coefficients: [Base])
    static func * (lhs: Self, rhs: Base) -> Self
    static func + (lhs: Self, rhs: Base) -> Self
    static func - (lhs: Self, rhs: Base) -> Self
}

/// The degree-4 extension `F[x] / (x^4 - W)`, the challenge field of the proof system.
@frozen
public struct QuarticExtension<F: BinomiallyExtendable>: ExtensionField {
    public typealias Base = F
    public var c0: F
    public var c1: F
    public var c2: F
    public var c3: F

    @inlinable @inline(__always)
    public init(_ c0: F, _ c1: F, _ c2: F, _ c3: F) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
        self.c3 = c3
    }

    @inlinable @inline(__always)
    public init(_ base: F) { self.init(base, .zero, .zero, .zero) }

    @inlinable
    public init(coefficients: [F]) {
        precondition(coefficients.count == 4, "a quartic extension element has 4 coefficients")
        self.init(coefficients[0], coefficients[1], coefficients[2], coefficients[3])
    }

    @inlinable
    public var coefficients: [F] { [c0, c1, c2, c3] }

    @inlinable
    public static var extensionDegree: Int { 4 }
    @inlinable
    public static var zero: Self { Self(.zero) }
    @inlinable
    public static var one: Self { Self(.one) }

    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(lhs.c0 + rhs.c0, lhs.c1 + rhs.c1, lhs.c2 + rhs.c2, lhs.c3 + rhs.c3)
    }

    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self {
        Self(lhs.c0 - rhs.c0, lhs.c1 - rhs.c1, lhs.c2 - rhs.c2, lhs.c3 - rhs.c3)
    }

    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self(-value.c0, -value.c1, -value.c2, -value.c3) }

    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: F) -> Self { Self(lhs.c0 + rhs, lhs.c1, lhs.c2, lhs.c3) }

    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: F) -> Self { Self(lhs.c0 - rhs, lhs.c1, lhs.c2, lhs.c3) }

    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: F) -> Self { Self(lhs.c0 * rhs, lhs.c1 * rhs, lhs.c2 * rhs, lhs.c3 * rhs) }

    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self {
        let w = F.extensionW
        let a = lhs
        let b = rhs
        let r0 = a.c0 * b.c0 + w * (a.c1 * b.c3 + a.c2 * b.c2 + a.c3 * b.c1)
        let r1 = a.c0 * b.c1 + a.c1 * b.c0 + w * (a.c2 * b.c3 + a.c3 * b.c2)
        let r2 = a.c0 * b.c2 + a.c1 * b.c1 + a.c2 * b.c0 + w * (a.c3 * b.c3)
        let r3 = a.c0 * b.c3 + a.c1 * b.c2 + a.c2 * b.c1 + a.c3 * b.c0
        return Self(r0, r1, r2, r3)
    }

    /// Inverse through the tower `F[z]/(z^2 - W)` with `z = x^2`:
    /// `a = A0 + A1 x`, `a (A0 - A1 x) = A0^2 - z A1^2`, a quadratic element.
    @inlinable
    public func inverse() -> Self? {
        if isZero { return nil }
        let w = F.extensionW
        // A0 = c0 + c2 z, A1 = c1 + c3 z.
        // A0^2 = (c0^2 + w c2^2) + 2 c0 c2 z ; A1^2 = (c1^2 + w c3^2) + 2 c1 c3 z
        let a0sq0 = c0 * c0 + w * c2 * c2
        let a0sq1 = (c0 * c2).doubled()
        let a1sq0 = c1 * c1 + w * c3 * c3
        let a1sq1 = (c1 * c3).doubled()
        // z * A1^2 = w a1sq1 + a1sq0 z
        let b0 = a0sq0 - w * a1sq1
        let b1 = a0sq1 - a1sq0
        // (b0 + b1 z)^-1 = (b0 - b1 z) / (b0^2 - w b1^2)
        guard let normInv = (b0 * b0 - w * b1 * b1).inverse() else { return nil }
        let d0 = b0 * normInv
        let d1 = -(b1 * normInv)
        // inverse = (A0 - A1 x) * (d0 + d1 z); with z = x^2:
        // A0 - A1 x = c0 - c1 x + c2 x^2 - c3 x^3
        let conj = Self(c0, -c1, c2, -c3)
        return conj * Self(d0, .zero, d1, .zero)
    }

    public var description: String { "[\(c0), \(c1), \(c2), \(c3)]" }
}

/// The challenge field over KoalaBear, `KoalaBear[x] / (x^4 - 3)`.
public typealias KoalaBearExt4 = QuarticExtension<KoalaBear>
/// The challenge field over BabyBear, `BabyBear[x] / (x^4 - 11)`.
public typealias BabyBearExt4 = QuarticExtension<BabyBear>
