import Algebra
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// The syscall tables (header, memory walk, output) driven on their own by events of real runs:
/// a driver plays the CPU (the syscall tuples), two drivers play the rest of memory, and the
/// range, byte and output tables take the lookups. Honest runs prove; forged rows, tuples or
/// claimed outputs are refused by the prover and, proven with the checks off, by the verifier.
@Suite(.serialized)
struct SyscallTests {
    typealias F = VMField
    typealias H = SyscallAir.Col
    typealias M = SyscallMemoryAir.Col
    static let config = StarkConfig<VMField>.testing
    static let d = TestProgram.dataBase

    /// `ecall` number `n` with a0…a2 set.
    static func call(_ n: UInt32, _ a0: UInt32, _ a1: UInt32 = 0, _ a2: UInt32 = 0) -> [UInt32] {
        RV.li(17, n) + RV.li(10, a0) + RV.li(11, a1) + RV.li(12, a2) + [RV.ecall]
    }

    /// Every call with unaligned buffers and lengths 0, 1, 3, 4, 5, 9, short reads, hint_len,
    /// and several commits, two of which read a1 one after the other (a chain inside the tables).
    static var mixed: [UInt32] {
        var w: [UInt32] = []
        w += call(63, 0, d + 1, 3)
        w += call(63, 0, d + 6, 5)
        w += call(63, 0, d + 0x13, 9)
        w += call(63, 0, d + 0x20, 4)
        w += call(63, 0, d + 0x27, 1)
        w += call(63, 0, d + 0x30, 0)
        w += call(63, 0, d + 0x41, 100)  // the 18 bytes left
        w += call(63, 0, d + 0x60, 5)  // at the end of the input: 0
        w += call(0x1002, 0)
        w += call(0x1001, d + 0x81, 9)
        w += call(0x1001, d + 0x92, 0)
        w += call(0x1001, d + 0x95, 3)
        w += call(0x1001, d + 0xA3, 20)  // the 8 bytes left
        w += call(0x1002, 0)
        w += call(64, 1, d + 1, 3)
        w += call(64, 2, d + 0x13, 9)
        w += call(64, 1, d + 0x30, 0)
        w += call(64, 1, d + 5, 4)
        w += call(64, 2, d + 0x27, 1)
        w += call(0x1000, d + 1, 3)
        w += call(0x1000, d + 6, 5)
        w += call(0x1000, d + 0x13, 9)
        w += call(0x1000, d + 0x30, 0)
        w += call(0x1000, d + 0x20, 4)
        w += call(0x1000, d + 0x1D, 3)  // ends on a word boundary
        w += call(0x1000, d + 0x27, 1)
        w += call(0x1000, d + 0x81, 9)
        w += RV.li(17, 0x1000) + RV.li(10, d + 0x95) + RV.li(11, 3) + [RV.ecall]
        w += RV.li(10, d + 0xA3) + [RV.ecall]  // same a7 and a1
        return w
    }
    static let mixedInput = (1...40).map { UInt8($0) }
    static let mixedHints = (101...120).map { UInt8($0) }

    /// Buffers at the edges: the lowest and highest usable bytes, right below and right above the
    /// code (input calls), inside the code (write and commit may read it), len = 2^26.
    static var boundaries: [UInt32] {
        func body(codeEnd: UInt32) -> [UInt32] {
            var w: [UInt32] = []
            w += call(63, 0, 0x1000, 2)
            w += call(0x1000, 0x1000, 2)
            w += call(0x1001, 0xFFFF_0000 - 3, 3)
            w += call(0x1000, 0xFFFF_0000 - 5, 5)
            w += call(0x1001, TestProgram.codeBase - 3, 3)
            w += call(0x1001, codeEnd, 2)
            w += call(64, 1, TestProgram.codeBase, 8)
            w += call(0x1000, TestProgram.codeBase + 2, 4)
            w += call(63, 0, d, 1 << 26)
            w += call(0x1001, d + 0x10, 1 << 26)
            return w
        }
        let size = UInt32(body(codeEnd: 0).count + RV.exit(0).count) * 4
        return body(codeEnd: TestProgram.codeBase + size)
    }
    static let boundaryInput: [UInt8] = [7, 8, 9, 10, 11]
    static let boundaryHints: [UInt8] = Array(200...215)

    // MARK: - Fixture

    /// A run's syscall tables and what the drivers send, all editable by forgeries.
    struct Fixture {
        var codeRange: Range<UInt32>
        /// The non-exit events: the drivers' view of memory comes from them.
        var events: [SyscallEvent]
        /// `(clk, a7, a0, result)` of each event, as the CPU sends it.
        var calls: [(clk: UInt32, a7: UInt32, a0: UInt32, result: UInt32)]
        var header: RowMajorMatrix<F>
        var memory: RowMajorMatrix<F>
        /// The claimed output.
        var output: [UInt8]
        /// The executor's public output.
        var publicOutput: [UInt8]

