import Algebra
import Stark

/// The multiplication table: proves MUL, MULH, MULHSU and MULHU, one row per event, receiving
/// `(op, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)` on ``Bus/vmAlu``.
///
/// The operands are extended to 64 bits (sign-extended when the op reads them as signed, else
/// zero-extended), split into bytes, and their product modulo 2^64 is computed as four 16-bit
/// limbs by schoolbook multiplication with range-checked carries (`MulDivGadget`). MUL returns
/// the low two limbs, the others the high two: the high word of the exact signed / mixed /
/// unsigned 64-bit product, since that product fits in 64 bits and therefore equals the product
/// of the extensions modulo 2^64.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0…3 | `f_mul`, `f_mulh`, `f_mulhsu`, `f_mulhu` | one-hot op flags; their sum `real` (0 on padding rows) is the multiplicity |
/// | 4, 5 | `a_lo`, `a_hi` | first operand (16-bit limbs, by the sender) |
/// | 6, 7 | `b_lo`, `b_hi` | second operand (16-bit limbs, by the sender) |
/// | 8…11 | `a0`, `a2`, `a_and`, `sa` | bytes 0 and 2 of `a`, `a0 & a1` (byte lookup), sign of `a` (signed ops, else 0) |
/// | 12…15 | `b0`, `b2`, `b_and`, `sb` | the same for `b` |
/// | 16…19 | `p0…p3` | the 16-bit limbs of the 64-bit product |
/// | 20…23 | `k0…k3` | carries of the limb equations (9, 10, 11, 11 bits) |
///
/// Bytes 1 and 3 are not columns: `a1 = (a_lo − a0)/256`, `a3 = (a_hi − a2)/256`. The result is
/// `c = (p0, p1)` for MUL and `(p2, p3)` otherwise; every `p_k` is range-checked to 16 bits.
///
/// Interactions (15): the ALU receive; per operand the byte lookup `(AND, x0, x1, x_and)`,
/// `(8, x2)` and `(8 − signed, x3 − 128·s)` on the range bus; `(16, p_k)` and `(bits_k, k_k)`.
/// Padding rows are all zero: every multiplicity is `real` = 0 there.
public struct MulAir: Air {
    public typealias F = VMField

    /// The operations this table proves.
    public static let ops: Set<AluOp> = [.mul, .mulh, .mulhsu, .mulhu]

    public init() {}
    public var name: String { "Mul" }
    public var width: Int { 24 }

    /// Column indices (see the table in the type's documentation).
    package enum Col {
        package static let flags = 0
        package static let a = 4
        package static let b = 6
        package static let aBytes = 8
        package static let bBytes = 12
        package static let product = 16
        package static let carries = 20
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let f = (0..<4).map { b.main(Col.flags + $0) }
        var real = E(F.zero)
        var op = E(F.zero)
        for (k, flag) in f.enumerated() {
            b.assertBool(flag)  // each flag a bit …
            real += flag
            op += flag * E(F(AluOp.mul.rawValue + UInt32(k)))
        }
        b.assertBool(real)  // … and at most one set: the op code is one of the four (none on padding rows)
        let aSigned = f[1] + f[2]  // MULH, MULHSU read a as signed
        let bSigned = f[1]  // MULH reads b as signed

        let a = (lo: b.main(Col.a), hi: b.main(Col.a + 1))
        let bw = (lo: b.main(Col.b), hi: b.main(Col.b + 1))
        // The eight bytes of each 64-bit extension (bytes proven, sign bits proven).
        let x = MulDivGadget.operandBytes(&b, lo: a.lo, hi: a.hi, column: Col.aBytes, signed: aSigned, real: real)
        let y = MulDivGadget.operandBytes(&b, lo: bw.lo, hi: bw.hi, column: Col.bBytes, signed: bSigned, real: real)

        // Product limbs: t_k + k_{k−1} = p_k + 2^16·k_k with p_k < 2^16 and k_k < 2^bits_k. Both
        // sides are below 2^28 (MulDivGadget's bounds), so each field equation is an integer one;
        // weighting by 2^(16k) and summing gives Σ p_k·2^(16k) = (x·y) mod 2^64.
        let t = MulDivGadget.limbSums(x, y)
        var carryIn = E(F.zero)
        var p: [E] = []
        for k in 0..<4 {
            let pk = b.main(Col.product + k)
            let carry = b.main(Col.carries + k)
            b.assertZero(t[k] + carryIn - pk - carry * 65536)
            b.send(bus: .vmRange, values: [16, pk], multiplicity: real)
            b.send(bus: .vmRange, values: [E(F(UInt32(MulDivGadget.carryBits[k]))), carry], multiplicity: real)
            p.append(pk)
            carryIn = carry
        }

        // MUL returns the low word, the others the high word (degree 2 entries).
        let high = real - f[0]
        let cLo = f[0] * p[0] + high * p[2]
        let cHi = f[0] * p[1] + high * p[3]
        b.receive(bus: .vmAlu, values: [op, a.lo, a.hi, bw.lo, bw.hi, cLo, cHi], multiplicity: real)
    }

