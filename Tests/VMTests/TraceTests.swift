import Testing
import VM
import VMTestSupport

/// The execution record satisfies the offline memory-checking rules the prover will enforce:
/// replaying every shard from its initial image, each access's previous value and timestamp
/// are the last ones written, timestamps strictly increase, and the final image matches.
struct TraceTests {
    /// Replays `shard` and reports the first inconsistency (nil if none).
    static func check(_ shard: Shard) -> String? {
        var mem: [UInt32: (value: UInt32, ts: UInt32)] = [:]
        for p in shard.initialPages {
            for w in 0..<1024 {
                let b = p.bytes[4 * w..<4 * w + 4].enumerated().reduce(UInt32(0)) {
                    $0 | UInt32($1.element) << (8 * $1.offset)
                }
                mem[p.index << 12 | UInt32(4 * w)] = (b, 0)
            }
        }
        var regs = shard.startRegisters
        var regTs = [UInt32](repeating: 0, count: 32)
        var events = shard.syscalls[...]
        func memAccess(_ a: UInt32, _ value: UInt32, _ prev: UInt32, _ prevTs: UInt32, _ ts: UInt32) -> String? {
            guard let cur = mem[a] else { return "access to \(hex(a)) outside the shard's pages" }
            if cur.value != prev {
                return "memory \(hex(a)): previous value \(hex(prev)) but replay has \(hex(cur.value))"
            }
            if cur.ts != prevTs { return "memory \(hex(a)): previous timestamp \(prevTs) but replay has \(cur.ts)" }
            if prevTs >= ts { return "memory \(hex(a)): timestamp \(ts) not after \(prevTs)" }
            mem[a] = (value, ts)
            return nil
        }
        func regRead(_ r: Int, _ value: UInt32, _ prevTs: UInt32, _ ts: UInt32) -> String? {
            if r == 0 { return value == 0 ? nil : "x0 read as \(value)" }
            if regs[r] != value { return "x\(r): read \(hex(value)) but replay has \(hex(regs[r]))" }
            if regTs[r] != prevTs || prevTs >= ts { return "x\(r): bad previous timestamp \(prevTs)" }
            regTs[r] = ts
            return nil
        }
        for (i, row) in shard.rows.enumerated() {
            let clk = TraceRow.clk(row: i)
            let ins = RawInstruction(word: row.instruction)
            let isEcall = ins.op == .ecall
            let (r1, r2) = isEcall ? (true, true) : ins.reads
            let rs1 = isEcall ? 17 : Int(ins.rs1)
            let rs2 = isEcall ? 10 : Int(ins.rs2)
            if r1, let e = regRead(rs1, row.rs1Value, row.rs1PrevTimestamp, clk) { return "row \(i): \(e)" }
            if r2, let e = regRead(rs2, row.rs2Value, row.rs2PrevTimestamp, clk + 1) { return "row \(i): \(e)" }
            switch ins.op.instructionClass {
            case .load, .store:
                if let e = memAccess(
                    row.memoryAddress,
                    row.memoryValue,
                    row.memoryPrevValue,
                    row.memoryPrevTimestamp,
                    clk + 2
                ) {
                    return "row \(i): \(e)"
                }
            default: break
            }
            if isEcall {
                guard let ev = events.popFirst(), ev.row == i else { return "row \(i): ecall without its event" }
                for r in ev.registerReads {
                    if let e = regRead(Int(r.register), r.value, r.prevTimestamp, r.timestamp) {
                        return "row \(i): \(e)"
                    }
                }
                for a in ev.memory {
                    if let e = memAccess(a.address, a.value, a.prevValue, a.prevTimestamp, a.timestamp) {
                        return "row \(i): \(e)"
                    }
                }
            }
            let writes: Bool
            switch ins.op.instructionClass {
            case .branch, .store: writes = false
            case .system: writes = isEcall
            default: writes = true
            }
            let rd = isEcall ? 10 : Int(ins.rd)
            if writes && rd != 0 {
                if regs[rd] != row.rdPrevValue || regTs[rd] != row.rdPrevTimestamp {
                    return "row \(i): rd x\(rd) previous state wrong"
                }
                regs[rd] = row.rdValue
                regTs[rd] = clk + 3
            }
        }
        if !events.isEmpty { return "syscall events left over" }
        if regs != shard.endRegisters { return "end registers differ from the replay" }
        for p in shard.finalPages {
            for w in 0..<1024 {
                let a = p.index << 12 | UInt32(4 * w)
                let b = p.bytes[4 * w..<4 * w + 4].enumerated().reduce(UInt32(0)) {
                    $0 | UInt32($1.element) << (8 * $1.offset)
                }
                if mem[a]!.value != b || mem[a]!.ts != p.timestamps[w] { return "final image differs at \(hex(a))" }
            }
        }
        return nil
    }

    @Test(arguments: [1, 7, 100, 1 << 20])
    func randomProgramsReplay(shardSize: Int) throws {
        for seed in UInt64(100)..<104 {
            let program = TestProgram.program(DifferentialTests.randomProgram(seed: seed, length: 300))
            let fast = try Machine(program: program)
            try fast.run()
            let m = try Machine(program: program)
            let shards = try m.traceAll(shardSize: shardSize)
            #expect(shards.reduce(0) { $0 + $1.rows.count } == Int(fast.cycles))
            #expect(m.stdout == fast.stdout && m.registers == fast.registers)
            for (k, s) in shards.enumerated() {
                #expect(Self.check(s) == nil, "seed \(seed) shard \(k)")
                #expect(s.rows.count == (k == shards.count - 1 ? s.rows.count : shardSize))
                if k > 0 {
                    let prev = shards[k - 1]
                    #expect(s.startPC == prev.endPC && s.startRegisters == prev.endRegisters)
                    #expect(s.startCycle == prev.startCycle + UInt64(prev.rows.count))
                    // A page's image at the start of this shard is its last image in an earlier shard.
                    for p in s.initialPages {
                        if let last = shards[..<k].last(where: { $0.finalPages.contains { $0.index == p.index } }) {
                            #expect(last.finalPages.first { $0.index == p.index }!.bytes == p.bytes)
                        }
                    }
                }
            }
            #expect(shards.last?.exitCode == fast.exitCode)
        }
    }

    @Test func rowContents() throws {
        let d = TestProgram.dataBase
        let words = RV.li(5, d) + RV.li(6, 0x1234_5678) + [RV.sw(6, 5, 8), RV.i(9, 5, 0, 7, 0x03)] + RV.exit(0)
        let m = try Machine(program: TestProgram.program(words))
        let rows = try m.traceAll()[0].rows
        // sw x6, 8(x5): word 0x20008 goes from 0 (initial image) to 0x12345678.
        let sw = rows[4]
        #expect(sw.pc == TestProgram.codeBase + 16 && sw.instruction == RV.sw(6, 5, 8))
        #expect(sw.rs1Value == d && sw.rs2Value == 0x1234_5678)
        #expect(sw.memoryAddress == d + 8 && sw.memoryPrevValue == 0 && sw.memoryValue == 0x1234_5678)
        #expect(sw.memoryPrevTimestamp == 0)
        // lb x7, 9(x5): reads the same word (written at row 4, clk 20 + 2), sign-extends 0x56.
        let lb = rows[5]
        #expect(
            lb.memoryAddress == d + 8 && lb.memoryValue == 0x1234_5678
                && lb.memoryPrevTimestamp == TraceRow.clk(row: 4) + 2
        )
        #expect(lb.rdValue == 0x56)
        #expect(lb.rs1PrevTimestamp == TraceRow.clk(row: 4))
    }
}
