import Algebra
import Stark

/// Sum of boolean op flags and the op code they select, with the flags asserted boolean and
/// their sum boolean (at most one op per row; none on padding rows).
func aluSelector<B: AirBuilder>(_ b: inout B, flags: [B.Expr], ops: [AluOp]) -> (real: B.Expr, op: B.Expr)
where B.F == VMField {
    var real = B.Expr(VMField.zero)
    var op = B.Expr(VMField.zero)
    for (f, o) in zip(flags, ops) {
        b.assertBool(f)
        real += f
        op += f * B.Expr(o.field)
    }
    b.assertBool(real)
    return (real, op)
}

/// ADD and SUB.
///
/// | column | meaning |
/// | --- | --- |
/// | 0 `f_add`, 1 `f_sub` | op flags |
/// | 2, 3 / 4, 5 / 6, 7 | `a`, `b`, `c` limbs |
/// | 8, 9 | `k0`, `k1`: carries (boolean) |
///
/// ADD: `a + b = c + 2^32·k1` limb by limb; SUB is checked as `b + c = a + 2^32·k1`. Each limb
/// equation is below 2^17 + 1 on both sides, so it holds over the integers; with c's limbs
/// range-checked, c is the unique result.
public struct AddSubAir: Air {
    public typealias F = VMField
    public init() {}
    public static let ops: Set<AluOp> = [.add, .sub]
    public var name: String { "AddSub" }
    public var width: Int { 10 }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let fAdd = b.main(0)
        let fSub = b.main(1)
        let (real, op) = aluSelector(&b, flags: [fAdd, fSub], ops: [.add, .sub])
        let a = (b.main(2), b.main(3))
        let y = (b.main(4), b.main(5))
        let c = (b.main(6), b.main(7))
        let k0 = b.main(8)
        let k1 = b.main(9)
        b.assertBool(k0)
        b.assertBool(k1)
        b.assertZero(fAdd * (a.0 + y.0 - c.0 - k0 * 65536) + fSub * (y.0 + c.0 - a.0 - k0 * 65536))
        b.assertZero(fAdd * (a.1 + y.1 + k0 - c.1 - k1 * 65536) + fSub * (y.1 + c.1 + k0 - a.1 - k1 * 65536))
        b.send(bus: .vmRange, values: [16, c.0], multiplicity: real)
        b.send(bus: .vmRange, values: [16, c.1], multiplicity: real)
        b.receive(bus: .vmAlu, values: [op, a.0, a.1, y.0, y.1, c.0, c.1], multiplicity: real)
    }

    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: 10, height: paddedHeight(events.count))
        for (i, e) in events.enumerated() {
            precondition(ops.contains(e.op))
            let c = e.c
            t[i, e.op == .add ? 0 : 1] = .one
            t.setWord(i, 2, e.a)
            t.setWord(i, 4, e.b)
            t.setWord(i, 6, c)
            // ADD: a + b; SUB: b + c (= a).
            let (x, y) = e.op == .add ? (e.a, e.b) : (e.b, c)
            let k0 = ((x & 0xffff) + (y & 0xffff)) >> 16
            let k1 = ((x >> 16) + (y >> 16) + k0) >> 16
            t[i, 8] = VMField(k0)
            t[i, 9] = VMField(k1)
            counter.range(c & 0xffff, bits: 16)
            counter.range(c >> 16, bits: 16)
        }
        return t.matrix
    }
}

