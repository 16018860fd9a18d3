import EVMPrimitives

/// A point of secp256k1 (y² = x³ + 7) in Jacobian coordinates: (X/Z², Y/Z³); Z = 0 is infinity.
@frozen
public struct JacobianPoint: Sendable {
    public var x: FieldElement
    public var y: FieldElement
    public var z: FieldElement

    @inlinable @inline(__always)
    public init(x: FieldElement, y: FieldElement, z: FieldElement) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The affine point (x, y).
    @inlinable
    public init(_ p: AffinePoint) {
        self.init(x: p.x, y: p.y, z: .one)
    }

    /// The point at infinity.
    @inlinable public static var infinity: JacobianPoint { JacobianPoint(x: .one, y: .one, z: .zero) }

    /// The standard generator G.
    @inlinable public static var generator: JacobianPoint { JacobianPoint(AffinePoint.generator) }

    @inlinable public var isInfinity: Bool { z.isZero }

    /// −P.
    @inlinable @inline(__always)
    public var negated: JacobianPoint { JacobianPoint(x: x, y: -y, z: z) }

    /// 2P (dbl-2009-l, a = 0).
    @inlinable
    public func doubled() -> JacobianPoint {
        if isInfinity || y.isZero { return .infinity }
        let a = x.squared()
        let b = y.squared()
        let c = b.squared()
        let d = ((x + b).squared() - a - c).doubled()
        let e = a.doubled() + a
        let f = e.squared()
        let x3 = f - d.doubled()
        let y3 = e * (d - x3) - c.times(8)
        let z3 = (y * z).doubled()
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// P + Q (add-2007-bl), handling infinity and P = ±Q.
    @inlinable
    public static func + (p: JacobianPoint, q: JacobianPoint) -> JacobianPoint {
        if p.isInfinity { return q }
        if q.isInfinity { return p }
        let z1z1 = p.z.squared()
        let z2z2 = q.z.squared()
        let u1 = p.x * z2z2
        let u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2
        let s2 = q.y * p.z * z1z1
        let h = u2 - u1
        let r = (s2 - s1).doubled()
        if h.isZero {
            return r.isZero ? p.doubled() : .infinity
        }
        let i = h.doubled().squared()
        let j = h * i
        let v = u1 * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (s1 * j).doubled()
        let z3 = ((p.z + q.z).squared() - z1z1 - z2z2) * h
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// P + Q for affine Q (madd-2007-bl), handling infinity and P = ±Q.
    @inlinable
    public func adding(_ q: AffinePoint) -> JacobianPoint {
        if isInfinity { return JacobianPoint(q) }
        let z1z1 = z.squared()
        let u2 = q.x * z1z1
        let s2 = q.y * z * z1z1
        let h = u2 - x
        let r = (s2 - y).doubled()
        if h.isZero {
            return r.isZero ? doubled() : .infinity
        }
        let hh = h.squared()
        let i = hh.doubled().doubled()
        let j = h * i
        let v = x * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (y * j).doubled()
        let z3 = (z + h).squared() - z1z1 - hh
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// The affine point, or `nil` for infinity (one field inversion).
    @inlinable
    public var affine: AffinePoint? {
        if isInfinity { return nil }
        let zi = z.inverse()
        let zi2 = zi.squared()
        return AffinePoint(unchecked: x * zi2, y * zi2 * zi)
    }
}

/// A finite point of secp256k1 in affine coordinates.
@frozen
public struct AffinePoint: Hashable, Sendable {
    public var x: FieldElement
    public var y: FieldElement

    /// (x, y) without the curve check.
    @inlinable @inline(__always)
    public init(unchecked x: FieldElement, _ y: FieldElement) {
        self.x = x
        self.y = y
    }

    /// (x, y) when it lies on the curve, else `nil`.
    @inlinable
    public init?(x: UInt256, y: UInt256) {
        guard let fx = FieldElement(exactly: x), let fy = FieldElement(exactly: y) else { return nil }
        guard fy.squared() == fx.squared() * fx + FieldElement(unchecked: 7) else { return nil }
        self.init(unchecked: fx, fy)
    }

    /// The point with abscissa `x` and the y of the given parity, when one exists.
    @inlinable
    public init?(x: FieldElement, oddY: Bool) {
        guard let y = (x.squared() * x + FieldElement(unchecked: 7)).squareRoot() else { return nil }
        self.init(unchecked: x, y.isOdd == oddY ? y : -y)
    }

    /// The standard generator G.
    @inlinable public static var generator: AffinePoint {
        AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x59F2_815B_16F8_1798,
                    0x029B_FCDB_2DCE_28D9,
                    0x55A0_6295_CE87_0B07,
                    0x79BE_667E_F9DC_BBAC
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x9C47_D08F_FB10_D4B8,
                    0xFD17_B448_A685_5419,
                    0x5DA4_FBFC_0E11_08A8,
                    0x483A_DA77_26A3_C465
                )
            )
        )
    }

