import ArgumentParser
import EVMFixtures
import EVMGuestInput
import Foundation
import Stark
import VM
import VMProver

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
    @Option(help: "Also list the N functions (ELF symbols) with the most cycles.") var functions: Int = 0

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
            } else if functions > 0 {
                try m.runWithPCProfile()
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
        if functions > 0 && !trace {
            let bytes = try VMCommandSupport.readFile(elf)
            print("functions:")
            for (name, n) in m.cyclesBySymbol(ELFLoader.functionSymbols(bytes)).sorted(by: { $0.value > $1.value })
                .prefix(functions)
            {
                print(String(format: "  %6.2f%%  %@", 100 * Double(n) / Double(max(m.cycles, 1)), name))
            }
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
        subcommands: [
            VMProve.self, VMVerify.self, VMEVMProve.self, VMBench.self, VMEVMBench.self, VMBlockBench.self,
            VMBlockProve.self, VMTransferProve.self,
        ]
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

    /// An example guest built and loaded, with what its benchmarks read beside it.
    struct ExampleGuest {
        /// The ELF file.
        var path: URL
        var program: Program
        /// Function symbols, for profiles.
        var symbols: [ELFSymbol]
        /// `../shared/fixtures/eest` beside the package.
        var eestFixtures: URL
    }

    /// Builds `Guests/examples/<name>` into `buildDirectory` (`<name>.elf`, or
    /// `<name>-software-keccak.elf` when `softwareKeccak`, with `-software-sha256` when
    /// `softwareSHA256`) and loads it.
    static func buildExampleGuest(
        _ name: String,
        buildDirectory: String,
        softwareKeccak: Bool,
        softwareSHA256: Bool = false
    ) throws -> ExampleGuest {
        let builder = try GuestBuilder(guestsDirectory: guestsDirectory())
        let outDir = URL(fileURLWithPath: buildDirectory)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let path = try builder.build(
            directory: builder.guestsDirectory.appendingPathComponent("examples/\(name)"),
            output: outDir.appendingPathComponent(
                name + (softwareKeccak ? "-software-keccak" : "") + (softwareSHA256 ? "-software-sha256" : "") + ".elf"
            ),
            accelerateKeccak: !softwareKeccak,
            accelerateSHA256: !softwareSHA256
        )
        let elf = try readFile(path.path)
        return ExampleGuest(
            path: path,
            program: try ELFLoader.load(elf),
            symbols: ELFLoader.functionSymbols(elf),
            eestFixtures: builder.guestsDirectory.deletingLastPathComponent()
                .appendingPathComponent("../shared/fixtures/eest").standardized
        )
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
    @Option(help: "SHA-256 chain length over a 1 KiB input (--accelerators).") var sha256Rounds: Int = 2000
    @Flag(help: "Print rows as JSON.") var json = false
    @Flag(
        help:
            "Also prove one shard of each guest (fibonacci, sort; the EVM guest with --evm-fixture)."
    )
    var prove = false
    @Option(help: "log2 shard sizes to prove (comma-separated).") var logShards: String = "20,22"
    @Option(help: "Thread counts to prove with (comma-separated).") var proveThreads: String = "1,2"
    @Option(help: "A state-test file whose first Prague vector the EVM guest runs for --prove.")
    var evmFixture: String?
    @Flag(help: "Measure each accelerator table per call against the software path it replaces.")
    var accelerators = false

    func run() throws {
        let builder = try GuestBuilder(guestsDirectory: VMCommandSupport.guestsDirectory())
        if accelerators {
            try runAccelerators(builder)
            return
        }
        if prove {
            try runProving(builder)
            return
        }
        let examples = builder.guestsDirectory.appendingPathComponent("examples")
        let outDir = URL(fileURLWithPath: buildDirectory)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let cases = benchInputs()
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
                        format: "qemu-riscv32: %.3f s wall, %.3f s CPU (%.1f M instr/s CPU)",
                        $0.wall,
                        $0.cpu,
                        mcps($0.cpu)
                    )
                } ?? "qemu-riscv32 not found"
            rows.append(
                BenchRow(
                    name: "zkVM fast \(name)",
                    threads: 1,
                    value: mcps(fastTime.cpu),
                    unit: "M cycles/s (CPU time)",
                    reference: qemu.map { mcps($0.cpu) },
                    note: String(
                        format: "%llu cycles; %.3f s CPU, %.3f s wall (%.1f M cycles/s wall); %@",
                        cycles,
                        fastTime.cpu,
                        fastTime.wall,
                        mcps(fastTime.wall),
                        qemuNote
                    )
                )
            )
            rows.append(
                BenchRow(
                    name: "zkVM tracing \(name)",
                    threads: 1,
                    value: mcps(traceTime.cpu),
                    unit: "M cycles/s (CPU time)",
                    reference: nil,
                    note: String(
                        format: "%llu cycles; %.3f s CPU, %.3f s wall (%.1f M cycles/s wall); shard %d",
                        cycles,
                        traceTime.cpu,
                        traceTime.wall,
                        mcps(traceTime.wall),
                        shardSize
                    )
                )
            )
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(rows), as: UTF8.self))
        } else {
            print(
                "M cycles/s by CPU time of the executing thread (this machine is shared); wall-clock figures in the notes."
            )
            for r in rows {
                let ref = r.reference.map { String(format: "%8.1f", $0) } ?? "       -"
                print(
                    "\(r.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(String(format: "%10.1f", r.value))   \(ref)                   \(r.note ?? "")"
                )
            }
        }
    }

    /// `--prove`: one shard per guest, shard size and thread count.
    /// Each example guest's input: fibonacci's iteration count, `sortCount` pseudo-random words,
    /// the keccak chain's header and 1 KiB of pseudo-random bytes.
    func benchInputs() -> [(String, [UInt8])] {
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
        return [
            ("fibonacci", (0..<4).map { UInt8(truncatingIfNeeded: fibonacci >> (8 * $0)) }),
            ("sort", sortInput),
            ("keccak", keccakInput),
        ]
    }

    func runProving(_ builder: GuestBuilder) throws {
        let outDir = URL(fileURLWithPath: buildDirectory)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let config = StarkConfig<VMField>.vmShard
        let logs = logShards.split(separator: ",").compactMap { Int($0) }
        let threads = proveThreads.split(separator: ",").compactMap { Int($0) }
        var guests: [(String, Program, [UInt8])] = []
        let fib = try builder.build(
            directory: builder.guestsDirectory.appendingPathComponent("examples/fibonacci"),
            output: outDir.appendingPathComponent("fibonacci.elf")
        )
        let inputs = Dictionary(uniqueKeysWithValues: benchInputs())
        guests.append(("fibonacci", try ELFLoader.load(try VMCommandSupport.readFile(fib.path)), inputs["fibonacci"]!))
        // sort and the EVM guest call keccak_f: their shards carry the Keccak tables.
        let sort = try builder.build(
            directory: builder.guestsDirectory.appendingPathComponent("examples/sort"),
            output: outDir.appendingPathComponent("sort.elf")
        )
        guests.append(("sort", try ELFLoader.load(try VMCommandSupport.readFile(sort.path)), inputs["sort"]!))
        if let evmFixture {
            let evm = try builder.build(
                directory: builder.guestsDirectory.appendingPathComponent("examples/evm"),
                output: outDir.appendingPathComponent("evm.elf")
            )
            guard let v = try StateTestVector.load(path: evmFixture, forks: ["Prague"]).first else {
                throw ValidationError("no Prague vector in \(evmFixture)")
            }
            guests.append(("evm", try ELFLoader.load(try VMCommandSupport.readFile(evm.path)), v.input.encode()))
        }
        var rows: [VMProveBenchRow] = []
        for (name, program, input) in guests {
            for l in logs {
                rows += try VMProveBench.run(
                    guest: name,
                    program: program,
                    input: input,
                    logShard: l,
                    threads: threads,
                    config: config
                )
            }
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(rows), as: UTF8.self))
        } else {
            VMProveBench.print(rows)
        }
    }

    /// Wall and CPU seconds of `body` (CPU time of the calling thread).
    static func measure(_ body: () throws -> Void) throws -> (wall: Double, cpu: Double) {
        let w0 = Date()
        let c0 = CPUTime.thread
        try body()
        return (Date().timeIntervalSince(w0), CPUTime.thread - c0)
    }

    /// Wall and CPU (user + system) seconds of `qemu-riscv32 elf < input`; nil if qemu is absent.
    static func timeQemu(elf: String, input: [UInt8], outDir: URL) throws -> (wall: Double, cpu: Double)? {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map {
            "\($0)/qemu-riscv32"
        }
        guard let qemu = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
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

/// `zkprover vm evm-bench`: cycles per gas of the EVM guest over EEST state tests.
struct VMEVMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evm-bench",
        abstract:
            "Run the EVM guest on EEST state-test vectors: post-state roots against the native EVM and the fixture, cycles per gas, and where the cycles go."
    )

    @Argument(help: "State-test files or folders (default: ../shared/fixtures/eest/state_tests/{prague,osaka}).")
    var paths: [String] = []
    @Option(help: "Fixture fork names to run, comma-separated.") var forks: String = "Prague,Osaka"
    @Option(help: "Run at most this many vectors (0: all).") var limit: Int = 0
    @Option(help: "Cycle limit per vector.") var maxCycles: UInt64 = 20_000_000_000
    @Option(help: "Directory for the built guest.") var buildDirectory: String = ".build/guests"
    @Option(help: "How many functions to list.") var top: Int = 25
    @Option(help: "Run only every N-th vector (a sample spread over all files).") var every: Int = 1
    @Option(help: "Stop starting new vectors after this many seconds (0: no limit); the summary covers those run.")
    var timeBudget: Double = 0
    @Flag(help: "Link the Keccak module's software permutation instead of the keccak_f syscall.")
    var softwareKeccak = false
    @Option(help: "List every vector above this many cycles per gas (0: none).") var listOver: Double = 0
    @Flag(help: "Print one line per vector.") var verbose = false
    @Flag(help: "Also print each category's and function's share averaged over vectors (what a typical vector spends).")
    var perVectorShares = false

    /// The module of a Swift symbol (`$s`/`$e` mangling: length-prefixed module name), "Swift" for
    /// the standard library, nil for C symbols.
    static func swiftModule(_ name: String) -> String? {
        guard name.hasPrefix("$s") || name.hasPrefix("$e") else { return nil }
        let rest = name.dropFirst(2)
        if rest.hasPrefix("s") || rest.hasPrefix("S") { return "Swift" }
        let digits = rest.prefix(while: { $0.isNumber })
        guard let n = Int(digits) else { return nil }
        return String(rest.dropFirst(digits.count).prefix(n))
    }

    /// The profile bucket of a function symbol.
    static func category(_ name: String) -> String {
        if name.lowercased().contains("keccak") { return "keccak" }
        if name.contains("Hasher") { return "Swift Hasher (Dictionary/Set keys)" }
        switch swiftModule(name) {
        case "Secp256k1": return "secp256k1 / signature recovery"
        case "Precompiles": return "precompiles"
        case "EVM":
            if name.contains("Interpreter") || name.contains("Opcode") { return "EVM interpreter loop" }
            if name.contains("StateRoot") || name.contains("Trie") { return "state root (trie, RLP)" }
            return "EVM other (state, journal, executor)"
        case "EVMPrimitives":
            if name.contains("Trie") || name.contains("RLP") { return "state root (trie, RLP)" }
            if name.contains("UInt256") { return "UInt256 arithmetic" }
            return "EVM primitives other"
        case "Swift": return "Swift stdlib (collections)"
        case "Guest", "EVMGuestInput": return "guest (input decoding)"
        case .some: return "other Swift"
        case nil: break
        }
        if [
            "memcpy", "memmove", "memset", "memcmp", "bcmp", "malloc", "free", "posix_memalign", "calloc", "realloc",
            "alloc_block", "aligned_alloc",
        ].contains(name) {
            return "memory (runtime mem*, allocator)"
        }
        if name.hasPrefix("swift_") { return "Swift runtime (ARC, allocation)" }
        if name.hasPrefix("__") { return "libgcc (soft-float, 64-bit division)" }
        if name.hasPrefix("OUTLINED_FUNCTION") { return "outlined code (mixed)" }
        return "other"
    }

    func run() throws {
        let guest = try VMCommandSupport.buildExampleGuest(
            "evm",
            buildDirectory: buildDirectory,
            softwareKeccak: softwareKeccak
        )
        let (program, symbols) = (guest.program, guest.symbols)
        let fixtureRoot = guest.eestFixtures.appendingPathComponent("state_tests")
        let roots = paths.isEmpty ? ["prague", "osaka"].map { fixtureRoot.appendingPathComponent($0).path } : paths
        var files: [String] = []
        for r in roots where FileManager.default.fileExists(atPath: r) {
            files += FixtureFiles.json(r)
        }
        files.sort()
        let forkSet = Set(forks.split(separator: ",").map(String.init))
        var ratios: [(Double, String)] = []
        var byCategory: [String: UInt64] = [:]
        var byFunction: [String: UInt64] = [:]
        var meanCategory: [String: Double] = [:]
        var meanFunction: [String: Double] = [:]
        var run = 0
        var matchNative = 0
        var matchFixture = 0
        var failures: [String] = []
        var totalCycles: UInt64 = 0
        var totalGas: UInt64 = 0
        let started = Date()
        var seen = 0
        outer: for f in files {
            let vectors: [StateTestVector]
            do { vectors = try StateTestVector.load(path: f, forks: forkSet) } catch {
                failures.append("\(f): \(error)")
                continue
            }
            for v in vectors {
                seen += 1
                if every > 1 && (seen - 1) % every != 0 { continue }
                if limit > 0 && run >= limit { break outer }
                if timeBudget > 0 && Date().timeIntervalSince(started) > timeBudget {
                    print("  time budget reached after \(run) vectors")
                    break outer
                }
                if run % 100 == 0 && run > 0 {
                    FileHandle.standardError.write(Data("  ... \(run) vectors, \(f)\n".utf8))
                }
                run += 1
                let native = v.input.execute()
                let m = try Machine(program: program, input: v.input.encode(), config: .init(maxCycles: maxCycles))
                do {
                    try m.runWithPCProfile()
                } catch {
                    failures.append("\(v.id): \(error)")
                    continue
                }
                let guestOut = m.publicOutput
                if guestOut == native.encoded {
                    matchNative += 1
                } else {
                    failures.append("\(v.id): guest differs from native")
                }
                if guestOut.prefix(32).elementsEqual(v.expectedRoot.bytes) { matchFixture += 1 }
                let cycles = Double(max(m.cycles, 1))
                for (name, n) in m.cyclesBySymbol(symbols) {
                    byCategory[Self.category(name), default: 0] += n
                    byFunction[name, default: 0] += n
                    meanCategory[Self.category(name), default: 0] += Double(n) / cycles
                    meanFunction[name, default: 0] += Double(n) / cycles
                }
                if native.gasUsed > 0 {
                    let ratio = Double(m.cycles) / Double(native.gasUsed)
                    ratios.append((ratio, v.id))
                    totalCycles += m.cycles
                    totalGas += native.gasUsed
                    if verbose {
                        print(String(format: "  %8.1f cycles/gas  %9d gas  %@", ratio, native.gasUsed, v.id))
                    }
                }
            }
        }
        ratios.sort { $0.0 < $1.0 }
        print("EVM guest over \(run) state-test vectors (\(forks)) from \(files.count) files")
        print("  post-state root (and gas, status) equal to the native EVM: \(matchNative)/\(run)")
        print("  post-state root equal to the fixture's: \(matchFixture)/\(run)")
        if !ratios.isEmpty {
            let median = ratios[ratios.count / 2]
            print(
                String(
                    format: "  cycles per gas: median %.1f, best %.1f, worst %.1f, aggregate %.1f",
                    median.0,
                    ratios.first!.0,
                    ratios.last!.0,
                    Double(totalCycles) / Double(max(totalGas, 1))
                )
            )
            print("    best:  \(ratios.first!.1)")
            print("    worst: \(ratios.last!.1)")
            if listOver > 0 {
                let over = ratios.filter { $0.0 > listOver }
                print(String(format: "  vectors over %.0f cycles per gas: %d", listOver, over.count))
                for (r, id) in over.reversed() { print(String(format: "    %8.1f  %@", r, id)) }
            }
        }
        let all = byCategory.values.reduce(0, +)
        print("  where the cycles go (all vectors, \(all) cycles):")
        for (c, n) in byCategory.sorted(by: { $0.value > $1.value }) {
            print(String(format: "    %-40@ %6.2f%%", c, 100 * Double(n) / Double(max(all, 1))))
        }
        print("  top functions:")
        for (name, n) in byFunction.sorted(by: { $0.value > $1.value }).prefix(top) {
            print(String(format: "    %6.2f%%  %@", 100 * Double(n) / Double(max(all, 1)), name))
        }
        if perVectorShares && run > 0 {
            print("  where the cycles go, share averaged over vectors:")
            for (c, n) in meanCategory.sorted(by: { $0.value > $1.value }) {
                print(String(format: "    %-40@ %6.2f%%", c, 100 * n / Double(run)))
            }
            print("  top functions, share averaged over vectors:")
            for (name, n) in meanFunction.sorted(by: { $0.value > $1.value }).prefix(top) {
                print(String(format: "    %6.2f%%  %@", 100 * n / Double(run), name))
            }
        }
        if !failures.isEmpty {
            print("  failures (\(failures.count)):")
            for f in failures.prefix(20) { print("    \(f)") }
        }
    }
}