/// XOR, OR, AND through the byte-pair table.
///
/// | column | meaning |
/// | --- | --- |
/// | 0…2 | `f_xor`, `f_or`, `f_and` |
/// | 3, 4 / 5, 6 | `a`, `b` limbs |
/// | 7…10 / 11…14 / 15…18 | bytes of `a`, `b`, `c` |
///
/// Each byte triple is looked up as `(op, a_k, b_k, c_k)` in the byte-pair table, which proves
/// all three are bytes and `c_k = op(a_k, b_k)`; the limbs of a and b are their bytes' sums
/// (so the bytes are the limbs' unique split) and c's limbs are built from c's bytes.
public struct BitwiseAir: Air {
    public typealias F = VMField
    public init() {}
    public static let ops: Set<AluOp> = [.xor, .or, .and]
    static let order: [AluOp] = [.xor, .or, .and]
    public var name: String { "Bitwise" }
    public var width: Int { 19 }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let flags = (0..<3).map { b.main($0) }
        let (real, op) = aluSelector(&b, flags: flags, ops: Self.order)
        // Byte op code: XOR=3, OR=2, AND=1 in ByteOp.
        let byteOp = flags[0] * E(ByteOp.xor.field) + flags[1] * E(ByteOp.or.field) + flags[2] * E(ByteOp.and.field)
        let ab = (0..<4).map { b.main(7 + $0) }
        let bb = (0..<4).map { b.main(11 + $0) }
        let cb = (0..<4).map { b.main(15 + $0) }
        b.assertEqual(b.main(3), ab[0] + ab[1] * 256)
        b.assertEqual(b.main(4), ab[2] + ab[3] * 256)
        b.assertEqual(b.main(5), bb[0] + bb[1] * 256)
        b.assertEqual(b.main(6), bb[2] + bb[3] * 256)
        for k in 0..<4 { b.send(bus: .vmBytes, values: [byteOp, ab[k], bb[k], cb[k]], multiplicity: real) }
        b.receive(
            bus: .vmAlu,
            values: [op, b.main(3), b.main(4), b.main(5), b.main(6), cb[0] + cb[1] * 256, cb[2] + cb[3] * 256],
            multiplicity: real)
    }

    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: 19, height: paddedHeight(events.count))
        for (i, e) in events.enumerated() {
            let k = order.firstIndex(of: e.op)!
            let bop: ByteOp = e.op == .xor ? .xor : (e.op == .or ? .or : .and)
            t[i, k] = .one
            t.setWord(i, 3, e.a)
            t.setWord(i, 5, e.b)
            for j in 0..<4 {
                let x = (e.a >> (8 * UInt32(j))) & 0xff
                let y = (e.b >> (8 * UInt32(j))) & 0xff
                t[i, 7 + j] = VMField(x)
                t[i, 11 + j] = VMField(y)
                t[i, 15 + j] = VMField(counter.byte(bop, x, y))
            }
        }
        return t.matrix
    }
}

