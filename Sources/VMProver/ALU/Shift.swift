import Algebra
import Stark

/// The shift table: proves SLL, SRL and SRA, one row per event, receiving
/// `(op, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)` on ``Bus/vmAlu``. Only `s = b mod 32` counts
/// (`b` may carry anything above: an I-type immediate such as srai's `0x400 | s`, or a register).
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `f_sll` | SLL with `s < 16` |
/// | 1 | `f_sll16` | SLL with `s ≥ 16` |
/// | 2 | `f_sr` | SRL or SRA with `s < 16` |
/// | 3 | `f_sr16` | SRL or SRA with `s ≥ 16`; `real` = the sum of columns 0…3, 0 on padding rows |
/// | 4 | `is_sra` | 1 on SRA rows (a right shift that fills with the sign) |
/// | 5, 6 | `a_lo`, `a_hi` | the shifted word (16-bit limbs, by the sender) |
/// | 7, 8 | `b_lo`, `b_hi` | the shift operand (16-bit limbs, by the sender; `b_hi` is not used) |
/// | 9…12 | `s0…s3` | the bits of `t = s mod 16` |
/// | 13 | `m01` | `(1 + s0)(1 + 3·s1) = 2^(s0 + 2·s1)` |
/// | 14 | `m` | `m01·(1 + 15·s2)(1 + 255·s3) = 2^t` (1 on padding rows) |
/// | 15, 16 | `v_lo`, `v_hi` | per limb `x`: left shifts `x mod 2^(16−t)`, right shifts `x >> t` |
/// | 17, 18 | `e_lo`, `e_hi` | per limb `x`: left shifts `x >> (16−t)`, right shifts `2·(x mod 2^t)` |
/// | 19 | `neg` | SRA rows: the sign bit of `a`; 0 elsewhere |
/// | 20, 21 | `c_lo`, `c_hi` | the result |
///
/// **Shift amount.** With `s4 = f_sll16 + f_sr16` and `t = s0 + 2·s1 + 4·s2 + 8·s3` (bits
/// asserted), `s = t + 16·s4 ∈ [0, 32)` and `(11, (b_lo − s)/32)` is looked up: `b_lo = s + 32·u`
/// with `u < 2^11`, so `s = b_lo mod 32 = b mod 32`. `m = 2^t` by its two product constraints.
///
/// **Limb splits.** Each limb `x` of `a` is split at bit `16 − t` (left shifts) or `t` (right
/// shifts) with the range lookups `(16 − t, v)` and `(t + 1, e)` (widths 1…16 as t ∈ [0, 15]):
/// - left: `2^16·e = (x − v)·m`. The lookups give integers `v < 2^(16−t)`, `e < 2^(t+1)`; times
///   2^−t the equation reads `2^(16−t)·e = x − v` with both sides in (−2^16, 2^17), so it holds in
///   the integers: `e = x >> (16 − t)`, `v = x mod 2^(16−t)` (division with a tight remainder; `e`
///   is then below 2^t).
/// - right: `e = 2·(x − v·m)`. The lookup gives an integer `v < 2^(16−t)`, so `x − v·m` is an
///   integer in (−2^16, 2^16) and `e` one in (−2^17, 2^17); a negative `e` would be above
///   p − 2^17 in the field and fail its lookup, so `0 ≤ e < 2^(t+1)`: `x = v·2^t + e/2` with
///   `0 ≤ e/2 < 2^t`, i.e. `v = x >> t`, `e/2 = x mod 2^t`. (Doubling the remainder keeps the
///   width `t + 1` ≥ 1: a width-0 check is not in the range table.)
///
/// **Result** (the right-shift equations are multiplied through by `m = 2^t`, invertible, so `c`
/// is determined; the `neg` terms are the sign fill `2^16 − 2^(16−t)` of SRA):
/// - `f_sll`: `c_lo = v_lo·m`, `c_hi = v_hi·m + e_lo`;
/// - `f_sll16`: `c_lo = 0`, `c_hi = v_lo·m`;
/// - `f_sr`: `c_lo·m = v_lo·m + 2^15·e_hi`, `c_hi·m = v_hi·m + neg·2^16·(m − 1)`;
/// - `f_sr16`: `c_lo·m = v_hi·m + neg·2^16·(m − 1)`, `c_hi = 0xFFFF·neg`.
/// These are the limbs of `a << s`, `a >> s` and the sign-filled `a >> s`. Each is an integer below
/// 2^16 by the split bounds, e.g. `v_hi·m + e_lo ≤ (2^(16−t) − 1)·2^t + 2^t − 1` and
/// `v_lo + (e_hi/2)·2^(16−t) ≤ 2^(16−t) − 1 + (2^t − 1)·2^(16−t)`, both `2^16 − 1`: c's limbs are
/// 16-bit without a range check of their own.
///
/// **Sign.** `neg` is a bit, 0 unless `is_sra`; on SRA rows `(15, a_hi − 2^15·neg)` is looked up,
/// which holds only for `neg = a_hi >> 15`. `is_sra` is a bit, 0 unless the row is a right shift;
/// the op code is `6·(f_sll + f_sll16) + 7·(f_sr + f_sr16) + is_sra`.
///
/// Interactions (7): the ALU receive, the shift amount check, two lookups per limb (multiplicity
/// `real`) and the sign check (multiplicity `is_sra`). Padding rows are zero but for `m01 = m = 1`.
public struct ShiftAir: Air {
    public typealias F = VMField