    /// The trace of `events` (all of them MUL, MULH, MULHSU or MULHU), recording the range and
    /// byte lookups in `counter`.
    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: MulAir().width, height: paddedHeight(events.count))
        for (i, ev) in events.enumerated() {
            precondition(
                (AluOp.mul.rawValue...AluOp.mulhu.rawValue).contains(ev.op.rawValue),
                "\(ev.op) is not a multiplication"
            )
            t[i, Col.flags + Int(ev.op.rawValue - AluOp.mul.rawValue)] = .one
            t.setWord(i, Col.a, ev.a)
            t.setWord(i, Col.b, ev.b)
            let x = MulDivGadget.fillOperand(
                &t,
                i,
                column: Col.aBytes,
                word: ev.a,
                signed: ev.op == .mulh || ev.op == .mulhsu,
                counter: &counter
            )
            let y = MulDivGadget.fillOperand(
                &t,
                i,
                column: Col.bBytes,
                word: ev.b,
                signed: ev.op == .mulh,
                counter: &counter
            )
            let sums = MulDivGadget.limbSums(x, y)
            var carry: UInt64 = 0
            var product: UInt64 = 0
            for k in 0..<4 {
                let v = sums[k] + carry
                let limb = UInt32(v & 0xffff)
                carry = v >> 16
                t[i, Col.product + k] = F(limb)
                t[i, Col.carries + k] = F(UInt32(carry))
                counter.range(limb, bits: 16)
                counter.range(UInt32(carry), bits: MulDivGadget.carryBits[k])
                product |= UInt64(limb) << (16 * k)
            }
            let c = ev.op == .mul ? UInt32(truncatingIfNeeded: product) : UInt32(product >> 32)
            precondition(c == ev.c, "multiplication trace disagrees with the reference")
        }
        return t.matrix
    }
}

/// The byte-level multiplication shared by ``MulAir`` and ``DivRemAir``.
///
/// A word `x = (lo, hi)` with 16-bit limbs is extended to 64 bits, `X = x + s·(2^64 − 2^32)`
/// with `s` its sign bit (signed reading) or 0, and written as eight bytes
/// `X_0…X_7 = (x0, x1, x2, x3, 255·s, 255·s, 255·s, 255·s)`. For two such extensions the
/// *limb sums* are `t_k = S_{2k} + 256·S_{2k+1}` (k = 0…3) with `S_m = Σ_{i+j=m} X_i·Y_j`, so
/// that `Σ_k t_k·2^(16k) ≡ X·Y (mod 2^64)` (the dropped terms, `i + j ≥ 8`, are multiples of 2^64).
///
/// Bounds (all bytes ≤ 255, so every product ≤ M = 255² = 65025 and `S_m ≤ (m+1)·M`):
/// `t_0 ≤ 513·M = 33,357,825`, `t_1 ≤ 1027·M = 66,780,675`, `t_2 ≤ 1541·M = 100,203,525`,
/// `t_3 ≤ 2055·M = 133,626,375 < 2^27`. A chain `t_k + e_k + k_{k−1} = o_k + 2^16·k_k` with extra
/// 16-bit terms `e_k`, `o_k ≥ 0` (0 for the multiplication) has carries at most
/// `⌊(t_k + 65535 + k_{k−1}) / 2^16⌋`: 510, 1020, 1530, 2040, so `carryBits` = 9, 10, 11, 11
/// suffice; and with any carries in those ranges both sides stay below 2^28 < p, so the field
/// equations cannot wrap.
enum MulDivGadget {
    /// Range-check widths of the four carries.
    static let carryBits = [9, 10, 11, 11]
    /// 256^-1 in the field (to recover bytes 1 and 3 from the limbs).
    static let inverseOf256 = VMField(UInt32(256)).inverse()!

