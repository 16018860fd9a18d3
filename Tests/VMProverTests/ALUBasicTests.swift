import Algebra
import Stark
import Testing
import VMProver
import VMTestSupport

/// The AddSub, Bitwise, Compare and Shift tables driven on their own over the ALU bus: honest
/// tuples (results from `AluOp.evaluate`) prove; wrong results and forged rows do not.
@Suite(.oneProofAtATime) struct ALUBasicTests {
    /// The four tables under test.
    enum Table: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case addSub, bitwise, compare, shift

        var testDescription: String { rawValue }

        var air: any Air<VMField> {
            switch self {
            case .addSub: AddSubAir()
            case .bitwise: BitwiseAir()
            case .compare: CompareAir()
            case .shift: ShiftAir()
            }
        }

        var ops: Set<AluOp> {
            switch self {
            case .addSub: AddSubAir.ops
            case .bitwise: BitwiseAir.ops
            case .compare: CompareAir.ops
            case .shift: ShiftAir.ops
            }
        }

        func trace(_ events: [AluEvent], _ counter: inout LookupCounter) -> RowMajorMatrix<VMField> {
            switch self {
            case .addSub: AddSubAir.trace(events: events, counter: &counter)
            case .bitwise: BitwiseAir.trace(events: events, counter: &counter)
            case .compare: CompareAir.trace(events: events, counter: &counter)
            case .shift: ShiftAir.trace(events: events, counter: &counter)
            }
        }
    }

    /// p = 2^31 − 2^24 + 1 as a word: a − b = p must not look like a − b = 0.
    static let modulusWord: UInt32 = 0x7F00_0001

    /// The ALU tuple claiming `op(a, b) = c`.
    static func tuple(_ op: AluOp, _ a: UInt32, _ b: UInt32, c: UInt32) -> [VMField] {
        [op.field, VMField(a & 0xffff), VMField(a >> 16), VMField(b & 0xffff), VMField(b >> 16)]
            + [VMField(c & 0xffff), VMField(c >> 16)]
    }
    static func tuple(_ e: AluEvent) -> [VMField] { tuple(e.op, e.a, e.b, c: e.c) }

    /// Whether `tuple` states a true fact: a known op, 16-bit limbs and `c = op(a, b)`.
    static func isTrue(_ tuple: [VMField]) -> Bool {
        let v = tuple.map(\.canonical)
        guard let op = AluOp(rawValue: v[0]), v[1...].allSatisfy({ $0 < 1 << 16 }) else { return false }
        return op.evaluate(v[1] | v[2] << 16, v[3] | v[4] << 16) == v[5] | v[6] << 16
    }

    /// The driver sending `tuples`, `table` with `trace`, and the lookup table it uses with its
    /// multiplicities from `counter`: the byte table for Bitwise (its only lookups), the range table
    /// for the others (which make no byte lookups). Leaving out the unused one halves a proof's time.
    static func tables(
        _ table: Table,
        _ trace: RowMajorMatrix<VMField>,
        counter: LookupCounter,
        tuples: [[VMField]]
    )
        -> [TableInput<VMField>]
    {
        [
            TableInput(air: BusDriverAir(bus: .vmAlu, arity: 7), trace: BusDriverAir.trace(arity: 7, tuples: tuples)),
            TableInput(air: table.air, trace: trace),
            table == .bitwise
                ? TableInput(air: BytePairTableAir(), trace: BytePairTableAir.trace(counter))
                : TableInput(air: RangeTableAir(), trace: RangeTableAir.trace(counter)),
        ]
    }

    // MARK: Events

    static let edges: [UInt32] = [
        0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, modulusWord,
    ]

    /// Shift amounts: 0, 31, 32, 33, limb and byte boundaries, srai's immediate (0x400 | s),
    /// and registers with garbage above bit 4.
    static let shiftAmounts: [UInt32] = [
        0, 1, 4, 8, 15, 16, 17, 24, 31, 32, 33, 0x405, 0x41F, 0x0001_0003, 0xFFFF_FFE0, 0xFFFF_FFFF, 0xDEAD_BEEF,
    ]

    /// A few hundred events for `table`: edge pairs, near-equal pairs, random pairs.
    static func events(_ table: Table) -> [AluEvent] {
        var rng = SplitMix(state: 0x5EED_0000 &+ UInt64(Table.allCases.firstIndex(of: table)!))
        var out: [AluEvent] = []
        let ops = table.ops.sorted { $0.rawValue < $1.rawValue }
        for op in ops {
            if table == .shift {
                let values: [UInt32] = [
                    0, 1, 0x8000_0000, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1234_5678, 0x8765_4321, 0xFFFF_7FFF,
                ]
                for a in values { for b in shiftAmounts { out.append(AluEvent(op: op, a: a, b: b)) } }
                for _ in 0..<16 { out.append(AluEvent(op: op, a: rng.word(), b: rng.word())) }
            } else {
                for a in edges { for b in edges { out.append(AluEvent(op: op, a: a, b: b)) } }
                for _ in 0..<24 {
                    let a = rng.word()
                    out.append(AluEvent(op: op, a: a, b: rng.word()))
                    // Equal or close: only one limb differs, or they differ by one.
                    out.append(AluEvent(op: op, a: a, b: [a, a &+ 1, a ^ 0x1_0000, a ^ 1][Int(rng.word() & 3)]))
                }
            }
        }
        return out
    }

    // MARK: Honest traces

    @Test func referenceSemantics() {
        // Straight from the RISC-V spec: only the low 5 bits of the amount count, arithmetic
        // shifts copy the sign, signed and unsigned orders differ on the sign bit.
        #expect(AluOp.add.evaluate(0xFFFF_FFFF, 1) == 0)
        #expect(AluOp.sub.evaluate(0, 1) == 0xFFFF_FFFF)
        #expect(AluOp.sll.evaluate(1, 33) == 2)
        #expect(AluOp.srl.evaluate(0x8000_0000, 31) == 1)
        #expect(AluOp.sra.evaluate(0x8000_0000, 0x404) == 0xF800_0000)
        #expect(AluOp.sra.evaluate(0x4000_0000, 0x41E) == 1)
        #expect(AluOp.slt.evaluate(0xFFFF_FFFF, 0) == 1)
        #expect(AluOp.sltu.evaluate(0xFFFF_FFFF, 0) == 0)
        #expect(AluOp.eq.evaluate(Self.modulusWord, 0) == 0)
    }

    /// The trace generator records exactly the lookups the rows make.
    @Test(arguments: Table.allCases)
    func traceRecordsItsLookups(_ table: Table) {
        let events = Self.events(table)
        #expect(events.count >= 200 && events.count <= 512)
        var counter = LookupCounter()
        let trace = table.trace(events, &counter)
        let made = answerableLookups(table.air, trace)
        #expect(made.range == counter.range)
        #expect(made.bytes == counter.bytes)
    }

    /// Every table's honest events proven together: one driver sends all their tuples, each table
    /// receives its own, and one range and one byte table answer the lookups of all four (one
    /// proof instead of one per table, each carrying a lookup table).
    @Test func honestEventsProve() throws {
        var counter = LookupCounter()
        var tuples: [[VMField]] = []
        var tables: [TableInput<VMField>] = []
        for table in Table.allCases {
            let events = Self.events(table)
            tables.append(TableInput(air: table.air, trace: table.trace(events, &counter)))
            tuples += events.map(Self.tuple)
        }
        try proveAndVerify(
            [TableInput(air: BusDriverAir(bus: .vmAlu, arity: 7), trace: BusDriverAir.trace(arity: 7, tuples: tuples))]
                + tables + [
                    TableInput(air: RangeTableAir(), trace: RangeTableAir.trace(counter)),
                    TableInput(air: BytePairTableAir(), trace: BytePairTableAir.trace(counter)),
                ]
        )
    }

    @Test(arguments: Table.allCases)
    func paddingRowsAreInert(_ table: Table) {
        var counter = LookupCounter()
        let trace = table.trace([], &counter)
        #expect(trace.height == 4)
        #expect(interactions(of: table.air, trace: trace).isEmpty)  // padding rows send and receive nothing
        #expect(checkConstraints(air: table.air, trace: trace, publicValues: []) == nil)
    }

    @Test func opSetsPartitionTheBasicOps() {
        let all = Table.allCases.map(\.ops)
        for (i, ops) in all.enumerated() {
            for (j, other) in all.enumerated() where i != j { #expect(ops.isDisjoint(with: other)) }
        }
        #expect(
            all.reduce(Set()) { $0.union($1) } == [.add, .sub, .xor, .or, .and, .sll, .srl, .sra, .slt, .sltu, .eq]
        )
    }

    // MARK: Wrong results in the tuple

    /// Events whose tuple claims a wrong result (the honest row receives the true one): a carry out
    /// of the word, a borrow, bytes, srai's immediate, a signed compare and `a − b = p`.
    @Test(arguments: [
        AluEvent(op: .add, a: 0xFFFF_FFFF, b: 1), AluEvent(op: .sub, a: 0, b: 1),
        AluEvent(op: .and, a: 0xFFFF_FFFF, b: 0x8000_8000), AluEvent(op: .sra, a: 0x8000_0000, b: 0x404),
        AluEvent(op: .slt, a: 0xFFFF_FFFF, b: 0), AluEvent(op: .eq, a: modulusWord, b: 0),
    ])
    func wrongResultRejected(_ event: AluEvent) {
        let table = Table.allCases.first { $0.ops.contains(event.op) }!
        var counter = LookupCounter()
        let trace = table.trace([event], &counter)
        let c = event.c
        // A flipped compare bit, otherwise a wrong high limb.
        let lie = table == .compare ? c ^ 1 : c ^ 0x8000_0000
        let tables = Self.tables(
            table,
            trace,
            counter: counter,
            tuples: [Self.tuple(event.op, event.a, event.b, c: lie)]
        )
        // The checks a proof stands on, read off the traces (each table's end-to-end forgery is
        // in `forgedRowRejected`).
        #expect(traceRefusal(tables) == .unbalancedBuses)
    }

    // MARK: Forged rows

    /// How a forgery must be caught: by a constraint of the table, or by a lookup no table answers.
    enum Catch: Sendable { case constraint, bus }

    /// The row of one event, edited.
    struct Row {
        var values: [VMField]
        subscript(_ column: Int) -> VMField {
            get { values[column] }
            set { values[column] = newValue }
        }
        /// Sets a column to a small integer, or to `p − |value|` for a negative one.
        mutating func set(_ column: Int, _ value: Int) {
            values[column] = value >= 0 ? VMField(UInt32(value)) : -VMField(UInt32(-value))
        }
    }

    /// A forged row: the honest row of `event` edited by `edit`, driven by exactly the ALU tuples the
    /// edited row receives and with every lookup it makes that the range and byte tables can
    /// answer counted (the best a cheating prover can do), so only the table's own constraints
    /// and unanswerable lookups stand in the way.
    struct Forgery: Sendable, CustomTestStringConvertible {
        var name: String
        var table: Table
        var event: AluEvent
        var caught: Catch
        /// Whether the forged row claims a false result (false for structural forgeries).
        var lies = true
        /// Whether a proof of the forgery, made with the prover's checks off, is also shown to be
        /// rejected by the verifier: one forgery per table (the others stop at `traceRefusal`,
        /// the prover's checks that the verifier's rest on).
        var endToEnd = false
        var edit: @Sendable (inout Row) -> Void
        var testDescription: String { "\(table.rawValue): \(name)" }

        init(
            _ table: Table,
            _ name: String,
            _ event: AluEvent,
            _ caught: Catch,
            lies: Bool = true,
            endToEnd: Bool = false,
            edit: @escaping @Sendable (inout Row) -> Void
        ) {
            self.table = table
            self.name = name
            self.event = event
            self.caught = caught
            self.lies = lies
            self.endToEnd = endToEnd
            self.edit = edit
        }
    }

    static let forgeries: [Forgery] = {
        typealias AS = AddSubAir.Col
        typealias BW = BitwiseAir.Col
        typealias CM = CompareAir.Col
        typealias SH = ShiftAir.Col
        return [
            // AddSub.
            Forgery(
                .addSub,
                "add result off by one",
                AluEvent(op: .add, a: 0x1_FFFF, b: 1),
                .constraint,
                endToEnd: true
            ) {
                $0[AS.c] += .one
            },
            Forgery(.addSub, "add limb of 2^16 (carry moved into c_lo)", AluEvent(op: .add, a: 0x1_FFFF, b: 1), .bus) {
                $0.set(AS.c, 0x1_0000)
                $0.set(AS.c + 1, 1)
            },
            Forgery(.addSub, "add carry of 2", AluEvent(op: .add, a: 0xFFFF, b: 0xFFFF), .constraint) {
                $0.set(AS.c, -2)
                $0.set(AS.c + 1, 2)
            },
            Forgery(.addSub, "sub borrow dropped", AluEvent(op: .sub, a: 0, b: 1), .constraint) { $0.set(AS.c + 1, 0) },
            Forgery(.addSub, "both flags (op 3 = XOR)", AluEvent(op: .add, a: 3, b: 5), .constraint) {
                $0[AS.fSub] = .one
            },
            Forgery(.addSub, "flag of 2 (op 2 = SUB)", AluEvent(op: .add, a: 1, b: 2), .constraint) {
                $0.set(AS.fAdd, 2)
            },

            // Bitwise.
            Forgery(
                .bitwise,
                "result byte",
                AluEvent(op: .xor, a: 0x1234_5678, b: 0x0F0F_F0F0),
                .bus,
                endToEnd: true
            ) {
                $0[BW.cBytes] += .one
            },
            Forgery(.bitwise, "byte op 4 (ALU op 2 = SUB)", AluEvent(op: .xor, a: 0x1234_5678, b: 0x0F0F_F0F0), .bus) {
                $0.set(BW.bop, 4)
            },
            Forgery(.bitwise, "byte op 0 (ALU op 6 = SLL)", AluEvent(op: .and, a: 1, b: 1), .bus) { $0.set(BW.bop, 0) },
            Forgery(.bitwise, "AND row relabelled XOR", AluEvent(op: .and, a: 0xFF00_FF00, b: 0xF0F0_F0F0), .bus) {
                $0[BW.bop] = ByteOp.xor.field
            },
            Forgery(.bitwise, "non-byte split of a limb", AluEvent(op: .and, a: 0x100, b: 0x100), .bus) {
                $0.set(BW.aBytes, 0x100)  // a0 = 0x100, so a1 = 0 …
                $0.set(BW.cBytes, 0)  // … and AND byte by byte gives 0 & … = 0
                $0.set(BW.cBytes + 1, 0)
            },
            Forgery(.bitwise, "multiplicity 2", AluEvent(op: .or, a: 1, b: 2), .constraint, lies: false) {
                $0.set(BW.real, 2)
            },

            // Compare.
            Forgery(.compare, "slt read unsigned", AluEvent(op: .slt, a: 0xFFFF_FFFF, b: 1), .bus) {
                $0[CM.sa] = .zero  // claim a ≥ 0 …
                $0[CM.k1] = .zero  // … so that a − b does not borrow
                $0[CM.c] = .zero
            },
            Forgery(.compare, "sltu borrow dropped", AluEvent(op: .sltu, a: 1, b: 2), .bus) {
                $0[CM.k1] = .zero
                $0[CM.c] = .zero
            },
            Forgery(.compare, "sltu borrow of 2", AluEvent(op: .sltu, a: 0x1_0000, b: 0xFFFF), .constraint) {
                $0.set(CM.k0, 2)
                $0[CM.k1] = .one
                $0[CM.c] = .one
            },
            Forgery(
                .compare,
                "eq claims a − b = p is 0",
                AluEvent(op: .eq, a: modulusWord, b: 0),
                .constraint,
                endToEnd: true
            ) {
                $0[CM.inv] = .zero
                $0[CM.c] = .one
            },
            Forgery(.compare, "eq claims unequal", AluEvent(op: .eq, a: 7, b: 7), .constraint) { $0[CM.c] = .zero },
            Forgery(.compare, "two flags", AluEvent(op: .sltu, a: 0xFFFF_FFFF, b: 0), .constraint) {
                $0[CM.fSlt] = .one  // op 9 + 10 = 19 (REMU)
            },

            // Shift.
            Forgery(.shift, "amount 4 from b = 0x10003", AluEvent(op: .sll, a: 1, b: 0x1_0003), .bus) {
                for k in 0..<4 { $0[SH.bits + k] = k == 2 ? .one : .zero }
                $0.set(SH.m01, 1)
                $0.set(SH.m, 16)
                $0.set(SH.c, 16)  // v_lo = 1, e = 0 stay right for t = 4
            },
            Forgery(.shift, "amount 19 from b = 3", AluEvent(op: .srl, a: 0x8000_0000, b: 3), .bus) {
                $0[SH.fSr] = .zero
                $0[SH.fSr16] = .one
                $0.set(SH.c, 0x1000)  // a_hi >> 3
                $0.set(SH.c + 1, 0)
            },
            Forgery(.shift, "sra without the sign", AluEvent(op: .sra, a: 0x8000_0000, b: 4), .bus, endToEnd: true) {
                $0[SH.neg] = .zero
                $0.set(SH.c + 1, 0x0800)
            },
            Forgery(.shift, "srl with a sign fill", AluEvent(op: .srl, a: 0x8000_0000, b: 4), .constraint) {
                $0[SH.neg] = .one
                $0.set(SH.c + 1, 0xF800)
            },
            Forgery(.shift, "right split off by one", AluEvent(op: .srl, a: 0x100, b: 4), .bus) {
                $0.set(SH.v, 0x11)  // quotient one too big …
                $0.set(SH.e, -0x20)  // … so twice the remainder is −0x20
                $0.set(SH.c, 0x11)
            },
            Forgery(.shift, "left split remainder too wide", AluEvent(op: .sll, a: 0x8001, b: 1), .bus) {
                $0.set(SH.v, 0x8001)  // 0x8001 mod 2^15 would be 1 …
                $0.set(SH.e, 0)  // … with quotient 1
                $0.set(SH.c, 0x1_0002)
                $0.set(SH.c + 1, 0)
            },
            Forgery(.shift, "power 2^(t+1)", AluEvent(op: .sll, a: 1, b: 3), .constraint) {
                $0.set(SH.m, 16)
                $0.set(SH.c, 16)
            },
            Forgery(.shift, "amount bit of 2 (multiply by 3)", AluEvent(op: .sll, a: 1, b: 2), .constraint) {
                $0.set(SH.bits, 2)
                $0.set(SH.bits + 1, 0)
                $0.set(SH.m01, 3)
                $0.set(SH.m, 3)
                $0.set(SH.c, 3)
            },
            Forgery(.shift, "sra flag on a left shift (op 7 = SRL)", AluEvent(op: .sll, a: 1, b: 1), .constraint) {
                $0[SH.isSra] = .one
            },
            Forgery(.shift, "two flags", AluEvent(op: .sll, a: 3, b: 1), .constraint) {
                $0[SH.fSr] = .one  // op 6 + 7 = 13 (MULH)
            },
        ]
    }()

    @Test(arguments: forgeries)
    func forgedRowRejected(_ forgery: Forgery) throws {
        let table = forgery.table
        var honestCounter = LookupCounter()
        var trace = table.trace([forgery.event], &honestCounter)
        var row = Row(values: Array(trace.values[0..<trace.width]))
        forgery.edit(&row)
        trace.values.replaceSubrange(0..<trace.width, with: row.values)

        // The driver sends what the forged row receives, as often as it receives it.
        var tuples: [[VMField]] = []
        for i in interactions(of: table.air, trace: trace) where i.bus == .vmAlu {
            let count = (-i.multiplicity).canonical
            tuples += Array(repeating: i.values, count: (1...8).contains(count) ? Int(count) : 1)
        }
        #expect(!tuples.isEmpty)
        if forgery.lies { #expect(tuples.allSatisfy { !Self.isTrue($0) }, "the forged row must claim something false") }

        let tables = Self.tables(table, trace, counter: answerableLookups(table.air, trace), tuples: tuples)
        let refusal = traceRefusal(tables)
        switch forgery.caught {
        case .constraint:
            guard case .constraintFailure(let failure) = refusal else {
                Issue.record("expected a constraint failure, got \(String(describing: refusal))")
                return
            }
            #expect(failure.table == table.air.name)
        case .bus:
            #expect(refusal == .unbalancedBuses)
        }
        if forgery.endToEnd { #expect(forgedProofRejected(tables)) }
    }
}
