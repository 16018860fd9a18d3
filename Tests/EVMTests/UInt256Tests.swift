import EVMPrimitives
import Testing

/// A deliberately simple arbitrary-precision reference (32-bit digits, bit-serial division)
/// that the fast `UInt256` is checked against.
struct RefNat: Equatable {
    var d: [UInt32]  // little-endian, no trailing zeros

    init(_ digits: [UInt32]) {
        d = digits
        while let last = d.last, last == 0 { d.removeLast() }
    }
    init(_ v: UInt256) {
        var ds = [UInt32]()
        for i in 0..<4 {
            let l = v[limb: i]
            ds.append(UInt32(truncatingIfNeeded: l))
            ds.append(UInt32(truncatingIfNeeded: l >> 32))
        }
        self.init(ds)
    }
    var isZero: Bool { d.isEmpty }
    func digit(_ i: Int) -> UInt32 { i < d.count ? d[i] : 0 }
    /// The low 256 bits.
    var truncated: UInt256 {
        var v = UInt256.zero
        for i in 0..<4 {
            v[limb: i] = UInt64(digit(2 * i)) | UInt64(digit(2 * i + 1)) << 32
        }
        return v
    }
    static func + (a: RefNat, b: RefNat) -> RefNat {
        var out = [UInt32]()
        var carry: UInt64 = 0
        for i in 0..<max(a.d.count, b.d.count) + 1 {
            let s = UInt64(a.digit(i)) + UInt64(b.digit(i)) + carry
            out.append(UInt32(truncatingIfNeeded: s))
            carry = s >> 32
        }
        return RefNat(out)
    }
    static func * (a: RefNat, b: RefNat) -> RefNat {
        var out = [UInt32](repeating: 0, count: a.d.count + b.d.count + 1)
        for i in 0..<a.d.count {
            var carry: UInt64 = 0
            for j in 0..<b.d.count {
                let t = UInt64(a.d[i]) * UInt64(b.d[j]) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
            }
            var k = i + b.d.count
            while carry != 0 {
                let t = UInt64(out[k]) + carry
                out[k] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
                k += 1
            }
        }
        return RefNat(out)
    }
    var bitCount: Int { d.isEmpty ? 0 : d.count * 32 - d.last!.leadingZeroBitCount }
    func bit(_ i: Int) -> Bool { (digit(i / 32) >> UInt32(i % 32)) & 1 == 1 }
    static func < (a: RefNat, b: RefNat) -> Bool {
        if a.d.count != b.d.count { return a.d.count < b.d.count }
        for i in stride(from: a.d.count - 1, through: 0, by: -1) where a.d[i] != b.d[i] {
            return a.d[i] < b.d[i]
        }
        return false
    }
    static func - (a: RefNat, b: RefNat) -> RefNat {  // requires a >= b
        var out = [UInt32]()
        var borrow: Int64 = 0
        for i in 0..<a.d.count {
            var t = Int64(a.digit(i)) - Int64(b.digit(i)) - borrow
            borrow = 0
            if t < 0 {
                t += 1 << 32
                borrow = 1
            }
            out.append(UInt32(t))
        }
        return RefNat(out)
    }
    func shiftedLeft1(or bit: Bool) -> RefNat { self + self + RefNat(bit ? [1] : []) }
    /// Bit-serial long division.
    func divMod(_ m: RefNat) -> (RefNat, RefNat) {
        var q = RefNat([])
        var r = RefNat([])
        for i in stride(from: bitCount - 1, through: 0, by: -1) {
            r = r.shiftedLeft1(or: bit(i))
            q = q.shiftedLeft1(or: false)
            if !(r < m) {
                r = r - m
                q = q + RefNat([1])
            }
        }
        return (q, r)
    }
}

/// Deterministic generator of 256-bit values with the shapes that stress limb code.
struct ValueGen {
    var s: UInt64
    mutating func next64() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func limb() -> UInt64 {
        switch next64() % 6 {
        case 0: return 0
        case 1: return ~0
        case 2: return next64() >> (next64() % 64)
        case 3: return 1 << (next64() % 64)
        default: return next64()
        }
    }
    mutating func value() -> UInt256 {
        var v = UInt256(limb(), limb(), limb(), limb())
        // Vary the size: many operands are short.
        v = v >> Int(next64() % 4 * 64)
        return v
    }
}

@Suite struct UInt256Tests {
    static let two256 = RefNat([0, 0, 0, 0, 0, 0, 0, 0, 1])

