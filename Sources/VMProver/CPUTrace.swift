import Algebra
import Stark
import VM

/// Why a shard cannot be proven.
public enum ShardWitnessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The shard ran an instruction that is not in the program table.
    case unknownInstruction(pc: UInt32)
    /// A syscall without a proving table yet.
    case unsupportedSyscall(number: UInt32, pc: UInt32)
    /// The shard is larger than ``maxLogShardSize`` allows.
    case shardTooLarge(rows: Int)
    /// The execution record and the start image disagree (a bug or a wrong chain).
    case inconsistent(String)

    public var description: String {
        switch self {
        case .unknownInstruction(let pc): return "pc 0x\(String(pc, radix: 16)) is not an instruction of the program"
        case .unsupportedSyscall(let n, let pc):
            return "syscall 0x\(String(n, radix: 16)) at pc 0x\(String(pc, radix: 16)) has no proving table yet"
        case .shardTooLarge(let r): return "shard of \(r) cycles exceeds 2^\(maxLogShardSize)"
        case .inconsistent(let s): return "inconsistent execution record: \(s)"
        }
    }
}

/// The CPU trace of a shard and the events it delegates to other tables.
public struct CPUTrace: Sendable {
    public var matrix: RowMajorMatrix<VMField>
    public var publicValues: [VMField]
    /// Executions of each program-table row.
    public var programCounts: [UInt32]
    public var aluEvents: [AluEvent]
    public var loadStoreEvents: [LoadStoreEvent]

    /// Builds the CPU rows of `shard` (recording the timestamp range checks in `counter`).
    public init(
        shard: Shard,
        program: ProgramAir,
        counter: inout LookupCounter
    ) throws(ShardWitnessError) {
        let rows = shard.rows
        let n = rows.count
        guard n <= 1 << maxLogShardSize else { throw .shardTooLarge(rows: n) }
        let height = paddedHeight(n)
        let index = program.rowIndex()
        var counts = [UInt32](repeating: 0, count: program.height)
        var alu: [AluEvent] = []
        var ls: [LoadStoreEvent] = []
        var t = TraceBuilder(width: CPUAir.Col.count, height: height)
        typealias C = CPUAir.Col
        var halted = false
        var exit: UInt32 = 0
        for i in 0..<height {
            let clk = TraceRow.clk(row: i)
            t[i, C.clk] = VMField(clk)
            guard i < n else { continue }
            let r = rows[i]
            guard let k = index[r.pc] else { throw .unknownInstruction(pc: r.pc) }
            counts[k] += 1
            let d = program.rows[k].decoded
            t[i, C.isReal] = .one
            t[i, C.pc] = VMField(r.pc)
            for (j, x) in d.fields.enumerated() { t[i, C.decoded + j] = x }
            let a = d.readsRs1 ? r.rs1Value : 0
            let bValue = d.readsRs2 ? r.rs2Value : 0
            t.setWord(i, C.a, a)
            t.setWord(i, C.b, bValue)
            if d.readsRs1 {
                t[i, C.rs1PrevTs] = VMField(r.rs1PrevTimestamp)
                t[i, C.rs1Diff] = VMField(counter.timestampCheck(prev: r.rs1PrevTimestamp, now: clk))
            }
            if d.readsRs2 {
                t[i, C.rs2PrevTs] = VMField(r.rs2PrevTimestamp)
                t[i, C.rs2Diff] = VMField(counter.timestampCheck(prev: r.rs2PrevTimestamp, now: clk + 1))
            }
            var c: UInt32 = 0
            var nextPC = r.pc &+ 4
            if d.fAlu || d.fBranch || d.fJalr {
                guard let op = AluOp(rawValue: d.aluOp) else { throw .inconsistent("ALU op \(d.aluOp)") }
                let operand = d.fImm ? d.imm : bValue
                c = op.evaluate(a, operand)
                alu.append(AluEvent(op: op, a: a, b: operand))
                if d.fBranch {
                    let taken = (c == 1) != d.fBranchNeg
                    if taken {
                        t[i, C.taken] = .one
                        nextPC = UInt32(truncatingIfNeeded: Int64(r.pc) + d.immSigned)
                    }
                }
                if d.fJalr {
                    t[i, C.jalrLow] = VMField(c & 1)
                    nextPC = c & ~1
                    counter.range(c >> 16, bits: 14)
                }
            }
            if d.fJal { nextPC = UInt32(truncatingIfNeeded: Int64(r.pc) + d.immSigned) }
            if d.fLoad || d.fStore {
                guard let op = LoadStoreOp(rawValue: d.lsOp) else { throw .inconsistent("load/store op \(d.lsOp)") }
                let e = LoadStoreEvent(op: op, rs1: a, imm: d.imm, prev: r.memoryPrevValue, rs2: bValue)
                guard e.wordAddress == r.memoryAddress >> 2, e.new == r.memoryValue else {
                    throw .inconsistent("memory access at pc 0x\(String(r.pc, radix: 16))")
                }
                ls.append(e)
                c = e.rd
                t[i, C.memAddr] = VMField(r.memoryAddress >> 2)
                t.setWord(i, C.memPrev, r.memoryPrevValue)
                t.setWord(i, C.mem, r.memoryValue)
                t[i, C.memPrevTs] = VMField(r.memoryPrevTimestamp)
                t[i, C.memDiff] = VMField(counter.timestampCheck(prev: r.memoryPrevTimestamp, now: clk + 2))
            }
            var writes = d.writesRd
            if d.fEcall {
                if a == Syscall.exit.rawValue || a == Syscall.exitGroup.rawValue {
                    t[i, C.halt] = .one
                    halted = true
                    exit = bValue
                    writes = true
                    c = bValue
                } else {
                    guard let call = Syscall(rawValue: a), ShardAccelerators.canProve(call) else {
                        throw .unsupportedSyscall(number: a, pc: r.pc)
                    }
                    writes = true
                    c = r.rdValue
                }
            }
            t.setWord(i, C.c, c)
            if writes {
                t.setWord(i, C.rdPrev, r.rdPrevValue)
                t[i, C.rdPrevTs] = VMField(r.rdPrevTimestamp)
                t[i, C.rdDiff] = VMField(counter.timestampCheck(prev: r.rdPrevTimestamp, now: clk + 3))
                let written = d.fStatic ? d.staticValue : c
                guard written == r.rdValue else {
                    throw .inconsistent("rd value at pc 0x\(String(r.pc, radix: 16))")
                }
            }
            if i + 1 < n, rows[i + 1].pc != nextPC, !halted {
                throw .inconsistent("next pc after 0x\(String(r.pc, radix: 16))")
            }
            if i + 1 == n, !halted, nextPC != shard.endPC {
                throw .inconsistent("end pc of the shard")
            }
            t[i, C.nextPC] = VMField(nextPC)
        }
        guard halted == (shard.exitCode != nil) else { throw .inconsistent("exit") }
        matrix = t.matrix
        let endPC = n > 0 ? t[n - 1, C.nextPC] : VMField(shard.startPC)
        publicValues = [
            VMField(shard.startPC), endPC, halted ? .one : .zero, VMField(exit & 0xffff), VMField(exit >> 16),
            VMField(UInt32(n)), VMField(UInt32(shard.index)),
        ]
        programCounts = counts
        aluEvents = alu
        loadStoreEvents = ls
    }
}
