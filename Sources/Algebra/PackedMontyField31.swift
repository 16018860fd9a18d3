/// Eight elements of a 31-bit Montgomery field computed on at once (one AVX2 register).
///
/// Every lane holds a Montgomery representative in `0..<p`, exactly like
/// ``MontyField31/montgomery``, so a packed value can be loaded from and stored to an
/// array of scalars directly (the memory layout of `[MontyField31<P>]` is a dense array of `UInt32`).
///
/// Arithmetic is written on Swift SIMD types so that release builds with `-mavx2` lower it to
/// `vpaddd`/`vpminud` for addition and subtraction and `vpmuludq` on even and odd lanes for the
/// Montgomery product (the Plonky3 AVX2 scheme, no shuffles through memory).
@frozen
public struct PackedMontyField31<P: MontyParameters>: PackedField, Hashable {
    /// The scalar field.
    public typealias Scalar = MontyField31<P>
    /// The SIMD storage: eight Montgomery representatives.
    public typealias Storage = SIMD8<UInt32>

    /// The lanes, each a Montgomery representative `< p`.
    public var lanes: SIMD8<UInt32>

    /// Number of lanes.
    @inlinable
    public static var width: Int { 8 }

    /// Wraps raw Montgomery lanes, each of which must already be `< p`.
    @inlinable @inline(__always)
    public init(lanes: SIMD8<UInt32>) { self.lanes = lanes }

    /// Every lane equal to `value`.
    @inlinable @inline(__always)
    public init(broadcast value: Scalar) { self.lanes = SIMD8(repeating: value.montgomery) }

    /// Lanes taken from `values`, which must hold exactly ``width`` elements.
    @inlinable
    public init(_ values: [Scalar]) {
        precondition(values.count == Self.width, "a packed value needs exactly \(Self.width) elements")
        self.lanes = values.withUnsafeBufferPointer { Self(loading: $0.baseAddress!).lanes }
    }

