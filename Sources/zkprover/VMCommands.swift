import ArgumentParser
import Foundation
import VM

/// `zkprover guest ...`: the guest toolchain.
struct GuestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest",
        abstract: "Build Embedded Swift guests for the RV32IM zkVM.",
        subcommands: [GuestBuild.self]
    )
}

/// `zkprover guest build DIR`.
struct GuestBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile the .swift files of DIR (with the guest SDK) into an rv32im ELF."
    )

    @Argument(help: "Directory holding the guest's .swift files.") var directory: String
    @Option(name: .shortAndLong, help: "Output ELF (default DIR/.build/guest.elf).") var output: String?

    func run() throws {
        let builder = try GuestBuilder(guestsDirectory: VMCommandSupport.guestsDirectory())
        let out = try builder.build(
            directory: URL(fileURLWithPath: directory),
            output: output.map { URL(fileURLWithPath: $0) }
        )
        print(out.path)
    }
}

/// `zkprover run ELF --input FILE`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an RV32IM ELF on the zkVM; print outputs, exit code, cycles and a profile."
    )

    @Argument(help: "The guest ELF.") var elf: String
    @Option(help: "Private input file (read by the guest from fd 0).") var input: String?
    @Option(help: "Hint file (host advice).") var hints: String?
    @Flag(help: "Run in tracing mode and summarise the execution record per shard.") var trace = false
    @Option(help: "Cycles per shard in tracing mode.") var shardSize: Int = 1 << 20
    @Option(help: "Cycle limit.") var maxCycles: UInt64 = 1 << 36

    func run() throws {
        let program = try ELFLoader.load(try VMCommandSupport.readFile(elf))
        let inputBytes = try input.map(VMCommandSupport.readFile) ?? []
        let hintBytes = try hints.map(VMCommandSupport.readFile) ?? []
        let m = try Machine(program: program, input: inputBytes, hints: hintBytes, config: .init(maxCycles: maxCycles))
        let start = Date()
        do {
            if trace {
                var shards = 0
                var rows = 0
                var pages = 0
                var events = 0
                try m.trace(shardSize: shardSize) { s in
                    shards += 1
                    rows += s.rows.count
                    pages += s.initialPages.count
                    events += s.syscalls.count
                }
                print("trace: \(shards) shards, \(rows) rows, \(pages) page snapshots, \(events) syscall events")
            } else {
                try m.run(profile: true)
            }
        } catch {
            print("error: \(error)")
            VMCommandSupport.printOutputs(m)
            throw ExitCode(2)
        }
        let seconds = Date().timeIntervalSince(start)
        VMCommandSupport.printOutputs(m)
        print("exit code: \(m.exitCode ?? 0)")
        print("cycles: \(m.cycles)  (\(String(format: "%.1f", Double(m.cycles) / seconds / 1e6)) M cycles/s)")
        print("profile by instruction class:")
        for (c, n) in m.classCounts.sorted(by: { $0.value > $1.value }) {
            print(
                "  \(c.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(n)  \(String(format: "%5.1f%%", 100 * Double(n) / Double(max(m.cycles, 1))))"
            )
        }
        print("syscalls:")
        for (n, c) in m.syscallCounts.sorted(by: { $0.key < $1.key }) {
            let name = Syscall(rawValue: n).map { "\($0)" } ?? "?"
            print("  \(name) (\(n)): \(c)")
        }
    }
}

/// `zkprover vm ...`.
struct VMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "RV32IM zkVM tools.",
        subcommands: [VMBench.self]
    )
}

enum VMCommandSupport {
    static func readFile(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        return [UInt8](d)
    }

    static func guestsDirectory() -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Guests")
        if FileManager.default.fileExists(atPath: cwd.appendingPathComponent("runtime/link.ld").path) { return cwd }
        return GuestBuilder.packageRoot().appendingPathComponent("Guests")
    }

    static func hexString(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    static func printOutputs(_ m: Machine) {
        if !m.stdout.isEmpty { print("stdout: \(String(decoding: m.stdout, as: UTF8.self))") }
        if !m.stderr.isEmpty { print("debug: \(String(decoding: m.stderr, as: UTF8.self))") }
        print("public output (\(m.publicOutput.count) bytes): \(hexString(m.publicOutput))")
    }
}

