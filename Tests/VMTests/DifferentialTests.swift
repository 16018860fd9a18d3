import Testing
import VM
import VMTestSupport

/// Random RV32IM instruction streams run on this machine and on qemu-riscv32: the final
/// registers (dumped with a write syscall), the data memory and the exit code must agree.
struct DifferentialTests {
    static let dump: UInt32 = TestProgram.dataBase + 0x8000

    /// A random program: seed registers, `length` random instructions, dump x1..x30 and data, exit.
    static func randomProgram(seed: UInt64, length: Int) -> [UInt32] {
        var rng = SplitMix(state: seed)
        var words: [UInt32] = []
        let specials: [UInt32] = [0, 1, 0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, 2, 31, 32, 0xFFFF_FFFE]
        for r in UInt32(1)...29 {
            let v = rng.below(3) == 0 ? specials[rng.below(specials.count)] : UInt32(truncatingIfNeeded: rng.next())
            words += RV.li(r, v)
        }
        words += RV.li(30, TestProgram.dataBase)
        let rOps = RV.rOps.keys.sorted()
        func reg() -> UInt32 { UInt32(rng.below(30)) }  // x0..x29; x30 is the data base
        var i = 0
        while i < length {
            let kind = rng.below(100)
            let rd = reg()
            let rs1 = reg()
            let rs2 = reg()
            let imm = Int32(truncatingIfNeeded: rng.next() % 4096) - 2048
            switch kind {
            case 0..<40: words.append(RV.op(rOps[rng.below(rOps.count)], rd, rs1, rs2))
            case 40..<55:
                let f3 = [0, 2, 3, 4, 6, 7][rng.below(6)]
                words.append(RV.i(imm, rs1, UInt32(f3), rd, 0x13))
            case 55..<62:
                let sh = Int32(rng.below(32))
                let (f3, hi): (UInt32, Int32) = [(1, 0), (5, 0), (5, 0x400)][rng.below(3)]
                words.append(RV.i(sh | hi, rs1, f3, rd, 0x13))
            case 62..<66: words.append(RV.u(UInt32(truncatingIfNeeded: rng.next()), rd, [0x37, 0x17][rng.below(2)]))
            case 66..<78:
                let (f3, align): (UInt32, Int) = [(0, 1), (1, 2), (2, 4), (4, 1), (5, 2)][rng.below(5)]
                let off = Int32(rng.below(2000 / align) * align)
                words.append(RV.i(off, 30, f3, rd, 0x03))
            case 78..<88:
                let (f3, align): (UInt32, Int) = [(0, 1), (1, 2), (2, 4)][rng.below(3)]
                let off = Int32(rng.below(2000 / align) * align)
                words.append(RV.s(off, rs2, 30, f3))
            case 88..<96:
                // Forward branch over 1..3 instructions.
                let skip = Int32(rng.below(3) + 2) * 4
                let f3 = [0, 1, 4, 5, 6, 7][rng.below(6)]
                words.append(RV.b(skip, rs2, rs1, UInt32(f3)))
            default:
                words.append(RV.j(Int32(rng.below(3) + 2) * 4, rd))
            }
            i += 1
        }
        // Landing pad for trailing forward jumps.
        words += [RV.addi(0, 0, 0), RV.addi(0, 0, 0), RV.addi(0, 0, 0)]
        // Dump x1..x30 at `dump`, then write(1, data, 2048 + 120), exit(x5 & 0xff).
        words += RV.li(31, dump)
        for r in UInt32(1)...30 { words.append(RV.sw(r, 31, Int32(4 * (r - 1)))) }
        words += RV.li(17, 64) + RV.li(10, 1) + RV.li(11, TestProgram.dataBase) + RV.li(12, 2048)
        words.append(RV.ecall)
        words += RV.li(17, 64) + RV.li(10, 1) + RV.li(11, dump) + RV.li(12, 120)
        words.append(RV.ecall)
        words += [RV.i(0xff, 5, 7, 10, 0x13), RV.addi(17, 0, 93), RV.ecall]
        return words
    }

    @Test(.enabled(if: Tools.qemu != nil, "qemu-riscv32 not found: install Debian's qemu-user to run the oracle"))
    func randomStreamsMatchQemu() throws {
        for seed in UInt64(1)...24 {
            let program = TestProgram.program(Self.randomProgram(seed: seed, length: 400))
            let elf = ELFBuilder.build(program)
            let m = try Machine(program: try ELFLoader.load(elf))
            let code = try m.run()
            let q = try Tools.runQemu(elf: elf)
            #expect(m.stdout.count == 2048 + 120)
            let same = m.stdout == q.stdout
            #expect(same, "seed \(seed): registers or memory differ from qemu")
            #expect(code & 0xff == q.status, "seed \(seed): exit code differs from qemu")
            // Tracing mode ends in the same state.
            let t = try Machine(program: program)
            _ = try t.traceAll(shardSize: 1000)
            let traced = t.stdout == m.stdout && t.registers == m.registers
            #expect(traced, "seed \(seed): tracing mode differs")
        }
    }
}
