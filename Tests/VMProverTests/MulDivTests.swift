import Algebra
import Stark
import Testing
import VMProver
import VMTestSupport

/// The Mul and DivRem tables driven on their own over the ALU bus: honest tuples (results from
/// `AluOp.evaluate`) prove; wrong results and forged rows do not.
@Suite(.oneProofAtATime) struct MulDivTests {
    static let config = StarkConfig<VMField>.testing
    static let intMin: UInt32 = 0x8000_0000

    static func word(_ v: Int32) -> UInt32 { UInt32(bitPattern: v) }

    /// The ALU tuple claiming `op(a, b) = c`.
    static func tuple(_ op: AluOp, _ a: UInt32, _ b: UInt32, c: UInt32) -> [VMField] {
        [op.field, VMField(a & 0xffff), VMField(a >> 16), VMField(b & 0xffff), VMField(b >> 16)]
            + [VMField(c & 0xffff), VMField(c >> 16)]
    }
    static func tuple(_ e: AluEvent) -> [VMField] { tuple(e.op, e.a, e.b, c: e.c) }

    /// The driver, `air` with `trace`, and the range and byte tables built from `counter`.
    static func tables(
        _ air: any Air<VMField>,
        _ trace: RowMajorMatrix<VMField>,
        counter: LookupCounter,
        tuples: [[VMField]]
    ) -> [TableInput<VMField>] {
        [
            TableInput(air: BusDriverAir(bus: .vmAlu, arity: 7), trace: BusDriverAir.trace(arity: 7, tuples: tuples)),
            TableInput(air: air, trace: trace),
            TableInput(air: RangeTableAir(), trace: RangeTableAir.trace(counter)),
            TableInput(air: BytePairTableAir(), trace: BytePairTableAir.trace(counter)),
        ]
    }

