import Algebra
import Stark

/// The comparison table: proves SLT, SLTU and EQ, one row per event, receiving
/// `(op, a_lo, a_hi, b_lo, b_hi, c, 0)` on ``Bus/vmAlu`` with `c` ∈ {0, 1}.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `f_slt` | 1 on SLT rows |
/// | 1 | `f_sltu` | 1 on SLTU rows |
/// | 2 | `f_eq` | 1 on EQ rows; `real = f_slt + f_sltu + f_eq` is 0 on padding rows |
/// | 3, 4 | `a_lo`, `a_hi` | first operand (16-bit limbs, by the sender) |
/// | 5, 6 | `b_lo`, `b_hi` | second operand (16-bit limbs, by the sender) |
/// | 7 | `k0` | borrow out of the low limbs of `A − B` |
/// | 8 | `k1` | borrow out of `A − B`: 1 iff `A < B` |
/// | 9, 10 | `sa`, `sb` | SLT rows: the sign bits of `a` and `b` (bits; unused elsewhere, where the trace writes 0) |
/// | 11 | `inv` | EQ rows: the inverse of `d_lo + d_hi`, or 0 when it is 0 (unused on other rows) |
/// | 12 | `c` | the result bit |
///
/// **Subtraction.** `A`, `B` are the operands read unsigned: `a`, `b` for SLTU and EQ, and for SLT
/// `a ⊕ 2^31`, `b ⊕ 2^31` (flipping the sign bit maps signed order onto unsigned order), whose
/// high limbs are `a_hi + 2^15 − 2^16·sa` and `b_hi + 2^15 − 2^16·sb`. The difference is computed
/// with borrows, `d_lo = A_lo − B_lo + 2^16·k0` and `d_hi = A_hi − B_hi − k0 + 2^16·k1` (the 2^15
/// terms cancel: `d_hi = a_hi − b_hi + f_slt·2^16·(sb − sa) − k0 + 2^16·k1`), which are not
/// columns but are range-checked to 16 bits. Both are integers in (−2^16 − 1, 2^17) as computed,
/// so the range checks hold only for the integer values, and
/// `d_lo + 2^16·d_hi = A − B + 2^32·k1 ∈ [0, 2^32)`: `k1 = 1` exactly when `A < B`.
///
/// **Signs.** On SLT rows `(15, a_hi − 2^15·sa)` and `(15, b_hi − 2^15·sb)` are looked up on the
/// range bus; with `sa` a bit and `a_hi < 2^16` that holds only for `sa = a_hi >> 15` (likewise
/// `sb`), so `A_hi = a_hi ⊕ 2^15 ∈ [0, 2^16)`.
///
/// **Result.** SLT and SLTU: `c = k1`. EQ: `A − B = d_lo + 2^16·d_hi` with `k1` the borrow, so
/// `a = b` iff `d_lo = d_hi = 0` iff `s = d_lo + d_hi = 0` (a sum of two integers below 2^16,
/// which cannot wrap); the is-zero gadget `c = 1 − s·inv`, `s·c = 0` makes `c = 1` when
/// `s = 0` and `c = 0` otherwise.
///
/// Interactions (5): the ALU receive, `(16, d_lo)` and `(16, d_hi)` with multiplicity `real`,
/// and the two sign checks with multiplicity `f_slt`. Padding rows are all zero.
public struct CompareAir: Air {
    public typealias F = VMField

    /// The operations this table proves.
    public static let ops: Set<AluOp> = [.slt, .sltu, .eq]

    public init() {}
    public var name: String { "Compare" }
    public var width: Int { 13 }

