extension Machine {
    /// Runs in tracing mode until the program exits, handing over one ``Shard`` per `shardSize`
    /// cycles (the last one may be shorter). Returns the exit code.
    ///
    /// Instruction counts per opcode are collected as in a profiled run.
    @discardableResult
    public func trace(shardSize: Int = 1 << 20, onShard: (Shard) -> Void) throws(VMError) -> Int32 {
        precondition(shardSize > 0 && shardSize < 1 << 29, "shard size out of range")
        if let code = exitCode { return code }
        let t = Tracer(shardSize: shardSize)
        t.startCycle = cycles
        t.startPC = pc
        t.startRegisters = registers
        tracer = t
        defer { tracer = nil }
        try traceLoop(t, onShard: onShard)
        return exitCode ?? 0
    }

    /// Convenience: traces the whole run and returns every shard.
    public func traceAll(shardSize: Int = 1 << 20) throws(VMError) -> [Shard] {
        var shards: [Shard] = []
        try trace(shardSize: shardSize) { shards.append($0) }
        return shards
    }

    @inline(never)
    func traceLoop(_ t: Tracer, onShard: (Shard) -> Void) throws(VMError) {
        let code = self.code
        let raw = rawCode
        let regs = self.regs
        let regTs = t.regTs
        let rp = memory.readPages
        let wp = memory.writePages
        let tsPages = t.tsPages
        var rows = t.rows
        let shardSize = t.shardSize
        let counts = opCounts
        let base = codeBase
        let count = codeCount
        let codeBytes = UInt32(truncatingIfNeeded: count) &* 4
        var idx = Int((pc &- base) >> 2)
        guard pc &- base < codeBytes, pc & 3 == 0 else { throw .jumpOutsideCode(pc: pc, target: pc) }
        var n = 0
        var cyc = cycles
        let limit = config.maxCycles
        defer {
            pc = base &+ UInt32(truncatingIfNeeded: idx) &* 4
            cycles = cyc
        }
        while true {
            if n == shardSize {
                pc = pcOf(idx)
                cycles = cyc
                onShard(t.finishShard(machine: self, rowCount: n, exitCode: nil))
                rows = t.rows
                n = 0
            }
            if cyc >= limit {
                cycles = cyc
                throw .cycleLimitExceeded(pc: pcOf(idx), cycles: limit)
            }
            let ins = code[idx]
            counts[Int(ins.op.rawValue)] &+= 1
            let clk = UInt32(truncatingIfNeeded: n &+ 1) &<< 2
            let r1 = Int(ins.rs1)
            let r2 = Int(ins.rs2)
            let a = regs[r1]
            let b = regs[r2]
            var row = TraceRow(
                pc: base &+ UInt32(truncatingIfNeeded: idx) &* 4,
                instruction: raw[idx],
                rs1Value: a,
                rs1PrevTimestamp: regTs[r1],
                rs2Value: b,
                rs2PrevTimestamp: 0,
                rdValue: 0,
                rdPrevValue: 0,
                rdPrevTimestamp: 0,
                memoryAddress: 0,
                memoryValue: 0,
                memoryPrevValue: 0,
                memoryPrevTimestamp: 0
            )
            regTs[r1] = clk
            row.rs2PrevTimestamp = regTs[r2]
            regTs[r2] = clk | 1
            let imm = ins.imm
            var result: UInt32 = 0
            var next = idx &+ 1
            switch ins.op {
            case .addi, .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai:
                result = ALU.compute(ins.op, a, imm)
            case .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and, .mul, .mulh, .mulhsu, .mulhu, .div, .divu,
                .rem, .remu:
                result = ALU.compute(ins.op, a, b)
            case .lui, .auipc: result = imm
            case .beq, .bne, .blt, .bge, .bltu, .bgeu:
                if ALU.branch(ins.op, a, b) {
                    if Int(imm) >= count { throw badTarget(idx) }
                    next = Int(imm)
                }
            case .jal:
                if Int(imm) >= count { throw badTarget(idx) }
                result = base &+ UInt32(truncatingIfNeeded: idx &+ 1) &* 4
                next = Int(imm)
            case .jalr:
                let target = (a &+ imm) & ~1
                let off = target &- base
                if off & 3 != 0 || off >= codeBytes { throw badJalr(idx, target) }
                result = base &+ UInt32(truncatingIfNeeded: idx &+ 1) &* 4
                next = Int(off >> 2)
            case .lb, .lh, .lw, .lbu, .lhu:
                let addr = a &+ imm
                let mask: UInt32 = ins.op == .lw ? 3 : (ins.op == .lb || ins.op == .lbu ? 0 : 1)
                if addr & mask != 0 { throw misaligned(addr, idx) }
                let pi = Int(addr >> 12)
                let p: UnsafeMutableRawPointer
                if let q = rp[pi] { p = q } else { p = try fault(addr, write: false, idx) }
                let ts = tsPages[pi] ?? t.firstTouch(pi, p)
                let wi = Int(addr & 0xfff) >> 2
                let word = p.load(fromByteOffset: wi << 2, as: UInt32.self)
                row.memoryAddress = addr & ~3
                row.memoryValue = word
                row.memoryPrevValue = word
                row.memoryPrevTimestamp = ts[wi]
                ts[wi] = clk | 2
                let shifted = word >> ((addr & 3) << 3)
                switch ins.op {
                case .lw: result = word
                case .lb: result = UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: shifted)))
                case .lbu: result = shifted & 0xff
                case .lh: result = UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: shifted)))
                default: result = shifted & 0xffff
                }
            case .sb, .sh, .sw:
                let addr = a &+ imm
                let mask: UInt32 = ins.op == .sw ? 3 : (ins.op == .sb ? 0 : 1)
                if addr & mask != 0 { throw misaligned(addr, idx) }
                let pi = Int(addr >> 12)
                let p: UnsafeMutableRawPointer
                if let q = wp[pi] { p = q } else { p = try fault(addr, write: true, idx) }
                let ts = tsPages[pi] ?? t.firstTouch(pi, p)
                let wi = Int(addr & 0xfff) >> 2
                let old = p.load(fromByteOffset: wi << 2, as: UInt32.self)
                let shift = (addr & 3) << 3
                let word: UInt32
                switch ins.op {
                case .sw: word = b
                case .sb: word = (old & ~(0xff << shift)) | (b & 0xff) << shift
                default: word = (old & ~(0xffff << shift)) | (b & 0xffff) << shift
                }
                p.storeBytes(of: word, toByteOffset: wi << 2, as: UInt32.self)
                row.memoryAddress = addr & ~3
                row.memoryValue = word
                row.memoryPrevValue = old
                row.memoryPrevTimestamp = ts[wi]
                ts[wi] = clk | 2
            case .fence: break
            case .ecall:
                pc = row.pc
                cycles = cyc
                t.currentRow = n
                let r = try syscall(pc: row.pc, clk: clk)
                result = r ?? regs[10]
            case .ebreak, .illegal, .end:
                throw badInstruction(idx)
            }
            let rd = Int(ins.rd)
            row.rdPrevValue = regs[rd]
            row.rdPrevTimestamp = regTs[rd]
            regs[rd] = result
            regTs[rd] = clk | 3
            row.rdValue = result
            rows[n] = row
            n &+= 1
            cyc &+= 1
            idx = next
            if ins.op == .ecall, exitCode != nil {
                pc = pcOf(idx)
                cycles = cyc
                onShard(t.finishShard(machine: self, rowCount: n, exitCode: exitCode))
                return
            }
        }
    }
}
