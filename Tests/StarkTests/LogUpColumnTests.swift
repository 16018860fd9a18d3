import Algebra
import Stark
import Testing

/// Sends each of its columns on ``Bus/bytes`` (multiplicity `multiplicity`), and, when
/// `productColumn`, also the product of columns 0 and 1 (a degree-2 fingerprint). No
/// constraints of its own: only the LogUp columns bind it.
struct ByteColumnsAir<F: StarkPackedField>: Air {
    var columns: Int
    var productColumn = false
    var name: String { "ByteColumns" }
    var width: Int { columns }

    func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        for c in 0..<columns { b.send(bus: .bytes, values: [b.main(c)]) }
        if productColumn { b.send(bus: .bytes, values: [b.main(0) * b.main(1)]) }
    }

    /// Rows of bytes; the byte table that balances them.
    static func tables(columns: Int, rows: Int) -> [TableInput<F>] {
        var values: [F] = []
        var counts = [UInt32](repeating: 0, count: 256)
        for r in 0..<rows {
            for c in 0..<columns {
                let v = UInt32((r * 37 + c * 101 + 5) & 0xff)
                values.append(F(v))
                counts[Int(v)] += 1
            }
        }
        return [
            TableInput(air: ByteColumnsAir(columns: columns), trace: RowMajorMatrix(values: values, width: columns)),
            TableInput(air: ByteTableAir<F>(), trace: RowMajorMatrix(values: counts.map { F($0) }, width: 1)),
        ]
    }
}

/// Several interactions share one LogUp column when the degree budget allows
/// (``AirShape/logUpColumns``): the packing rule, and proofs of packed tables.
@Suite("LogUp columns shared by interactions")
struct LogUpColumnTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing

    /// Degree-1 fingerprints with constant multiplicities pair up at degree 3
    /// (`h·d₁·d₂ − d₂ − d₁`) once that saves two columns; a third would need degree 4.
    @Test func packingRule() {
        let five = AirShape(of: ByteColumnsAir<F>(columns: 5))
        #expect(five.logUpColumns == [0..<2, 2..<4, 4..<5])
        #expect(five.maxConstraintDegree == 3)
        #expect(five.auxExtensionColumns == 4)
        // Three interactions would save one column only: one column each, degree 2 stays.
        let three = AirShape(of: ByteColumnsAir<F>(columns: 3))
        #expect(three.logUpColumns == [0..<1, 1..<2, 2..<3])
        #expect(three.maxConstraintDegree == 2)
        // A degree-2 fingerprint makes the table degree 3 anyway; it cannot share a column
        // (1 + 1 + 2 > 3), the degree-1 ones pair.
        let product = AirShape(of: ByteColumnsAir<F>(columns: 3, productColumn: true))
        #expect(product.logUpColumns == [0..<2, 2..<3, 3..<4])
        #expect(product.maxConstraintDegree == 3)
        // The byte table's single interaction keeps its own column.
        #expect(AirShape(of: ByteTableAir<F>()).logUpColumns == [0..<1])
    }

    /// 64 rows take the row-by-row LogUp trace path, 2048 rows the packed one (blocks of 512).
    @Test(arguments: [5, 8], [64, 2048])
    func packedTableProves(columns: Int, rows: Int) throws {
        let tables = ByteColumnsAir<F>.tables(columns: columns, rows: rows)
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkConstraints: true))
        let shape = AirShape(of: tables[0].air)
        #expect(shape.logUpColumns.count == (columns + 1) / 2)
        #expect(proof.tables[0].openings.auxLocal.count == 4 * shape.auxExtensionColumns)
        try StarkVerifier(config: config).verify(airs: tables.map(\.air), bytes: proof.encoded())
    }

    /// A value outside the byte table in the second member of a shared column: the buses do not
    /// balance, the prover says so, and a proof made anyway is rejected.
    @Test(arguments: [1, 4], [64, 2048])
    func unbalancedSharedColumnRejected(column: Int, rows: Int) throws {
        var tables = ByteColumnsAir<F>.tables(columns: 5, rows: rows)
        var trace = tables[0].trace
        trace[rows - 9, column] = F(300)
        tables[0] = TableInput(air: tables[0].air, trace: trace)
        #expect(throws: ProverError.unbalancedBuses) { _ = try StarkProver(config: config).prove(tables) }
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkBuses: false))
        #expect(throws: VerificationError.unbalancedBuses) {
            try StarkVerifier(config: config).verify(airs: tables.map(\.air), proof: proof)
        }
    }
}

/// A table whose interactions read the next row: each row sends its successor (cyclically)
/// and receives itself, and sends `2·next` with multiplicity `next + 1` against `2·local` with
/// multiplicity `local + 1`. Both buses balance for any column (the cyclic shift is a
/// permutation), so a proof exists only if the LogUp trace reads `next` in values and
/// multiplicities correctly on both of its paths (rows one by one, and eight packed rows at a
/// time). (Row selectors are for constraints only; interactions do not use them.)
struct NextRowAir<F: StarkPackedField>: Air {
    static var cycle: Bus { Bus(41, name: "cycle") }
    static var weighted: Bus { Bus(42, name: "weighted") }
    var name: String { "NextRow" }
    var width: Int { 1 }

    func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.send(bus: Self.cycle, values: [b.next(0)])
        b.receive(bus: Self.cycle, values: [b.main(0)])
        b.send(bus: Self.weighted, values: [b.next(0) * 2], multiplicity: b.next(0) + 1)
        b.receive(bus: Self.weighted, values: [b.main(0) * 2], multiplicity: b.main(0) + 1)
    }
}

/// Sends its column with multiplicity `isFirstRow`: not allowed (see ``AirBuilder/interact(bus:values:multiplicity:)``).
struct SelectorMultiplicityAir<F: StarkPackedField>: Air {
    var name: String { "SelectorMultiplicity" }
    var width: Int { 1 }

    func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.send(bus: NextRowAir<F>.cycle, values: [b.main(0)], multiplicity: b.isFirstRow)
        b.receive(bus: NextRowAir<F>.cycle, values: [b.main(0)], multiplicity: b.isFirstRow)
    }
}

@Suite("LogUp with next-row interactions")
struct LogUpNextRowTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing

    /// A row selector in an interaction is refused up front with the table and interaction
    /// named, not left to fail later at the out-of-domain check.
    @Test func selectorInInteractionRefused() throws {
        let tables = [
            TableInput(
                air: SelectorMultiplicityAir<F>(),
                trace: RowMajorMatrix(values: [F](repeating: .one, count: 8), width: 1)
            )
        ]
        #expect(try AirShape(of: SelectorMultiplicityAir<F>()).interactions.allSatisfy(\.usesSelector))
        #expect(try !AirShape(of: NextRowAir<F>()).interactions.contains { $0.usesSelector })
        do {
            _ = try StarkProver(config: config).prove(tables)
            Issue.record("an interaction with a selector was proven")
        } catch {
            guard case .shape(let why) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(why.contains("SelectorMultiplicity") && why.contains("selector"))
        }
    }

    @Test(arguments: [64, 2048])
    func provesOnBothPaths(rows: Int) throws {
        let values = (0..<rows).map { F(UInt32(($0 * 7919 + 13) % 100_003)) }
        let tables = [TableInput(air: NextRowAir<F>(), trace: RowMajorMatrix(values: values, width: 1))]
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkConstraints: true))
        try StarkVerifier(config: config).verify(airs: tables.map(\.air), bytes: proof.encoded())
    }
}
