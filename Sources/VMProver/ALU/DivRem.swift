import Algebra
import Stark

/// The division table: proves DIV, DIVU, REM and REMU, one row per event, receiving
/// `(op, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)` on ``Bus/vmAlu`` with `c` the quotient (DIV, DIVU)
/// or the remainder (REM, REMU).
///
/// The row holds a claimed quotient `q` and remainder `r` (16-bit limbs) and proves, reading
/// every word as signed for DIV / REM and as unsigned for DIVU / REMU:
///
/// 1. `B·Q + R ≡ A (mod 2^64)` where `B`, `Q`, `R` are the 64-bit extensions of `b`, `q`, `r`
///    and `A` that of `a` — except in the overflow case, where `A = +2^31` (`a` zero-extended):
///    the schoolbook product of `MulDivGadget` with `R` added and `A` subtracted limb by limb,
///    with range-checked carries;
/// 2. division by zero: `bz = 1` exactly when `b = 0`, and then `q = 2^32 − 1`;
/// 3. overflow: `ov = 1` only when the op is signed, `a = −2^31` and `b = −1`;
/// 4. the remainder's sign: `r ≥ 0` when `a ≥ 0`, and `r ≤ 0` when `a < 0`;
/// 5. when `b ≠ 0`: `|r| < |b|`, as `|r| + 1 + D = |b|` with `D = d_lo + 2^16·d_hi ≥ 0`.
///
/// Why that pins down RISC-V's results. Signed, `b ≠ 0`, no overflow: `|b·q| ≤ 2^62` and
/// `|r|, |a| ≤ 2^31`, so (1) is the integer identity `a = b·q + r`; with (4) and (5), `q` and `r`
/// are the unique truncated quotient and remainder (two solutions would give remainders of one
/// sign differing by a multiple of `b` of absolute value below `|b|`). `ov` cannot be 1 (3); a
/// prover who sets `ov = 0` in the overflow case has no solution at all (it would need
/// `q = 2^31`). Overflow: (5) gives `r = 0`, and (1) reads `−q ≡ 2^31`, so `q = −2^31`. Unsigned,
/// `b ≠ 0`: `r < b` gives `b·q + r < b·(q + 1) ≤ 2^64`, so (1) is again an integer identity and
/// `q = ⌊a/b⌋`, `r = a mod b`. Division by zero: (1) reads `R ≡ A`, so `r = a`; (2) gives `q`.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0…3 | `f_div`, `f_divu`, `f_rem`, `f_remu` | one-hot op flags; their sum `real` (0 on padding rows) is the multiplicity |
/// | 4, 5 | `a_lo`, `a_hi` | dividend (16-bit limbs, by the sender) |
/// | 6, 7 | `b_lo`, `b_hi` | divisor (16-bit limbs, by the sender) |
/// | 8, 9 | `q_lo`, `q_hi` | quotient (16-bit: its bytes are checked) |
/// | 10, 11 | `r_lo`, `r_hi` | remainder (range-checked) |
/// | 12…15 | `b0`, `b2`, `b_and`, `sb` | bytes 0, 2 of `b`, `b0 & b1`, sign of `b` (signed ops, else 0) |
/// | 16…19 | `q0`, `q2`, `q_and`, `sq` | the same for `q` |
/// | 20, 21 | `sa`, `sr` | signs of `a` and `r` (signed ops, else 0) |
/// | 22, 23 | `bz`, `inv` | `b = 0`; inverse of `b_lo + b_hi` when it is not |
/// | 24 | `ov` | signed overflow `−2^31 / −1` |
/// | 25…28 | `k0…k3` | carries of the limb equations (9, 10, 11, 11 bits) |
/// | 29, 30 | `d_lo`, `d_hi` | `D = abs(b) − abs(r) − 1` (16-bit limbs; unconstrained when `b = 0`) |
/// | 31 | `e` | carry (0, 1 or 2) between the limbs of `abs(r) + 1 + D = abs(b)` |
///
/// Interactions (16): the ALU receive; per `b` and `q` the three operand lookups of
/// `MulDivGadget.operandBytes`; `(16 − signed, a_hi − 2^15·sa)`,
/// `(16 − signed, r_hi − 2^15·sr)`, `(16, r_lo)`; `(bits_k, k_k)`; `(16, d_lo)`, `(16, d_hi)` with
/// multiplicity `real − bz`. Padding rows are all zero, and every multiplicity vanishes there.
public struct DivRemAir: Air {
    public typealias F = VMField