    /// Loads ``width`` consecutive elements starting at `pointer` (no alignment needed).
    @inlinable @inline(__always)
    public init(loading pointer: UnsafePointer<Scalar>) {
        self.lanes = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<UInt32>.self)
    }

    /// Loads ``width`` consecutive elements of `buffer` starting at `offset`.
    @inlinable @inline(__always)
    public init(_ buffer: UnsafeBufferPointer<Scalar>, offset: Int) {
        precondition(offset >= 0 && offset + Self.width <= buffer.count, "packed load out of bounds")
        self.init(loading: buffer.baseAddress! + offset)
    }

    /// Lane `l` set to `pointer[l / repeats]` for `repeats` in 1, 2, 4, 8.
    @inlinable @inline(__always)
    public init(loading pointer: UnsafePointer<Scalar>, repeatingEach repeats: Int) {
        let raw = UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt32.self)
        switch repeats {
        case 1:
            self.lanes = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<UInt32>.self)
        case 2:
            let a = raw[0]
            let b = raw[1]
            let c = raw[2]
            let d = raw[3]
            self.lanes = SIMD8(a, a, b, b, c, c, d, d)
        case 4:
            let a = raw[0]
            let b = raw[1]
            self.lanes = SIMD8(a, a, a, a, b, b, b, b)
        default:
            precondition(repeats == 8, "repeats must divide 8")
            self.lanes = SIMD8(repeating: raw[0])
        }
    }

    /// Stores the lanes into ``width`` consecutive elements at `pointer` (no alignment needed).
    @inlinable @inline(__always)
    public func store(to pointer: UnsafeMutablePointer<Scalar>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: SIMD8<UInt32>.self)
    }

    /// Stores the lanes into `buffer[offset ..< offset + width]`.
    @inlinable @inline(__always)
    public func store(to buffer: UnsafeMutableBufferPointer<Scalar>, offset: Int) {
        precondition(offset >= 0 && offset + Self.width <= buffer.count, "packed store out of bounds")
        store(to: buffer.baseAddress! + offset)
    }

    /// The lane at `index` as a scalar.
    @inlinable
    public subscript(index: Int) -> Scalar {
        get { Scalar(montgomery: lanes[index]) }
        set { lanes[index] = newValue.montgomery }
    }

    /// The lanes as an array of scalars.
    @inlinable
    public var elements: [Scalar] { (0..<Self.width).map { self[$0] } }

    /// All lanes zero.
    @inlinable
    public static var zero: Self { Self(lanes: .zero) }
    /// All lanes one.
    @inlinable
    public static var one: Self { Self(broadcast: .one) }

    @inlinable @inline(__always)
    static var primeLanes: SIMD8<UInt32> { SIMD8(repeating: P.prime) }

    /// Lane-wise unsigned minimum (one `vpminud`). The standard library's `pointwiseMin` is
    /// generic and is not always inlined, which costs a call per field operation in hot loops.
    @inlinable @inline(__always)
    public static func laneMin(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
        var r = a
        for i in 0..<8 { r[i] = Swift.min(a[i], b[i]) }
        return r
    }

    /// Lane-wise sum.
    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self {
        // s < 2p < 2^32; min(s, s - p) picks the reduced value (s - p wraps when s < p).
        let s = lhs.lanes &+ rhs.lanes
        return Self(lanes: laneMin(s, s &- primeLanes))
    }

    /// Lane-wise difference.
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self {
        // d wraps to >= 2^32 - p when lhs < rhs; then d + p is the reduced value and smaller.
        let d = lhs.lanes &- rhs.lanes
        return Self(lanes: laneMin(d, d &+ primeLanes))
    }

    /// Lane-wise negation.
    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self.zero - value }

    /// Lane-wise Montgomery product.
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self {
        Self(lanes: montyMul(lhs.lanes, rhs.lanes))
    }

    /// Every lane multiplied by the scalar `rhs`.
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Scalar) -> Self { lhs * Self(broadcast: rhs) }

    /// Every lane multiplied by the scalar `lhs`.
    @inlinable @inline(__always)
    public static func * (lhs: Scalar, rhs: Self) -> Self { Self(broadcast: lhs) * rhs }

    /// Every lane plus the scalar `rhs`.
    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Scalar) -> Self { lhs + Self(broadcast: rhs) }

    /// Every lane minus the scalar `rhs`.
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Scalar) -> Self { lhs - Self(broadcast: rhs) }

    @inlinable @inline(__always)
    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    @inlinable @inline(__always)
    public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    @inlinable @inline(__always)
    public static func *= (lhs: inout Self, rhs: Self) { lhs = lhs * rhs }
    @inlinable @inline(__always)
    public static func *= (lhs: inout Self, rhs: Scalar) { lhs = lhs * rhs }

    /// `self * self`.
    @inlinable @inline(__always)
    public func squared() -> Self { self * self }
    /// `self + self`.
    @inlinable @inline(__always)
    public func doubled() -> Self { self + self }
    /// `self^3`.
    @inlinable @inline(__always)
    public func exp3() -> Self { self.squared() * self }
    /// `self^5`.
    @inlinable @inline(__always)
    public func exp5() -> Self { self.squared().squared() * self }
    /// `self^7`.
    @inlinable @inline(__always)
    public func exp7() -> Self {
        let x2 = self.squared()
        return x2 * self * x2.squared()
    }

    /// `self` raised to `exponent`, lane-wise.
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

    /// Montgomery product of eight lanes: `a * b * 2^-32 mod p`, each result in `0..<p`.
    ///
    /// Even lanes are multiplied in the low halves of 64-bit lanes and odd lanes after a
    /// 32-bit shift, so every product is one `vpmuludq`. Inputs may be anything below `2^32`
    /// as long as `a * b < p * 2^32` (e.g. one factor `< p`, the other `< 2p`).
    @inlinable @inline(__always)
    public static func montyMul(_ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
        let mu = SIMD4<UInt64>(repeating: UInt64(P.mu))
        let p = SIMD4<UInt64>(repeating: UInt64(P.prime))
        let lo = SIMD4<UInt64>(repeating: 0xffff_ffff)
        let a64 = unsafeBitCast(a, to: SIMD4<UInt64>.self)
        let b64 = unsafeBitCast(b, to: SIMD4<UInt64>.self)
        let prodEven = (a64 & lo) &* (b64 & lo)
        let prodOdd = (a64 &>> 32) &* (b64 &>> 32)
        let qEven = (prodEven & lo) &* mu
        let qOdd = (prodOdd & lo) &* mu
        let qpEven = (qEven & lo) &* p
        let qpOdd = (qOdd & lo) &* p
        // Low halves of prod and q*p agree; the result is hi(prod) - hi(q*p), in (-p, p).
        let hi = SIMD4<UInt64>(repeating: 0xffff_ffff_0000_0000)
        let prodHi = unsafeBitCast((prodEven &>> 32) | (prodOdd & hi), to: SIMD8<UInt32>.self)
        let qpHi = unsafeBitCast((qpEven &>> 32) | (qpOdd & hi), to: SIMD8<UInt32>.self)
        let d = prodHi &- qpHi
        return laneMin(d, d &+ SIMD8(repeating: P.prime))
    }

    /// The decimation-in-frequency butterfly `(a + b, (a - b) * t)`; the difference is not
    /// reduced before the product (it stays below `2p`, which the Montgomery product accepts).
    @inlinable @inline(__always)
    public static func difButterfly(_ a: Self, _ b: Self, _ t: Self) -> (Self, Self) {
        let diff = a.lanes &+ primeLanes &- b.lanes
        return (a + b, Self(lanes: montyMul(diff, t.lanes)))
    }
}

extension PackedMontyField31: CustomStringConvertible {
    public var description: String { "[" + elements.map(\.description).joined(separator: ", ") + "]" }
}

/// Eight KoalaBear lanes.
public typealias PackedKoalaBear = PackedMontyField31<KoalaBearParameters>
/// Eight BabyBear lanes.
public typealias PackedBabyBear = PackedMontyField31<BabyBearParameters>
