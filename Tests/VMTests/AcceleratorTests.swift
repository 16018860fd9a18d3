import EVMPrimitives
import Secp256k1
import Testing
import VM
import VMTestSupport

/// The host side of the accelerated syscalls against published values.
struct AcceleratorTests {
    static func point(_ x: String, _ y: String) -> [UInt32] {
        Accelerators.words(AffinePoint(x: UInt256(hex: x)!, y: UInt256(hex: y)!)!)
    }

    static let g = Accelerators.words(AffinePoint.generator)
    // 2G and 3G of secp256k1 (published multiples of the generator).
    static let g2 = point(
        "C6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5",
        "1AE168FEA63DC339A3C58419466CEAEEF7F632653266D0E1236431A950CFE52A"
    )
    static let g3 = point(
        "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9",
        "388F7B0F632DE8140FE337E62A37F3566500A99934C2231B6CB9FD7584B8E672"
    )

    @Test func secp256k1PointOperations() {
        #expect(Accelerators.secp256k1Double(Self.g) == Self.g2)
        #expect(Accelerators.secp256k1Add(Self.g, Self.g2) == Self.g3)
        #expect(Accelerators.secp256k1Add(Self.g2, Self.g) == Self.g3)
        #expect(Accelerators.secp256k1Add(Self.g, Self.g) == nil)
        // Coordinates are reduced mod p first: y = p is y = 0, which has no double.
        let pWords = Accelerators.words(FieldElement.zero, FieldElement(unchecked: FieldElement.p))
        #expect(Accelerators.secp256k1Double(Array(Self.g[0..<8]) + Array(pWords[8..<16])) == nil)
        let zeroY = Array(Self.g[0..<8]) + [UInt32](repeating: 0, count: 8)
        #expect(Accelerators.secp256k1Double(zeroY) == nil)
    }

    /// The syscalls through the machine: keccak_f on the zero state and 2G via secp256k1_double
    /// then 3G via secp256k1_add, with the events recorded in tracing mode.
    @Test func syscallsThroughTheMachine() throws {
        let d = TestProgram.dataBase
        var data = [UInt8](repeating: 0, count: 0x400)
        func put(_ words: [UInt32], at off: Int) {
            for (i, w) in words.enumerated() {
                for k in 0..<4 { data[off + 4 * i + k] = UInt8(truncatingIfNeeded: w >> (8 * k)) }
            }
        }
        put(Self.g, at: 0x200)
        put(Self.g, at: 0x240)
        let words: [UInt32] =
            RV.li(17, 0x1010) + RV.li(10, d) + [RV.ecall]  // keccak_f(state at d)
            + RV.li(17, 0x1012) + RV.li(10, d + 0x200) + [RV.ecall]  // P := 2G
            + RV.li(17, 0x1011) + RV.li(10, d + 0x200) + RV.li(11, d + 0x240) + [RV.ecall]  // P := 2G + G
            + RV.exit(0)
        let program = Program(
            entry: TestProgram.codeBase,
            segments: [
                TestProgram.program(words).segments[0], Segment(address: d, data: data, memorySize: 0x1000, flags: 6),
            ]
        )
        let m = try Machine(program: program)
        let shards = try m.traceAll()
        // Keccak-f[1600] of the zero state, first lane: 0xF1258F7940E1DDE7 (FIPS 202 / Keccak team known answer).
        #expect(m.memory.peekWord(d) == 0x40E1_DDE7 && m.memory.peekWord(d + 4) == 0xF125_8F79)
        let p = (0..<16).map { m.memory.peekWord(d + 0x200 + UInt32(4 * $0))! }
        #expect(p == Self.g3)
        let events = shards.flatMap(\.syscalls)
        #expect(events.map(\.number) == [0x1010, 0x1012, 0x1011, 93])
        #expect(events[0].memory.count == 100)  // 50 words read, 50 written
        #expect(events[1].memory.count == 32)
        #expect(events[2].memory.count == 48)
        #expect(events[2].registerReads.map(\.register) == [11])
    }

    @Test func badAcceleratorArguments() throws {
        let d = TestProgram.dataBase
        let overlapping = RV.li(17, 0x1011) + RV.li(10, d) + RV.li(11, d + 32) + [RV.ecall]
        #expect(
            throws: VMError.badSyscallArgument(pc: TestProgram.codeBase + 24, number: 0x1011, reason: "points overlap")
        ) {
            try TestProgram.run(overlapping)
        }
        let misaligned = RV.li(17, 0x1010) + RV.li(10, d + 2) + [RV.ecall]
        #expect(
            throws: VMError.badSyscallArgument(
                pc: TestProgram.codeBase + 16,
                number: 0x1010,
                reason: "state pointer 0x00020002 not 4-byte aligned"
            )
        ) {
            try TestProgram.run(misaligned)
        }
        // Doubling the zero point (y = 0) is refused.
        let zero = RV.li(17, 0x1012) + RV.li(10, d) + [RV.ecall]
        #expect(
            throws: VMError.badSyscallArgument(
                pc: TestProgram.codeBase + 16,
                number: 0x1012,
                reason: "double of a point with y = 0"
            )
        ) {
            try TestProgram.run(zero)
        }
    }

    /// `uint256_mulmod` refuses overlapping operands, a zero modulus and misaligned pointers.
    @Test func badMulModArguments() throws {
        let d = TestProgram.dataBase
        func mulmod(_ x: UInt32, _ y: UInt32, _ m: UInt32) -> [UInt32] {
            RV.li(17, 0x1013) + RV.li(10, x) + RV.li(11, y) + RV.li(12, m) + [RV.ecall]
        }
        func reason(_ code: [UInt32]) -> String? {
            do {
                _ = try TestProgram.run(code)
                return nil
            } catch {
                guard case VMError.badSyscallArgument(_, 0x1013, let r)? = error as? VMError else { return "\(error)" }
                return r
            }
        }
        #expect(reason(mulmod(d, d + 28, d + 64)) == "operands overlap")
        #expect(reason(mulmod(d, d + 32, d + 60)) == "operands overlap")
        #expect(reason(mulmod(d, d + 32, d + 64)) == "modulus is zero")  // memory is zero
        #expect(reason(mulmod(d + 2, d + 32, d + 64)) == "operand pointers must be 4-byte aligned")
    }
}
