import Algebra

/// Packed lanes of a base field: what the prover's constraint folder computes with.
public protocol PackedValue: Sendable {
    associatedtype Scalar: PrimeField31
    /// Number of lanes.
    static var width: Int { get }
    static var zero: Self { get }
    init(broadcast value: Scalar)
    /// Loads `width` consecutive scalars.
    init(loading pointer: UnsafePointer<Scalar>)
    subscript(index: Int) -> Scalar { get }
    /// Stores the lanes into `width` consecutive scalars.
    func store(to pointer: UnsafeMutablePointer<Scalar>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static prefix func - (value: Self) -> Self
}

extension PackedMontyField31: PackedValue {}

/// A base field the STARK proves over: a 31-bit field with a quartic extension and a
/// packed (SIMD) representation.
public protocol StarkPackedField: BinomiallyExtendable {
    associatedtype Packing: PackedValue where Packing.Scalar == Self
}

extension MontyField31: StarkPackedField {
    public typealias Packing = PackedMontyField31<P>
}

/// A packed base-field value wrapped as an AIR expression (the prover's hot path evaluates
/// constraints on 8 quotient-domain points at once).
@frozen
public struct PackedExpr<F: StarkPackedField>: AirExpression {
    public var v: F.Packing

    @inlinable @inline(__always)
    public init(_ v: F.Packing) { self.v = v }
    @inlinable @inline(__always)
    public init(_ constant: F) { self.v = F.Packing(broadcast: constant) }

    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self { Self(lhs.v + rhs.v) }
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self { Self(lhs.v - rhs.v) }
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self { Self(lhs.v * rhs.v) }
    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self(-value.v) }
}

/// Eight extension-field elements, one per lane: four packed coefficients.
@frozen
public struct PackedExt<F: StarkPackedField>: Sendable {
    public typealias Packed = F.Packing
    public typealias E = QuarticExtension<F>
    public var c0: Packed
    public var c1: Packed
    public var c2: Packed
    public var c3: Packed

    @inlinable @inline(__always)
    public init(_ c0: Packed, _ c1: Packed, _ c2: Packed, _ c3: Packed) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
        self.c3 = c3
    }

    @inlinable @inline(__always)
    public init(broadcast e: E) {
        self.init(Packed(broadcast: e.c0), Packed(broadcast: e.c1), Packed(broadcast: e.c2), Packed(broadcast: e.c3))
    }

    @inlinable @inline(__always)
    public init(base: Packed) { self.init(base, Packed.zero, Packed.zero, Packed.zero) }

    @inlinable
    public static var zero: Self { Self(Packed.zero, Packed.zero, Packed.zero, Packed.zero) }

    @inlinable @inline(__always)
    public static func + (a: Self, b: Self) -> Self { Self(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2, a.c3 + b.c3) }
    @inlinable @inline(__always)
    public static func - (a: Self, b: Self) -> Self { Self(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2, a.c3 - b.c3) }
    @inlinable @inline(__always)
    public static func + (a: Self, b: Packed) -> Self { Self(a.c0 + b, a.c1, a.c2, a.c3) }
    @inlinable @inline(__always)
    public static func - (a: Self, b: Packed) -> Self { Self(a.c0 - b, a.c1, a.c2, a.c3) }
    @inlinable @inline(__always)
    public static func * (a: Self, b: Packed) -> Self { Self(a.c0 * b, a.c1 * b, a.c2 * b, a.c3 * b) }

    /// `a * e` for a broadcast extension constant `e`, times packed base `b`: `e·b` lane-wise.
    @inlinable @inline(__always)
    public static func scaled(_ e: E, _ b: Packed) -> Self {
        Self(
            b * Packed(broadcast: e.c0),
            b * Packed(broadcast: e.c1),
            b * Packed(broadcast: e.c2),
            b * Packed(broadcast: e.c3)
        )
    }

    @inlinable @inline(__always)
    public static func * (a: Self, b: Self) -> Self {
        let w = Packed(broadcast: F.extensionW)
        let r0 = a.c0 * b.c0 + w * (a.c1 * b.c3 + a.c2 * b.c2 + a.c3 * b.c1)
        let r1 = a.c0 * b.c1 + a.c1 * b.c0 + w * (a.c2 * b.c3 + a.c3 * b.c2)
        let r2 = a.c0 * b.c2 + a.c1 * b.c1 + a.c2 * b.c0 + w * (a.c3 * b.c3)
        let r3 = a.c0 * b.c3 + a.c1 * b.c2 + a.c2 * b.c1 + a.c3 * b.c0
        return Self(r0, r1, r2, r3)
    }

    /// Lane `i` as an extension element.
    @inlinable
    public subscript(lane: Int) -> E { E(c0[lane], c1[lane], c2[lane], c3[lane]) }
}

