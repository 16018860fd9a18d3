/// Affine points of secp256k1 and the field arithmetic behind the point syscalls.
///
/// Coordinates are integers mod p = 2^256 − 2^32 − 977 held as four little-endian 64-bit limbs.
public struct Secp256k1Point: Sendable, Equatable {
    public var x: [UInt64]
    public var y: [UInt64]

    public init(x: [UInt64], y: [UInt64]) {
        self.x = x
        self.y = y
    }

    /// From 16 little-endian words: x (words 0..7) then y (8..15).
    public init(words w: [UInt32]) {
        x = (0..<4).map { UInt64(w[2 * $0]) | UInt64(w[2 * $0 + 1]) << 32 }
        y = (0..<4).map { UInt64(w[8 + 2 * $0]) | UInt64(w[8 + 2 * $0 + 1]) << 32 }
    }

    /// 16 little-endian words: x then y.
    public var words: [UInt32] {
        var out: [UInt32] = []
        for l in x + y {
            out.append(UInt32(truncatingIfNeeded: l))
            out.append(UInt32(truncatingIfNeeded: l >> 32))
        }
        return out
    }

    /// The standard generator G.
    public static var generator: Secp256k1Point {
        Secp256k1Point(
            x: [0x59F2_815B_16F8_1798, 0x029B_FCDB_2DCE_28D9, 0x55A0_6295_CE87_0B07, 0x79BE_667E_F9DC_BBAC],
            y: [0x9C47_D08F_FB10_D4B8, 0xFD17_B448_A685_5419, 0x5DA4_FBFC_0E11_08A8, 0x483A_DA77_26A3_C465]
        )
    }

    /// self + other for points with different x (nil otherwise).
    public func adding(_ o: Secp256k1Point) -> Secp256k1Point? {
        let F = Secp256k1Point.self
        let x1 = F.reduce(x)
        let y1 = F.reduce(y)
        let x2 = F.reduce(o.x)
        let y2 = F.reduce(o.y)
        if x1 == x2 { return nil }
        let lambda = F.mul(F.sub(y2, y1), F.inverse(F.sub(x2, x1)))
        let x3 = F.sub(F.sub(F.mul(lambda, lambda), x1), x2)
        let y3 = F.sub(F.mul(lambda, F.sub(x1, x3)), y1)
        return Secp256k1Point(x: x3, y: y3)
    }

    /// 2·self (nil when y = 0).
    public func doubled() -> Secp256k1Point? {
        let F = Secp256k1Point.self
        let x1 = F.reduce(x)
        let y1 = F.reduce(y)
        if y1 == [0, 0, 0, 0] { return nil }
        let x1sq = F.mul(x1, x1)
        let lambda = F.mul(F.add(F.add(x1sq, x1sq), x1sq), F.inverse(F.add(y1, y1)))
        let x3 = F.sub(F.mul(lambda, lambda), F.add(x1, x1))
        let y3 = F.sub(F.mul(lambda, F.sub(x1, x3)), y1)
        return Secp256k1Point(x: x3, y: y3)
    }

    static let p: [UInt64] = [
        0xFFFF_FFFE_FFFF_FC2F, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    static func geq(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for i in (0..<4).reversed() where a[i] != b[i] { return a[i] > b[i] }
        return true
    }

    static func subRaw(_ a: [UInt64], _ b: [UInt64]) -> ([UInt64], Bool) {
        var r = [UInt64](repeating: 0, count: 4)
        var borrow = false
        for i in 0..<4 {
            let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            r[i] = d2
            borrow = o1 || o2
        }
        return (r, borrow)
    }

    static func reduce(_ a: [UInt64]) -> [UInt64] { geq(a, p) ? subRaw(a, p).0 : a }

    static func add(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var r = [UInt64](repeating: 0, count: 4)
        var carry = false
        for i in 0..<4 {
            let (s1, o1) = a[i].addingReportingOverflow(b[i])
            let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
            r[i] = s2
            carry = o1 || o2
        }
        // a + b < 2p; if it overflowed 2^256 or is ≥ p, subtract p.
        if carry || geq(r, p) { r = subRaw(r, p).0 }
        return r
    }

    static func sub(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let (r, borrow) = subRaw(a, b)
        if !borrow { return r }
        // r + p (mod 2^256)
        var out = [UInt64](repeating: 0, count: 4)
        var carry = false
        for i in 0..<4 {
            let (s1, o1) = r[i].addingReportingOverflow(p[i])
            let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
            out[i] = s2
            carry = o1 || o2
        }
        return out
    }

    static func mul(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        // 512-bit product.
        var t = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (hi, lo) = a[i].multipliedFullWidth(by: b[j])
                let (s1, o1) = t[i + j].addingReportingOverflow(lo)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                t[i + j] = s2
                carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            t[i + 4] = carry
        }
        // 2^256 ≡ c = 2^32 + 977 (mod p): fold the high half twice.
        let c: UInt64 = 0x1_0000_03D1
        var r = Array(t[0..<4])
        var hiPart = Array(t[4..<8])
        for _ in 0..<2 {
            var carry: UInt64 = 0
            var next = [UInt64](repeating: 0, count: 4)
            var acc = r
            for i in 0..<4 {
                let (hi, lo) = hiPart[i].multipliedFullWidth(by: c)
                let (s1, o1) = acc[i].addingReportingOverflow(lo)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                acc[i] = s2
                carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            next[0] = carry
            r = acc
            hiPart = next
            if carry == 0 { break }
        }
        // Remaining hiPart[0] (small) times c.
        if hiPart[0] != 0 {
            let (hi, lo) = hiPart[0].multipliedFullWidth(by: c)
            var carry: UInt64 = hi
            let (s, o) = r[0].addingReportingOverflow(lo)
            r[0] = s
            carry &+= o ? 1 : 0
            var i = 1
            while carry != 0 && i < 4 {
                let (s2, o2) = r[i].addingReportingOverflow(carry)
                r[i] = s2
                carry = o2 ? 1 : 0
                i += 1
            }
            if carry != 0 { r = add(r, [c, 0, 0, 0]) }
        }
        return reduce(r)
    }

    static func inverse(_ a: [UInt64]) -> [UInt64] {
        // a^(p-2)
        var e = subRaw(p, [2, 0, 0, 0]).0
        var result: [UInt64] = [1, 0, 0, 0]
        var base = a
        for i in 0..<4 {
            for _ in 0..<64 {
                if e[i] & 1 == 1 { result = mul(result, base) }
                base = mul(base, base)
                e[i] >>= 1
            }
        }
        return result
    }
}