    /// The operations this table proves.
    public static let ops: Set<AluOp> = [.div, .divu, .rem, .remu]

    public init() {}
    public var name: String { "DivRem" }
    public var width: Int { 32 }

    /// Column indices (see the table in the type's documentation).
    package enum Col {
        package static let flags = 0
        package static let a = 4
        package static let b = 6
        package static let q = 8
        package static let r = 10
        package static let bBytes = 12
        package static let qBytes = 16
        package static let sa = 20
        package static let sr = 21
        package static let bz = 22
        package static let inv = 23
        package static let ov = 24
        package static let carries = 25
        package static let dLo = 29
        package static let dHi = 30
        package static let e = 31
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
            op += flag * E(F(AluOp.div.rawValue + UInt32(k)))
        }
        b.assertBool(real)  // … and at most one set (none on padding rows)
        let signed = f[0] + f[2]  // DIV, REM
        let quotientOut = f[0] + f[1]  // DIV, DIVU return q; REM, REMU return r

        let a = (lo: b.main(Col.a), hi: b.main(Col.a + 1))
        let bw = (lo: b.main(Col.b), hi: b.main(Col.b + 1))
        let q = (lo: b.main(Col.q), hi: b.main(Col.q + 1))
        let r = (lo: b.main(Col.r), hi: b.main(Col.r + 1))
        let sa = b.main(Col.sa)
        let sr = b.main(Col.sr)
        let bz = b.main(Col.bz)
        let ov = b.main(Col.ov)

        // Bytes and signs of b and q (this also proves q's limbs are 16-bit).
        let y = MulDivGadget.operandBytes(&b, lo: bw.lo, hi: bw.hi, column: Col.bBytes, signed: signed, real: real)
        let x = MulDivGadget.operandBytes(&b, lo: q.lo, hi: q.hi, column: Col.qBytes, signed: signed, real: real)
        let sb = b.main(Col.bBytes + 3)

        // Signs of a and r: for signed ops a 15-bit check of hi − 2^15·s (so s is hi's top bit),
        // otherwise s = 0 and a 16-bit check of hi. This is also r_hi's range check.
        b.assertBool(sa)
        b.assertBool(sr)
        b.assertZero(sa * (1 - signed))
        b.assertZero(sr * (1 - signed))
        b.send(bus: .vmRange, values: [16 - signed, a.hi - sa * 32768], multiplicity: real)
        b.send(bus: .vmRange, values: [16 - signed, r.hi - sr * 32768], multiplicity: real)
        b.send(bus: .vmRange, values: [16, r.lo], multiplicity: real)

        // (2) Division by zero. b_lo + b_hi < 2^17 is zero exactly when b = 0. bz = 1 forces
        // b = 0; bz = 0 on a real row forces an inverse, so b ≠ 0; on padding rows (real = 0)
        // bz = 1 would need 0 = −1 or b ≠ 0 against bz·b = 0, so bz = 0 there.
        b.assertBool(bz)
        b.assertZero(bz * (bw.lo + bw.hi))
        b.assertZero((bw.lo + bw.hi) * b.main(Col.inv) - (real - bz))
        b.assertZero(bz * (q.lo - 0xffff))  // quotient all ones
        b.assertZero(bz * (q.hi - 0xffff))

        // (3) Overflow only for a signed −2^31 / −1.
        b.assertBool(ov)
        b.assertZero(ov * (1 - signed))
        b.assertZero(ov * a.lo)
        b.assertZero(ov * (a.hi - 0x8000))
        b.assertZero(ov * (bw.lo - 0xffff))
        b.assertZero(ov * (bw.hi - 0xffff))

        // (1) B·Q + R ≡ A (mod 2^64), limb by limb: t_k + R_k + k_{k−1} = A_k + 2^16·k_k. R's
        // and A's high limbs are their sign extensions; ov reads a as +2^31 (sa − ov ∈ {0, 1}:
        // ov = 1 only with sa = 1). All terms are non-negative and both sides stay below 2^28
        // for carries in range (MulDivGadget's bounds with the extra 16-bit terms), so each
        // equation holds over the integers, and their 2^(16k)-weighted sum is the congruence.
        let t = MulDivGadget.limbSums(y, x)
        let rExt = sr * 0xffff
        let aExt = (sa - ov) * 0xffff
        let rLimbs = [r.lo, r.hi, rExt, rExt]
        let aLimbs = [a.lo, a.hi, aExt, aExt]
        var carryIn = E(F.zero)
        for k in 0..<4 {
            let carry = b.main(Col.carries + k)
            b.assertZero(t[k] + rLimbs[k] + carryIn - aLimbs[k] - carry * 65536)
            b.send(bus: .vmRange, values: [E(F(UInt32(MulDivGadget.carryBits[k]))), carry], multiplicity: real)
            carryIn = carry
        }