        /// The first memory row of event `k`.
        func firstRow(_ k: Int) -> Int { events[..<k].reduce(0) { $0 + $1.memory.count } }

        /// The event with number `n` whose buffer register holds `buf`.
        func event(_ n: UInt32, buf: UInt32) -> Int {
            events.indices.first { k in
                let e = events[k]
                guard e.number == n else { return false }
                let a1 = e.registerReads.first { $0.register == 11 }?.value
                return (n == 63 || n == 64 ? a1 : calls[k].a0) == buf
            }!
        }

        /// The tables: drivers, the syscall tables, output, range and byte tables (their
        /// multiplicities recounted from the syscall traces as they are).
        func tables() -> [TableInput<F>] {
            func l(_ w: UInt32) -> [F] { [F(w & 0xffff), F(w >> 16)] }
            let tuples = calls.map { [F($0.clk)] + l($0.a7) + l($0.a0) + l($0.result) }
            // The rest of memory: it sends what the tables consume and nobody produced in them, and
            // receives what they produce and nobody consumed in them.
            var balance: [[UInt32]: Int] = [:]
            for e in events {
                for r in e.registerReads {
                    balance[[UInt32(r.register), r.value, r.prevTimestamp], default: 0] += 1
                    balance[[UInt32(r.register), r.value, r.timestamp], default: 0] -= 1
                }
                for a in e.memory {
                    balance[[a.address >> 2, a.prevValue, a.prevTimestamp], default: 0] += 1
                    balance[[a.address >> 2, a.value, a.timestamp], default: 0] -= 1
                }
            }
            var sends: [[F]] = []
            var receives: [[F]] = []
            for (key, count) in balance.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where count != 0 {
                let tuple = [F(key[0])] + l(key[1]) + [F(key[2])]
                for _ in 0..<abs(count) { if count > 0 { sends.append(tuple) } else { receives.append(tuple) } }
            }
            let header = SyscallAir(codeRange: codeRange)
            let memoryAir = SyscallMemoryAir(codeRange: codeRange)
            var counter = LookupCounter()
            recount(header, self.header, into: &counter)
            recount(memoryAir, memory, into: &counter)
            let out = OutputAir(output: output)
            return [
                TableInput(air: BusDriverAir(bus: .vmSyscall, arity: 7), trace: BusDriverAir.trace(arity: 7, tuples: tuples)),
                TableInput(air: BusDriverAir(bus: .vmMemory, arity: 4), trace: BusDriverAir.trace(arity: 4, tuples: sends)),
                TableInput(
                    air: BusDriverAir(bus: .vmMemory, arity: 4, receive: true),
                    trace: BusDriverAir.trace(arity: 4, tuples: receives)),
                TableInput(air: header, trace: self.header),
                TableInput(air: memoryAir, trace: memory),
                TableInput(air: out, trace: out.trace()),
                TableInput(air: RangeTableAir(), trace: RangeTableAir.trace(counter)),
                TableInput(air: BytePairTableAir(), trace: BytePairTableAir.trace(counter)),
            ]
        }
    }

    static func fixture(_ words: [UInt32], input: [UInt8], hints: [UInt8]) throws -> Fixture {
        let program = TestProgram.program(words + RV.exit(0))
        let m = try Machine(program: program, input: input, hints: hints)
        let shards = try m.traceAll(shardSize: 1 << 12)
        try #require(shards.count == 1)
        let shard = shards[0]
        let events = shard.syscalls.filter { $0.result != nil }
        var counter = LookupCounter()
        let t = SyscallAir.traces(events: events, rows: shard.rows, codeRange: program.codeRange, counter: &counter)
        return Fixture(
            codeRange: program.codeRange, events: events,
            calls: events.map { (TraceRow.clk(row: $0.row), $0.number, shard.rows[$0.row].rs2Value, $0.result!) },
            header: t.header, memory: t.memory, output: t.output, publicOutput: m.publicOutput)
    }

    static func mixedFixture() throws -> Fixture { try fixture(mixed, input: mixedInput, hints: mixedHints) }
    static func boundaryFixture() throws -> Fixture {
        try fixture(boundaries, input: boundaryInput, hints: boundaryHints)
    }

