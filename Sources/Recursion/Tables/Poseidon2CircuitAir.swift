import Algebra
import Stark

/// The Poseidon2 table of a recursion circuit: one row per ``Poseidon2Op``, the width-16
/// permutation of `left ‖ right`, or of `right ‖ left` when the swap bit is 1.
///
/// Main columns:
///
/// | columns | name | meaning |
/// | --- | --- | --- |
/// | 0…7 | `l0…l7` | the values read from the `left` slots |
/// | 8…15 | `r0…r7` | the values read from the `right` slots |
/// | 16 | `s` | the value read from the `swap` slot |
/// | 17…180 | permutation | ``Stark/Poseidon2Air``'s 164 columns of one permutation: its input `x0…x15`, then every S-box output |
///
/// Fixed columns (all zero on padding rows):
///
/// | columns | name | meaning |
/// | --- | --- | --- |
/// | 0…15 | `in0…in15` | slot indices of `left` then `right` |
/// | 16 | `swap` | slot index of the swap bit |
/// | 17 | `outLow` | slot index of output 0; output `j < 8` is slot `outLow + j` |
/// | 18 | `outHigh` | slot index of output 8; output `j ≥ 8` is slot `outHigh + j − 8` |
/// | 19…34 | `mult0…mult15` | read counts of the outputs; −1 for a checked output (``Poseidon2Op/checksDigest``: a read) |
/// | 35 | `real` | 1 on op rows, 0 on padding rows |
///
/// (A circuit's outputs are two runs of 8 consecutive slots, checked when a key is made, so
/// their 16 slot indices are two columns: every query of a proof opens these columns.)
///
/// Constraints:
/// - `s·(s − 1) = 0`: the swap is a bit, so the two lines below select one of two orders;
/// - `x_j = l_j + s·(r_j − l_j)` and `x_{j+8} = r_j + s·(l_j − r_j)` for `j < 8`: the
///   permutation's input is `l ‖ r`, or `r ‖ l` when `s = 1` (degree 2);
/// - ``Stark/Poseidon2Air/evalPermutation(_:base:)``'s degree-3 S-box constraints: the columns
///   are an honest evaluation of the permutation on `x`, whose outputs are linear expressions
///   in them. Padding rows hold the permutation of zero (all-zero reads, `s = 0`).
///
/// Interactions on ``Bus/recursionWitness`` (values are base elements: upper coordinates
/// are the constant 0, so a read of a slot holding a non-base value cannot balance):
/// - receive `(in_j, l_j / r_j, 0, 0, 0)` and `(swap, s, 0, 0, 0)` × `real`: the inputs and the
///   swap bit are the values their writers wrote;
/// - send `(out_j, y_j, 0, 0, 0)` × `mult_j` with `y` the permutation's output: the outputs
///   are written, once per read; a checked output (multiplicity −1) is a read of an existing
///   slot instead, so the bus balances only if the permutation's output is the slot's value.
public struct Poseidon2CircuitAir: Air {
    public typealias F = RF

    public enum Col {
        public static let left = 0, right = 8, swap = 16, permutation = 17
    }

    public enum Fixed {
        public static let inputs = 0, swap = 16, outLow = 17, outHigh = 18, mult = 19, real = 35
        public static let count = 36
    }

    /// Rows of the table (a power of two ≥ 2).
    public let height: Int
    let fixedColumns: RowMajorMatrix<RF>?
    let permutation = Poseidon2Air<RF>()

