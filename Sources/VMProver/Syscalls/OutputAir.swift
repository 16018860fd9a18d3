import Algebra
import Stark

/// The public output of a shard: the claimed committed bytes as fixed columns, which the
/// verifier rebuilds from the bytes the proof claims (preprocessed group 1, committed on its own
/// so that its root is recomputed per proof rather than taken from the verifying key).
///
/// | column | kind | meaning |
/// | --- | --- | --- |
/// | 0 `index` | fixed | position of the byte in the shard's output (0, 1, …) |
/// | 1 `byte` | fixed | the byte |
/// | 2 `is_real` | fixed | 1 for the claimed bytes, 0 on padding rows |
/// | 0 `zero` | main | unused (a table needs a main column), constrained to 0 |
///
/// Receives `(index, byte)` on ``Bus/vmOutput`` with multiplicity `is_real`. The commit walks of
/// ``SyscallMemoryAir`` send each committed byte once, at the consecutive indices 0, 1, … in
/// execution order; the claimed indices are also 0, 1, …, distinct, so the bus balances iff the
/// committed bytes are exactly the claimed bytes, in order. The height is a power of two ≥ 2;
/// padding rows `(0, 0, 0)` take part with multiplicity 0.
public struct OutputAir: Air {
    public typealias F = VMField
    /// The claimed output bytes.
    public let output: [UInt8]
    public init(output: [UInt8]) { self.output = output }
    public var name: String { "Output" }
    public var width: Int { 1 }
    public var preprocessedWidth: Int { 3 }
    public var preprocessedGroup: Int { 1 }
    /// Rows of the table.
    public var height: Int { paddedHeight(output.count, minimum: 2) }

    public func preprocessedTrace() -> RowMajorMatrix<F>? {
        var v = [F](repeating: .zero, count: 3 * height)
        for (i, byte) in output.enumerated() {
            v[3 * i] = F(UInt32(i))
            v[3 * i + 1] = F(UInt32(byte))
            v[3 * i + 2] = .one
        }
        return RowMajorMatrix(values: v, width: 3)
    }

    /// The main trace: the zero column.
    public func trace() -> RowMajorMatrix<F> { RowMajorMatrix(width: 1, height: height) }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.assertZero(b.main(0))  // the filler column carries nothing
        b.receive(bus: .vmOutput, values: [b.fixed(0), b.fixed(1)], multiplicity: b.fixed(2))
    }
}