/// SLT, SLTU and EQ.
///
/// | column | meaning |
/// | --- | --- |
/// | 0…2 | `f_slt`, `f_sltu`, `f_eq` |
/// | 3, 4 / 5, 6 | `a`, `b` limbs |
/// | 7, 8 | `k0`, `k1`: borrows of `a − b` (`k1 = 1` iff a < b unsigned) |
/// | 9, 10 | `d`: limbs of `a − b mod 2^32` (16-bit) |
/// | 11, 12 / 13, 14 | `sa`, `ra` / `sb`, `rb`: `a_hi = 2^15·sa + ra` (ra 15 bits), same for b |
/// | 15 | `lt`: the signed comparison |
/// | 16, 17 | `inv`, `eq`: `eq = 1 − (d_lo + d_hi)·inv` and `(d_lo + d_hi)·eq = 0` |
/// | 18 | `res`: the result bit |
///
/// `a − b = d − 2^32·k1` with 16-bit d limbs and boolean borrows is the integer subtraction, so
/// k1 is the unsigned comparison. Signed: `lt = sa·(1 − sb) + (sa == sb)·k1`. Equal iff d = 0,
/// and `d_lo + d_hi` (below 2^17) is 0 exactly then.
public struct CompareAir: Air {
    public typealias F = VMField
    public init() {}
    public static let ops: Set<AluOp> = [.slt, .sltu, .eq]
    static let order: [AluOp] = [.slt, .sltu, .eq]
    public var name: String { "Compare" }
    public var width: Int { 19 }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let flags = (0..<3).map { b.main($0) }
        let (real, op) = aluSelector(&b, flags: flags, ops: Self.order)
        let a = (b.main(3), b.main(4))
        let y = (b.main(5), b.main(6))
        let k0 = b.main(7)
        let k1 = b.main(8)
        let d = (b.main(9), b.main(10))
        let (sa, ra, sb, rb) = (b.main(11), b.main(12), b.main(13), b.main(14))
        let lt = b.main(15)
        let eq = b.main(17)
        b.assertBool(k0)
        b.assertBool(k1)
        b.assertZero(a.0 - y.0 + k0 * 65536 - d.0)
        b.assertZero(a.1 - y.1 - k0 + k1 * 65536 - d.1)
        b.send(bus: .vmRange, values: [16, d.0], multiplicity: real)
        b.send(bus: .vmRange, values: [16, d.1], multiplicity: real)
        b.assertBool(sa)
        b.assertBool(sb)
        b.assertEqual(a.1, sa * 32768 + ra)
        b.assertEqual(y.1, sb * 32768 + rb)
        b.send(bus: .vmRange, values: [15, ra], multiplicity: real)
        b.send(bus: .vmRange, values: [15, rb], multiplicity: real)
        b.assertZero(lt - sa * (1 - sb) - (sa * sb + (1 - sa) * (1 - sb)) * k1)
        let s = d.0 + d.1
        b.assertZero(eq - 1 + s * b.main(16))
        b.assertZero(s * eq)
        let res = b.main(18)
        b.assertZero(res - flags[0] * lt - flags[1] * k1 - flags[2] * eq)
        b.receive(bus: .vmAlu, values: [op, a.0, a.1, y.0, y.1, res, 0], multiplicity: real)
    }

    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: 19, height: paddedHeight(events.count))
        // Padding rows: a = b = 0, so d = 0 and the equality bit is 1.
        for i in events.count..<t.height { t[i, 17] = .one }
        for (i, e) in events.enumerated() {
            t[i, order.firstIndex(of: e.op)!] = .one
            t.setWord(i, 3, e.a)
            t.setWord(i, 5, e.b)
            let k0: UInt32 = (e.a & 0xffff) < (e.b & 0xffff) ? 1 : 0
            let k1: UInt32 = e.a < e.b ? 1 : 0
            let d = e.a &- e.b
            t[i, 7] = VMField(k0)
            t[i, 8] = VMField(k1)
            t.setWord(i, 9, d)
            counter.range(d & 0xffff, bits: 16)
            counter.range(d >> 16, bits: 16)
            let sa = e.a >> 31
            let sb = e.b >> 31
            t[i, 11] = VMField(sa)
            t[i, 12] = VMField((e.a >> 16) & 0x7fff)
            t[i, 13] = VMField(sb)
            t[i, 14] = VMField((e.b >> 16) & 0x7fff)
            counter.range((e.a >> 16) & 0x7fff, bits: 15)
            counter.range((e.b >> 16) & 0x7fff, bits: 15)
            t[i, 15] = VMField(AluOp.slt.evaluate(e.a, e.b))
            let s = VMField(d & 0xffff) + VMField(d >> 16)
            if !s.isZero { t[i, 16] = s.inverse()! }
            t[i, 17] = VMField(d == 0 ? 1 : 0)
            t[i, 18] = VMField(e.c)
        }
        return t.matrix
    }
}