    /// The operations this table proves.
    public static let ops: Set<AluOp> = [.sll, .srl, .sra]

    public init() {}
    public var name: String { "Shift" }
    public var width: Int { 22 }

    /// Column indices (see the table in the type's documentation).
    package enum Col {
        package static let fSll = 0
        package static let fSll16 = 1
        package static let fSr = 2
        package static let fSr16 = 3
        package static let isSra = 4
        package static let a = 5
        package static let b = 7
        package static let bits = 9
        package static let m01 = 13
        package static let m = 14
        package static let v = 15
        package static let e = 17
        package static let neg = 19
        package static let c = 20
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let fSll = b.main(Col.fSll)
        let fSll16 = b.main(Col.fSll16)
        let fSr = b.main(Col.fSr)
        let fSr16 = b.main(Col.fSr16)
        let isSra = b.main(Col.isSra)
        let (real, opShift) = b.oneHotOp(flags: [fSll, fSll16, fSr, fSr16], ops: [.sll, .sll, .srl, .srl])
        let left = fSll + fSll16
        let right = fSr + fSr16
        b.assertBool(isSra)  // SRA is a bit …
        b.assertZero(isSra * (1 - right))  // … set only on right shifts (SRL + 1 = SRA)
        let op = opShift + isSra

        let a = (lo: b.main(Col.a), hi: b.main(Col.a + 1))
        let y = (lo: b.main(Col.b), hi: b.main(Col.b + 1))
        let two16 = E(VMField(UInt32(1 << 16)))

        // Shift amount: t from four bits, s = t + 16·s4, b_lo = s + 32·u with u < 2^11.
        let bits = (0..<4).map { b.main(Col.bits + $0) }
        for bit in bits { b.assertBool(bit) }  // the bits of t
        let t = bits[0] + bits[1] * 2 + bits[2] * 4 + bits[3] * 8
        let s = t + (fSll16 + fSr16) * 16
        b.send(bus: .vmRange, values: [11, (y.lo - s) * E(Self.inverseOf32)], multiplicity: real)  // s = b mod 32

        // m = 2^t.
        let m01 = b.main(Col.m01)
        let m = b.main(Col.m)
        b.assertEqual(m01, (1 + bits[0]) * (1 + bits[1] * 3))  // 2^(s0 + 2·s1)
        b.assertEqual(m, m01 * (1 + bits[2] * 15) * (1 + bits[3] * 255))  // 2^t

        // Limb splits (see the type's documentation for the bounds).
        let v = (lo: b.main(Col.v), hi: b.main(Col.v + 1))
        let e = (lo: b.main(Col.e), hi: b.main(Col.e + 1))
        for (x, vx, ex) in [(a.lo, v.lo, e.lo), (a.hi, v.hi, e.hi)] {
            b.send(bus: .vmRange, values: [16 - t, vx], multiplicity: real)  // v < 2^(16−t)
            b.send(bus: .vmRange, values: [t + 1, ex], multiplicity: real)  // e < 2^(t+1)
            b.assertZero(left * (ex * two16 - (x - vx) * m))  // left: x = e·2^(16−t) + v
            b.assertZero(right * (ex - (x - vx * m) * 2))  // right: x = v·2^t + e/2
        }

        // Sign of a on SRA rows.
        let neg = b.main(Col.neg)
        b.assertBool(neg)  // a bit …
        b.assertZero(neg * (1 - isSra))  // … only on SRA rows …
        b.send(bus: .vmRange, values: [15, a.hi - neg * 32768], multiplicity: isSra)  // … = a_hi >> 15

        // The result limbs (16-bit by construction, see above).
        let c = (lo: b.main(Col.c), hi: b.main(Col.c + 1))
        let fill = neg * two16 * (m - 1)  // sign fill times m: 2^t·(2^16 − 2^(16−t)) or 0
        b.assertZero(fSll * (c.lo - v.lo * m))  // (a_lo << t) mod 2^16
        b.assertZero(fSll * (c.hi - v.hi * m - e.lo))  // (a_hi << t) mod 2^16 + a_lo >> (16 − t)
        b.assertZero(fSll16 * c.lo)  // shifted out
        b.assertZero(fSll16 * (c.hi - v.lo * m))  // (a_lo << t) mod 2^16
        b.assertZero(fSr * (c.lo * m - v.lo * m - e.hi * 32768))  // a_lo >> t + (a_hi mod 2^t)·2^(16−t)
        b.assertZero(fSr * (c.hi * m - v.hi * m - fill))  // a_hi >> t (+ sign fill)
        b.assertZero(fSr16 * (c.lo * m - v.hi * m - fill))  // a_hi >> t (+ sign fill)
        b.assertZero(fSr16 * (c.hi - neg * 65535))  // all sign

        b.receive(bus: .vmAlu, values: [op, a.lo, a.hi, y.lo, y.hi, c.lo, c.hi], multiplicity: real)
    }

