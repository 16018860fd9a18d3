import Algebra
import Stark

/// The addition / subtraction table: proves ADD and SUB, one row per event, receiving
/// `(op, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)` on ``Bus/vmAlu``.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `f_add` | 1 on ADD rows |
/// | 1 | `f_sub` | 1 on SUB rows; `real = f_add + f_sub` is 0 on padding rows |
/// | 2, 3 | `a_lo`, `a_hi` | first operand (16-bit limbs, by the sender) |
/// | 4, 5 | `b_lo`, `b_hi` | second operand (16-bit limbs, by the sender) |
/// | 6, 7 | `c_lo`, `c_hi` | the result, range-checked to 16 bits |
///
/// ADD is `a + b = c + 2^32·k1` and SUB is `b + c = a + 2^32·k1`, limb by limb with carries
/// `k0`, `k1` in {0, 1}. The carries are not columns: each is the limb equation's excess divided
/// by 2^16, e.g. `k0 = (a_lo + b_lo − c_lo)/2^16`, and the constraint `k·(k − 1) = 0` (on the
/// op's rows) says that the excess is 0 or 2^16. Every excess is an integer of absolute value
/// below 2^17 + 1, far from p, so "0 or 2^16 in the field" is "0 or 2^16 in the integers".
///
/// Interactions (3): the ALU receive and `(16, c_lo)`, `(16, c_hi)` on ``Bus/vmRange``, all with
/// multiplicity `real`. Padding rows are all zero.
public struct AddSubAir: Air {
    public typealias F = VMField

    /// The operations this table proves.
    public static let ops: Set<AluOp> = [.add, .sub]

    public init() {}
    public var name: String { "AddSub" }
    public var width: Int { 8 }

    /// Column indices (see the table in the type's documentation).
    package enum Col {
        package static let fAdd = 0
        package static let fSub = 1
        package static let a = 2
        package static let b = 4
        package static let c = 6
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let fAdd = b.main(Col.fAdd)
        let fSub = b.main(Col.fSub)
        let (real, op) = b.oneHotOp(flags: [fAdd, fSub], ops: [.add, .sub])
        let a = (lo: b.main(Col.a), hi: b.main(Col.a + 1))
        let y = (lo: b.main(Col.b), hi: b.main(Col.b + 1))
        let c = (lo: b.main(Col.c), hi: b.main(Col.c + 1))
        let inv = E(inverseOf2To16)

        // ADD: a_lo + b_lo = c_lo + 2^16·k0 and a_hi + b_hi + k0 = c_hi + 2^16·k1 with k0, k1
        // bits; both excesses lie in (−2^16, 2^17 + 1), so the equations hold over the integers
        // and a + b = c + 2^32·k1: c = a + b mod 2^32 (c < 2^32 by its range checks).
        let addK0 = (a.lo + y.lo - c.lo) * inv
        let addK1 = (a.hi + y.hi + addK0 - c.hi) * inv
        b.assertZero(fAdd * addK0 * (addK0 - 1))  // the low carry of a + b is a bit
        b.assertZero(fAdd * addK1 * (addK1 - 1))  // the high carry of a + b is a bit
        // SUB: the same with (b, c, a): b + c = a + 2^32·k1, i.e. c = a − b mod 2^32.
        let subK0 = (y.lo + c.lo - a.lo) * inv
        let subK1 = (y.hi + c.hi + subK0 - a.hi) * inv
        b.assertZero(fSub * subK0 * (subK0 - 1))  // the low carry of b + c is a bit
        b.assertZero(fSub * subK1 * (subK1 - 1))  // the high carry of b + c is a bit

        b.send(bus: .vmRange, values: [16, c.lo], multiplicity: real)  // c_lo < 2^16
        b.send(bus: .vmRange, values: [16, c.hi], multiplicity: real)  // c_hi < 2^16
        b.receive(bus: .vmAlu, values: [op, a.lo, a.hi, y.lo, y.hi, c.lo, c.hi], multiplicity: real)
    }

    /// The trace of `events` (all of them ADD or SUB), recording the range lookups in `counter`.
    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: AddSubAir().width, height: paddedHeight(events.count))
        for (i, e) in events.enumerated() {
            precondition(ops.contains(e.op), "\(e.op) is not an addition or subtraction")
            let c = e.c
            t[i, e.op == .add ? Col.fAdd : Col.fSub] = .one
            t.setWord(i, Col.a, e.a)
            t.setWord(i, Col.b, e.b)
            t.setWord(i, Col.c, c)
            counter.range(c & 0xffff, bits: 16)
            counter.range(c >> 16, bits: 16)
        }
        return t.matrix
    }
}

extension AirBuilder where F == VMField {
    /// One-hot op flags of an ALU table: asserts every flag and their sum boolean (so at most one
    /// is set; none on padding rows) and returns the sum `real` (the row's multiplicity) and the
    /// selected op code `Σ flag·op` (degree 1).
    mutating func oneHotOp(flags: [Expr], ops: [AluOp]) -> (real: Expr, op: Expr) {
        precondition(flags.count == ops.count)
        var real = Expr(VMField.zero)
        var op = Expr(VMField.zero)
        for (flag, o) in zip(flags, ops) {
            assertBool(flag)  // each flag is a bit …
            real += flag
            op += flag * Expr(o.field)
        }
        assertBool(real)  // … and at most one is set
        return (real, op)
    }
}