/// `zkprover vm bench`: executor speed on the example guests, with qemu-riscv32 beside it.
struct VMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure M cycles/s in fast and tracing mode on the example guests; time qemu-riscv32 on the same ELF."
    )

    @Option(help: "Directory for the built guest ELFs.") var buildDirectory: String = ".build/guests"
    @Option(help: "Cycles per shard in tracing mode.") var shardSize: Int = 1 << 20
    @Option(help: "Fibonacci iterations.") var fibonacci: UInt32 = 20_000_000
    @Option(help: "Values to sort.") var sortCount: Int = 200_000
    @Option(help: "Keccak chain length over a 1 KiB input.") var keccakRounds: Int = 2000
    @Flag(help: "Print rows as JSON.") var json = false

    func run() throws {
        let builder = try GuestBuilder(guestsDirectory: VMCommandSupport.guestsDirectory())
        let examples = builder.guestsDirectory.appendingPathComponent("examples")
        let outDir = URL(fileURLWithPath: buildDirectory)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        var rng: UInt64 = 0x1234_5678
        func next() -> UInt32 {
            rng ^= rng << 13
            rng ^= rng >> 7
            rng ^= rng << 17
            return UInt32(truncatingIfNeeded: rng)
        }
        var sortInput: [UInt8] = []
        for _ in 0..<sortCount {
            let v = next()
            for k in 0..<4 { sortInput.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
        }
        var keccakInput: [UInt8] = [0x52, 0x3a, UInt8(keccakRounds & 0xff), UInt8(keccakRounds >> 8 & 0xff)]
        for _ in 0..<1024 { keccakInput.append(UInt8(truncatingIfNeeded: next())) }
        let cases: [(String, [UInt8])] = [
            ("fibonacci", (0..<4).map { UInt8(truncatingIfNeeded: fibonacci >> (8 * $0)) }),
            ("sort", sortInput),
            ("keccak", keccakInput),
        ]
        var rows: [BenchRow] = []
        for (name, input) in cases {
            let elf = try builder.build(
                directory: examples.appendingPathComponent(name),
                output: outDir.appendingPathComponent("\(name).elf")
            )
            let program = try ELFLoader.load(try VMCommandSupport.readFile(elf.path))
            // Fast mode.
            let fast = try Machine(program: program, input: input)
            let fastTime = try VMBench.measure { try fast.run() }
            let cycles = fast.cycles
            // Tracing mode (shards are produced and dropped).
            let traced = try Machine(program: program, input: input)
            var rowsSeen = 0
            let traceTime = try VMBench.measure { try traced.trace(shardSize: shardSize) { rowsSeen += $0.rows.count } }
            guard traced.publicOutput == fast.publicOutput, rowsSeen == Int(cycles) else {
                throw ValidationError("\(name): tracing run disagrees with the fast run")
            }
            // qemu-riscv32 on the same ELF and input.
            let qemu = try VMBench.timeQemu(elf: elf.path, input: input, outDir: outDir)
            func mcps(_ s: Double) -> Double { Double(cycles) / s / 1e6 }
            let qemuNote =
                qemu.map {
                    String(
                        format: "qemu-riscv32: %.3f s wall, %.3f s CPU (%.1f M instr/s CPU)", $0.wall, $0.cpu,
                        mcps($0.cpu))
                } ?? "qemu-riscv32 not found"
            rows.append(
                BenchRow(
                    name: "zkVM fast \(name)", threads: 1, value: mcps(fastTime.cpu), unit: "M cycles/s (CPU time)",
                    reference: qemu.map { mcps($0.cpu) },
                    note: String(
                        format: "%llu cycles; %.3f s CPU, %.3f s wall (%.1f M cycles/s wall); %@", cycles, fastTime.cpu,
                        fastTime.wall, mcps(fastTime.wall), qemuNote)))
            rows.append(
                BenchRow(
                    name: "zkVM tracing \(name)", threads: 1, value: mcps(traceTime.cpu), unit: "M cycles/s (CPU time)",
                    reference: nil,
                    note: String(
                        format: "%llu cycles; %.3f s CPU, %.3f s wall (%.1f M cycles/s wall); shard %d", cycles,
                        traceTime.cpu, traceTime.wall, mcps(traceTime.wall), shardSize)))
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(rows), as: UTF8.self))
        } else {
            print("M cycles/s by CPU time of the executing thread (this machine is shared); wall-clock figures in the notes.")
            for r in rows {
                let ref = r.reference.map { String(format: "%8.1f", $0) } ?? "       -"
                print(
                    "\(r.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(String(format: "%10.1f", r.value))   \(ref)                   \(r.note ?? "")"
                )
            }
        }
    }

    /// Wall and CPU seconds of `body` (CPU time of the calling thread).
    static func measure(_ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
        func cpuNow() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        let w0 = Date()
        let c0 = cpuNow()
        try body()
        return (Date().timeIntervalSince(w0), cpuNow() - c0)
    }

    /// Wall and CPU (user + system) seconds of `qemu-riscv32 elf < input`; nil if qemu is absent.
    static func timeQemu(elf: String, input: [UInt8], outDir: URL) throws -> (wall: Double, cpu: Double)? {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map {
            "\($0)/qemu-riscv32"
        }
        guard let qemu = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let inPath = outDir.appendingPathComponent("bench-input.bin").path
        FileManager.default.createFile(atPath: inPath, contents: Data(input))
        func childrenCPU() -> Double {
            var u = rusage()
            #if os(Linux)
                getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &u)
            #else
                getrusage(RUSAGE_CHILDREN, &u)
            #endif
            return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
                + Double(u.ru_stime.tv_usec) / 1e6
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: qemu)
        p.arguments = [elf]
        p.standardInput = FileHandle(forReadingAtPath: inPath)
        p.standardOutput = FileHandle.nullDevice
        let c0 = childrenCPU()
        let t0 = Date()
        try p.run()
        p.waitUntilExit()
        return (Date().timeIntervalSince(t0), childrenCPU() - c0)
    }
}
