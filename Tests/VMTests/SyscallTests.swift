import Testing
import VM
import VMTestSupport

/// The I/O syscalls: input, hints, commit, output, debug output, exit codes.
struct SyscallTests {
    let d = TestProgram.dataBase

    func call(_ n: UInt32, _ a0: UInt32, _ a1: UInt32 = 0, _ a2: UInt32 = 0) -> [UInt32] {
        RV.li(17, n) + RV.li(10, a0) + RV.li(11, a1) + RV.li(12, a2) + [RV.ecall]
    }

    @Test func inputHintsCommitAndOutput() throws {
        let words: [UInt32] =
            call(63, 0, d, 3)  // read 3 input bytes → d
            + [RV.addi(20, 10, 0)]  // x20 = bytes read
            + call(63, 0, d + 3, 100)  // read the rest (2 bytes) → d+3
            + [RV.addi(21, 10, 0)]
            + call(63, 0, d + 5, 100)  // at the end: 0
            + [RV.addi(22, 10, 0)]
            + call(0x1002, 0)  // hint_len → 4
            + [RV.addi(23, 10, 0)]
            + call(0x1001, d + 0x101, 10)  // hint_read (unaligned buffer) → 4
            + [RV.addi(24, 10, 0)]
            + call(0x1000, d, 5)  // commit the input
            + call(0x1000, d + 0x101, 4)  // commit the hints
            + call(64, 1, d + 1, 2)  // write 2 bytes to stdout
            + call(64, 2, d + 0x102, 1)  // 1 byte of debug output
            + call(93, 0xFFFF_FF85)  // exit(-123)
        let m = try Machine(program: TestProgram.program(words), input: [1, 2, 3, 4, 5], hints: [9, 8, 7, 6])
        #expect(try m.run() == -123)
        #expect([m.register(20), m.register(21), m.register(22), m.register(23), m.register(24)] == [3, 2, 0, 4, 4])
        #expect(m.publicOutput == [1, 2, 3, 4, 5, 9, 8, 7, 6])
        #expect(m.stdout == [2, 3])
        #expect(m.stderr == [8])
        #expect(m.syscallCounts[0x1000] == 2)
        // The traced run records one event per call with the bytes moved.
        let t = try Machine(program: TestProgram.program(words), input: [1, 2, 3, 4, 5], hints: [9, 8, 7, 6])
        let events = try t.traceAll().flatMap(\.syscalls)
        #expect(events.map(\.number) == [63, 63, 63, 0x1002, 0x1001, 0x1000, 0x1000, 64, 64, 93])
        #expect(events[0].result == 3 && events[0].memory.count == 1)  // one word written
        #expect(events[4].memory.count == 2)  // bytes 0x101..0x104 span two words
        #expect(events[9].result == nil)
    }

    @Test func refusedArguments() {
        // Buffer running past the end of memory.
        #expect(throws: VMError.accessOutOfRange(pc: TestProgram.codeBase + 32, address: 0xFFFF_FFF0)) {
            try TestProgram.run(call(64, 1, 0xFFFF_FFF0, 64), input: [])
        }
        // Reading from a file descriptor other than 0.
        #expect(
            throws: VMError.badSyscallArgument(
                pc: TestProgram.codeBase + 32,
                number: 63,
                reason: "read from fd 3; only fd 0 (private input) is readable"
            )
        ) {
            try TestProgram.run(call(63, 3, d, 4), input: [1])
        }
        // A transfer larger than 64 MiB.
        #expect(
            throws: VMError.badSyscallArgument(
                pc: TestProgram.codeBase + 32,
                number: 0x1000,
                reason: "length 134217728 too large"
            )
        ) {
            try TestProgram.run(call(0x1000, d, 1 << 27), input: [])
        }
    }
}
