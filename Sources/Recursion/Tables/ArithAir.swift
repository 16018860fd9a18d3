import Algebra
import Stark

/// The arithmetic table of a recursion circuit: one row per ``ArithOp``,
/// `out = cm·a·b + ca·a + cb·b + cc·c + k` in `RE = F[x]/(x⁴ − W)`.
///
/// Fixed columns (the op; all zero on padding rows):
///
/// | columns | name | meaning |
/// | --- | --- | --- |
/// | 0…3 | `a`, `b`, `c`, `out` | slot indices of the operands and of the result |
/// | 4…7 | `cm`, `ca`, `cb`, `cc` | the base-field coefficients |
/// | 8…11 | `k0…k3` | the extension constant's coordinates |
/// | 12 | `outMult` | the read count of `out` when the op writes it (a send), or −1 when it asserts (a receive) |
/// | 13 | `real` | 1 on op rows, 0 on padding rows |
///
/// Main columns: `a0…a3` (0…3), `b0…b3` (4…7), `c0…c3` (8…11), `out0…out3` (12…15): the
/// operands' and the result's coordinates.
///
/// Constraints:
/// - for each coordinate `i`, `out_i = cm·(a·b)_i + ca·a_i + cb·b_i + cc·c_i + k_i` with `(a·b)`
///   the extension product: the op's identity (degree 3: a fixed coefficient times two main
///   columns). On padding rows every fixed column is zero, so the row is all zero, which
///   satisfies it.
///
/// Interactions on ``Bus/recursionWitness``:
/// - receive `(a, a0…a3)`, `(b, …)`, `(c, …)` × `real`: the operands are the values their
///   writers wrote;
/// - `(out, out0…out3)` × `outMult`: a write sends the result as many times as it is read; an
///   assert (−1) receives it like any read, so the identity is checked against the stored value.
public struct ArithAir: Air {
    public typealias F = RF

    public enum Fixed {
        public static let a = 0, b = 1, c = 2, out = 3, cm = 4, ca = 5, cb = 6, cc = 7, k = 8
        public static let outMult = 12, real = 13
        public static let count = 14
    }

    public enum Col {
        public static let a = 0, b = 4, c = 8, out = 12
        public static let count = 16
    }

    /// Rows of the table (a power of two ≥ 2).
    public let height: Int
    /// The fixed columns, or `nil` in an AIR made for verification against a verifying key.
    let fixedColumns: RowMajorMatrix<RF>?

    /// The table of `circuit` (`readCounts` as ``RecursionCircuit/readCounts()`` returns them).
    public init(circuit: RecursionCircuit, readCounts: [Int]) {
        let ops = circuit.arith
        height = circuit.heights.arith
        fixedColumns = RecursionTables.matrix(height: height, width: Fixed.count, rows: ops.count) { r, row in
            let op = ops[r]
            row[Fixed.a] = RecursionTables.element(op.a.index)
            row[Fixed.b] = RecursionTables.element(op.b.index)
            row[Fixed.c] = RecursionTables.element(op.c.index)
            row[Fixed.out] = RecursionTables.element(op.out.index)
            row[Fixed.cm] = op.cm
            row[Fixed.ca] = op.ca
            row[Fixed.cb] = op.cb
            row[Fixed.cc] = op.cc
            for (i, v) in op.k.coefficients.enumerated() { row[Fixed.k + i] = v }
            row[Fixed.outMult] = op.asserts ? -.one : RecursionTables.element(readCounts[op.out.index])
            row[Fixed.real] = .one
        }
    }

    /// The table's shape alone, for a verifier that takes the fixed columns' root from a key.
    init(height: Int) {
        self.height = height
        fixedColumns = nil
    }

    public var name: String { "RecursionArith" }
    public var width: Int { Col.count }
    public var preprocessedWidth: Int { Fixed.count }
    public var preprocessedGroup: Int { RecursionTables.preprocessedGroup }
    public func preprocessedTrace() -> RowMajorMatrix<RF>? { fixedColumns }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        func ext(_ base: Int) -> [E] { (0..<4).map { b.main(base + $0) } }
        let x = ext(Col.a)
        let y = ext(Col.b)
        let z = ext(Col.c)
        let out = ext(Col.out)
        let cm = b.fixed(Fixed.cm)
        let ca = b.fixed(Fixed.ca)
        let cb = b.fixed(Fixed.cb)
        let cc = b.fixed(Fixed.cc)
        let xy = RecursionTables.extensionProduct(x, y)
        for i in 0..<4 {
            let rhs = cm * xy[i] + ca * x[i] + cb * y[i] + cc * z[i] + b.fixed(Fixed.k + i)
            b.assertEqual(out[i], rhs)
        }
        let real = b.fixed(Fixed.real)
        b.receive(bus: .recursionWitness, values: [b.fixed(Fixed.a)] + x, multiplicity: real)
        b.receive(bus: .recursionWitness, values: [b.fixed(Fixed.b)] + y, multiplicity: real)
        b.receive(bus: .recursionWitness, values: [b.fixed(Fixed.c)] + z, multiplicity: real)
        b.interact(bus: .recursionWitness, values: [b.fixed(Fixed.out)] + out, multiplicity: b.fixed(Fixed.outMult))
    }

    /// The main trace on `witness`: each op's operand and result values.
    public func trace(circuit: RecursionCircuit, witness: CircuitWitness) -> RowMajorMatrix<RF> {
        let ops = circuit.arith
        let w = witness.values
        return RecursionTables.matrix(height: height, width: Col.count, rows: ops.count, minChunk: 256) { r, row in
            let op = ops[r]
            for (col, slot) in [(Col.a, op.a), (Col.b, op.b), (Col.c, op.c), (Col.out, op.out)] {
                let v = w[slot.index]
                row[col] = v.c0
                row[col + 1] = v.c1
                row[col + 2] = v.c2
                row[col + 3] = v.c3
            }
        }
    }
}