        // (4) The remainder takes the dividend's sign: a ≥ 0 ⇒ r ≥ 0; a < 0 ⇒ r < 0 or r = 0
        // (r_lo + r_hi, both 16-bit, vanishes only for r = 0).
        b.assertZero(sr * (1 - sa))
        b.assertZero(sa * (1 - sr) * (r.lo + r.hi))

        // (5) |r| < |b| when b ≠ 0. |x| = X_lo + 2^16·X_hi with the non-negative "limbs"
        // X_lo = x_lo + s·(2^16 − 2·x_lo) ∈ [0, 2^16] and X_hi = x_hi + s·(2^16 − 1 − 2·x_hi)
        // ∈ [0, 2^16) (for s = 1 they sum to 2^32 − x = −x as a signed word). With d_lo, d_hi
        // 16-bit and e ∈ {0, 1, 2}: low R_lo + 1 + d_lo = B_lo + 2^16·e (both sides ≤ 3·2^16)
        // and high R_hi + d_hi + e = B_hi (both < 2^18) hold over the integers, and together
        // |r| + 1 + D = |b| with D = d_lo + 2^16·d_hi ≥ 0.
        let nonzero = real - bz
        let bAbsLo = bw.lo + sb * (65536 - bw.lo * 2)
        let bAbsHi = bw.hi + sb * (65535 - bw.hi * 2)
        let rAbsLo = r.lo + sr * (65536 - r.lo * 2)
        let rAbsHi = r.hi + sr * (65535 - r.hi * 2)
        let dLo = b.main(Col.dLo)
        let dHi = b.main(Col.dHi)
        let e = b.main(Col.e)
        b.assertZero(e * (e - 1) * (e - 2))  // e ∈ {0, 1, 2}
        b.assertZero(nonzero * (rAbsLo + 1 + dLo - bAbsLo - e * 65536))
        b.assertZero(nonzero * (rAbsHi + dHi + e - bAbsHi))
        b.send(bus: .vmRange, values: [16, dLo], multiplicity: nonzero)
        b.send(bus: .vmRange, values: [16, dHi], multiplicity: nonzero)

