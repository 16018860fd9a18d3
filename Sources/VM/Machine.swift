/// Limits of one machine.
public struct MachineConfig: Sendable {
    /// Execution stops with ``VMError/cycleLimitExceeded(pc:cycles:)`` after this many cycles.
    public var maxCycles: UInt64
    /// The most 4 KiB pages that may become resident (default 65536 = 256 MiB).
    public var maxMemoryPages: Int

    public init(maxCycles: UInt64 = 1 << 36, maxMemoryPages: Int = 1 << 16) {
        self.maxCycles = maxCycles
        self.maxMemoryPages = maxMemoryPages
    }
}

/// An RV32IM machine running one program: registers, memory, I/O streams and counters.
///
/// Every instruction takes one cycle. Execution is deterministic: the same program, input
/// and hints always give the same outputs, cycle count and trace.
public final class Machine {
    /// The loaded program.
    public let program: Program
    /// The machine's memory.
    public let memory: Memory
    /// The limits in force.
    public let config: MachineConfig

    let code: UnsafeMutablePointer<DecodedInstruction>
    let rawCode: UnsafeMutablePointer<UInt32>
    let codeBase: UInt32
    let codeCount: Int
    /// x0..x31, then a write sink (32) for rd = x0 and a zero source (33) for unused operands.
    let regs: UnsafeMutablePointer<UInt32>
    let opCounts: UnsafeMutablePointer<UInt64>

    /// The pc of the next instruction.
    public internal(set) var pc: UInt32
    /// Instructions retired so far.
    public internal(set) var cycles: UInt64 = 0
    /// Private input, read by `read(0, ...)`.
    public let input: [UInt8]
    var inputPosition = 0
    /// Host-provided advice, read by the hint syscalls.
    public let hints: [UInt8]
    var hintPosition = 0
    /// Bytes written to fd 1.
    public internal(set) var stdout: [UInt8] = []
    /// Bytes written to fd 2 (debug output).
    public internal(set) var stderr: [UInt8] = []
    /// Each write to fd 2: the cycles retired before it and where its bytes start in
    /// ``stderr`` (a guest marks the steps of its work with debug lines, the host counts them).
    public internal(set) var debugWrites: [(cycles: UInt64, offset: Int)] = []
    /// Bytes committed as public output.
    public internal(set) var publicOutput: [UInt8] = []
    /// The exit code once the program has halted.
    public internal(set) var exitCode: Int32?
    /// How many times each syscall number was called.
    public internal(set) var syscallCounts: [UInt32: UInt64] = [:]
    /// Set while tracing.
    var tracer: Tracer?
    /// Executions per instruction index (PC-profiled runs only).
    var pcCounts: UnsafeMutablePointer<UInt64>?

    /// Loads `program` with its private `input` and `hints`.
    public init(
        program: Program,
        input: [UInt8] = [],
        hints: [UInt8] = [],
        config: MachineConfig = .init()
    ) throws(ELFError) {
        self.program = program
        self.config = config
        self.input = input
        self.hints = hints
        let range = program.codeRange
        codeBase = range.lowerBound
        codeCount = Int((range.upperBound &- range.lowerBound + 3) >> 2)
        memory = Memory(maxPages: config.maxMemoryPages, code: range)
        var total: UInt64 = 0
        for s in program.segments { total += UInt64(s.memorySize) }
        guard total <= UInt64(config.maxMemoryPages) * UInt64(Memory.pageSize) else {
            throw .imageTooLarge(bytes: total)
        }
        regs = .allocate(capacity: 40)
        regs.initialize(repeating: 0, count: 40)
        opCounts = .allocate(capacity: 64)
        opCounts.initialize(repeating: 0, count: 64)
        code = .allocate(capacity: codeCount + 1)
        rawCode = .allocate(capacity: codeCount + 1)
        pc = program.entry
        // Load the image.
        for s in program.segments {
            // Only the file-backed part is copied; the zero-filled rest (bss, heap, stack)
            // becomes resident on first touch.
            var a = s.address
            let end = s.address &+ UInt32(s.data.count)
            while a < end {
                guard case .success(let page) = memory.page(for: a, write: false) else {
                    throw .imageTooLarge(bytes: total)
                }
                let off = Int(a & 0xfff)
                let n = min(Int(end &- a), Memory.pageSize - off)
                let dataOff = Int(a &- s.address)
                if dataOff < s.data.count {
                    let m = min(n, s.data.count - dataOff)
                    s.data.withUnsafeBytes { src in
                        (page + off).copyMemory(from: src.baseAddress! + dataOff, byteCount: m)
                    }
                }
                a &+= UInt32(n)
            }
        }
        // Pre-decode the code.
        for i in 0..<codeCount {
            let addr = codeBase &+ UInt32(i) &* 4
            let w = memory.peekWord(addr) ?? 0
            rawCode[i] = w
            code[i] = Machine.predecode(word: w, at: addr, base: codeBase, count: codeCount)
        }
        rawCode[codeCount] = 0
        code[codeCount] = DecodedInstruction(op: .end, rd: 32, rs1: 33, rs2: 33, imm: 0)
    }