    @Test func arithmeticMatchesReference() {
        var g = ValueGen(s: 1)
        for _ in 0..<400 {
            let a = g.value()
            let b = g.value()
            let m = g.value()
            let ra = RefNat(a)
            let rb = RefNat(b)
            let rm = RefNat(m)
            #expect((a &+ b) == (ra + rb).truncated)
            #expect((a &- b) == ((ra + Self.two256) - rb).truncated)
            let prod = ra * rb
            #expect((a &* b) == prod.truncated)
            let (hi, lo) = a.multipliedFullWidth(by: b)
            #expect(lo == prod.truncated)
            #expect(hi == prod.divMod(Self.two256).0.truncated)
            #expect((a < b) == (ra < rb))
            if b.isZero {
                #expect(a / b == .zero)
                #expect(a % b == .zero)
            } else {
                let (q, r) = ra.divMod(rb)
                #expect(a / b == q.truncated, "\(a) / \(b)")
                #expect(a % b == r.truncated, "\(a) % \(b)")
            }
            if m.isZero {
                #expect(UInt256.mulMod(a, b, m) == .zero)
                #expect(UInt256.addMod(a, b, m) == .zero)
            } else {
                #expect(UInt256.mulMod(a, b, m) == prod.divMod(rm).1.truncated, "mulmod \(a) \(b) \(m)")
                #expect(UInt256.addMod(a, b, m) == (ra + rb).divMod(rm).1.truncated)
            }
        }
    }

    @Test func knuthCorrectionStep() {
        // Dividends chosen so the quotient digit estimate must be corrected (Knuth's test cases).
        let cases: [(UInt256, UInt256)] = [
            (UInt256(0, 0, 0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF), UInt256(1, 0, 0x8000_0000_0000_0000, 0)),
            (
                UInt256(0, 0xFFFF_FFFF_FFFF_FFFE, 0, 0x8000_0000_0000_0000),
                UInt256(0xFFFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0, 0)
            ),
            (UInt256(3, 0, 0x8000_0000_0000_0000, 0), UInt256(1, 0, 0x2000_0000_0000_0000, 0)),
            (UInt256.max, UInt256(~0, ~0, 0, 0)),
            (UInt256.max, UInt256(1, 0, 0, 1)),
        ]
        for (a, b) in cases {
            let (q, r) = RefNat(a).divMod(RefNat(b))
            #expect(a / b == q.truncated)
            #expect(a % b == r.truncated)
        }
    }

    @Test func portableDivisionStep() {
        var g = ValueGen(s: 7)
        for _ in 0..<2000 {
            let d = g.next64() | 1
            let hi = g.next64() % d
            let lo = g.next64()
            let expected = d.dividingFullWidth((hi, lo))
            let got = div128Portable(hi, lo, d)
            #expect(got.quotient == expected.quotient && got.remainder == expected.remainder)
        }
    }

    @Test func shiftsAndBytes() {
        var g = ValueGen(s: 3)
        for _ in 0..<200 {
            let a = g.value()
            let n = Int(g.next64() % 300)
            let ra = RefNat(a)
            var pow = RefNat([1])
            for _ in 0..<n { pow = pow + pow }
            #expect(a << n == (ra * pow).truncated)
            #expect(a >> n == ra.divMod(pow).0.truncated)
            #expect(a << UInt256(UInt64(n)) == a << n)
            #expect(a >> UInt256(UInt64(n)) == a >> n)
            let bytes = a.bigEndianBytes
            #expect(UInt256(bigEndianBytes: bytes) == a)
            for i in 0..<33 {
                #expect(a.byte(UInt256(UInt64(i))) == UInt256(UInt64(i < 32 ? bytes[i] : 0)))
            }
            #expect(UInt256(bigEndianBytes: a.minimalBigEndianBytes) == a)
            #expect(a.minimalBigEndianBytes.first != 0)
            #expect(a.byteWidth == a.minimalBigEndianBytes.count)
            #expect(a.leadingZeroBitCount == 256 - ra.bitCount)
        }
        #expect(UInt256.one.byte(UInt256(1, 0, 0, 1)) == .zero)
        #expect(UInt256(bigEndianBytes: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(UInt256(bigEndianBytes: [UInt8]()) == .zero)
    }

    @Test func exponentiation() {
        var g = ValueGen(s: 5)
        for _ in 0..<50 {
            let base = g.value()
            let e = g.next64() % 40
            var expected = RefNat([1])
            for _ in 0..<e { expected = (expected * RefNat(base)).divMod(Self.two256).1 }
            #expect(UInt256.exp(base, UInt256(e)) == expected.truncated)
        }
        #expect(UInt256.exp(2, 255) == UInt256(0, 0, 0, 1 << 63))
        #expect(UInt256.exp(2, 256) == .zero)
        #expect(UInt256.exp(0, 0) == .one)
        #expect(UInt256.exp(3, .max) == UInt256.exp(3, .max - 1) &* 3)
    }