    /// The table of `circuit` (`readCounts` as ``RecursionCircuit/readCounts()`` returns them).
    public init(circuit: RecursionCircuit, readCounts: [Int]) {
        let ops = circuit.poseidon2
        height = circuit.heights.poseidon2
        fixedColumns = RecursionTables.matrix(height: height, width: Fixed.count, rows: ops.count) { r, row in
            let op = ops[r]
            for (j, s) in (op.left + op.right).enumerated() { row[Fixed.inputs + j] = RecursionTables.element(s.index) }
            row[Fixed.swap] = RecursionTables.element(op.swap.index)
            row[Fixed.outLow] = RecursionTables.element(op.out[0].index)
            row[Fixed.outHigh] = RecursionTables.element(op.out[8].index)
            for (j, s) in op.out.enumerated() {
                // A checked output is a read: multiplicity −1.
                row[Fixed.mult + j] = RecursionTables.element(op.checks(output: j) ? -1 : readCounts[s.index])
            }
            row[Fixed.real] = .one
        }
    }

    /// The table's shape alone, for a verifier that takes the fixed columns' root from a key.
    init(height: Int) {
        self.height = height
        fixedColumns = nil
    }

    public var name: String { "RecursionPoseidon2" }
    public var width: Int { Col.permutation + permutation.columnsPerPermutation }
    public var preprocessedWidth: Int { Fixed.count }
    public var preprocessedGroup: Int { RecursionTables.preprocessedGroup }
    public func preprocessedTrace() -> RowMajorMatrix<RF>? { fixedColumns }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let l = (0..<8).map { b.main(Col.left + $0) }
        let r = (0..<8).map { b.main(Col.right + $0) }
        let s = b.main(Col.swap)
        b.assertBool(s)
        for j in 0..<8 {
            b.assertEqual(b.main(Col.permutation + j), l[j] + s * (r[j] - l[j]))
            b.assertEqual(b.main(Col.permutation + 8 + j), r[j] + s * (l[j] - r[j]))
        }
        let y = permutation.evalPermutation(&b, base: Col.permutation)
        let real = b.fixed(Fixed.real)
        let zero = E(RF.zero)
        for (j, v) in (l + r).enumerated() {
            b.receive(
                bus: .recursionWitness,
                values: [b.fixed(Fixed.inputs + j), v, zero, zero, zero],
                multiplicity: real
            )
        }
        b.receive(bus: .recursionWitness, values: [b.fixed(Fixed.swap), s, zero, zero, zero], multiplicity: real)
        for j in 0..<16 {
            b.send(
                bus: .recursionWitness,
                values: [
                    j < 8 ? b.fixed(Fixed.outLow) + E(RF(UInt32(j))) : b.fixed(Fixed.outHigh) + E(RF(UInt32(j - 8))),
                    y[j], zero, zero, zero,
                ],
                multiplicity: b.fixed(Fixed.mult + j)
            )
        }
    }

    /// The main trace on `witness`: the read values and the permutation's columns (the
    /// permutation of zero on padding rows).
    public func trace(circuit: RecursionCircuit, witness: CircuitWitness) -> RowMajorMatrix<RF> {
        let ops = circuit.poseidon2
        let w = witness.values
        let cpp = permutation.columnsPerPermutation
        let padding = permutation.permutationColumns([RF](repeating: .zero, count: 16)).columns
        return RecursionTables.matrix(height: height, width: width, rows: height, minChunk: 16) { r, row in
            guard r < ops.count else {
                for c in 0..<cpp { row[Col.permutation + c] = padding[c] }
                return
            }
            let op = ops[r]
            let s = w[op.swap.index].c0
            row[Col.swap] = s
            withUnsafeTemporaryAllocation(of: RF.self, capacity: 16) { buffer in
                let x = buffer.baseAddress!
                for j in 0..<8 {
                    let left = w[op.left[j].index].c0
                    let right = w[op.right[j].index].c0
                    row[Col.left + j] = left
                    row[Col.right + j] = right
                    // x = l + s·(r − l) ‖ r + s·(l − r): the constrained selection, for any s.
                    let d: RF = s * (right - left)
                    (x + j).initialize(to: left + d)
                    (x + j + 8).initialize(to: right - d)
                }
                permutation.writeColumns(of: x, to: row + Col.permutation)
            }
        }
    }
}