    deinit {
        regs.deallocate()
        opCounts.deallocate()
        code.deallocate()
        rawCode.deallocate()
        pcCounts?.deallocate()
    }

    static func predecode(word: UInt32, at pc: UInt32, base: UInt32, count: Int) -> DecodedInstruction {
        let r = RawInstruction(word: word)
        var rd = UInt8(r.rd == 0 ? 32 : r.rd)
        var rs1 = UInt8(r.rs1)
        var rs2 = UInt8(r.rs2)
        var imm = r.imm
        func target(_ offset: UInt32) -> UInt32 {
            let t = pc &+ offset &- base
            return (t & 3 == 0 && Int(t >> 2) < count) ? t >> 2 : UInt32.max
        }
        switch r.op {
        case .lui:
            rs1 = 33
            rs2 = 33
        case .auipc:
            rs1 = 33
            rs2 = 33
            imm = pc &+ r.imm
        case .jal:
            rs1 = 33
            rs2 = 33
            imm = target(r.imm)
        case .beq, .bne, .blt, .bge, .bltu, .bgeu:
            rd = 32
            imm = target(r.imm)
        case .sb, .sh, .sw: rd = 32
        case .jalr, .lb, .lh, .lw, .lbu, .lhu, .addi, .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai:
            rs2 = 33
        case .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and, .mul, .mulh, .mulhsu, .mulhu, .div,
            .divu, .rem, .remu:
            break
        case .ecall:
            rs1 = 17
            rs2 = 10
            rd = 10
        case .fence, .ebreak, .illegal, .end:
            rd = 32
            rs1 = 33
            rs2 = 33
        }
        return DecodedInstruction(op: r.op, rd: rd, rs1: rs1, rs2: rs2, imm: imm)
    }

    /// Register `i` (x0..x31).
    public func register(_ i: Int) -> UInt32 { i == 0 ? 0 : regs[i & 31] }

    /// Sets register `i` (writes to x0 are ignored).
    public func setRegister(_ i: Int, _ v: UInt32) { if i & 31 != 0 { regs[i & 31] = v } }

    /// x0..x31.
    public var registers: [UInt32] { (0..<32).map { register($0) } }

    /// Whether the program has exited.
    public var halted: Bool { exitCode != nil }

    /// Instructions executed per opcode (filled by profiled and traced runs).
    public var opcodeCounts: [Opcode: UInt64] {
        var d: [Opcode: UInt64] = [:]
        for op in Opcode.allCases where opCounts[Int(op.rawValue)] > 0 { d[op] = opCounts[Int(op.rawValue)] }
        return d
    }

    /// Instructions executed per class (filled by profiled and traced runs).
    public var classCounts: [InstructionClass: UInt64] {
        var d: [InstructionClass: UInt64] = [:]
        for (op, n) in opcodeCounts { d[op.instructionClass, default: 0] += n }
        return d
    }

    @inline(__always)
    func pcOf(_ idx: Int) -> UInt32 { codeBase &+ UInt32(truncatingIfNeeded: idx) &* 4 }

    /// The error for a taken branch or jal at `idx` whose target is invalid.
    @inline(never)
    func badTarget(_ idx: Int) -> VMError {
        let pc = pcOf(idx)
        let r = RawInstruction(word: rawCode[idx])
        let t = pc &+ r.imm
        return t & 3 != 0 ? .misalignedJump(pc: pc, target: t) : .jumpOutsideCode(pc: pc, target: t)
    }