    static func proveAndVerify(_ tables: [TableInput<VMField>]) throws {
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkConstraints: true))
        try StarkVerifier(config: config).verify(airs: tables.map(\.air), proof: proof)
    }

    enum Refusal: Equatable {
        case constraint(table: String)
        case unbalancedBuses
    }

    /// How `tables` are refused by the checks a proof stands on, read off the traces
    /// (`traceRefusal`: every constraint of every table, then every bus's balance; the prover's own
    /// checks). With `endToEnd` (one forgery per table: each table's suite shows the verifier's
    /// side once), a proof made with the prover's checks off must also be rejected by the verifier.
    static func refusal(_ tables: [TableInput<VMField>], endToEnd: Bool = false) throws -> Refusal? {
        if endToEnd { #expect(forgedProofRejected(tables), "the verifier accepted a forged proof") }
        switch traceRefusal(tables) {
        case .constraintFailure(let c)?: return .constraint(table: c.table)
        case .unbalancedBuses?: return .unbalancedBuses
        default: return nil
        }
    }

    // MARK: Events

    /// Edge values × edge values, mixed-sign small pairs and random pairs (some with short
    /// divisors), for each of `ops`: at most 512 events.
    static func events(_ ops: [AluOp]) -> [AluEvent] {
        let edges: [UInt32] = [0, 1, 2, 0x7FFF_FFFF, intMin, 0x8000_0001, 0xFFFF_FFFF, 0xFFFF_FFFE, 0x0001_0000]
        var pairs: [(UInt32, UInt32)] = []
        for a in edges { for b in edges { pairs.append((a, b)) } }
        for (a, b): (Int32, Int32) in [(17, 5), (-17, 5), (17, -5), (-17, -5), (7, 7), (-7, 7), (6, -7), (-1, 3)] {
            pairs.append((word(a), word(b)))
        }
        var rng = SplitMix(state: 0x5EED)
        for k in 0..<36 {
            let a = rng.word()
            let b = rng.word() >> (k % 4 == 0 ? 0 : rng.word() % 32)
            pairs.append((a, k % 2 == 0 ? b : 0 &- b))
        }
        return pairs.flatMap { p in ops.map { AluEvent(op: $0, a: p.0, b: p.1) } }
    }

    // MARK: Lookups read off a trace

    /// Re-reads the range and byte lookups a table's rows make by running its AIR on them, so
    /// that a test can forge a row and rebuild the lookup tables to match. Lookups no table row
    /// can serve (a value out of range) are dropped: the bus is then unbalanced on them alone.
    struct LookupRecorder: AirBuilder {
        typealias F = VMField
        typealias Expr = ScalarExpr<VMField>
        let values: [VMField]
        let width: Int
        var row = 0
        var counter = LookupCounter()
        /// Interactions with a non-zero multiplicity on the current row.
        var active = 0

        func main(_ column: Int) -> Expr { Expr(values[row * width + column]) }
        func next(_ column: Int) -> Expr { Expr(values[((row + 1) * width + column) % values.count]) }
        func fixed(_ column: Int) -> Expr { Expr(.zero) }
        func fixedNext(_ column: Int) -> Expr { Expr(.zero) }
        func publicValue(_ index: Int) -> Expr { Expr(.zero) }
        var isFirstRow: Expr { Expr(row == 0 ? .one : .zero) }
        var isLastRow: Expr { Expr(row == values.count / width - 1 ? .one : .zero) }
        var isTransition: Expr { Expr(row == values.count / width - 1 ? .zero : .one) }
        mutating func assertZero(_ constraint: Expr) {}

        mutating func interact(bus: Bus, values tuple: [Expr], multiplicity: Expr) {
            guard !multiplicity.v.isZero else { return }
            active += 1
            let m = multiplicity.v.canonical
            let v = tuple.map(\.v.canonical)
            if bus == .vmRange, (1...16).contains(v[0]), v[1] < 1 << v[0] {
                counter.range[Int(v[0])][Int(v[1])] &+= m
            } else if bus == .vmBytes, let op = ByteOp(rawValue: v[0]), v[1] < 256, v[2] < 256 {
                let r: UInt32
                switch op {
                case .and: r = v[1] & v[2]
                case .or: r = v[1] | v[2]
                case .xor: r = v[1] ^ v[2]
                }
                if r == v[3] { counter.bytes[Int(op.rawValue) - 1][Int(v[1] << 8 | v[2])] &+= m }
            }
        }

        /// The lookups of every row, and the number of interactions on rows `from…`.
        static func lookups<A: Air>(
            _ air: A,
            _ trace: RowMajorMatrix<VMField>,
            activeFrom: Int = .max
        )
            -> (LookupCounter, Int) where A.F == VMField
        {
            var r = LookupRecorder(values: trace.values, width: trace.width)
            var activeAfter = 0
            for row in 0..<trace.height {
                r.row = row
                r.active = 0
                air.eval(&r)
                if row >= activeFrom { activeAfter += r.active }
            }
            return (r.counter, activeAfter)
        }
    }

    static func sameCounts(_ x: LookupCounter, _ y: LookupCounter) -> Bool { x.range == y.range && x.bytes == y.bytes }

    /// The tables for a forged `air` trace with lookups recounted from its rows.
    static func forgedTables<A: Air>(
        _ air: A,
        _ trace: RowMajorMatrix<VMField>,
        tuples: [[VMField]]
    )
        -> [TableInput<VMField>] where A.F == VMField
    {
        tables(air, trace, counter: LookupRecorder.lookups(air, trace).0, tuples: tuples)
    }

    // MARK: Honest

    /// Spot checks of the reference against the RISC-V specification's table of special cases.
    @Test func referenceSemantics() {
        #expect(AluOp.div.evaluate(7, 0) == 0xFFFF_FFFF)
        #expect(AluOp.divu.evaluate(7, 0) == 0xFFFF_FFFF)
        #expect(AluOp.rem.evaluate(7, 0) == 7)
        #expect(AluOp.remu.evaluate(7, 0) == 7)
        #expect(AluOp.div.evaluate(Self.intMin, 0xFFFF_FFFF) == Self.intMin)
        #expect(AluOp.rem.evaluate(Self.intMin, 0xFFFF_FFFF) == 0)
        #expect(AluOp.div.evaluate(Self.word(-7), 2) == Self.word(-3))  // truncation toward zero
        #expect(AluOp.rem.evaluate(Self.word(-7), 2) == Self.word(-1))  // sign of the dividend
        #expect(AluOp.mulh.evaluate(Self.word(-1), Self.word(-1)) == 0)
        #expect(AluOp.mulhu.evaluate(0xFFFF_FFFF, 0xFFFF_FFFF) == 0xFFFF_FFFE)
        #expect(AluOp.mulhsu.evaluate(Self.word(-1), 0xFFFF_FFFF) == 0xFFFF_FFFF)
    }

    /// Honest multiplications and divisions proven together: one driver sends both tables'
    /// tuples, and one range and one byte table answer the lookups of both (one proof instead of
    /// one per table, each carrying the lookup tables).
    @Test func honestMultiplicationsAndDivisionsProve() throws {
        let multiplications = Self.events([.mul, .mulh, .mulhsu, .mulhu])
        let divisions = Self.events([.div, .divu, .rem, .remu])
        var counter = LookupCounter()
        let mul = MulAir.trace(events: multiplications, counter: &counter)
        let divRem = DivRemAir.trace(events: divisions, counter: &counter)
        let tuples = (multiplications + divisions).map(Self.tuple)
        try Self.proveAndVerify(
            Self.tables(MulAir(), mul, counter: counter, tuples: tuples) + [TableInput(air: DivRemAir(), trace: divRem)]
        )
    }

    /// `trace` records exactly the lookups the AIR makes, and padding rows interact with nothing.
    @Test(arguments: ["Mul", "DivRem"])
    func traceRecordsItsLookups(_ table: String) {
        var counter = LookupCounter()
        let recounted: LookupCounter
        let paddingInteractions: Int
        if table == "Mul" {
            let events = Array(Self.events([.mul, .mulh, .mulhsu, .mulhu]).prefix(100))
            let trace = MulAir.trace(events: events, counter: &counter)
            #expect(trace.height == 128)
            (recounted, paddingInteractions) = LookupRecorder.lookups(MulAir(), trace, activeFrom: events.count)
        } else {
            let events = Array(Self.events([.div, .divu, .rem, .remu]).prefix(100))
            let trace = DivRemAir.trace(events: events, counter: &counter)
            #expect(trace.height == 128)
            (recounted, paddingInteractions) = LookupRecorder.lookups(DivRemAir(), trace, activeFrom: events.count)
        }
        #expect(Self.sameCounts(counter, recounted))
        #expect(paddingInteractions == 0)
    }

    // MARK: Wrong results

    /// An honest table row cannot back a wrong result: the ALU bus does not balance.
    @Test(arguments: [
        (AluOp.mulh, MulDivTests.intMin, UInt32(0xFFFF_FFFF)), (.mulhsu, 0xFFFF_FFFF, 3),
        (.div, MulDivTests.intMin, 0xFFFF_FFFF),
        (.remu, 5, 0), (.rem, MulDivTests.word(-17), 5),
    ])
    func wrongResultRejected(_ op: AluOp, _ a: UInt32, _ b: UInt32) throws {
        let e = AluEvent(op: op, a: a, b: b)
        var counter = LookupCounter()
        let air: any Air<VMField> = MulAir.ops.contains(op) ? MulAir() : DivRemAir()
        let trace =
            MulAir.ops.contains(op)
            ? MulAir.trace(events: [e], counter: &counter) : DivRemAir.trace(events: [e], counter: &counter)
        let tables = Self.tables(air, trace, counter: counter, tuples: [Self.tuple(op, a, b, c: e.c ^ 0x8000_0001)])
        #expect(try Self.refusal(tables) == .unbalancedBuses)
    }

    // MARK: Forged Mul rows

    static func set(_ m: inout RowMajorMatrix<VMField>, _ row: Int, _ column: Int, _ value: VMField) {
        m.values[row * m.width + column] = value
    }
    static func get(_ m: RowMajorMatrix<VMField>, _ row: Int, _ column: Int) -> VMField {
        m.values[row * m.width + column]
    }

    /// Rows that satisfy every limb equation in the field but lie about the product.
    @Test(arguments: ["carry out of range", "limb out of range", "wrong sign bit", "non-boolean flags"])
    func forgedMulRowRejected(_ what: String) throws {
        typealias Col = MulAir.Col
        var counter = LookupCounter()
        let inv = VMField(UInt32(65536)).inverse()!
        switch what {
        case "carry out of range":
            // Low word one too high: p0 + 1, and every carry shifted by −2^(−16k) to keep the
            // equations: only the carries' range checks can object.
            let e = AluEvent(op: .mul, a: 0x1234_5678, b: 0x9ABC_DEF0)
            var m = MulAir.trace(events: [e], counter: &counter)
            Self.set(&m, 0, Col.product, Self.get(m, 0, Col.product) + 1)
            var shift = VMField.one
            for k in 0..<4 {
                shift *= inv
                Self.set(&m, 0, Col.carries + k, Self.get(m, 0, Col.carries + k) - shift)
            }
            let tables = Self.forgedTables(MulAir(), m, tuples: [Self.tuple(.mul, e.a, e.b, c: e.c &+ 1)])
            // The Mul table's end-to-end forgery: its proof fails the verifier's bus sum.
            #expect(try Self.refusal(tables, endToEnd: true) == .unbalancedBuses)
        case "limb out of range":
            // The same product with non-canonical limbs: p0 + 2^16, carry k0 − 1, p1 − 1 (the
            // word is unchanged, but the claimed low limb is not 16-bit).
            let e = AluEvent(op: .mul, a: 0x1234_5678, b: 0x9ABC_DEF0)
            var m = MulAir.trace(events: [e], counter: &counter)
            let p0 = Self.get(m, 0, Col.product) + VMField(UInt32(65536))
            let p1 = Self.get(m, 0, Col.product + 1) - 1
            #expect(e.c >> 16 > 0)
            Self.set(&m, 0, Col.product, p0)
            Self.set(&m, 0, Col.product + 1, p1)
            Self.set(&m, 0, Col.carries, Self.get(m, 0, Col.carries) - 1)
            var t = Self.tuple(e)
            t[5] = p0
            t[6] = p1
            #expect(try Self.refusal(Self.forgedTables(MulAir(), m, tuples: [t])) == .unbalancedBuses)
        case "wrong sign bit":
            // MULH(−1, −1) claimed as MULHU's 0xFFFFFFFE: the MULHU row relabelled, signs left 0.
            let e = AluEvent(op: .mulhu, a: 0xFFFF_FFFF, b: 0xFFFF_FFFF)
            var m = MulAir.trace(events: [e], counter: &counter)
            Self.set(&m, 0, Col.flags + 3, .zero)
            Self.set(&m, 0, Col.flags + 1, .one)
            let tables = Self.forgedTables(MulAir(), m, tuples: [Self.tuple(.mulh, e.a, e.b, c: e.c)])
            #expect(try Self.refusal(tables) == .unbalancedBuses)
        default:
            // f_mul = 2, f_mulh = −1: one "real" row whose op code is 2·MUL − MULH = EQ, claiming
            // EQ(5, 5) = 2·p0 − p2 = 50. Only the flags' boolean checks object.
            let e = AluEvent(op: .mul, a: 5, b: 5)
            var m = MulAir.trace(events: [e], counter: &counter)
            Self.set(&m, 0, Col.flags, VMField(2))
            Self.set(&m, 0, Col.flags + 1, -VMField.one)
            let tables = Self.forgedTables(MulAir(), m, tuples: [Self.tuple(.eq, 5, 5, c: 50)])
            #expect(try Self.refusal(tables) == .constraint(table: "Mul"))
        }
    }

    // MARK: Forged DivRem rows

    struct Forgery: Sendable, CustomTestStringConvertible {
        var name: String
        var op: AluOp
        var a: UInt32
        var b: UInt32
        /// The claimed quotient and remainder (they satisfy `a = b·q + r` unless said otherwise).
        var q: UInt32
        var r: UInt32
        var overflow: Bool? = nil
        var expected: Refusal
        var testDescription: String { name }
    }

    static let divForgeries: [Forgery] = [
        // 17 = 5·2 + 7: the remainder is not below the divisor.
        Forgery(
            name: "wrong quotient, matching remainder",
            op: .divu,
            a: 17,
            b: 5,
            q: 2,
            r: 7,
            expected: .unbalancedBuses
        ),
        // −17 = 5·(−4) + 3: floor division, the remainder has the divisor's sign, not the dividend's.
        Forgery(
            name: "remainder of the wrong sign",
            op: .div,
            a: word(-17),
            b: 5,
            q: word(-4),
            r: 3,
            expected: .constraint(table: "DivRem")
        ),
        // 17 = (−5)·(−2) + 7: |r| ≥ |b| with mixed signs.
        Forgery(name: "signed |r| ≥ |b|", op: .div, a: 17, b: word(-5), q: word(-2), r: 7, expected: .unbalancedBuses),
        // −17 = (−5)·2 − 7: REM returns the too-large remainder.
        Forgery(
            name: "signed remainder too large",
            op: .rem,
            a: word(-17),
            b: word(-5),
            q: 2,
            r: word(-7),
            expected: .unbalancedBuses
        ),
        // 9 / 0 with quotient 0 (9 = 0·0 + 9): the quotient must be all ones.
        Forgery(
            name: "division by zero, quotient 0",
            op: .divu,
            a: 9,
            b: 0,
            q: 0,
            r: 9,
            expected: .constraint(table: "DivRem")
        ),
        // −2^31 / −2 read with the overflow flag: a counts as +2^31 = (−2)·(−2^30), a false −2^30.
        Forgery(
            name: "overflow flag off the overflow case",
            op: .div,
            a: intMin,
            b: word(-2),
            q: 0xC000_0000,
            r: 0,
            overflow: true,
            expected: .constraint(table: "DivRem")
        ),
    ]

    @Test(arguments: MulDivTests.divForgeries)
    func forgedDivRemRowRejected(_ f: Forgery) throws {
        var t = TraceBuilder(width: DivRemAir().width, height: 4)
        let w = DivRemAir.writeRow(&t, 0, op: f.op, a: f.a, b: f.b, q: f.q, r: f.r, overflow: f.overflow)
        #expect(w.exact)  // the forged row satisfies the product identity
        let c = f.op == .div || f.op == .divu ? f.q : f.r
        #expect(c != f.op.evaluate(f.a, f.b))  // and claims a false result
        let tables = Self.forgedTables(DivRemAir(), t.matrix, tuples: [Self.tuple(f.op, f.a, f.b, c: c)])
        #expect(try Self.refusal(tables) == f.expected)
    }

    /// f_divu = 2, f_remu = −1 on the honest DIVU(17, 5) row: one "real" row whose op code is
    /// 2·DIVU − REMU = MULHU and whose output is 2·q − r = 4, claiming MULHU(17, 5) = 4. Every
    /// other constraint still holds; only the flags' boolean checks object.
    @Test func forgedDivRemFlagsRejected() throws {
        typealias Col = DivRemAir.Col
        let e = AluEvent(op: .divu, a: 17, b: 5)
        var counter = LookupCounter()
        var m = DivRemAir.trace(events: [e], counter: &counter)
        Self.set(&m, 0, Col.flags + 1, VMField(2))
        Self.set(&m, 0, Col.flags + 3, -VMField.one)
        #expect(AluOp.mulhu.evaluate(17, 5) != 4)
        let tables = Self.forgedTables(DivRemAir(), m, tuples: [Self.tuple(.mulhu, 17, 5, c: 4)])
        // The DivRem table's end-to-end forgery: its proof fails the verifier's constraint check.
        #expect(try Self.refusal(tables, endToEnd: true) == .constraint(table: "DivRem"))
    }

    /// REMU(1000, 300) = 101 with r_lo + 1 and every carry shifted by 2^(−16k): all equations
    /// hold in the field, only the carries' range checks object.
    @Test func divRemCarryOutOfRangeRejected() throws {
        typealias Col = DivRemAir.Col
        let e = AluEvent(op: .remu, a: 1000, b: 300)
        var counter = LookupCounter()
        var m = DivRemAir.trace(events: [e], counter: &counter)
        let inv = VMField(UInt32(65536)).inverse()!
        Self.set(&m, 0, Col.r, Self.get(m, 0, Col.r) + 1)
        Self.set(&m, 0, Col.dLo, Self.get(m, 0, Col.dLo) - 1)
        var shift = VMField.one
        for k in 0..<4 {
            shift *= inv
            Self.set(&m, 0, Col.carries + k, Self.get(m, 0, Col.carries + k) + shift)
        }
        let tables = Self.forgedTables(DivRemAir(), m, tuples: [Self.tuple(.remu, 1000, 300, c: 101)])
        #expect(try Self.refusal(tables) == .unbalancedBuses)
    }
}
