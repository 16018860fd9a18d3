import Foundation
import VM

// Shared by the VM and VMProver tests: a tiny RV32IM assembler, test programs, host tools, a PRNG.

/// Encoders for RV32IM instructions (the test-side assembler).
public enum RV {
    public static func r(_ f7: UInt32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32
    {
        f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    public static func i(_ imm: Int32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        (UInt32(bitPattern: imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    public static func s(_ imm: Int32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32) -> UInt32 {
        let u = UInt32(bitPattern: imm)
        return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | 0x23
    }
    public static func b(_ imm: Int32, _ rs2: UInt32, _ rs1: UInt32, _ f3: UInt32) -> UInt32 {
        let u = UInt32(bitPattern: imm)
        return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u >> 1 & 0xf) << 8
            | (u >> 11 & 1) << 7 | 0x63
    }
    public static func u(_ imm: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 { (imm & 0xFFFF_F000) | rd << 7 | op }
    public static func j(_ imm: Int32, _ rd: UInt32) -> UInt32 {
        let u = UInt32(bitPattern: imm)
        return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 | (u >> 11 & 1) << 20 | (u >> 12 & 0xff) << 12 | rd << 7
            | 0x6f
    }
    public static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 0, rd, 0x13) }
    public static func lui(_ rd: UInt32, _ imm: UInt32) -> UInt32 { u(imm, rd, 0x37) }
    public static func jalr(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 0, rd, 0x67) }
    public static func sw(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { s(imm, rs2, rs1, 2) }
    public static func lw(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(imm, rs1, 2, rd, 0x03) }
    public static let ecall: UInt32 = 0x73
    /// R-type ALU op by name: (funct7, funct3).
    public static let rOps: [String: (UInt32, UInt32)] = [
        "add": (0, 0), "sub": (0x20, 0), "sll": (0, 1), "slt": (0, 2), "sltu": (0, 3), "xor": (0, 4),
        "srl": (0, 5), "sra": (0x20, 5), "or": (0, 6), "and": (0, 7), "mul": (1, 0), "mulh": (1, 1),
        "mulhsu": (1, 2), "mulhu": (1, 3), "div": (1, 4), "divu": (1, 5), "rem": (1, 6), "remu": (1, 7),
    ]
    public static func op(_ name: String, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        let (f7, f3) = rOps[name]!
        return r(f7, rs2, rs1, f3, rd, 0x33)
    }
    /// Loads a 32-bit constant (lui + addi).
    public static func li(_ rd: UInt32, _ v: UInt32) -> [UInt32] {
        let lo = Int32(bitPattern: v << 20) >> 20
        let hi = v &- UInt32(bitPattern: lo)
        return [lui(rd, hi), addi(rd, rd, lo)]
    }
    /// `exit(code)`.
    public static func exit(_ code: UInt32) -> [UInt32] { li(17, 93) + li(10, code) + [ecall] }
}

/// Test programs: code at 0x10000, a 64 KiB read-write data area at 0x20000.
public enum TestProgram {
    public static let codeBase: UInt32 = 0x10000
    public static let dataBase: UInt32 = 0x20000

    public static func program(_ words: [UInt32], data: [UInt8] = [], dataSize: UInt32 = 0x10000) -> Program {
        var code: [UInt8] = []
        for w in words { for k in 0..<4 { code.append(UInt8(truncatingIfNeeded: w >> (8 * k))) } }
        return Program(
            entry: codeBase,
            segments: [
                Segment(address: codeBase, data: code, memorySize: UInt32(code.count), flags: 5),
                Segment(address: dataBase, data: data, memorySize: dataSize, flags: 6),
            ]
        )
    }

    /// Runs `words` in fast mode and returns the machine.
    public static func run(_ words: [UInt32], input: [UInt8] = [], maxCycles: UInt64 = 1 << 20) throws -> Machine {
        let m = try Machine(program: program(words), input: input, config: MachineConfig(maxCycles: maxCycles))
        try m.run()
        return m
    }
}

/// Finding the host tools the oracle tests need.
public enum Tools {
    public static func find(_ name: String, extraDirs: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + extraDirs {
            let p = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
    public static var qemu: String? { find("qemu-riscv32") }

    /// Runs `path` under qemu-riscv32 with `stdin`; returns (stdout, exit status, fd 3 output).
    public static func runQemu(
        elf: [UInt8],
        stdin: [UInt8] = []
    ) throws -> (stdout: [UInt8], status: Int32, fd3: [UInt8]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vmtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let elfPath = dir.appendingPathComponent("prog.elf").path
        let inPath = dir.appendingPathComponent("in.bin").path
        let outPath = dir.appendingPathComponent("out.bin").path
        let fd3Path = dir.appendingPathComponent("fd3.bin").path
        FileManager.default.createFile(atPath: elfPath, contents: Data(elf), attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: inPath, contents: Data(stdin))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "exec '\(qemu!)' '\(elfPath)' < '\(inPath)' > '\(outPath)' 3> '\(fd3Path)'"]
        try p.run()
        p.waitUntilExit()
        let out = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let fd3 = (try? Data(contentsOf: URL(fileURLWithPath: fd3Path))) ?? Data()
        return ([UInt8](out), p.terminationStatus, [UInt8](fd3))
    }
}

/// A small deterministic PRNG (SplitMix64) for generated tests.
public struct SplitMix {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// The low 32 bits of ``next()``.
    public mutating func word() -> UInt32 { UInt32(truncatingIfNeeded: next()) }
}

/// Example guests built with the Embedded Swift toolchain, once per test process.
public actor GuestCache {
    public static let shared = GuestCache()
    var elves: [String: [UInt8]] = [:]

    /// Whether the guest toolchain (swiftc, clang, ld.lld, rv32im libgcc) is installed.
    public static var toolchainPresent: Bool { (try? GuestBuilder()) != nil }

    /// Where the test guests of the checkout whose guest sources are `guests` are built: one
    /// folder per checkout (named by an FNV-1a hash of its path), so that two worktrees testing
    /// at once never build into, or load, each other's ELFs.
    public static func buildDirectory(guests: URL) -> URL {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in guests.standardizedFileURL.path.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let name = "vmtest-guests-" + String(h, radix: 16)
        return FileManager.default.temporaryDirectory.appendingPathComponent(name)
    }

    /// The ELF of `Guests/examples/<name>`; with `softwareKeccak`, built so that it never calls
    /// `keccak_f` (see ``GuestBuilder/build(directory:extraSources:output:accelerateKeccak:)``).
    public func elf(_ name: String, softwareKeccak: Bool = false) throws -> [UInt8] {
        let file = softwareKeccak ? "\(name)-software-keccak.elf" : "\(name).elf"
        if let e = elves[file] { return e }
        let builder = try GuestBuilder()
        let dir = builder.guestsDirectory.appendingPathComponent("examples/\(name)")
        let out = Self.buildDirectory(guests: builder.guestsDirectory).appendingPathComponent(file)
        let path = try builder.build(directory: dir, output: out, accelerateKeccak: !softwareKeccak)
        let bytes = [UInt8](try Data(contentsOf: path))
        elves[file] = bytes
        return bytes
    }
}