    /// The eight bytes of the 64-bit extension of `(lo, hi)` from the four columns at `column`:
    /// `x0`, `x2`, `x_and` (`x0 & x1`) and the sign bit `s`. With multiplicity `real` it sends the
    /// byte lookup `(AND, x0, x1, x_and)` (x0, x1 bytes), `(8, x2)` (a byte) and
    /// `(8 − signed, x3 − 128·s)`: for a signed reading a 7-bit check, which with `s` boolean
    /// holds exactly when `x3` is a byte with top bit `s`; otherwise an 8-bit check of `x3` (and
    /// `s = 0` is asserted). `lo = x0 + 256·x1` and `hi = x2 + 256·x3` hold by definition of
    /// x1, x3, so the bytes are those of the word. `signed` must be 0 or 1.
    static func operandBytes<B: AirBuilder>(
        _ b: inout B,
        lo: B.Expr,
        hi: B.Expr,
        column: Int,
        signed: B.Expr,
        real: B.Expr
    ) -> [B.Expr] where B.F == VMField {
        typealias E = B.Expr
        let x0 = b.main(column)
        let x2 = b.main(column + 1)
        let and01 = b.main(column + 2)
        let s = b.main(column + 3)
        let x1 = (lo - x0) * E(inverseOf256)
        let x3 = (hi - x2) * E(inverseOf256)
        b.assertBool(s)  // the sign is a bit
        b.assertZero(s * (1 - signed))  // unsigned readings have no sign
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), x0, x1, and01], multiplicity: real)
        b.send(bus: .vmRange, values: [8, x2], multiplicity: real)
        b.send(bus: .vmRange, values: [8 - signed, x3 - s * 128], multiplicity: real)
        let ext = s * 255
        return [x0, x1, x2, x3, ext, ext, ext, ext]
    }

    /// The limb sums `t_0…t_3` of two extensions (degree 2 in the columns).
    static func limbSums<E: AirExpression>(_ x: [E], _ y: [E]) -> [E] {
        var t: [E] = []
        for k in 0..<4 {
            var even = E(E.F.zero)
            var odd = E(E.F.zero)
            for i in 0...(2 * k) { even += x[i] * y[2 * k - i] }
            for i in 0...(2 * k + 1) { odd += x[i] * y[2 * k + 1 - i] }
            t.append(even + odd * 256)
        }
        return t
    }

    /// Fills the four columns of ``operandBytes`` for `word`, records its lookups and returns the
    /// eight bytes of its extension.
    @inline(__always)
    static func fillOperand(
        _ t: inout TraceBuilder,
        _ row: Int,
        column: Int,
        word: UInt32,
        signed: Bool,
        counter: inout LookupCounter
    ) -> SIMD8<UInt64> {
        let s: UInt32 = signed ? word >> 31 : 0
        writeOperand(&t, row, column: column, word: word, sign: s)
        recordOperand(word, sign: s, signed: signed, counter: &counter)
        return extensionBytes(word, sign: s)
    }

    /// Records the three lookups of ``operandBytes`` for `word` with sign bit `sign`.
    @inline(__always)
    static func recordOperand(_ word: UInt32, sign: UInt32, signed: Bool, counter: inout LookupCounter) {
        counter.byte(.and, word & 0xff, (word >> 8) & 0xff)
        counter.range((word >> 16) & 0xff, bits: 8)
        counter.range((word >> 24) &- 128 * sign, bits: signed ? 7 : 8)
    }

    /// Writes the four columns of ``operandBytes`` for `word` with sign bit `sign` (no lookups).
    @inline(__always)
    static func writeOperand(_ t: inout TraceBuilder, _ row: Int, column: Int, word: UInt32, sign: UInt32) {
        t[row, column] = VMField(word & 0xff)
        t[row, column + 1] = VMField((word >> 16) & 0xff)
        t[row, column + 2] = VMField(word & (word >> 8) & 0xff)
        t[row, column + 3] = VMField(sign)
    }

    /// The bytes of `word` extended with `sign`.
    @inline(__always)
    static func extensionBytes(_ word: UInt32, sign: UInt32) -> SIMD8<UInt64> {
        let e = UInt64(255 * sign)
        return SIMD8(
            UInt64(word & 0xff),
            UInt64((word >> 8) & 0xff),
            UInt64((word >> 16) & 0xff),
            UInt64(word >> 24),
            e,
            e,
            e,
            e
        )
    }

    /// The limb sums of two extensions as integers (each below 2^27).
    @inline(__always)
    static func limbSums(_ x: SIMD8<UInt64>, _ y: SIMD8<UInt64>) -> SIMD4<UInt64> {
        var t = SIMD4<UInt64>()
        for i in 0..<8 {
            for j in 0..<(8 - i) {
                let m = i + j
                t[m >> 1] += (m & 1 == 0 ? 1 : 256) * x[i] * y[j]
            }
        }
        return t
    }
}
