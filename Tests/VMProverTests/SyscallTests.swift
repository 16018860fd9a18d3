import Algebra
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// The syscall tables (header, memory walk, output) driven on their own by events of real runs:
/// a driver plays the CPU (the syscall tuples), two drivers play the rest of memory, and the
/// range, byte and output tables take the lookups. Honest runs prove; forged rows, tuples or
/// claimed outputs are refused by the checks a proof stands on (`traceRefusal`, the prover's
/// own) and, for one forgery per table proven with the checks off, by the verifier.
@Suite(.serialized, .oneProofAtATime)
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
        /// The tuple `(clk, a7, a0, result)` (limbs) of each event, as the CPU sends it.
        var calls: [[F]]
        var header: RowMajorMatrix<F>
        var memory: RowMajorMatrix<F>
        /// The claimed output.
        var output: [UInt8]
        /// The executor's public output.
        var publicOutput: [UInt8]
        /// The lookups trace generation counted.
        var counted: LookupCounter

        /// The first memory row of event `k`.
        func firstRow(_ k: Int) -> Int { events[..<k].reduce(0) { $0 + $1.memory.count } }

        /// The event with number `n` whose buffer register holds `buf`.
        func event(_ n: UInt32, buf: UInt32) -> Int {
            events.indices.first { k in
                let e = events[k]
                guard e.number == n else { return false }
                let a1 = e.registerReads.first { $0.register == 11 }?.value
                return (n == 63 || n == 64 ? a1 : a0(k)) == buf
            }!
        }

        /// a0 of event `k` as the CPU read it.
        func a0(_ k: Int) -> UInt32 { calls[k][3].canonical | calls[k][4].canonical << 16 }

        /// The lookups the syscall tables make on their traces as they are.
        func recounted() -> LookupCounter {
            var counter = LookupCounter()
            counter.merge(answerableLookups(SyscallAir(codeRange: codeRange), header))
            counter.merge(answerableLookups(SyscallMemoryAir(codeRange: codeRange), memory))
            return counter
        }

        /// The tables: drivers, the syscall tables, output, range and byte tables. The range and
        /// byte multiplicities are trace generation's, or with `recount` those of the traces as
        /// they are (after edits: the forger's best choice).
        func tables(recount: Bool = false) -> [TableInput<F>] {
            func l(_ w: UInt32) -> [F] { [F(w & 0xffff), F(w >> 16)] }
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
            let counter = recount ? recounted() : counted
            let out = OutputAir(output: output)
            return [
                TableInput(
                    air: BusDriverAir(bus: .vmSyscall, arity: 7),
                    trace: BusDriverAir.trace(arity: 7, tuples: calls)
                ),
                TableInput(
                    air: BusDriverAir(bus: .vmMemory, arity: 4),
                    trace: BusDriverAir.trace(arity: 4, tuples: sends)
                ),
                TableInput(
                    air: BusDriverAir(bus: .vmMemory, arity: 4, receive: true),
                    trace: BusDriverAir.trace(arity: 4, tuples: receives)
                ),
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
            codeRange: program.codeRange,
            events: events,
            calls: events.map { e in
                [F(TraceRow.clk(row: e.row))] + limbPair(e.number) + limbPair(shard.rows[e.row].rs2Value)
                    + limbPair(e.result!)
            },
            header: t.header,
            memory: t.memory,
            output: t.output,
            publicOutput: m.publicOutput,
            counted: counter
        )
    }

    static func mixedFixture() throws -> Fixture { try fixture(mixed, input: mixedInput, hints: mixedHints) }
    static func boundaryFixture() throws -> Fixture {
        try fixture(boundaries, input: boundaryInput, hints: boundaryHints)
    }

    static func proveAndVerify(_ f: Fixture, recount: Bool = false) throws {
        if !recount {
            // Trace generation counts exactly the lookups the tables make.
            let r = f.recounted()
            #expect(r.range == f.counted.range && r.bytes == f.counted.bytes)
        }
        let tables = f.tables(recount: recount)
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

    /// The checks a proof stands on (`traceRefusal`, the prover's own) refuse `f` for the reason
    /// `how`: a constraint forgery fails a constraint of that table while every bus balances, a
    /// bus forgery satisfies every constraint. With `endToEnd` (one forgery per table), a proof
    /// made without that check is also rejected by the verifier.
    static func expectRejected(_ f: Fixture, _ how: Refusal, _ what: String, endToEnd: Bool = false) throws {
        let tables = f.tables(recount: true)
        switch (how, traceRefusal(tables)) {
        case (.constraint(let table), .constraintFailure(let failure)?) where failure.table == table:
            #expect(busImbalances(tables, limit: 1).isEmpty, "\(what): a constraint forgery unbalances the buses")
        case (.buses, .unbalancedBuses?): break
        case (_, let other): Issue.record("\(what): expected \(how), got \(String(describing: other))")
        }
        guard endToEnd else { return }
        // A constraint forgery balances the buses: prove with the bus check still on.
        let proof = try StarkProver(config: config).prove(
            tables,
            options: ProvingOptions(checkConstraints: false, checkBuses: how != .buses)
        )
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
        #expect(f.events.map(\.result) == [2, 0, 3, 0, 3, 2, 8, 0, 3, 8])  // counts of bytes moved
        #expect(f.output == f.publicOutput)
        try Self.proveAndVerify(f)
    }

    @Test func noSyscallsProve() throws {
        try Self.proveAndVerify(try Self.fixture([RV.addi(5, 0, 1)], input: [], hints: []))
    }
}