    /// The error for a jalr at `idx` to `target`.
    @inline(never)
    func badJalr(_ idx: Int, _ target: UInt32) -> VMError {
        let pc = pcOf(idx)
        return target & 3 != 0 ? .misalignedJump(pc: pc, target: target) : .jumpOutsideCode(pc: pc, target: target)
    }

    /// The error for the non-executable instruction at `idx`.
    @inline(never)
    func badInstruction(_ idx: Int) -> VMError {
        let pc = pcOf(idx)
        switch code[idx].op {
        case .ebreak: return .breakpoint(pc: pc)
        case .end: return .jumpOutsideCode(pc: pc &- 4, target: pc)
        default: return .illegalInstruction(pc: pc, word: rawCode[idx])
        }
    }

    /// Slow path of a memory access: allocate the page or report the fault.
    @inline(never)
    func fault(_ address: UInt32, write: Bool, _ idx: Int) throws(VMError) -> UnsafeMutableRawPointer {
        try pageOrThrow(address, write: write, pc: pcOf(idx))
    }

    func pageOrThrow(_ address: UInt32, write: Bool, pc: UInt32) throws(VMError) -> UnsafeMutableRawPointer {
        switch memory.page(for: address, write: write) {
        case .success(let p): return p
        case .failure(let f):
            switch f.fault {
            case .outOfRange: throw .accessOutOfRange(pc: pc, address: address)
            case .storeToCode: throw .storeToCode(pc: pc, address: address)
            case .outOfMemory: throw .outOfMemory(pc: pc, address: address)
            }
        }
    }

    @inline(never)
    func misaligned(_ address: UInt32, _ idx: Int) -> VMError { .misalignedAccess(pc: pcOf(idx), address: address) }

    /// Runs at full speed until the program exits; returns its exit code.
    ///
    /// - Parameter profile: count instructions per opcode (``opcodeCounts``), a little slower.
    @discardableResult
    public func run(profile: Bool = false) throws(VMError) -> Int32 {
        if let code = exitCode { return code }
        if profile { try fastLoop(Profiled.self) } else { try fastLoop(Unprofiled.self) }
        return exitCode ?? 0
    }

