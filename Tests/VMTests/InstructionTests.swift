import Testing
import VM
import VMTestSupport

/// Edge cases the RISC-V unprivileged specification defines (M extension table 11.1,
/// shift masking, sign extension, x0).
struct InstructionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var op: String
        var a: UInt32
        var b: UInt32
        var expected: UInt32
        var testDescription: String { "\(op)(\(hex(a)), \(hex(b))) = \(hex(expected))" }
    }

    static let intMin: UInt32 = 0x8000_0000
    static let minusOne: UInt32 = 0xFFFF_FFFF

    static let cases: [Case] = [
        // Division by zero: quotient all ones, remainder the dividend.
        Case(op: "div", a: 7, b: 0, expected: minusOne),
        Case(op: "divu", a: 7, b: 0, expected: minusOne),
        Case(op: "rem", a: 7, b: 0, expected: 7),
        Case(op: "remu", a: 7, b: 0, expected: 7),
        Case(op: "rem", a: intMin, b: 0, expected: intMin),
        // Signed overflow: INT_MIN / -1 = INT_MIN, remainder 0.
        Case(op: "div", a: intMin, b: minusOne, expected: intMin),
        Case(op: "rem", a: intMin, b: minusOne, expected: 0),
        // Rounding toward zero; remainder takes the dividend's sign.
        Case(op: "div", a: UInt32(bitPattern: -7), b: 2, expected: UInt32(bitPattern: -3)),
        Case(op: "div", a: 7, b: UInt32(bitPattern: -2), expected: UInt32(bitPattern: -3)),
        Case(op: "rem", a: UInt32(bitPattern: -7), b: 2, expected: minusOne),
        Case(op: "rem", a: 7, b: UInt32(bitPattern: -2), expected: 1),
        Case(op: "divu", a: minusOne, b: 2, expected: 0x7FFF_FFFF),
        Case(op: "remu", a: minusOne, b: 10, expected: 5),
        // Multiplication high halves.
        Case(op: "mul", a: 0x10000, b: 0x10000, expected: 0),
        Case(op: "mul", a: minusOne, b: minusOne, expected: 1),
        Case(op: "mulh", a: intMin, b: intMin, expected: 0x4000_0000),
        Case(op: "mulh", a: minusOne, b: minusOne, expected: 0),
        Case(op: "mulh", a: minusOne, b: 1, expected: minusOne),
        Case(op: "mulhu", a: minusOne, b: minusOne, expected: 0xFFFF_FFFE),
        Case(op: "mulhsu", a: minusOne, b: minusOne, expected: minusOne),
        Case(op: "mulhsu", a: intMin, b: minusOne, expected: intMin),
        Case(op: "mulhsu", a: 2, b: intMin, expected: 1),
        // Shifts use the low 5 bits of rs2.
        Case(op: "sll", a: 1, b: 33, expected: 2),
        Case(op: "srl", a: intMin, b: 63, expected: 1),
        Case(op: "sra", a: intMin, b: 31, expected: minusOne),
        Case(op: "sra", a: intMin, b: 32, expected: intMin),
        Case(op: "srl", a: minusOne, b: 0xFFFF_FFE4, expected: 0x0FFF_FFFF),
        // Comparisons and wrap-around.
        Case(op: "slt", a: minusOne, b: 0, expected: 1),
        Case(op: "sltu", a: minusOne, b: 0, expected: 0),
        Case(op: "sub", a: 0, b: 1, expected: minusOne),
        Case(op: "add", a: 0x7FFF_FFFF, b: 1, expected: intMin),
    ]

    @Test(arguments: cases)
    func registerRegister(_ c: Case) throws {
        let m = try TestProgram.run(RV.li(5, c.a) + RV.li(6, c.b) + [RV.op(c.op, 7, 5, 6)] + RV.exit(0))
        #expect(m.register(7) == c.expected)
        // Tracing mode computes the same.
        let t = try Machine(
            program: TestProgram.program(RV.li(5, c.a) + RV.li(6, c.b) + [RV.op(c.op, 7, 5, 6)] + RV.exit(0))
        )
        _ = try t.traceAll()
        #expect(t.register(7) == c.expected)
    }

    @Test func immediateForms() throws {
        let words: [UInt32] =
            RV.li(5, 0x8000_0000) + [
                RV.i(-1, 0, 3, 6, 0x13),  // sltiu x6, x0, -1 → 1
                RV.i(-1, 0, 2, 7, 0x13),  // slti x7, x0, -1 → 0
                RV.i(0x41f, 5, 5, 8, 0x13),  // srai x8, x5, 31 → -1
                RV.i(31, 5, 5, 9, 0x13),  // srli x9, x5, 31 → 1
                RV.i(-1, 5, 4, 11, 0x13),  // xori x11, x5, -1 → 0x7fffffff
                RV.i(0x7ff, 0, 6, 12, 0x13),  // ori x12, x0, 2047
                RV.i(-2048, 12, 7, 13, 0x13),  // andi x13, x12, -2048 → 0
            ] + RV.exit(0)
        let m = try TestProgram.run(words)
        #expect(m.register(6) == 1)
        #expect(m.register(7) == 0)
        #expect(m.register(8) == 0xFFFF_FFFF)
        #expect(m.register(9) == 1)
        #expect(m.register(11) == 0x7FFF_FFFF)
        #expect(m.register(12) == 2047)
        #expect(m.register(13) == 0)
    }

    @Test func loadsSignExtend() throws {
        let d = TestProgram.dataBase
        let words: [UInt32] =
            RV.li(5, d) + RV.li(6, 0x80FF_7F80) + [
                RV.sw(6, 5, 0),
                RV.i(0, 5, 0, 7, 0x03),  // lb  x7, 0(x5) → 0x80 sign-extended
                RV.i(0, 5, 4, 8, 0x03),  // lbu x8, 0(x5)
                RV.i(1, 5, 0, 9, 0x03),  // lb  x9, 1(x5) → 0x7f
                RV.i(0, 5, 1, 11, 0x03),  // lh x11, 0(x5) → 0x7f80
                RV.i(2, 5, 1, 12, 0x03),  // lh x12, 2(x5) → 0x80ff sign-extended
                RV.i(2, 5, 5, 13, 0x03),  // lhu x13, 2(x5)
                RV.i(3, 5, 4, 14, 0x03),  // lbu x14, 3(x5) → 0x80
                RV.s(5, 6, 5, 0),  // sb x6, 5(x5): byte 0x80 at offset 5
                RV.s(6, 6, 5, 1),  // sh x6, 6(x5): 0x7f80 at offset 6
                RV.lw(15, 5, 4),  // 0x7f80_8000
            ] + RV.exit(0)
        let m = try TestProgram.run(words)
        #expect(m.register(7) == 0xFFFF_FF80)
        #expect(m.register(8) == 0x80)
        #expect(m.register(9) == 0x7F)
        #expect(m.register(11) == 0x7F80)
        #expect(m.register(12) == 0xFFFF_80FF)
        #expect(m.register(13) == 0x80FF)
        #expect(m.register(14) == 0x80)
        #expect(m.register(15) == 0x7F80_8000)
    }

    @Test func writesToX0AreIgnored() throws {
        let words: [UInt32] =
            [RV.addi(0, 0, 5), RV.lui(0, 0x1234_5000), RV.op("add", 7, 0, 0)] + RV.li(5, TestProgram.dataBase)
            + [RV.lw(0, 5, 0), RV.j(8, 0), RV.addi(8, 0, 1), RV.addi(9, 0, 1)] + RV.exit(0)
        let m = try TestProgram.run(words)
        #expect(m.register(0) == 0)
        #expect(m.register(7) == 0)
        #expect(m.register(8) == 0)  // skipped by the jal
        #expect(m.register(9) == 1)
    }

    @Test func jalrClearsLowBitAndLinksBeforeJumping() throws {
        // x5 = address of instruction 4 plus 1; jalr x5, 0(x5) jumps there and links into x5.
        let words: [UInt32] =
            RV.li(5, TestProgram.codeBase + 16 + 1) + [RV.jalr(5, 5, 0), RV.addi(6, 0, 1), RV.addi(7, 0, 1)]
            + RV.exit(0)
        let m = try TestProgram.run(words)
        #expect(m.register(5) == TestProgram.codeBase + 12)
        #expect(m.register(6) == 0)
        #expect(m.register(7) == 1)
    }

    @Test func branchesAndAuipc() throws {
        let words: [UInt32] =
            RV.li(5, 0xFFFF_FFFF) + [
                RV.b(8, 0, 5, 4),  // blt x5(-1), x0 → taken, skips next
                RV.addi(6, 0, 1),
                RV.b(8, 0, 5, 6),  // bltu x5, x0 → not taken
                RV.addi(7, 0, 1),
                RV.u(0x1000, 8, 0x17),  // auipc x8, 1
            ] + RV.exit(0)
        let m = try TestProgram.run(words)
        #expect(m.register(6) == 0)
        #expect(m.register(7) == 1)
        #expect(m.register(8) == TestProgram.codeBase + 24 + 0x1000)
    }
}
