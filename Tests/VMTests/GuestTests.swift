import EVMPrimitives
import Foundation
import Secp256k1
import Testing
import VM
import VMTestSupport

/// Example guests built with the Embedded Swift toolchain, run on this machine and on
/// qemu-riscv32: same program output, public output (fd 3 under Linux) and exit code.
@Suite(.serialized)
struct GuestTests {
    static var toolchainPresent: Bool { GuestCache.toolchainPresent }

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    static let sortInput: [UInt8] = {
        var rng = SplitMix(state: 7)
        var out: [UInt8] = []
        for _ in 0..<500 { out += le32(UInt32(truncatingIfNeeded: rng.next())) }
        return out + le32(0) + le32(0xFFFF_FFFF) + le32(0)
    }()

    struct Case: Sendable, CustomTestStringConvertible {
        var guest: String
        var input: [UInt8]
        var testDescription: String { "\(guest) (\(input.count) input bytes)" }
    }

    static let cases: [Case] = [
        Case(guest: "fibonacci", input: []),
        Case(guest: "fibonacci", input: le32(90)),
        Case(guest: "keccak", input: []),
        Case(guest: "keccak", input: Array("abc".utf8)),
        Case(guest: "keccak", input: [UInt8](repeating: 0x61, count: 300)),
        Case(guest: "sort", input: sortInput),
        Case(guest: "sort", input: [1, 2, 3]),
        Case(guest: "mulmod", input: mulModInput),
        Case(guest: "secp256k1", input: secp256k1StepInput),
        Case(guest: "secp256k1", input: secp256k1CombinationInput(mode: 1)),
        Case(guest: "secp256k1", input: secp256k1CombinationInput(mode: 2)),
        Case(guest: "sha256", input: Array("abc".utf8)),
        Case(guest: "sha256", input: (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37) }),
        Case(guest: "sha256", input: [0x52, 0x3A, 40, 0] + Array("chain".utf8)),
    ]

    static func le256(_ v: UInt256) -> [UInt8] {
        [v.w0, v.w1, v.w2, v.w3].flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }

    /// Mode 0 of the secp256k1 guest: 2G, G + 2G, a double of coordinates above P, an add with
    /// x1 = P + 5 (the SDK's software steps under Linux, the syscalls on the zkVM).
    static let secp256k1StepInput: [UInt8] = {
        let g = AffinePoint.generator
        let g2 = JacobianPoint.generator.doubled().affine!
        let ones = [UInt8](repeating: 0xFF, count: 32)
        let aboveP = le256(FieldElement.p &+ UInt256(5))
        return [0, 2] + le256(g.x.value) + le256(g.y.value) + [1] + le256(g.x.value) + le256(g.y.value)
            + le256(g2.x.value) + le256(g2.y.value) + [2] + ones + ones + [1] + aboveP + le256(UInt256(12345))
            + le256(UInt256(7)) + ones
    }()

    /// Mode 1 (affine, point syscalls) or 2 (Jacobian) of the secp256k1 guest: two a·G + b·P.
    static func secp256k1CombinationInput(mode: UInt8) -> [UInt8] {
        var rng = SplitMix(state: 0x5EC)
        func scalar() -> UInt256 { UInt256(rng.next(), rng.next(), rng.next(), rng.next()) }
        var out = [mode]
        for _ in 0..<2 {
            let p = JacobianPoint.multiplyGenerator(Scalar(reducing: scalar())).affine!
            out += le256(scalar()) + le256(scalar()) + le256(p.x.value) + le256(p.y.value)
        }
        return out
    }

    /// Triples (x, y, m) for the mulmod guest: m = 1, m = 2^256 − 1, a small m, random ones.
    static let mulModInput: [UInt8] = {
        var rng = SplitMix(state: 0x4D4D)
        func number(_ words: [UInt32]) -> [UInt8] {
            words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        }
        func random() -> [UInt8] { number((0..<8).map { _ in rng.word() }) }
        let ones = [UInt8](repeating: 0xFF, count: 32)
        let one = [1] + [UInt8](repeating: 0, count: 31)
        let seven = [7] + [UInt8](repeating: 0, count: 31)
        var out = ones + ones + one + ones + ones + ones + random() + ones + seven
        for _ in 0..<5 { out += random() + random() + random() }
        return out
    }()

    @Test(
        .enabled(if: toolchainPresent, "guest toolchain absent: needs swiftc/clang/ld.lld and gcc-riscv64-unknown-elf"),
        .enabled(if: Tools.qemu != nil, "qemu-riscv32 not found: install Debian's qemu-user"),
        arguments: cases
    )
    func exampleMatchesQemu(_ c: Case) async throws {
        let elf = try await GuestCache.shared.elf(c.guest)
        let m = try Machine(program: try ELFLoader.load(elf), input: c.input)
        let code = try m.run()
        let q = try Tools.runQemu(elf: elf, stdin: c.input)
        #expect(m.stdout == q.stdout)
        #expect(m.publicOutput == q.fd3)
        #expect(code & 0xff == q.status)
        // The traced run is identical.
        let t = try Machine(program: try ELFLoader.load(elf), input: c.input)
        var rows = 0
        try t.trace(shardSize: 1 << 14) { rows += $0.rows.count }
        #expect(t.publicOutput == m.publicOutput && UInt64(rows) == m.cycles && t.registers == m.registers)
    }

    /// Known answers the guests must reproduce (published values, not our own output).
    @Test(
        .enabled(if: toolchainPresent, "guest toolchain absent: needs swiftc/clang/ld.lld and gcc-riscv64-unknown-elf")
    )
    func knownAnswers() async throws {
        // F(90) = 2880067194370816120 (OEIS A000045).
        let fib = try Machine(
            program: try ELFLoader.load(try await GuestCache.shared.elf("fibonacci")),
            input: Self.le32(90)
        )
        try fib.run()
        #expect(
            fib.publicOutput == Self.le32(90)
                + (0..<8).map { UInt8(truncatingIfNeeded: UInt64(2_880_067_194_370_816_120) >> (8 * $0)) }
        )
        // Keccak-256("abc") and Keccak-256("") (Ethereum's Keccak, published test vectors).
        let keccak = try await GuestCache.shared.elf("keccak")
        let abc = try Machine(program: try ELFLoader.load(keccak), input: Array("abc".utf8))
        try abc.run()
        #expect(hexString(abc.publicOutput) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        #expect(abc.syscallCounts[Syscall.keccakF.rawValue] == 1)
        let empty = try Machine(program: try ELFLoader.load(keccak))
        try empty.run()
        #expect(hexString(empty.publicOutput) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        // SHA-256 of "abc" (one block, one sha256_compress call) and of the 56-byte message (two
        // blocks): FIPS 180-2 appendix B.1 and B.2.
        let sha256 = try await GuestCache.shared.elf("sha256")
        let oneBlock = try Machine(program: try ELFLoader.load(sha256), input: Array("abc".utf8))
        try oneBlock.run()
        #expect(hexString(oneBlock.publicOutput) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(oneBlock.syscallCounts[Syscall.sha256Compress.rawValue] == 1)
        let twoBlocks = try Machine(
            program: try ELFLoader.load(sha256),
            input: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        )
        try twoBlocks.run()
        #expect(hexString(twoBlocks.publicOutput) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(twoBlocks.syscallCounts[Syscall.sha256Compress.rawValue] == 2)
        // Sort rejects input that is not whole words with exit code 1.
        let sort = try Machine(program: try ELFLoader.load(try await GuestCache.shared.elf("sort")), input: [1, 2, 3])
        #expect(try sort.run() == 1)
    }

    /// The secp256k1 guest's two paths to a·G + b·P agree with each other and with the native
    /// Jacobian formulas, and its point steps with the executor's (the portable module's) results;
    /// the affine path makes point syscalls and no longer the Jacobian path's field products.
    @Test(.enabled(if: toolchainPresent, "guest toolchain absent"))
    func secp256k1PathsAgree() async throws {
        let elf = try await GuestCache.shared.elf("secp256k1")
        func run(_ input: [UInt8]) throws -> Machine {
            let m = try Machine(program: try ELFLoader.load(elf), input: input)
            #expect(try m.run() == 0)
            return m
        }
        let affine = try run(Self.secp256k1CombinationInput(mode: 1))
        let jacobian = try run(Self.secp256k1CombinationInput(mode: 2))
        let input = Self.secp256k1CombinationInput(mode: 1)
        var expected: [UInt8] = []
        for k in 0..<2 {
            func number(_ at: Int) -> UInt256 {
                let b = Array(input[(1 + 128 * k + at)..<(1 + 128 * k + at + 32)])
                func limb(_ i: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[8 * i + $1]) << (8 * $1) } }
                return UInt256(limb(0), limb(1), limb(2), limb(3))
            }
            let p = JacobianPoint(AffinePoint(x: number(64), y: number(96))!)
            let r = JacobianPoint.doubleScalarMultiply(Scalar(reducing: number(0)), Scalar(reducing: number(32)), p)
            expected += Self.le256(r.affine!.x.value) + Self.le256(r.affine!.y.value)
        }
        #expect(affine.publicOutput == expected && jacobian.publicOutput == expected)
        #expect(affine.syscallCounts[Syscall.secp256k1Double.rawValue, default: 0] > 200)
        #expect(affine.cycles * 3 < jacobian.cycles)
        let steps = try run(Self.secp256k1StepInput)
        let g = Accelerators.words(AffinePoint.generator)
        let g2 = Accelerators.words(JacobianPoint.generator.doubled().affine!)
        let words = (0..<(steps.publicOutput.count / 4)).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(steps.publicOutput[4 * i + $1]) << (8 * $1) }
        }
        #expect(Array(words[0..<16]) == Accelerators.secp256k1Double(g))
        #expect(Array(words[16..<32]) == Accelerators.secp256k1Add(g, g2))
    }

    /// The PC profile attributes every cycle, and the guest's own code shows up by symbol.
    @Test(.enabled(if: toolchainPresent, "guest toolchain absent"))
    func profileBySymbol() async throws {
        let elf = try await GuestCache.shared.elf("sort")
        let symbols = ELFLoader.functionSymbols(elf)
        #expect(symbols.contains { $0.name == "_start" } && symbols.contains { $0.name == "main" })
        let m = try Machine(program: try ELFLoader.load(elf), input: Self.sortInput)
        try m.runWithPCProfile()
        let bySymbol = m.cyclesBySymbol(symbols)
        #expect(bySymbol.values.reduce(0, +) == m.cycles)
        #expect(bySymbol["_start"] != nil && bySymbol["?"] == nil)
        #expect(m.classCounts.values.reduce(0, +) == m.cycles)
    }

    /// Two runs of a guest are bit-identical (deterministic arc4random_buf, no host state).
    @Test(.enabled(if: toolchainPresent, "guest toolchain absent"))
    func deterministic() async throws {
        let elf = try await GuestCache.shared.elf("sort")
        let a = try Machine(program: try ELFLoader.load(elf), input: Self.sortInput)
        let b = try Machine(program: try ELFLoader.load(elf), input: Self.sortInput)
        try a.run()
        try b.run()
        #expect(a.cycles == b.cycles && a.registers == b.registers && a.publicOutput == b.publicOutput)
    }
}

func hexString(_ b: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(b.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}
