import Algebra
import Stark

/// The public output of a shard: the claimed committed bytes as fixed columns, rebuilt by the
/// verifier from the bytes in the proof (preprocessed group 1).
///
/// | column | kind | meaning |
/// | --- | --- | --- |
/// | 0 `index` | fixed | position of the byte in the shard's output |
/// | 1 `byte` | fixed | the byte |
/// | 2 `is_real` | fixed | 1 for the claimed bytes, 0 on padding rows |
/// | 0 `zero` | main | unused, constrained to 0 |
///
/// Receives `(index, byte)` on ``Bus/vmOutput`` once per claimed byte, so the bytes the commit
/// syscalls send must be exactly the claimed ones, at the claimed positions.
public struct OutputAir: Air {
    public typealias F = VMField
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

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.assertZero(b.main(0))
        b.receive(bus: .vmOutput, values: [b.fixed(0), b.fixed(1)], multiplicity: b.fixed(2))
    }
}
