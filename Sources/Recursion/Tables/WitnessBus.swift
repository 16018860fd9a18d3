import Algebra
import Stark

extension Bus {
    /// The recursion circuit's witness bus: tuples `(slot index, c0, c1, c2, c3)`.
    ///
    /// A memory-in-the-head argument: the one op that writes a slot sends its tuple with
    /// multiplicity = the slot's read count (``RecursionCircuit/readCounts()``, a fixed column),
    /// and every read receives the tuple once (a checked Poseidon2 output, ``Poseidon2Op/checksDigest``,
    /// is a read sent with multiplicity −1). The circuit writes each slot exactly once
    /// (``RecursionCircuit/structuralError()``, checked when the verifying key is made) and the
    /// fixed columns are the verifying key, so the only tuple of slot `s` ever sent is
    /// `(s, w_s)` with `w_s` the value its writer proves; a balanced bus then forces every read
    /// of `s` to see `w_s`. (Multiplicities are field elements; a slot's read count is far below
    /// the modulus, so counts cannot wrap.) Base-field values travel with `c1 = c2 = c3 = 0`
    /// written as constants, which is what makes a read "base".
    public static var recursionWitness: Bus { Bus(200, name: "recursion-witness") }
}

/// Helpers shared by the recursion tables.
enum RecursionTables {
    /// The preprocessed group of every recursion table: the circuit is one verifying key.
    static let preprocessedGroup = 0

    /// A field element for a signed count (a slot index, a multiplicity).
    @inlinable
    static func element(_ v: Int) -> RF { v >= 0 ? RF(UInt32(v)) : -RF(UInt32(-v)) }

    /// The coordinates of `a·b` in `F[x]/(x⁴ − W)`, as the extension field multiplies
    /// (``QuarticExtension`` with `W = RF.extensionW`): degree 2 in the coordinates.
    @inlinable
    static func extensionProduct<X: AirExpression>(_ a: [X], _ b: [X]) -> [X] where X.F == RF {
        let w = X(RF.extensionW)
        return [
            a[0] * b[0] + w * (a[1] * b[3] + a[2] * b[2] + a[3] * b[1]),
            a[0] * b[1] + a[1] * b[0] + w * (a[2] * b[3] + a[3] * b[2]),
            a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + w * (a[3] * b[3]),
            a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0],
        ]
    }

    /// Fills a `height × width` row-major matrix, `rows` rows of it through `fill(row, out)`
    /// (which writes the row's `width` values at `out`), in parallel; the rest stay zero.
    static func matrix(
        height: Int,
        width: Int,
        rows: Int,
        minChunk: Int = 64,
        _ fill: (Int, UnsafeMutablePointer<RF>) -> Void
    ) -> RowMajorMatrix<RF> {
        // Zeroed and filled chunk by chunk, in parallel (a serial zero fill of the Poseidon2
        // table's main trace alone is tens of milliseconds).
        let values = makeLargeArray(count: height * width) { (buffer: UnsafeMutableBufferPointer<RF>) in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(count: height, minChunk: minChunk) { range in
                (base + range.lowerBound * width).initialize(repeating: .zero, count: range.count * width)
                for r in range where r < rows { fill(r, base + r * width) }
            }
        }
        return RowMajorMatrix(values: values, width: width)
    }
}