    /// −P.
    @inlinable public var negated: AffinePoint { AffinePoint(unchecked: x, -y) }
}

// MARK: - Scalar multiplication

/// Writes the width-5 NAF digits of `k` (least significant first) into `out` (room for 257) and
/// returns how many were written.
@inlinable
func wnaf(_ scalar: UInt256, _ out: UnsafeMutablePointer<Int8>) -> Int {
    var k = scalar
    var i = 0
    while !k.isZero {
        if k.w0 & 1 == 1 {
            var d = Int(k.w0 & 31)
            if d >= 16 { d -= 32 }
            out[i] = Int8(d)
            if d > 0 { k = k &- UInt256(UInt64(d)) } else { k = k &+ UInt256(UInt64(-d)) }
        } else {
            out[i] = 0
        }
        k = k >> 1
        i &+= 1
    }
    return i
}

/// Fills `table` with P, 3P, 5P, …, 15P.
@inlinable
func oddMultiples(_ p: JacobianPoint, _ table: UnsafeMutablePointer<JacobianPoint>) {
    let twoP = p.doubled()
    table[0] = p
    for i in 1..<8 { table[i] = table[i &- 1] + twoP }
}

extension JacobianPoint {
    /// a·G + b·P (Strauss–Shamir with width-5 NAF, one shared doubling chain).
    @inlinable
    public static func doubleScalarMultiply(_ a: Scalar, _ b: Scalar, _ p: JacobianPoint) -> JacobianPoint {
        withUnsafeTemporaryAllocation(of: JacobianPoint.self, capacity: 16) { tables in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: 2 * 260) { digits in
                let tg = tables.baseAddress!
                let tp = tg + 8
                let da = digits.baseAddress!
                let db = da + 260
                oddMultiples(.generator, tg)
                oddMultiples(p, tp)
                let na = wnaf(a.value, da)
                let nb = wnaf(b.value, db)
                var acc = JacobianPoint.infinity
                var i = Swift.max(na, nb) &- 1
                while i >= 0 {
                    acc = acc.doubled()
                    if i < na {
                        let d = Int(da[i])
                        if d > 0 { acc = acc + tg[d >> 1] } else if d < 0 { acc = acc + tg[(-d) >> 1].negated }
                    }
                    if i < nb {
                        let d = Int(db[i])
                        if d > 0 { acc = acc + tp[d >> 1] } else if d < 0 { acc = acc + tp[(-d) >> 1].negated }
                    }
                    i &-= 1
                }
                return acc
            }
        }
    }

    /// k·P.
    @inlinable
    public static func multiply(_ k: Scalar, _ p: JacobianPoint) -> JacobianPoint {
        doubleScalarMultiply(.zero, k, p)
    }

    /// k·G.
    @inlinable
    public static func multiplyGenerator(_ k: Scalar) -> JacobianPoint {
        doubleScalarMultiply(k, .zero, .infinity)
    }
}