// MARK: - Forgeries

extension SyscallTests {
    /// Moves the buffer of event `k` by `delta` words, with every column that depends on it, as a
    /// prover claiming that buffer would: the register holding the address, S and E, the bound
    /// and code distances, the words of the memory rows, and the drivers' memory. (The cases used
    /// have no borrow between limbs.)
    static func shiftBuffer(_ f: inout Fixture, event k: Int, words delta: Int) {
        let dv = delta > 0 ? F(UInt32(delta)) : -F(UInt32(-delta))
        let bytes = UInt32(bitPattern: Int32(4 * delta))
        let e = f.events[k]
        if e.number == 0x1000 || e.number == 0x1001 {
            f.calls[k][3] += F(4) * dv
            f.header[k, H.a0] += F(4) * dv
        } else {
            let i = e.registerReads.firstIndex { $0.register == 11 }!
            f.events[k].registerReads[i].value &+= bytes
            f.header[k, H.a1] += F(4) * dv
        }
        f.header[k, H.buf] += F(4) * dv
        f.header[k, H.x] += dv
        f.header[k, H.y] += dv
        if f.header[k, H.nz] == .one {
            f.header[k, H.lower] += dv
            f.header[k, H.upper] -= dv
        }
        if f.header[k, H.wcheck] == .one {
            f.header[k, H.code] += f.header[k, H.below] == .one ? -dv : dv
        }
        let first = f.firstRow(k)
        for j in e.memory.indices {
            f.memory[first + j, M.w] += dv
            f.memory[first + j, M.endW] += dv
            f.events[k].memory[j].address &+= bytes
        }
    }

    /// Sets byte `j` of the word after the access of memory row `r` (and its byte-lookup result).
    static func setByte(_ f: inout Fixture, row r: Int, _ j: Int, _ value: F) {
        f.memory[r, M.v + j] = value
        let pair = j < 2 ? 0 : 2
        let (a, b) = (f.memory[r, M.v + pair].canonical, f.memory[r, M.v + pair + 1].canonical)
        f.memory[r, M.vAnd + pair / 2] = F(a & b)
    }