    /// The interpreter loop of fast mode: no record, one switch per instruction.
    @inline(never)
    func fastLoop<P: ProfileMode>(_: P.Type) throws(VMError) {
        let code = self.code
        let regs = self.regs
        let rp = memory.readPages
        let wp = memory.writePages
        let counts = opCounts
        let pcCounts = self.pcCounts
        let base = codeBase
        let count = codeCount
        let codeBytes = UInt32(truncatingIfNeeded: count) &* 4
        let start = cycles
        let budget = config.maxCycles > cycles ? config.maxCycles - cycles : 0
        var remaining = budget
        var idx = Int((pc &- base) >> 2)
        guard pc &- base < codeBytes, pc & 3 == 0 else { throw .jumpOutsideCode(pc: pc, target: pc) }
        defer {
            pc = base &+ UInt32(truncatingIfNeeded: idx) &* 4
            cycles = start &+ (budget &- remaining)
        }
        while true {
            if remaining == 0 { throw .cycleLimitExceeded(pc: pcOf(idx), cycles: config.maxCycles) }
            let ins = code[idx]
            if P.enabled { counts[Int(ins.op.rawValue)] &+= 1 }
            if P.perPC { pcCounts.unsafelyUnwrapped[idx] &+= 1 }
            let rd = Int(ins.rd)
            let imm = ins.imm
            switch ins.op {
            case .addi: regs[rd] = regs[Int(ins.rs1)] &+ imm
            case .add: regs[rd] = regs[Int(ins.rs1)] &+ regs[Int(ins.rs2)]
            case .lw:
                let a = regs[Int(ins.rs1)] &+ imm
                if a & 3 != 0 { throw misaligned(a, idx) }
                let p: UnsafeMutableRawPointer
                if let q = rp[Int(a >> 12)] { p = q } else { p = try fault(a, write: false, idx) }
                regs[rd] = p.load(fromByteOffset: Int(a & 0xfff), as: UInt32.self)
            case .sw:
                let a = regs[Int(ins.rs1)] &+ imm
                if a & 3 != 0 { throw misaligned(a, idx) }
                let p: UnsafeMutableRawPointer
                if let q = wp[Int(a >> 12)] { p = q } else { p = try fault(a, write: true, idx) }
                p.storeBytes(of: regs[Int(ins.rs2)], toByteOffset: Int(a & 0xfff), as: UInt32.self)
            case .beq, .bne, .blt, .bge, .bltu, .bgeu:
                if ALU.branch(ins.op, regs[Int(ins.rs1)], regs[Int(ins.rs2)]) {
                    if Int(imm) >= count { throw badTarget(idx) }
                    idx = Int(imm)
                    remaining &-= 1
                    continue
                }
            case .jal:
                if Int(imm) >= count { throw badTarget(idx) }
                regs[rd] = base &+ UInt32(truncatingIfNeeded: idx &+ 1) &* 4
                idx = Int(imm)
                remaining &-= 1
                continue
            case .jalr:
                let t = (regs[Int(ins.rs1)] &+ imm) & ~1
                let off = t &- base
                if off & 3 != 0 || off >= codeBytes { throw badJalr(idx, t) }
                regs[rd] = base &+ UInt32(truncatingIfNeeded: idx &+ 1) &* 4
                idx = Int(off >> 2)
                remaining &-= 1
                continue
            case .lui, .auipc: regs[rd] = imm
            case .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai:
                regs[rd] = ALU.compute(ins.op, regs[Int(ins.rs1)], imm)
            case .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and, .mul, .mulh, .mulhsu, .mulhu, .div, .divu,
                .rem, .remu:
                regs[rd] = ALU.compute(ins.op, regs[Int(ins.rs1)], regs[Int(ins.rs2)])
            case .lb, .lbu:
                let a = regs[Int(ins.rs1)] &+ imm
                let p: UnsafeMutableRawPointer
                if let q = rp[Int(a >> 12)] { p = q } else { p = try fault(a, write: false, idx) }
                let b = p.load(fromByteOffset: Int(a & 0xfff), as: UInt8.self)
                regs[rd] = ins.op == .lb ? UInt32(bitPattern: Int32(Int8(bitPattern: b))) : UInt32(b)
            case .lh, .lhu:
                let a = regs[Int(ins.rs1)] &+ imm
                if a & 1 != 0 { throw misaligned(a, idx) }
                let p: UnsafeMutableRawPointer
                if let q = rp[Int(a >> 12)] { p = q } else { p = try fault(a, write: false, idx) }
                let h = p.load(fromByteOffset: Int(a & 0xfff), as: UInt16.self)
                regs[rd] = ins.op == .lh ? UInt32(bitPattern: Int32(Int16(bitPattern: h))) : UInt32(h)
            case .sb:
                let a = regs[Int(ins.rs1)] &+ imm
                let p: UnsafeMutableRawPointer
                if let q = wp[Int(a >> 12)] { p = q } else { p = try fault(a, write: true, idx) }
                p.storeBytes(
                    of: UInt8(truncatingIfNeeded: regs[Int(ins.rs2)]),
                    toByteOffset: Int(a & 0xfff),
                    as: UInt8.self
                )
            case .sh:
                let a = regs[Int(ins.rs1)] &+ imm
                if a & 1 != 0 { throw misaligned(a, idx) }
                let p: UnsafeMutableRawPointer
                if let q = wp[Int(a >> 12)] { p = q } else { p = try fault(a, write: true, idx) }
                p.storeBytes(
                    of: UInt16(truncatingIfNeeded: regs[Int(ins.rs2)]),
                    toByteOffset: Int(a & 0xfff),
                    as: UInt16.self
                )
            case .fence: break
            case .ecall:
                pc = pcOf(idx)
                cycles = start &+ (budget &- remaining)
                let result = try syscall(pc: pc, clk: 0)
                guard let result else {
                    remaining &-= 1
                    idx &+= 1
                    return
                }
                regs[10] = result
            case .ebreak, .illegal, .end:
                throw badInstruction(idx)
            }
            idx &+= 1
            remaining &-= 1
        }
    }
}

/// Compile-time switch for instruction counting in the fast loop.
protocol ProfileMode {
    static var enabled: Bool { get }
    static var perPC: Bool { get }
}
enum Profiled: ProfileMode {
    static var enabled: Bool { true }
    static var perPC: Bool { false }
}
enum Unprofiled: ProfileMode {
    static var enabled: Bool { false }
    static var perPC: Bool { false }
}
enum PCProfiled: ProfileMode {
    static var enabled: Bool { true }
    static var perPC: Bool { true }
}