    /// Column indices (see the table in the type's documentation).
    package enum Col {
        package static let fSlt = 0
        package static let fSltu = 1
        package static let fEq = 2
        package static let a = 3
        package static let b = 5
        package static let k0 = 7
        package static let k1 = 8
        package static let sa = 9
        package static let sb = 10
        package static let inv = 11
        package static let c = 12
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let fSlt = b.main(Col.fSlt)
        let fSltu = b.main(Col.fSltu)
        let fEq = b.main(Col.fEq)
        let (real, op) = b.oneHotOp(flags: [fSlt, fSltu, fEq], ops: [.slt, .sltu, .eq])
        let a = (lo: b.main(Col.a), hi: b.main(Col.a + 1))
        let y = (lo: b.main(Col.b), hi: b.main(Col.b + 1))
        let k0 = b.main(Col.k0)
        let k1 = b.main(Col.k1)
        let sa = b.main(Col.sa)
        let sb = b.main(Col.sb)
        let inv = b.main(Col.inv)
        let c = b.main(Col.c)
        let two16 = E(VMField(UInt32(1 << 16)))
        let two15 = E(VMField(UInt32(1 << 15)))

        b.assertBool(k0)  // borrows are bits
        b.assertBool(k1)
        b.assertBool(sa)  // signs are bits (their range checks then pin them on SLT rows)
        b.assertBool(sb)
        // Sign bits on SLT rows: a_hi − 2^15·sa ∈ [0, 2^15) forces sa = a_hi >> 15.
        b.send(bus: .vmRange, values: [15, a.hi - sa * two15], multiplicity: fSlt)
        b.send(bus: .vmRange, values: [15, y.hi - sb * two15], multiplicity: fSlt)

        // A − B with borrows; d_hi has degree 2 (the sign flip on SLT rows), its unsigned form
        // dHiUnsigned (degree 1) equals it on SLTU and EQ rows.
        let dLo = a.lo - y.lo + k0 * two16
        let dHiUnsigned = a.hi - y.hi - k0 + k1 * two16
        let dHi = dHiUnsigned + fSlt * (sb - sa) * two16
        b.send(bus: .vmRange, values: [16, dLo], multiplicity: real)  // d_lo ∈ [0, 2^16)
        b.send(bus: .vmRange, values: [16, dHi], multiplicity: real)  // d_hi ∈ [0, 2^16)

        // SLT, SLTU: the result is the final borrow, [A < B].
        b.assertZero((fSlt + fSltu) * (c - k1))
        // EQ: is-zero of s = d_lo + d_hi (0 iff a = b).
        let s = dLo + dHiUnsigned
        b.assertZero(fEq * (c - 1 + s * inv))  // c = 1 − s·inv
        b.assertZero(fEq * s * c)  // s ≠ 0 ⇒ c = 0 (and s = 0 ⇒ c = 1 by the line above)

        b.receive(bus: .vmAlu, values: [op, a.lo, a.hi, y.lo, y.hi, c, 0], multiplicity: real)
    }

    /// The trace of `events` (all of them SLT, SLTU or EQ), recording the range lookups in `counter`.
    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: CompareAir().width, height: paddedHeight(events.count))
        for (i, e) in events.enumerated() {
            let flag: Int
            switch e.op {
            case .slt: flag = Col.fSlt
            case .sltu: flag = Col.fSltu
            case .eq: flag = Col.fEq
            default: preconditionFailure("\(e.op) is not a comparison")
            }
            t[i, flag] = .one
            t.setWord(i, Col.a, e.a)
            t.setWord(i, Col.b, e.b)
            // The operands compared unsigned (sign bits flipped for SLT).
            let flip: UInt32 = e.op == .slt ? 0x8000_0000 : 0
            let (x, y) = (e.a ^ flip, e.b ^ flip)
            let k0: UInt32 = (x & 0xffff) < (y & 0xffff) ? 1 : 0
            let k1: UInt32 = x < y ? 1 : 0
            let d = x &- y
            t[i, Col.k0] = VMField(k0)
            t[i, Col.k1] = VMField(k1)
            counter.range(d & 0xffff, bits: 16)
            counter.range(d >> 16, bits: 16)
            if e.op == .slt {
                t[i, Col.sa] = VMField(e.a >> 31)
                t[i, Col.sb] = VMField(e.b >> 31)
                counter.range((e.a >> 16) & 0x7fff, bits: 15)
                counter.range((e.b >> 16) & 0x7fff, bits: 15)
            }
            if e.op == .eq {
                let s = VMField(d & 0xffff) + VMField(d >> 16)
                t[i, Col.inv] = s.inverse() ?? .zero
            }
            let c: UInt32 = e.op == .eq ? (d == 0 ? 1 : 0) : k1
            precondition(c == e.c, "comparison trace disagrees with the reference")
            t[i, Col.c] = VMField(c)
        }
        return t.matrix
    }
}