        let remainderOut = real - quotientOut
        let cLo = quotientOut * q.lo + remainderOut * r.lo
        let cHi = quotientOut * q.hi + remainderOut * r.hi
        b.receive(bus: .vmAlu, values: [op, a.lo, a.hi, bw.lo, bw.hi, cLo, cHi], multiplicity: real)
    }

    /// The trace of `events` (all of them DIV, DIVU, REM or REMU), recording the range and byte
    /// lookups in `counter`.
    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: DivRemAir().width, height: paddedHeight(events.count))
        for (i, ev) in events.enumerated() {
            precondition(
                (AluOp.div.rawValue...AluOp.remu.rawValue).contains(ev.op.rawValue),
                "\(ev.op) is not a division"
            )
            let signed = ev.op == .div || ev.op == .rem
            let q = (signed ? AluOp.div : .divu).evaluate(ev.a, ev.b)
            let r = (signed ? AluOp.rem : .remu).evaluate(ev.a, ev.b)
            let w = writeRow(&t, i, op: ev.op, a: ev.a, b: ev.b, q: q, r: r)
            // The lookups (each traps if out of range, which the true q and r never are).
            MulDivGadget.recordOperand(ev.b, sign: w.sb, signed: signed, counter: &counter)
            MulDivGadget.recordOperand(q, sign: w.sq, signed: signed, counter: &counter)
            counter.range((ev.a >> 16) - 32768 * w.sa, bits: signed ? 15 : 16)
            counter.range((r >> 16) - 32768 * w.sr, bits: signed ? 15 : 16)
            counter.range(r & 0xffff, bits: 16)
            precondition(w.exact, "division trace disagrees with the reference")
            for k in 0..<4 {
                precondition(w.carries[k] >= 0, "negative carry")
                counter.range(UInt32(w.carries[k]), bits: MulDivGadget.carryBits[k])
            }
            if ev.b != 0 {
                precondition(w.d >= 0, "remainder not below the divisor")
                counter.range(UInt32(w.d & 0xffff), bits: 16)
                counter.range(UInt32(w.d >> 16), bits: 16)
            }
        }
        return t.matrix
    }

    /// The integer witness of one row (what `trace` records lookups from).
    package struct RowWitness {
        package var sa: UInt32
        package var sb: UInt32
        package var sq: UInt32
        package var sr: UInt32
        /// The carries k0…k3 (exact when `B·Q + R ≡ A`, as for every honest row).
        package var carries: SIMD4<Int64>
        /// Whether every limb equation divides exactly (`B·Q + R ≡ A`; true for honest rows).
        package var exact: Bool
        /// `D = |b| − |r| − 1` (0 when `b = 0`).
        package var d: Int64
    }

    /// Writes row `i` for the claim that `op(a, b)` has quotient `q` and remainder `r` (whether
    /// or not it is true: `trace` passes the true ones; tests pass false ones to forge rows),
    /// with the overflow flag `overflow` (default: the true one). Values that are negative for a
    /// false claim (`D`, carries) are written as field elements; nothing is recorded.
    @discardableResult
    package static func writeRow(
        _ t: inout TraceBuilder,
        _ i: Int,
        op: AluOp,
        a: UInt32,
        b: UInt32,
        q: UInt32,
        r: UInt32,
        overflow: Bool? = nil
    ) -> RowWitness {
        let signed = op == .div || op == .rem
        let sign: (UInt32) -> UInt32 = { signed ? $0 >> 31 : 0 }
        let (sa, sb, sq, sr) = (sign(a), sign(b), sign(q), sign(r))
        let ov: UInt32 = (overflow ?? (signed && a == 0x8000_0000 && b == 0xFFFF_FFFF)) ? 1 : 0
        t[i, Col.flags + Int(op.rawValue - AluOp.div.rawValue)] = .one
        t.setWord(i, Col.a, a)
        t.setWord(i, Col.b, b)
        t.setWord(i, Col.q, q)
        t.setWord(i, Col.r, r)
        MulDivGadget.writeOperand(&t, i, column: Col.bBytes, word: b, sign: sb)
        MulDivGadget.writeOperand(&t, i, column: Col.qBytes, word: q, sign: sq)
        t[i, Col.sa] = F(sa)
        t[i, Col.sr] = F(sr)
        let limbSum = (b & 0xffff) + (b >> 16)
        t[i, Col.bz] = limbSum == 0 ? .one : .zero
        t[i, Col.inv] = limbSum == 0 ? .zero : F(limbSum).inverse()!
        t[i, Col.ov] = F(ov)

        // (1): the carry chain.
        let sums = MulDivGadget.limbSums(
            MulDivGadget.extensionBytes(b, sign: sb),
            MulDivGadget.extensionBytes(q, sign: sq)
        )
        let rLimbs = SIMD4<Int64>(Int64(r & 0xffff), Int64(r >> 16), Int64(0xffff * sr), Int64(0xffff * sr))
        let aExt = Int64(0xffff) * (Int64(sa) - Int64(ov))
        let aLimbs = SIMD4<Int64>(Int64(a & 0xffff), Int64(a >> 16), aExt, aExt)
        var carries = SIMD4<Int64>()
        var carry: Int64 = 0
        var exact = true
        for k in 0..<4 {
            let v = Int64(sums[k]) + rLimbs[k] + carry - aLimbs[k]
            exact = exact && v & 0xffff == 0
            carry = v >> 16
            carries[k] = carry
            t[i, Col.carries + k] = field(carry)
        }

        // (5): |r| + 1 + D = |b|, split at 2^16 with the carry e.
        var d: Int64 = 0
        if b != 0 {
            let absB = sb == 1 ? (Int64(1) << 32) - Int64(b) : Int64(b)
            let absR = sr == 1 ? (Int64(1) << 32) - Int64(r) : Int64(r)
            d = absB - absR - 1
            let absLo: (UInt32, UInt32) -> Int64 = { lo, s in s == 1 ? 65536 - Int64(lo) : Int64(lo) }
            let dLo = d & 0xffff
            let e = (absLo(r & 0xffff, sr) + 1 + dLo - absLo(b & 0xffff, sb)) >> 16
            t[i, Col.dLo] = field(dLo)
            t[i, Col.dHi] = field(d >> 16)
            t[i, Col.e] = field(e)
        }
        return RowWitness(sa: sa, sb: sb, sq: sq, sr: sr, carries: carries, exact: exact, d: d)
    }

    /// `v` as a field element (negative values wrap).
    @inline(__always)
    static func field(_ v: Int64) -> F {
        v >= 0 ? F(UInt32(v)) : -F(UInt32(-v))
    }
}