/// SLL, SRL, SRA, proven by the multiplication and division tables: with `s = b mod 32`,
/// `SLL = MUL(a, 2^s)`, `SRL = DIVU(a, 2^s)`, and `SRA = SRL` for a ≥ 0 and `~DIVU(~a, 2^s)`
/// for a < 0 (arithmetic shift of a negative number is the complement of the logical shift of
/// its complement). The table sends that operation on the ALU bus, so the ALU tables that own
/// MUL and DIVU prove it.
///
/// | column | meaning |
/// | --- | --- |
/// | 0…2 | `f_sll`, `f_srl`, `f_sra` |
/// | 3, 4 / 5, 6 / 7, 8 | `a`, `b`, `c` limbs |
/// | 9…13 | `s0…s4`: bits of the shift amount; `b_lo = s0 + 2·s1 + … + 16·s4 + 32·rest` |
/// | 14 | `rest` (11 bits) |
/// | 15…17 | `p2 = (1 + s0)(1 + 3·s1)`, `p3 = p2·(1 + 15·s2)`, `p4 = p3·(1 + 255·s3) = 2^(s mod 16)` |
/// | 18, 19 | `sa`, `ra`: `a_hi = 2^15·sa + ra` (ra 15 bits) |
/// | 20 | `neg = f_sra·sa` |
///
/// `2^s` as a word is `((1 − s4)·p4, s4·p4)`; the complement of a limb x is `0xFFFF − x`.
public struct ShiftAir: Air {
    public typealias F = VMField
    public init() {}
    public static let ops: Set<AluOp> = [.sll, .srl, .sra]
    static let order: [AluOp] = [.sll, .srl, .sra]
    public var name: String { "Shift" }
    public var width: Int { 21 }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let flags = (0..<3).map { b.main($0) }
        let (real, op) = aluSelector(&b, flags: flags, ops: Self.order)
        let a = (b.main(3), b.main(4))
        let y = (b.main(5), b.main(6))
        let c = (b.main(7), b.main(8))
        let s = (0..<5).map { b.main(9 + $0) }
        for bit in s { b.assertBool(bit) }
        let rest = b.main(14)
        b.assertEqual(y.0, s[0] + s[1] * 2 + s[2] * 4 + s[3] * 8 + s[4] * 16 + rest * 32)
        b.send(bus: .vmRange, values: [11, rest], multiplicity: real)
        let p2 = b.main(15)
        let p3 = b.main(16)
        let p4 = b.main(17)
        b.assertEqual(p2, (1 + s[0]) * (1 + s[1] * 3))
        b.assertEqual(p3, p2 * (1 + s[2] * 15))
        b.assertEqual(p4, p3 * (1 + s[3] * 255))
        let sa = b.main(18)
        let ra = b.main(19)
        let neg = b.main(20)
        b.assertBool(sa)
        b.assertEqual(a.1, sa * 32768 + ra)
        b.send(bus: .vmRange, values: [15, ra], multiplicity: real)
        b.assertEqual(neg, flags[2] * sa)
        // The delegated operation: MUL for SLL, DIVU otherwise, on a (or ~a when neg).
        let mulOrDiv = flags[0] * E(AluOp.mul.field) + (flags[1] + flags[2]) * E(AluOp.divu.field)
        let x = (a.0 + neg * (65535 - a.0 * 2), a.1 + neg * (65535 - a.1 * 2))
        let r = (c.0 + neg * (65535 - c.0 * 2), c.1 + neg * (65535 - c.1 * 2))
        let pow = ((1 - s[4]) * p4, s[4] * p4)
        b.send(bus: .vmAlu, values: [mulOrDiv, x.0, x.1, pow.0, pow.1, r.0, r.1], multiplicity: real)
        b.receive(bus: .vmAlu, values: [op, a.0, a.1, y.0, y.1, c.0, c.1], multiplicity: real)
    }

    /// The trace, and the MUL / DIVU events the rows delegate (to be proven by those tables).
    public static func trace(events: [AluEvent], counter: inout LookupCounter)
        -> (RowMajorMatrix<VMField>, delegated: [AluEvent])
    {
        var t = TraceBuilder(width: 21, height: paddedHeight(events.count))
        var delegated: [AluEvent] = []
        delegated.reserveCapacity(events.count)
        // Padding rows: no shift bits, so 2^0 = 1 in the power chain.
        for i in events.count..<t.height { for k in 15...17 { t[i, k] = .one } }
        for (i, e) in events.enumerated() {
            t[i, order.firstIndex(of: e.op)!] = .one
            t.setWord(i, 3, e.a)
            t.setWord(i, 5, e.b)
            t.setWord(i, 7, e.c)
            let s = e.b & 31
            for k in 0..<5 { t[i, 9 + k] = VMField((s >> UInt32(k)) & 1) }
            let rest = (e.b & 0xffff) >> 5
            t[i, 14] = VMField(rest)
            counter.range(rest, bits: 11)
            let bit = { (k: UInt32) in (s >> k) & 1 }
            let p2 = (1 + bit(0)) * (1 + 3 * bit(1))
            let p3 = p2 * (1 + 15 * bit(2))
            let p4 = p3 * (1 + 255 * bit(3))
            t[i, 15] = VMField(p2)
            t[i, 16] = VMField(p3)
            t[i, 17] = VMField(p4)
            let sa = e.a >> 31
            t[i, 18] = VMField(sa)
            t[i, 19] = VMField((e.a >> 16) & 0x7fff)
            counter.range((e.a >> 16) & 0x7fff, bits: 15)
            let neg = e.op == .sra && sa == 1
            t[i, 20] = neg ? .one : .zero
            let pow: UInt32 = 1 << s
            delegated.append(AluEvent(op: e.op == .sll ? .mul : .divu, a: neg ? ~e.a : e.a, b: pow))
        }
        return (t.matrix, delegated)
    }
}
