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

/// Eight extension-field elements, one per lane: four packed coefficients.
///
/// `F` is any base field whose ``PrimeField31/Packing`` is a ``PackedValue`` (every
/// `StarkPackedField` of the `Stark` module).
@frozen
public struct PackedExt<F: BinomiallyExtendable>: Sendable where F.Packing: PackedValue {
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

extension PackedExt {
    /// The sum of the lanes.
    @inlinable
    public func horizontalSum() -> E {
        var acc = E.zero
        for l in 0..<Packed.width { acc += self[l] }
        return acc
    }
}

extension PackedExt {
    /// Writes `e` as lane `lane` of a column-major staging buffer of `4 · width` scalars
    /// (coordinate `c` of lane `l` at `c · width + l`), the layout ``init(staged:)`` loads.
    @inlinable @inline(__always)
    package static func stage(_ e: E, lane: Int, in lanes: UnsafeMutablePointer<F>) {
        let w = Packed.width
        lanes[lane] = e.c0
        lanes[w + lane] = e.c1
        lanes[2 * w + lane] = e.c2
        lanes[3 * w + lane] = e.c3
    }

    /// The packed value whose lanes were written with ``stage(_:lane:in:)``.
    @inlinable @inline(__always)
    package init(staged lanes: UnsafeMutablePointer<F>) {
        let w = Packed.width
        self.init(
            Packed(loading: lanes),
            Packed(loading: lanes + w),
            Packed(loading: lanes + 2 * w),
            Packed(loading: lanes + 3 * w)
        )
    }
}