    /// 32^-1 in the field (to recover `b_lo >> 5`).
    static let inverseOf32 = VMField(UInt32(32)).inverse()!

    /// The trace of `events` (all of them SLL, SRL or SRA), recording the range lookups in `counter`.
    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: ShiftAir().width, height: paddedHeight(events.count))
        for i in events.count..<t.height {
            // Padding rows: t = 0, so the power columns hold 2^0.
            t[i, Col.m01] = .one
            t[i, Col.m] = .one
        }
        for (i, ev) in events.enumerated() {
            precondition(ops.contains(ev.op), "\(ev.op) is not a shift")
            let s = ev.b & 31
            let sh = s & 15
            let big = s >= 16
            let left = ev.op == .sll
            let flag = left ? (big ? Col.fSll16 : Col.fSll) : (big ? Col.fSr16 : Col.fSr)
            t[i, flag] = .one
            if ev.op == .sra { t[i, Col.isSra] = .one }
            t.setWord(i, Col.a, ev.a)
            t.setWord(i, Col.b, ev.b)
            counter.range((ev.b & 0xffff) >> 5, bits: 11)
            for k in 0..<4 { t[i, Col.bits + k] = VMField((sh >> UInt32(k)) & 1) }
            t[i, Col.m01] = VMField(UInt32(1) << (sh & 3))
            t[i, Col.m] = VMField(UInt32(1) << sh)

            // Limb splits.
            let lo = ev.a & 0xffff
            let hi = ev.a >> 16
            let (vLo, eLo) = split(lo, sh, left: left)
            let (vHi, eHi) = split(hi, sh, left: left)
            t[i, Col.v] = VMField(vLo)
            t[i, Col.v + 1] = VMField(vHi)
            t[i, Col.e] = VMField(eLo)
            t[i, Col.e + 1] = VMField(eHi)
            counter.range(vLo, bits: 16 - Int(sh))
            counter.range(eLo, bits: Int(sh) + 1)
            counter.range(vHi, bits: 16 - Int(sh))
            counter.range(eHi, bits: Int(sh) + 1)

            let neg: UInt32 = ev.op == .sra ? ev.a >> 31 : 0
            t[i, Col.neg] = VMField(neg)
            if ev.op == .sra { counter.range(hi & 0x7fff, bits: 15) }

            // The result from the same pieces the constraints use, checked against the reference.
            let fill = neg * (0x10000 - (0x10000 >> sh))
            let c: (lo: UInt32, hi: UInt32)
            switch (left, big) {
            case (true, false): c = (vLo << sh, (vHi << sh) + eLo)
            case (true, true): c = (0, vLo << sh)
            case (false, false): c = (vLo + ((eHi / 2) << (16 - sh)), vHi + fill)
            case (false, true): c = (vHi + fill, 0xffff * neg)
            }
            precondition(
                c.lo < 0x10000 && c.hi < 0x10000 && c.lo | (c.hi << 16) == ev.c,
                "shift trace disagrees with the reference"
            )
            t[i, Col.c] = VMField(c.lo)
            t[i, Col.c + 1] = VMField(c.hi)
        }
        return t.matrix
    }

    /// The columns `(v, e)` of limb `x` for the in-limb amount `t`: left shifts split at bit
    /// `16 − t` (`v = x mod 2^(16−t)`, `e = x >> (16−t)`), right shifts at bit `t`
    /// (`v = x >> t`, `e = 2·(x mod 2^t)`).
    @inline(__always)
    static func split(_ x: UInt32, _ t: UInt32, left: Bool) -> (v: UInt32, e: UInt32) {
        left ? (x & ((1 << (16 - t)) - 1), x >> (16 - t)) : (x >> t, 2 * (x & ((1 << t) - 1)))
    }
}