/// A base-field value wrapped as an AIR expression (row-by-row evaluation).
@frozen
public struct ScalarExpr<F: PrimeField31>: AirExpression {
    public var v: F
    @inlinable @inline(__always)
    public init(_ constant: F) { self.v = constant }
    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self { Self(lhs.v + rhs.v) }
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self { Self(lhs.v - rhs.v) }
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self { Self(lhs.v * rhs.v) }
    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self(-value.v) }
}

/// An extension-field value wrapped as an AIR expression over the base field (the
/// verifier evaluates constraints at the out-of-domain point).
@frozen
public struct ExtExpr<F: BinomiallyExtendable>: AirExpression {
    public var v: QuarticExtension<F>
    @inlinable @inline(__always)
    public init(ext v: QuarticExtension<F>) { self.v = v }
    @inlinable @inline(__always)
    public init(_ constant: F) { self.v = QuarticExtension(constant) }
    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self { Self(ext: lhs.v + rhs.v) }
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self { Self(ext: lhs.v - rhs.v) }
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self { Self(ext: lhs.v * rhs.v) }
    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self(ext: -value.v) }
}

extension PackedExt {
    /// The sum of the lanes.
    @inlinable
    public func horizontalSum() -> E {
        var acc = E.zero
        for l in 0..<Packed.width { acc += self[l] }
        return acc
    }
}

/// Extension coefficients packed for dot products with rows of base-field values:
/// `Σ_j c_j · row[j]` over `width` columns, eight lanes at a time.
struct PackedCoefficients<F: StarkPackedField> {
    typealias E = QuarticExtension<F>
    let width: Int
    let packs: [PackedExt<F>]
    let tail: [E]

    init(_ coefficients: ArraySlice<E>) {
        let w = F.Packing.width
        width = coefficients.count
        let full = coefficients.count / w
        var packs: [PackedExt<F>] = []
        var lanes = [F](repeating: .zero, count: 4 * w)
        for k in 0..<full {
            for l in 0..<w {
                let c = coefficients[coefficients.startIndex + k * w + l]
                lanes[l] = c.c0
                lanes[w + l] = c.c1
                lanes[2 * w + l] = c.c2
                lanes[3 * w + l] = c.c3
            }
            lanes.withUnsafeBufferPointer { p in
                let b = p.baseAddress!
                packs.append(
                    PackedExt(
                        F.Packing(loading: b),
                        F.Packing(loading: b + w),
                        F.Packing(loading: b + 2 * w),
                        F.Packing(loading: b + 3 * w)
                    )
                )
            }
        }
        self.packs = packs
        self.tail = Array(coefficients[(coefficients.startIndex + full * w)...])
    }

    /// Adds `Σ_j c_j · row[j]` lane-wise into `acc` (lanes summed later) and the tail into `scalar`.
    @inline(__always)
    func accumulate(_ row: UnsafePointer<F>, into acc: inout PackedExt<F>, scalar: inout E) {
        let w = F.Packing.width
        packs.withUnsafeBufferPointer { p in
            for k in 0..<p.count { acc = acc + p[k] * F.Packing(loading: row + k &* w) }
        }
        let base = packs.count * w
        for (j, c) in tail.enumerated() { scalar += c * row[base + j] }
    }
}
