import Algebra
import Stark

/// The input table of a recursion circuit: one row per ``InputOp``, a value the prover supplies.
///
/// Fixed columns (all zero on padding rows): `slot` (0), the slot index; `mult` (1), its read
/// count; `isBase` (2), 1 when the input must be a base-field element.
///
/// Main columns: `v0…v3` (0…3), the value's coordinates.
///
/// Constraints:
/// - `isBase·v_k = 0` for `k = 1, 2, 3`: a base input has zero upper coordinates (degree 2).
///   Nothing else constrains an input: the ops that read it do.
///
/// Interactions on ``Bus/recursionWitness``:
/// - send `(slot, v0…v3)` × `mult`: the input is written, once per read (0 on padding rows).
public struct InputAir: Air {
    public typealias F = RF

    public enum Fixed {
        public static let slot = 0, mult = 1, isBase = 2
        public static let count = 3
    }

    /// Rows of the table (a power of two ≥ 2; all padding when the circuit has no inputs).
    public let height: Int
    let fixedColumns: RowMajorMatrix<RF>?

    /// The table of `circuit` (`readCounts` as ``RecursionCircuit/readCounts()`` returns them).
    public init(circuit: RecursionCircuit, readCounts: [Int]) {
        let ops = circuit.inputs
        height = circuit.heights.input
        fixedColumns = RecursionTables.matrix(height: height, width: Fixed.count, rows: ops.count) { r, row in
            let op = ops[r]
            row[Fixed.slot] = RecursionTables.element(op.out.index)
            row[Fixed.mult] = RecursionTables.element(readCounts[op.out.index])
            row[Fixed.isBase] = op.isBase ? .one : .zero
        }
    }

    /// The table's shape alone, for a verifier that takes the fixed columns' root from a key.
    init(height: Int) {
        self.height = height
        fixedColumns = nil
    }

    public var name: String { "RecursionInput" }
    public var width: Int { 4 }
    public var preprocessedWidth: Int { Fixed.count }
    public var preprocessedGroup: Int { RecursionTables.preprocessedGroup }
    public func preprocessedTrace() -> RowMajorMatrix<RF>? { fixedColumns }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let v = (0..<4).map { b.main($0) }
        let isBase = b.fixed(Fixed.isBase)
        for k in 1..<4 { b.assertZero(isBase * v[k]) }
        b.send(bus: .recursionWitness, values: [b.fixed(Fixed.slot)] + v, multiplicity: b.fixed(Fixed.mult))
    }

    /// The main trace on `witness`: each input's value.
    public func trace(circuit: RecursionCircuit, witness: CircuitWitness) -> RowMajorMatrix<RF> {
        let ops = circuit.inputs
        let w = witness.values
        return RecursionTables.matrix(height: height, width: width, rows: ops.count, minChunk: 1024) { r, row in
            let v = w[ops[r].out.index]
            row[0] = v.c0
            row[1] = v.c1
            row[2] = v.c2
            row[3] = v.c3
        }
    }
}

/// The public-value table of a recursion circuit: its public values are the circuit's
/// (``RecursionCircuit/publics``, base field, in order), and it reads them from the witness.
///
/// Two rows. Fixed columns: `first` (0), 1 on row 0 and 0 on row 1; `slot_j` (1 + j), the slot
/// of public value `j` on row 0, 0 on row 1.
///
/// Main column: `dummy` (0), unused (a table needs one column).
///
/// Constraints:
/// - `dummy = 0`: the column carries nothing.
///
/// Interactions on ``Bus/recursionWitness``:
/// - receive `(slot_j, publicValue(j), 0, 0, 0)` × `first` for every `j`: on row 0 only (a fixed
///   column, as interactions may not use row selectors), each public value is read from its
///   slot, so it is the value written there, and that value is a base element.
public struct PublicAir: Air {
    public typealias F = RF

    /// The number of public values.
    public let count: Int
    let fixedColumns: RowMajorMatrix<RF>?

    /// The table of `circuit`.
    public init(circuit: RecursionCircuit) {
        count = circuit.publics.count
        var values = [RF](repeating: .zero, count: 2 * (1 + count))
        values[0] = .one
        for (j, s) in circuit.publics.enumerated() { values[1 + j] = RecursionTables.element(s.index) }
        fixedColumns = RowMajorMatrix(values: values, width: 1 + count)
    }

    /// The table's shape alone, for a verifier that takes the fixed columns' root from a key.
    init(count: Int) {
        self.count = count
        fixedColumns = nil
    }

    /// Rows of the table.
    public var height: Int { 2 }
    public var name: String { "RecursionPublic" }
    public var width: Int { 1 }
    public var preprocessedWidth: Int { 1 + count }
    public var preprocessedGroup: Int { RecursionTables.preprocessedGroup }
    public var numPublicValues: Int { count }
    public func preprocessedTrace() -> RowMajorMatrix<RF>? { fixedColumns }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        b.assertZero(b.main(0))
        let first = b.fixed(0)
        let zero = E(RF.zero)
        for j in 0..<count {
            b.receive(
                bus: .recursionWitness,
                values: [b.fixed(1 + j), b.publicValue(j), zero, zero, zero],
                multiplicity: first
            )
        }
    }

    /// The main trace: two zero rows.
    public func trace() -> RowMajorMatrix<RF> { RowMajorMatrix(width: 1, height: 2) }
}
