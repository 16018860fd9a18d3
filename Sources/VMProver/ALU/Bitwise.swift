import Algebra
import Stark

/// The bitwise table: proves XOR, OR and AND, one row per event, receiving
/// `(op, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)` on ``Bus/vmAlu``, byte by byte through the byte
/// table (``BytePairTableAir``).
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `real` | 1 on rows of events, 0 on padding rows |
/// | 1 | `bop` | the ``ByteOp`` code: AND = 1, OR = 2, XOR = 3 |
/// | 2, 3 | `a_lo`, `a_hi` | first operand (16-bit limbs, by the sender) |
/// | 4, 5 | `b_lo`, `b_hi` | second operand (16-bit limbs, by the sender) |
/// | 6, 7 | `a0`, `a2` | bytes 0 and 2 of `a` |
/// | 8, 9 | `b0`, `b2` | bytes 0 and 2 of `b` |
/// | 10…13 | `c0…c3` | the bytes of the result |
///
/// Bytes 1 and 3 are not columns: `a1 = (a_lo − a0)/256`, `a3 = (a_hi − a2)/256`, and the same
/// for `b`. For k = 0…3 the row looks up `(bop, a_k, b_k, c_k)` on ``Bus/vmBytes``; the byte
/// table holds exactly the tuples `(op, x, y, op(x, y))` with op ∈ {1, 2, 3} and x, y bytes, so
/// each lookup proves that `bop` is one of the three byte ops, that `a_k`, `b_k` are bytes and
/// that `c_k = bop(a_k, b_k)`. With a0, a1 bytes, `a0 + 256·a1` is an integer below 2^16 equal
/// to `a_lo` in the field, so (a0, a1) is the byte split of `a_lo`; likewise for the other limbs.
/// The result `c_lo = c0 + 256·c1`, `c_hi = c2 + 256·c3` therefore has 16-bit limbs and is
/// `op(a, b)` bitwise.
///
/// The ALU op code is `6 − bop` (XOR = 3, OR = 4, AND = 5 against the byte codes 3, 2, 1), so one
/// column selects the op in both tuples and needs no constraint: the byte lookups already pin it
/// to {1, 2, 3} on real rows.
///
/// Constraint (1): `real` is a bit. Interactions (5): the ALU receive and the four byte lookups,
/// all with multiplicity `real`. Padding rows are all zero.
public struct BitwiseAir: Air {
    public typealias F = VMField

    /// The operations this table proves.
    public static let ops: Set<AluOp> = [.xor, .or, .and]

    public init() {}
    public var name: String { "Bitwise" }
    public var width: Int { 14 }

    /// Column indices (see the table in the type's documentation).
    package enum Col {
        package static let real = 0
        package static let bop = 1
        package static let a = 2
        package static let b = 4
        package static let aBytes = 6
        package static let bBytes = 8
        package static let cBytes = 10
    }

    /// The byte op that computes `op` byte by byte.
    static func byteOp(_ op: AluOp) -> ByteOp {
        switch op {
        case .xor: return .xor
        case .or: return .or
        case .and: return .and
        default: preconditionFailure("\(op) is not a bitwise operation")
        }
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let real = b.main(Col.real)
        let bop = b.main(Col.bop)
        b.assertBool(real)  // the multiplicity of every interaction: 0 or 1
        let inv256 = E(Self.inverseOf256)
        let a = (lo: b.main(Col.a), hi: b.main(Col.a + 1))
        let y = (lo: b.main(Col.b), hi: b.main(Col.b + 1))
        let a0 = b.main(Col.aBytes)
        let a2 = b.main(Col.aBytes + 1)
        let b0 = b.main(Col.bBytes)
        let b2 = b.main(Col.bBytes + 1)
        let aBytes = [a0, (a.lo - a0) * inv256, a2, (a.hi - a2) * inv256]
        let bBytes = [b0, (y.lo - b0) * inv256, b2, (y.hi - b2) * inv256]
        let c = (0..<4).map { b.main(Col.cBytes + $0) }
        for k in 0..<4 {
            // a_k, b_k are bytes, bop ∈ {AND, OR, XOR} and c_k = bop(a_k, b_k).
            b.send(bus: .vmBytes, values: [bop, aBytes[k], bBytes[k], c[k]], multiplicity: real)
        }
        // ALU op = 6 − bop maps the byte codes AND = 1, OR = 2, XOR = 3 to AND = 5, OR = 4, XOR = 3.
        let op = E(VMField(6)) - bop
        b.receive(
            bus: .vmAlu,
            values: [op, a.lo, a.hi, y.lo, y.hi, c[0] + c[1] * 256, c[2] + c[3] * 256],
            multiplicity: real
        )
    }

    /// 256^-1 in the field (to recover bytes 1 and 3 from the limbs).
    static let inverseOf256 = VMField(UInt32(256)).inverse()!

    /// The trace of `events` (all of them XOR, OR or AND), recording the byte lookups in `counter`.
    public static func trace(events: [AluEvent], counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: BitwiseAir().width, height: paddedHeight(events.count))
        for (i, e) in events.enumerated() {
            precondition(ops.contains(e.op), "\(e.op) is not a bitwise operation")
            let bop = byteOp(e.op)
            t[i, Col.real] = .one
            t[i, Col.bop] = bop.field
            t.setWord(i, Col.a, e.a)
            t.setWord(i, Col.b, e.b)
            t[i, Col.aBytes] = VMField(e.a & 0xff)
            t[i, Col.aBytes + 1] = VMField((e.a >> 16) & 0xff)
            t[i, Col.bBytes] = VMField(e.b & 0xff)
            t[i, Col.bBytes + 1] = VMField((e.b >> 16) & 0xff)
            var c: UInt32 = 0
            for k in 0..<4 {
                let shift = UInt32(8 * k)
                let ck = counter.byte(bop, (e.a >> shift) & 0xff, (e.b >> shift) & 0xff)
                t[i, Col.cBytes + k] = VMField(ck)
                c |= ck << shift
            }
            precondition(c == e.c, "bitwise trace disagrees with the reference")
        }
        return t.matrix
    }
}
