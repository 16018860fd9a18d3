import EVMPrimitives

/// A point of secp256k1 (y² = x³ + 7) in Jacobian coordinates: (X/Z², Y/Z³); Z = 0 is infinity.
@frozen
public struct JacobianPoint: Sendable {
    /// X (the affine x is X/Z²).
    public var x: FieldElement
    /// Y (the affine y is Y/Z³).
    public var y: FieldElement
    /// Z (zero for the point at infinity).
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

    /// The affine point, or `nil` for infinity, inverting in variable time (public points only).
    @inlinable
    public var affineVartime: AffinePoint? {
        if isInfinity { return nil }
        let zi = z.inverseVartime()
        let zi2 = zi.squared()
        return AffinePoint(unchecked: x * zi2, y * zi2 * zi)
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
    /// The abscissa.
    public var x: FieldElement
    /// The ordinate.
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

/// Writes the width-`w` NAF digits of `k` (least significant first; odd digits in ±(2^(w−1) − 1))
/// into `out` (room for 257) and returns how many were written (`out` is zeroed first).
///
/// The scalar is scanned as 32-bit words with a carry (libsecp256k1's way): a bit equal to the
/// carry gives a zero digit; otherwise the `w` bits from there plus the carry give the digit, and
/// the `w − 1` digits after it are zero. The same digits as subtracting each digit and halving
/// the remainder, without a 256-bit shift per digit (which on the 32-bit guests was the most
/// expensive part of the recoding).
@usableFromInline
func wnaf(_ scalar: UInt256, _ out: UnsafeMutablePointer<Int8>, width w: Int = 5) -> Int {
    // Two zero words above the scalar: a carry may reach bit 256, and windows read one word on.
    var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    return withUnsafeMutableBytes(of: &words) { raw in
        let s = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
        storeWords(s, scalar)
        out.update(repeating: 0, count: 257)  // one memset: only the nonzero digits are stored
        var top = 8
        while top > 0 && s[top &- 1] == 0 { top &-= 1 }
        let end = top &* 32  // bits from here on are zero
        let mask = UInt32(1) << UInt32(w) &- 1
        var bit = 0
        var carry: UInt32 = 0
        var length = 0
        while bit < end || carry != 0 {
            let word = s[bit >> 5]
            let shift = UInt32(bit & 31)
            if (word >> shift) & 1 == carry {
                bit &+= 1
                continue
            }
            var window = word >> shift
            if shift != 0 { window |= s[(bit >> 5) &+ 1] << (32 &- shift) }
            var d = Int(truncatingIfNeeded: (window & mask) &+ carry)
            carry = UInt32(truncatingIfNeeded: d >> (w &- 1)) & 1
            d &-= Int(carry) << w
            out[bit] = Int8(truncatingIfNeeded: d)
            length = bit &+ 1
            // The next w − 1 digits are zero. Only a window whose top bit is set (below bit 256)
            // carries, so a carried digit lands at bit 256 at the latest.
            bit &+= w
        }
        return length
    }
}

/// Fills `table` with P, 3P, 5P, …, 15P.
@inlinable
func oddMultiples(_ p: JacobianPoint, _ table: UnsafeMutablePointer<JacobianPoint>) {
    let twoP = p.doubled()
    table[0] = p
    for i in 1..<8 { table[i] = table[i &- 1] + twoP }
}

/// The GLV endomorphism of secp256k1: λ·(x, y) = (β·x, y), used to split a 256-bit scalar into
/// two of about 128 bits so scalar multiplication needs half the doublings.
@usableFromInline
enum GLV {
    /// β, a cube root of unity mod p.
    @inlinable static var beta: FieldElement {
        FieldElement(
            unchecked: UInt256(
                0x3EC6_93D6_8E6A_FA40,
                0x630F_B68A_ED0A_766A,
                0x919B_B861_53CB_CB16,
                0x8516_95D4_9A83_F8EF
            )
        )
    }
    /// λ, the matching cube root of unity mod n (λ·G = (β·Gx, Gy)).
    @inlinable static var lambda: Scalar {
        Scalar(
            unchecked: UInt256(
                0xE0CF_C810_B512_83CE,
                0xA880_B9FC_8EC7_39C2,
                0x5AD9_E3FD_77ED_9BA4,
                0xAC9C_52B3_3FA3_CF1F
            )
        )
    }
    // Short lattice basis (a1, b1), (a2, b2) with a + b·λ ≡ 0 (mod n); b1 < 0.
    @inlinable static var a1: Scalar { Scalar(unchecked: UInt256(0x6F54_7FA9_0ABF_E4C3, 0xE443_7ED6_010E_8828, 0, 0)) }
    @inlinable static var minusB1: Scalar {
        Scalar(unchecked: UInt256(0xE86C_90E4_9284_EB15, 0x3086_D221_A7D4_6BCD, 0, 0))
    }
    @inlinable static var a2: Scalar { Scalar(unchecked: UInt256(0xE86C_90E4_9284_EB15, 0x3086_D221_A7D4_6BCD, 0, 0)) }
    @inlinable static var b2: Scalar { Scalar(unchecked: UInt256(0x57C1_108D_9D44_CFD8, 0x14CA_50F7_A8E2_F3F6, 1, 0)) }
    /// round(2^383 · b2 / n) (b2 has 129 bits, so 2^384 would not fit).
    @inlinable static var g1: UInt256 {
        UInt256(0xFF02_6AA4_6850_17D1, 0xAFDE_4960_87EE_E8A2, 0x2BE0_8846_CEA2_67EC, 0x8A65_287B_D471_79FB)
    }
    /// round(2^383 · (−b1) / n).
    @inlinable static var g2: UInt256 {
        UInt256(0xF449_904D_22ED_D818, 0x9ED5_450A_38F4_653F, 0xF436_4872_4942_758A, 0x1843_6910_D3EA_35E6)
    }

    /// round(k · g / 2^383).
    @inlinable
    static func mulShift383(_ k: UInt256, _ g: UInt256) -> Scalar {
        let hi = k.multipliedFullWidth(by: g).high
        var c = hi >> 127
        if hi.bit(126) { c = c &+ .one }
        return Scalar(unchecked: c)
    }

    /// k = k1 + k2·λ (mod n) with |k1|, |k2| < 2^128: magnitudes and signs (true = negative).
    @inlinable
    static func split(_ k: Scalar) -> (UInt256, Bool, UInt256, Bool) {
        let c1 = mulShift383(k.value, g1)
        let c2 = mulShift383(k.value, g2)
        let k1 = k - c1 * a1 - c2 * a2
        let k2 = c1 * minusB1 - c2 * b2
        let n1 = k1.isHigh
        let n2 = k2.isHigh
        return (n1 ? (-k1).value : k1.value, n1, n2 ? (-k2).value : k2.value, n2)
    }
}

/// Adds ±table[|digit| / 2] to `acc` for digit `i` of a NAF (nothing for a zero digit).
@inlinable @inline(__always)
func addDigit(
    _ acc: inout JacobianPoint,
    _ i: Int,
    _ length: Int,
    _ digits: UnsafeMutablePointer<Int8>,
    _ negate: Bool,
    _ table: UnsafeMutablePointer<JacobianPoint>
) {
    guard i < length else { return }
    var v = Int(digits[i])
    if v == 0 { return }
    if negate { v = -v }
    acc = v > 0 ? acc + table[v >> 1] : acc + table[(-v) >> 1].negated
}

/// Adds ±(|digit|)·G (or ±(|digit|)·λG when `lambda`) from the constant affine table.
@inlinable @inline(__always)
func addGeneratorDigit(
    _ acc: inout JacobianPoint,
    _ i: Int,
    _ length: Int,
    _ digits: UnsafeMutablePointer<Int8>,
    _ negate: Bool,
    lambda: Bool
) {
    guard i < length else { return }
    var v = Int(digits[i])
    if v == 0 { return }
    if negate { v = -v }
    var q = generatorMultiple((v > 0 ? v : -v) >> 1)
    if lambda { q.x = q.x * GLV.beta }
    if v < 0 { q.y = -q.y }
    acc = acc.adding(q)
}

extension JacobianPoint {
    /// λ·P = (β·X, Y, Z).
    @inlinable @inline(__always)
    var endomorphism: JacobianPoint { JacobianPoint(x: x * GLV.beta, y: y, z: z) }

    /// a·G + b·P: GLV splits both scalars in two, then Strauss–Shamir over four ~128-bit NAFs
    /// shares one chain of about 129 doublings. The G halves use width 8 over a constant affine
    /// table (mixed additions); the P halves use width 5 over a table built per call.
    @inlinable
    public static func doubleScalarMultiply(_ a: Scalar, _ b: Scalar, _ p: JacobianPoint) -> JacobianPoint {
        withUnsafeTemporaryAllocation(of: JacobianPoint.self, capacity: 16) { tables in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: 4 * 260) { digits in
                let t = tables.baseAddress!
                let d = digits.baseAddress!
                let (a1, an1, a2, an2) = GLV.split(a)
                let (b1, bn1, b2, bn2) = GLV.split(b)
                oddMultiples(p, t)
                for i in 0..<8 {
                    (t + 8 + i).initialize(to: t[i].endomorphism)
                }
                // Digit strings for a1·G, a2·λG, b1·P, b2·λP; the signs are applied per digit.
                let l0 = wnaf(a1, d, width: 8)
                let l1 = wnaf(a2, d + 260, width: 8)
                let l2 = wnaf(b1, d + 520)
                let l3 = wnaf(b2, d + 780)
                var acc = JacobianPoint.infinity
                var i = Swift.max(Swift.max(l0, l1), Swift.max(l2, l3)) &- 1
                while i >= 0 {
                    acc = acc.doubled()
                    addGeneratorDigit(&acc, i, l0, d, an1, lambda: false)
                    addGeneratorDigit(&acc, i, l1, d + 260, an2, lambda: true)
                    addDigit(&acc, i, l2, d + 520, bn1, t)
                    addDigit(&acc, i, l3, d + 780, bn2, t + 8)
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
