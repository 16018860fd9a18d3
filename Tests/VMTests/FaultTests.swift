import Testing
import VM
import VMTestSupport

/// Bad programs stop with a typed error naming the pc and the cause.
struct FaultTests {
    let base = TestProgram.codeBase

    func fault(_ words: [UInt32], config: MachineConfig = .init(maxCycles: 100_000)) -> VMError? {
        do {
            let m = try Machine(program: TestProgram.program(words), config: config)
            try m.run()
            return nil
        } catch let e as VMError {
            // Tracing mode must agree.
            let t = try? Machine(program: TestProgram.program(words), config: config)
            do {
                _ = try t?.traceAll(shardSize: 64)
                Issue.record("tracing did not fail")
            } catch {
                #expect(error == e)
            }
            return e
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func illegalInstruction() {
        #expect(fault([RV.addi(1, 0, 1), 0xFFFF_FFFF]) == .illegalInstruction(pc: base + 4, word: 0xFFFF_FFFF))
        // A CSR read (rdcycle) is not part of RV32IM.
        #expect(fault([0xC000_2573]) == .illegalInstruction(pc: base, word: 0xC000_2573))
        // slli with shamt bit 5 set is reserved on RV32.
        #expect(fault([RV.i(32, 1, 1, 1, 0x13)]) == .illegalInstruction(pc: base, word: RV.i(32, 1, 1, 1, 0x13)))
    }

    @Test func misalignedAccesses() {
        let d = TestProgram.dataBase
        #expect(fault(RV.li(5, d + 1) + [RV.lw(6, 5, 0)]) == .misalignedAccess(pc: base + 8, address: d + 1))
        #expect(fault(RV.li(5, d + 2) + [RV.sw(6, 5, 0)]) == .misalignedAccess(pc: base + 8, address: d + 2))
        #expect(fault(RV.li(5, d) + [RV.i(3, 5, 1, 6, 0x03)]) == .misalignedAccess(pc: base + 8, address: d + 3))
    }

    @Test func accessesOutsideMemory() {
        #expect(fault([RV.lw(6, 0, 8)]) == .accessOutOfRange(pc: base, address: 8))
        #expect(fault([RV.lw(6, 0, -16)]) == .accessOutOfRange(pc: base, address: 0xFFFF_FFF0))
        #expect(fault(RV.li(5, base) + [RV.sw(5, 5, 0)]) == .storeToCode(pc: base + 8, address: base))
    }

    @Test func jumpsOutsideCode() {
        let d = TestProgram.dataBase
        #expect(fault(RV.li(5, d) + [RV.jalr(1, 5, 0)]) == .jumpOutsideCode(pc: base + 8, target: d))
        #expect(fault(RV.li(5, base + 2) + [RV.jalr(1, 5, 0)]) == .misalignedJump(pc: base + 8, target: base + 2))
        #expect(fault([RV.j(-4, 0)]) == .jumpOutsideCode(pc: base, target: base - 4))
        #expect(fault([RV.b(6, 0, 0, 0)]) == .misalignedJump(pc: base, target: base + 6))
        // Falling off the end of the code.
        #expect(fault([RV.addi(1, 0, 1)]) == .jumpOutsideCode(pc: base, target: base + 4))
    }

    @Test func runawayLoopHitsCycleLimit() {
        #expect(fault([RV.j(0, 0)], config: .init(maxCycles: 5000)) == .cycleLimitExceeded(pc: base, cycles: 5000))
    }

    @Test func pageLimit() {
        // Touch one page after another: the code page is resident, the zero-filled data segment
        // is not, so 19 more pages fit under a limit of 20.
        let loop: [UInt32] =
            RV.li(5, 0x40000) + RV.li(6, 0x1000) + [
                RV.sw(0, 5, 0),
                RV.op("add", 5, 5, 6),
                RV.j(-8, 0),
            ]
        #expect(
            fault(loop, config: .init(maxCycles: 1000, maxMemoryPages: 20))
                == .outOfMemory(pc: base + 16, address: 0x40000 + 19 * 0x1000)
        )
    }

    @Test func ebreakAndUnknownSyscall() {
        #expect(fault([0x0010_0073]) == .breakpoint(pc: base))
        #expect(fault(RV.li(17, 12345) + [RV.ecall]) == .unsupportedSyscall(pc: base + 8, number: 12345))
        #expect(
            fault(RV.li(17, 64) + RV.li(10, 7) + [RV.ecall])
                == .badSyscallArgument(pc: base + 16, number: 64, reason: "write to fd 7; only fd 1 and 2 are writable")
        )
    }
}