    /// The word of memory row `r` after the access, from its bytes.
    static func word(_ f: Fixture, row r: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | (f.memory[r, M.v + $1].canonical & 0xff) << (8 * UInt32($1)) }
    }

    @Test(arguments: [
        "commit sends a byte memory does not hold", "commit bytes re-split", "claimed output reordered",
        "claimed output longer", "claimed output shorter", "commits reordered",
    ])
    func forgedOutputRejected(_ what: String) throws {
        var f = try Self.mixedFixture()
        let k = f.event(0x1000, buf: Self.d + 6)  // commit 5 bytes: word d+4 [2, 4), word d+8 [0, 3)
        let r = f.firstRow(k)
        let start = Int(f.header[k, H.outBefore].canonical)
        var how = Refusal.buses
        switch what {
        case "commit sends a byte memory does not hold":
            Self.setByte(&f, row: r, 2, f.memory[r, M.v + 2] + 1)
            f.output[start] &+= 1
        case "commit bytes re-split":
            // The same limb v2 + 256·v3, so the same word on the memory bus, but other bytes.
            Self.setByte(&f, row: r, 2, f.memory[r, M.v + 2] + 256)
            Self.setByte(&f, row: r, 3, f.memory[r, M.v + 3] - 1)
            f.output[start + 1] &-= 1
        case "claimed output reordered":
            f.output.swapAt(0, 1)
        case "claimed output longer":
            f.output.append(0)
        case "claimed output shorter":
            f.output.removeLast()
        default:
            // The first two commits (3 and 5 bytes, adjacent events) with their output ranges
            // swapped: walks and output balance, the order of events does not.
            let k1 = f.event(0x1000, buf: Self.d + 1)
            #expect(k1 + 1 == k && start == Int(f.header[k1, H.outBefore].canonical) + 3)
            for (event, shift) in [(k1, F(5)), (k, -F(3))] {
                f.header[event, H.outBefore] += shift
                f.header[event, H.outAfter] += shift
                for row in f.firstRow(event)..<f.firstRow(event) + f.events[event].memory.count {
                    f.memory[row, M.oi] += shift
                }
            }
            let a = start - 3
            f.output.replaceSubrange(a..<a + 8, with: Array(f.output[a + 3..<a + 8] + f.output[a..<a + 3]))
            how = .constraint("Syscall")
        }
        // The Syscall table's end-to-end forgery is "commits reordered", the Output table's
        // "claimed output longer".
        try Self.expectRejected(f, how, what, endToEnd: ["commits reordered", "claimed output longer"].contains(what))
    }

    @Test(arguments: [
        "read changes a byte before its buffer", "read writes before its buffer", "read writes past its buffer",
        "read writes before its buffer through a hole", "zero-length read touches a word", "word skipped",
        "write changes memory", "write relabelled as input",
    ])
    func forgedMemoryRejected(_ what: String) throws {
        var f = try Self.mixedFixture()
        var how = Refusal.buses
        var endToEnd = false
        switch what {
        case "read changes a byte before its buffer", "read writes before its buffer":
            // read(d + 1, 3): one row, word d, mask [1, 4); byte 0 is not the buffer's.
            let k = f.event(63, buf: Self.d + 1)
            let r = f.firstRow(k)
            Self.setByte(&f, row: r, 0, F(0x55))
            f.events[k].memory[0].value = Self.word(f, row: r)  // memory agrees with the row
            if what == "read writes before its buffer" {
                f.memory[r, M.m] = .one  // the mask now starts at 0: the walk does not
            } else {
                how = .constraint("SyscallMemory")
            }
        case "read writes past its buffer":
            // read(d + 6, 5): last row word d+8, mask [0, 3); byte 3 joins the mask.
            let k = f.event(63, buf: Self.d + 6)
            let r = f.firstRow(k) + 1
            Self.setByte(&f, row: r, 3, F(0x55))
            f.memory[r, M.m + 3] = .one
            f.events[k].memory[1].value = Self.word(f, row: r)
        case "read writes before its buffer through a hole":
            // read(d + 6, 5): first row word d+4, mask [2, 4) = 0011. The mask 1011 has the same
            // start (the sum of its rise positions 0 + 2) and lets byte 0 change.
            let k = f.event(63, buf: Self.d + 6)
            let r = f.firstRow(k)
            f.memory[r, M.m] = .one
            Self.setByte(&f, row: r, 0, F(0x55))
            f.events[k].memory[0].value = Self.word(f, row: r)
            how = .constraint("SyscallMemory")
            endToEnd = true  // the SyscallMemory table's end-to-end forgery
        case "zero-length read touches a word":
            // read(d + 0x30, 0): a row with an empty mask at the walk's start is a walk step that
            // cancels itself; it would access the (untouched, zero) word d+0x30 at clk + 3.
            let k = f.event(63, buf: Self.d + 0x30)
            let r = f.events.reduce(0) { $0 + $1.memory.count }  // the first padding row
            let clk = f.calls[k][0].canonical
            f.memory[r, M.clk] = F(clk)
            f.memory[r, M.kinds] = .one
            f.memory[r, M.w] = F((Self.d + 0x30) >> 2)
            f.memory[r, M.endW] = F((Self.d + 0x30) >> 2)
            f.memory[r, M.oi] = f.header[k, H.outBefore]
            f.memory[r, M.diff] = F(clk + 2)  // clk + 3 − 0 − 1
            var access = f.events[0].memory[0]  // (MemoryAccess has no public initialiser)
            (access.address, access.value, access.prevValue) = (Self.d + 0x30, 0, 0)
            (access.prevTimestamp, access.timestamp) = (0, clk + 3)
            f.events[k].memory.append(access)
            how = .constraint("SyscallMemory")
        case "word skipped":
            // read(d + 0x13, 9): words d+0x10, d+0x14, d+0x18, d+0x1C; the third row is dropped.
            let k = f.event(63, buf: Self.d + 0x13)
            let r = f.firstRow(k) + 2
            for c in 0..<M.count { f.memory[r, c] = .zero }
            f.events[k].memory.remove(at: 2)
        default:
            // write(2, d + 0x13, 9): the second row (word d+0x14) claims a changed word.
            let k = f.event(64, buf: Self.d + 0x13)
            let r = f.firstRow(k) + 1
            let old = f.events[k].memory[1].prevValue
            Self.setByte(&f, row: r, 0, F((old & 0xff) ^ 0xff))
            f.events[k].memory[1].value = Self.word(f, row: r)
            if what == "write relabelled as input" {
                // An input row may change its masked bytes (here the whole word); its kind and
                // timestamp (clk + 3) then differ from the call's.
                f.memory[r, M.kinds] = .one
                f.memory[r, M.kinds + 1] = .zero
                for j in 0..<4 { f.memory[r, M.q + j] = F((old >> (8 * UInt32(j))) & 0xff) }
                f.memory[r, M.qAnd] = F(old & (old >> 8) & 0xff)
                f.memory[r, M.qAnd + 1] = F((old >> 16) & (old >> 24) & 0xff)
                f.memory[r, M.diff] += .one
                f.events[k].memory[1].timestamp += 1
            }
        }
        try Self.expectRejected(f, how, what, endToEnd: endToEnd)
    }

    @Test(arguments: [
        "result above the length", "length above 2^26", "read from fd 1", "write returns less than len",
        "hint_len result limbs", "unknown number 0x1003", "exit that does not halt", "number with a high limb",
    ])
    func forgedCallRejected(_ what: String) throws {
        var f = try Self.mixedFixture()
        var how = Refusal.buses
        let hintLen = f.events.firstIndex { $0.number == 0x1002 }!
        switch what {
        case "result above the length":
            // read(d + 1, 3) returned 3; claim len = 2 (a2 read as 2).
            let k = f.event(63, buf: Self.d + 1)
            let i = f.events[k].registerReads.firstIndex { $0.register == 12 }!
            f.events[k].registerReads[i].value = 2
            f.header[k, H.a2] = F(2)
            f.header[k, H.len] = F(2)
            f.header[k, H.gap] = -F.one  // len − n = −1: no range split exists
        case "length above 2^26":
            // read(d + 0x60, 5) returned 0; claim len = 2^26 + 5.
            let k = f.event(63, buf: Self.d + 0x60)
            let i = f.events[k].registerReads.firstIndex { $0.register == 12 }!
            f.events[k].registerReads[i].value += 1 << 26
            f.header[k, H.a2 + 1] = F(1024)
            f.header[k, H.len + 1] = F(1024)
            f.header[k, H.top] = .one
            f.header[k, H.topInv] = .zero
            f.header[k, H.gap + 1] = F(1024)
            how = .constraint("Syscall")
        case "read from fd 1":
            let k = f.event(63, buf: Self.d + 1)
            f.calls[k][3] = .one
            f.header[k, H.a0] = .one
            how = .constraint("Syscall")
        case "write returns less than len":
            let k = f.event(64, buf: Self.d + 0x13)
            f.calls[k][5] -= .one
            f.header[k, H.res] -= .one
            how = .constraint("Syscall")
        case "hint_len result limbs":
            // The same field value 20, split as (20 + 2^16, −1).
            f.calls[hintLen][5] += F(65536)
            f.calls[hintLen][6] -= .one
            f.header[hintLen, H.res] += F(65536)
            f.header[hintLen, H.res + 1] -= .one
        case "unknown number 0x1003":
            f.calls[hintLen][1] = F(0x1003)
        case "exit that does not halt":
            f.calls[hintLen][1] = F(93)
        default:
            f.calls[hintLen][2] = .one  // a7 = 0x1002 + 2^16
        }
        try Self.expectRejected(f, how, what)
    }

    /// Buffers moved by one word across a bound are refused; moved within the bounds (the control
    /// for the shifting helper), they prove.
    @Test(
        arguments: [
            ("below 0x1000", 63, 0x1000, -1, false),
            ("past 0xFFFF0000", 0x1000, 0xFFFF_0000 - 5, 1, false),
            ("input into the code", 0x1001, 0, -1, false),
            ("control: above the code", 0x1001, 0, 1, true),
            ("control: above 0x1000", 63, 0x1000, 1, true),
        ] as [(String, UInt32, UInt32, Int, Bool)]
    )
    func movedBuffer(_ what: String, number: UInt32, buf: UInt32, delta: Int, provable: Bool) throws {
        var f = try Self.boundaryFixture()
        let k = f.event(number, buf: buf == 0 ? f.codeRange.upperBound : buf)
        Self.shiftBuffer(&f, event: k, words: delta)
        if provable {
            try Self.proveAndVerify(f, recount: true)
        } else {
            try Self.expectRejected(f, .buses, what)
        }
    }
}

// MARK: - Helpers

/// The limbs of a word as field elements.
private func limbPair(_ w: UInt32) -> [VMField] { [VMField(w & 0xffff), VMField(w >> 16)] }
