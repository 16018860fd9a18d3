import Algebra
import Stark

/// The input table of a recursion circuit: the values the prover supplies (``InputOp``, base
/// field), ``lanes`` a row, and the extension values packed from four of them
/// (``InputPack``, lanes 0…3 and 4…7).
///
/// Fixed columns (all zero on padding lanes): `slot_l` (l), the slot of lane `l`'s input;
/// `mult_l` (lanes + l), its read count; `pslot_h` (2·lanes + h), the slot of the pack of lanes
/// 4h…4h+3 (0 when they are not packed); `pmult_h` (2·lanes + 2 + h), its read count.
///
/// Main columns: `v_l` (l), lane `l`'s value.
///
/// Constraints: none. Nothing constrains an input but the ops that read it.
///
/// Interactions on ``Bus/recursionWitness``:
/// - send `(slot_l, v_l, 0, 0, 0)` × `mult_l` per lane: the input is written once per read
///   (0 on padding lanes, whose value is then free and unused). The upper coordinates are the
///   constant 0, so a read of an input sees a base element.
/// - send `(pslot_h, v_4h, v_4h+1, v_4h+2, v_4h+3)` × `pmult_h` per half row: the pack is written
///   once per read, and its coordinates are the very cells the half row's inputs are written
///   from, so a read of the pack sees `Σ Xᵏ·v_4h+k` of the inputs others read (0 multiplicity on
///   unpacked halves, whose slot column is then unused).
public struct InputAir: Air {
    public typealias F = RF

    /// Inputs per row: their eight sends and the two packs' share five LogUp columns (two
    /// sends a column, degree 3).
    public static let lanes = 8

    /// Packs per row (four lanes each).
    public static let packsPerRow = lanes / 4