    static func proveAndVerify(_ f: Fixture) throws {
        let tables = f.tables()
        let proof = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkConstraints: true))
        try StarkVerifier(config: config).verify(airs: tables.map(\.air), proof: proof)
    }

    enum Refusal: Equatable, CustomStringConvertible {
        /// A constraint of the table fails while every bus balances.
        case constraint(String)
        /// Every constraint holds but a bus does not balance.
        case buses
        var description: String {
            switch self {
            case .constraint(let t): "a constraint of \(t)"
            case .buses: "unbalanced buses"
            }
        }
    }

    /// The prover refuses `f` for the reason `how`; a proof made without that check is rejected
    /// by the verifier.
    static func expectRejected(_ f: Fixture, _ how: Refusal, _ what: String) throws {
        let tables = f.tables()
        let prover = StarkProver(config: config)
        do {
            _ = try prover.prove(tables, options: ProvingOptions(checkConstraints: true))
            Issue.record("\(what): the prover accepted a forged trace")
        } catch {
            switch (how, error) {
            case (.constraint(let table), .constraintFailure(let failure)) where failure.table == table: break
            case (.buses, .unbalancedBuses): break
            default: Issue.record("\(what): expected \(how), got \(error)")
            }
        }
        // A constraint forgery balances the buses: prove with the bus check still on.
        let proof = try prover.prove(
            tables, options: ProvingOptions(checkConstraints: false, checkBuses: how != .buses))
        #expect(throws: VerificationError.self, "\(what): the verifier accepted a forged proof") {
            try StarkVerifier(config: config).verify(airs: tables.map(\.air), proof: proof)
        }
    }

    // MARK: - Honest runs

    @Test func honestCallsProve() throws {
        let f = try Self.mixedFixture()
        #expect(f.events.count == 29)
        #expect(f.output == f.publicOutput)
        #expect(f.output.count == 3 + 5 + 9 + 4 + 3 + 1 + 9 + 3 + 3)
        try Self.proveAndVerify(f)
    }

    @Test func boundaryBuffersProve() throws {
        let f = try Self.boundaryFixture()
        #expect(f.calls.map(\.result) == [2, 0, 3, 0, 3, 2, 8, 0, 3, 8])  // read / hint_read counts
        #expect(f.output == f.publicOutput)
        try Self.proveAndVerify(f)
    }

    @Test func noSyscallsProve() throws {
        try Self.proveAndVerify(try Self.fixture([RV.addi(5, 0, 1)], input: [], hints: []))
    }
}

// MARK: - Helpers

extension RowMajorMatrix where F == VMField {
    /// Entry `(row, column)`.
    fileprivate subscript(row: Int, column: Int) -> VMField {
        get { values[row * width + column] }
        set { values[row * width + column] = newValue }
    }
}

/// Evaluates an AIR row by row on a trace and collects its interactions.
private struct InteractionCollector: AirBuilder {
    typealias F = VMField
    typealias Expr = ScalarExpr<VMField>
    let trace: RowMajorMatrix<VMField>
    var row = 0
    var interactions: [(bus: Bus, values: [VMField], multiplicity: VMField)] = []

    init(trace: RowMajorMatrix<VMField>) { self.trace = trace }
    func main(_ column: Int) -> Expr { Expr(trace[row, column]) }
    func next(_ column: Int) -> Expr { Expr(trace[(row + 1) % trace.height, column]) }
    func fixed(_ column: Int) -> Expr { fatalError("no fixed columns") }
    func fixedNext(_ column: Int) -> Expr { fatalError("no fixed columns") }
    func publicValue(_ index: Int) -> Expr { fatalError("no public values") }
    var isFirstRow: Expr { Expr(row == 0 ? .one : .zero) }
    var isLastRow: Expr { Expr(row == trace.height - 1 ? .one : .zero) }
    var isTransition: Expr { Expr(row == trace.height - 1 ? .zero : .one) }
    mutating func assertZero(_ constraint: Expr) {}
    mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr) {
        interactions.append((bus, values.map(\.v), multiplicity.v))
    }
}

/// Adds the range and byte lookups `air` makes on `trace` to `counter` (lookups of pairs the
/// tables do not hold are left out: they stay unbalanced).
private func recount<A: Air>(_ air: A, _ trace: RowMajorMatrix<VMField>, into counter: inout LookupCounter)
where A.F == VMField {
    var c = InteractionCollector(trace: trace)
    for row in 0..<trace.height {
        c.row = row
        c.interactions.removeAll(keepingCapacity: true)
        air.eval(&c)
        for i in c.interactions where !i.multiplicity.isZero {
            let m = i.multiplicity.canonical
            let v = i.values.map(\.canonical)
            if i.bus == .vmRange, (1...16).contains(v[0]), v[1] < 1 << v[0] {
                counter.range[Int(v[0])][Int(v[1])] &+= m
            } else if i.bus == .vmBytes, (1...3).contains(v[0]), v[1] < 256, v[2] < 256 {
                counter.bytes[Int(v[0]) - 1][Int(v[1] << 8 | v[2])] &+= m
            }
        }
    }
}