    /// Signed operations, with the EVM's edge cases (Yellow Paper definitions of SDIV, SMOD, SAR,
    /// SIGNEXTEND).
    @Test func signedOperations() {
        let minusOne = UInt256.max
        let minInt = UInt256(0, 0, 0, 1 << 63)
        let m7 = -UInt256(7)
        let m2 = -UInt256(2)
        #expect(m7.sdiv(2) == -UInt256(3))
        #expect(UInt256(7).sdiv(m2) == -UInt256(3))
        #expect(m7.sdiv(m2) == 3)
        #expect(minInt.sdiv(minusOne) == minInt)
        #expect(m7.sdiv(.zero) == .zero)
        #expect(m7.smod(3) == -UInt256(1))
        #expect(UInt256(7).smod(-UInt256(3)) == 1)
        #expect(m7.smod(.zero) == .zero)
        #expect(minusOne.slt(.zero))
        #expect(!UInt256.zero.slt(minusOne))
        #expect(UInt256.one.sgt(minusOne))
        #expect(minInt.slt(minusOne))
        #expect(UInt256(5).slt(6))
        #expect(m7.sar(1) == -UInt256(4))
        #expect(m7.sar(300) == minusOne)
        #expect(UInt256(7).sar(300) == .zero)
        #expect(minInt.sar(255) == minusOne)
        #expect(UInt256(0xFF).sar(4) == 0xF)
        #expect(UInt256.signExtend(byteIndex: 0, value: 0xFF) == minusOne)
        #expect(UInt256.signExtend(byteIndex: 0, value: 0x7F) == 0x7F)
        #expect(UInt256.signExtend(byteIndex: 1, value: 0x12_80FF) == 0x80FF | ~UInt256(0xFFFF))
        #expect(UInt256.signExtend(byteIndex: 31, value: 0x80) == 0x80)
        #expect(UInt256.signExtend(byteIndex: .max, value: 0x80) == 0x80)
        var g = ValueGen(s: 11)
        for _ in 0..<200 {
            let a = g.value()
            let n = Int(g.next64() % 256)
            // Arithmetic shift equals floor division by 2^n for negatives.
            let sar = a.sar(UInt256(UInt64(n)))
            if a.isNegative {
                #expect(-sar == (a.magnitude &+ (UInt256.one << n) &- 1) >> n || n == 0 && sar == a)
            } else {
                #expect(sar == a >> n)
            }
        }
    }

    @Test func textForms() {
        #expect(UInt256(hex: "0x0") == .zero)
        #expect(UInt256(hex: "ff") == 255)
        #expect(UInt256(hex: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hex: "0x" + String(repeating: "f", count: 65)) == nil)
        #expect(UInt256(hex: "0xg") == nil)
        #expect(UInt256(255).description == "0xff")
        #expect(UInt256.zero.description == "0x0")
        #expect(
            UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639935") == .max
        )
        #expect(
            UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil
        )
        #expect(UInt256(decimal: "12a") == nil)
        #expect(UInt256.zero.decimalString == "0")
        #expect(UInt256(1_000_000_000_000_000_000).decimalString == "1000000000000000000")
        #expect(
            UInt256.max.decimalString
                == "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        )
        var g = ValueGen(s: 21)
        for _ in 0..<50 {
            let v = g.value()
            #expect(UInt256(decimal: v.decimalString) == v)
        }
        #expect(UInt256(decimal: "1000000000000000000") == UInt256(1_000_000_000_000_000_000))
    }

    @Test func addressAndBytes32() {
        let text = "0x8ba1f109551bd432803012645ac136ddd64dba72"
        let a = Address(hex: text)!
        #expect(a.description == text)
        #expect(Address(hex: "0x8BA1F109551BD432803012645AC136DDD64DBA72") == a)
        #expect(Address(hex: "0x8ba1f109551bd432803012645ac136ddd64dba") == nil)
        #expect(Address(hex: "0x8ba1f109551bd432803012645ac136ddd64dba7") == nil)
        #expect(UInt256(a) == UInt256(hex: text)!)
        #expect(Address(truncating: UInt256(hex: "0xffffffffffffffffffffffff" + text.dropFirst(2))!) == a)
        #expect(
            Address(hex: "0x00000000000000000000000000000000000000ff")! < Address(
                hex: "0x0100000000000000000000000000000000000000"
            )!
        )
        let h = Bytes32(hex: "0x" + String(repeating: "0", count: 62) + "2a")!
        #expect(UInt256(h) == 42)
        #expect(Bytes32(UInt256(42)) == h)
        #expect(h.description == "0x" + String(repeating: "0", count: 62) + "2a")
        #expect(Bytes32(UInt256(1) << 248) > Bytes32(UInt256(0xFF)))
        #expect(Hex.decode("0x123") == [0x01, 0x23])
        #expect(Hex.decode("zz") == nil)
        #expect(Address(lastBytesOf: Bytes32(UInt256(a))) == a)
    }
}

/// The 32-bit targets' 64 × 64 → 128 product (what the rv32im guests run) against the
/// standard library's, on edges and a pseudo-random sweep.
@Test func wideProductBy32BitHalvesMatchesTheStandardLibrary() {
    var edges: [UInt64] = [0, 1, 2, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFE_FFFF_FFFF]
    edges += [0x8000_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_0000_0001]
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    var values = edges
    for _ in 0..<2000 {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        values.append(x)
    }
    for (i, a) in values.enumerated() {
        for b in edges + [values[(i * 7 + 3) % values.count]] {
            let want = a.multipliedFullWidth(by: b)
            let got = wideProductBy32BitHalves(a, b)
            #expect(got.high == want.high && got.low == want.low, "\(a) × \(b)")
            #expect(wideProduct(a, b) == got)
        }
    }
}
