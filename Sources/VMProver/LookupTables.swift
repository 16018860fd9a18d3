import Algebra
import Stark

/// The range table: every pair `(bits, value)` with `1 ≤ bits ≤ 16` and `0 ≤ value < 2^bits`,
/// fixed, with a main column counting the lookups of each pair.
///
/// | column | kind | meaning |
/// | --- | --- | --- |
/// | 0 `bits` | fixed | 1…16 (0 on the two padding rows) |
/// | 1 `value` | fixed | 0…2^bits − 1 |
/// | 0 `multiplicity` | main | lookups of `(bits, value)` |
///
/// Receives `(bits, value)` on ``Bus/vmRange`` with the multiplicity. No constraints beyond the
/// bus: the fixed columns are committed in the verifying key. The two padding rows hold
/// `(0, 0)`, which states `0 < 2^0`, a true fact, so looking it up proves nothing false.
public struct RangeTableAir: Air {
    public typealias F = VMField
    public init() {}
    public var name: String { "Range" }
    public var width: Int { 1 }
    public var preprocessedWidth: Int { 2 }
    /// 2^17 rows.
    public static var height: Int { 1 << 17 }

    public func preprocessedTrace() -> RowMajorMatrix<F>? {
        var v = [F]()
        v.reserveCapacity(2 * Self.height)
        for bits in 1...16 {
            for x in 0..<(1 << bits) {
                v.append(F(UInt32(bits)))
                v.append(F(UInt32(x)))
            }
        }
        while v.count < 2 * Self.height { v.append(.zero) }
        return RowMajorMatrix(values: v, width: 2)
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.receive(bus: .vmRange, values: [b.fixed(0), b.fixed(1)], multiplicity: b.main(0))
    }

    /// The multiplicity column from the counted lookups.
    public static func trace(_ counts: LookupCounter) -> RowMajorMatrix<F> {
        var v = [F]()
        v.reserveCapacity(height)
        for bits in 1...16 { for x in counts.range[bits] { v.append(F(x)) } }
        while v.count < height { v.append(.zero) }
        return RowMajorMatrix(values: v, width: 1)
    }
}

/// The byte table: every pair of bytes `(a, b)` with `a & b`, `a | b`, `a ^ b`, fixed, and one
/// multiplicity column per ``ByteOp``.
///
/// | column | kind | meaning |
/// | --- | --- | --- |
/// | 0 `a`, 1 `b` | fixed | row `256·a + b` |
/// | 2 `and`, 3 `or`, 4 `xor` | fixed | the results |
/// | 0 `m_and`, 1 `m_or`, 2 `m_xor` | main | lookups of each operation on `(a, b)` |
///
/// Receives `(op, a, b, op(a, b))` on ``Bus/vmBytes`` for each op. Looking up `(AND, a, b, r)`
/// therefore also proves that `a` and `b` are bytes.
public struct BytePairTableAir: Air {
    public typealias F = VMField
    public init() {}
    public var name: String { "Bytes" }
    public var width: Int { 3 }
    public var preprocessedWidth: Int { 5 }
    public static var height: Int { 1 << 16 }

    public func preprocessedTrace() -> RowMajorMatrix<F>? {
        var v = [F]()
        v.reserveCapacity(5 * Self.height)
        for a in UInt32(0)..<256 {
            for b in UInt32(0)..<256 {
                v.append(F(a))
                v.append(F(b))
                v.append(F(a & b))
                v.append(F(a | b))
                v.append(F(a ^ b))
            }
        }
        return RowMajorMatrix(values: v, width: 5)
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        for (k, op) in ByteOp.allCases.enumerated() {
            b.receive(
                bus: .vmBytes,
                values: [B.Expr(op.field), b.fixed(0), b.fixed(1), b.fixed(2 + k)],
                multiplicity: b.main(k)
            )
        }
    }

    /// The multiplicity columns from the counted lookups.
    public static func trace(_ counts: LookupCounter) -> RowMajorMatrix<F> {
        var v = [F](repeating: .zero, count: 3 * height)
        for k in 0..<3 {
            for i in 0..<height { v[3 * i + k] = F(counts.bytes[k][i]) }
        }
        return RowMajorMatrix(values: v, width: 3)
    }
}
