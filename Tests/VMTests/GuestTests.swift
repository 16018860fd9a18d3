import Foundation
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
    ]

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
        // Sort rejects input that is not whole words with exit code 1.
        let sort = try Machine(program: try ELFLoader.load(try await GuestCache.shared.elf("sort")), input: [1, 2, 3])
        #expect(try sort.run() == 1)
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
