import Algebra
import Stark

/// The input table of a recursion circuit: the values the prover supplies (``InputOp``, base
/// field), ``lanes`` a row.
///
/// Fixed columns (all zero on padding lanes): `slot_l` (l), the slot of lane `l`'s input;
/// `mult_l` (lanes + l), its read count.
///
/// Main columns: `v_l` (l), lane `l`'s value.
///
/// Constraints: none. Nothing constrains an input but the ops that read it.
///
/// Interactions on ``Bus/recursionWitness``:
/// - send `(slot_l, v_l, 0, 0, 0)` × `mult_l` per lane: the input is written once per read
///   (0 on padding lanes, whose value is then free and unused). The upper coordinates are the
///   constant 0, so a read of an input sees a base element.
public struct InputAir: Air {
    public typealias F = RF

    /// Inputs per row: eight sends share four LogUp columns (degree 3 at rate 1/2).
    public static let lanes = 8

    public enum Fixed {
        public static func slot(_ lane: Int) -> Int { lane }
        public static func mult(_ lane: Int) -> Int { InputAir.lanes + lane }
        public static let count = 2 * InputAir.lanes
    }

    /// Rows of the table (a power of two ≥ 2; all padding when the circuit has no inputs).
    public let height: Int
    let fixedColumns: RowMajorMatrix<RF>?

    /// The table of `circuit` (`readCounts` as ``RecursionCircuit/readCounts()`` returns them).
    public init(circuit: RecursionCircuit, readCounts: [Int]) {
        let ops = circuit.inputs
        let lanes = Self.lanes
        height = circuit.heights.input
        let rows = (ops.count + lanes - 1) / lanes
        fixedColumns = RecursionTables.matrix(height: height, width: Fixed.count, rows: rows) { r, row in
            for l in 0..<lanes where r * lanes + l < ops.count {
                let slot = ops[r * lanes + l].out.index
                row[Fixed.slot(l)] = RecursionTables.element(slot)
                row[Fixed.mult(l)] = RecursionTables.element(readCounts[slot])
            }
        }
    }

    /// The table's shape alone, for a verifier that takes the fixed columns' root from a key.
    init(height: Int) {
        self.height = height
        fixedColumns = nil
    }

    public var name: String { "RecursionInput" }
    public var width: Int { Self.lanes }
    public var preprocessedWidth: Int { Fixed.count }
    public var preprocessedGroup: Int { RecursionTables.preprocessedGroup }
    public func preprocessedTrace() -> RowMajorMatrix<RF>? { fixedColumns }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        for l in 0..<Self.lanes {
            b.send(
                bus: .recursionWitness,
                values: [b.fixed(Fixed.slot(l)), b.main(l), 0, 0, 0],
                multiplicity: b.fixed(Fixed.mult(l))
            )
        }
    }

    /// The main trace on `witness`: each input's value (its base coordinate).
    public func trace(circuit: RecursionCircuit, witness: CircuitWitness) -> RowMajorMatrix<RF> {
        let ops = circuit.inputs
        let w = witness.values
        let lanes = Self.lanes
        let rows = (ops.count + lanes - 1) / lanes
        return RecursionTables.matrix(height: height, width: width, rows: rows, minChunk: 1024) { r, row in
            for l in 0..<lanes where r * lanes + l < ops.count { row[l] = w[ops[r * lanes + l].out.index].c0 }
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