    public enum Fixed {
        public static func slot(_ lane: Int) -> Int { lane }
        public static func mult(_ lane: Int) -> Int { InputAir.lanes + lane }
        public static func packSlot(_ half: Int) -> Int { 2 * InputAir.lanes + half }
        public static func packMult(_ half: Int) -> Int { 2 * InputAir.lanes + InputAir.packsPerRow + half }
        public static let count = 2 * InputAir.lanes + 2 * InputAir.packsPerRow
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
        // The pack slot of each group of four inputs, or nil.
        var packOf = [Slot?](repeating: nil, count: rows * Self.packsPerRow)
        for p in circuit.packs {
            precondition(packOf[p.first / 4] == nil, "two packs of inputs \(p.first)… (a malformed circuit)")
            packOf[p.first / 4] = p.out
        }
        fixedColumns = RecursionTables.matrix(height: height, width: Fixed.count, rows: rows) { r, row in
            for l in 0..<lanes where r * lanes + l < ops.count {
                let slot = ops[r * lanes + l].out.index
                row[Fixed.slot(l)] = RecursionTables.element(slot)
                row[Fixed.mult(l)] = RecursionTables.element(readCounts[slot])
            }
            for h in 0..<Self.packsPerRow {
                guard let p = packOf[r * Self.packsPerRow + h] else { continue }
                row[Fixed.packSlot(h)] = RecursionTables.element(p.index)
                row[Fixed.packMult(h)] = RecursionTables.element(readCounts[p.index])
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
        for h in 0..<Self.packsPerRow {
            b.send(
                bus: .recursionWitness,
                values: [b.fixed(Fixed.packSlot(h))] + (0..<4).map { b.main(4 * h + $0) },
                multiplicity: b.fixed(Fixed.packMult(h))
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
/// Public value `j` sits on row `j / lanes`, lane `j % lanes` (``lanes`` a row), so the table
/// is a few columns wide: every FRI query opens a row of every table, and a 2-row table with one
/// column per public value (the earlier layout) cost 174 opened values a query.
///
/// Rows: ``rowsUsed`` rows carry values, padded to ``height`` (a power of two ≥ 2).
///
/// Fixed columns (the key): `sel_r` (r, for r < rowsUsed), 1 on row r and 0 elsewhere;
/// `slot_l` (rowsUsed + l), on row r the slot of public value `r·lanes + l` (0 past the end);
/// `mult_l` (rowsUsed + lanes + l), 1 on row r when `r·lanes + l` is a public value, else 0.
///
/// Main column: `dummy` (0), unused (a table needs one column).
///
/// Constraints:
/// - `dummy = 0`: the column carries nothing.
///
/// Interactions on ``Bus/recursionWitness``:
/// - per lane `l`, receive `(slot_l, Σ_r sel_r · publicValue(r·lanes + l), 0, 0, 0)` × `mult_l`.
///   The selectors are fixed, so on row r the value is exactly public value `r·lanes + l`, and
///   `mult_l` receives it once, from its slot: each public value is the value written at its
///   slot, and a base element. Rows past the end and lanes past the last value have
///   multiplicity 0. (The value is of degree 1: public values are constants.)
public struct PublicAir: Air {
    public typealias F = RF

    /// Public values per row.
    public static let lanes = 4

    /// The number of public values.
    public let count: Int
    let fixedColumns: RowMajorMatrix<RF>?

    /// Rows that carry public values.
    public var rowsUsed: Int { (count + Self.lanes - 1) / Self.lanes }

    /// The table's height for `count` public values.
    public static func height(count: Int) -> Int {
        var h = 2
        while h * lanes < count { h *= 2 }
        return h
    }

    enum Fixed {
        static func slot(_ lane: Int, rowsUsed: Int) -> Int { rowsUsed + lane }
        static func mult(_ lane: Int, rowsUsed: Int) -> Int { rowsUsed + PublicAir.lanes + lane }
    }

    /// The table of `circuit`.
    public init(circuit: RecursionCircuit) {
        self.init(count: circuit.publics.count)
        let lanes = Self.lanes
        let used = rowsUsed
        let width = preprocessedWidth
        var values = [RF](repeating: .zero, count: height * width)
        for (j, s) in circuit.publics.enumerated() {
            let r = j / lanes
            let l = j % lanes
            values[r * width + r] = .one
            values[r * width + Fixed.slot(l, rowsUsed: used)] = RecursionTables.element(s.index)
            values[r * width + Fixed.mult(l, rowsUsed: used)] = .one
        }
        self = PublicAir(count: count, fixedColumns: RowMajorMatrix(values: values, width: width))
    }

    /// The table's shape alone, for a verifier that takes the fixed columns' root from a key.
    init(count: Int) {
        self.init(count: count, fixedColumns: nil)
    }

    private init(count: Int, fixedColumns: RowMajorMatrix<RF>?) {
        self.count = count
        self.fixedColumns = fixedColumns
    }

    /// Rows of the table.
    public var height: Int { Self.height(count: count) }
    public var name: String { "RecursionPublic" }
    public var width: Int { 1 }
    public var preprocessedWidth: Int { rowsUsed + 2 * Self.lanes }
    public var preprocessedGroup: Int { RecursionTables.preprocessedGroup }
    public var numPublicValues: Int { count }
    public func preprocessedTrace() -> RowMajorMatrix<RF>? { fixedColumns }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        b.assertZero(b.main(0))
        let zero = E(RF.zero)
        let used = rowsUsed
        for l in 0..<Self.lanes {
            var value = zero
            for r in 0..<used where r * Self.lanes + l < count {
                value = value + b.fixed(r) * b.publicValue(r * Self.lanes + l)
            }
            b.receive(
                bus: .recursionWitness,
                values: [b.fixed(Fixed.slot(l, rowsUsed: used)), value, zero, zero, zero],
                multiplicity: b.fixed(Fixed.mult(l, rowsUsed: used))
            )
        }
    }

    /// The main trace: zero rows.
    public func trace() -> RowMajorMatrix<RF> { RowMajorMatrix(width: 1, height: height) }
}
