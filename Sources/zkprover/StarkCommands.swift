import Algebra
import ArgumentParser
import EVMFixtures
import Foundation
import Hashing
import Stark

/// The CLI's side of the example statements (`ExampleStatement`, in the Stark module): parsed
/// from `--example NAME` (the raw value), and tagged by one byte in the proof file.
extension ExampleStatement: ExpressibleByArgument {}
extension SoundnessRegime: ExpressibleByArgument {}

extension ExampleStatement {
    /// The largest `--log-rows` the CLI proves.
    static let maxLogRows = 24

    /// The smallest `--log-rows` the CLI proves the statement at: range-check keeps its values
    /// table at least as tall as the 256-row byte table.
    var minimumLogRows: Int { self == .rangeCheck ? 8 : 1 }

    /// The statement's byte in the proof file.
    var tag: UInt8 {
        switch self {
        case .fibonacci: return 1
        case .poseidon2: return 2
        case .rangeCheck: return 3
        case .committedRange: return 4
        }
    }

    init?(tag: UInt8) {
        guard let e = Self.allCases.first(where: { $0.tag == tag }) else { return nil }
        self = e
    }
}

/// The proof file: `ZKPF`, version, example tag, permutations per row, then the STARK proof.
enum ProofFile {
    static let magic: [UInt8] = [0x5a, 0x4b, 0x50, 0x46]

    static func encode(example: ExampleStatement, permutationsPerRow: Int, proof: [UInt8]) -> [UInt8] {
        magic + [1, example.tag, UInt8(permutationsPerRow)] + proof
    }

    static func decode(_ bytes: [UInt8]) throws -> (ExampleStatement, Int, [UInt8]) {
        guard bytes.count > 7, Array(bytes.prefix(4)) == magic else {
            throw ValidationError("not a zkprover proof file")
        }
        guard bytes[4] == 1 else { throw ValidationError("unsupported proof file version \(bytes[4])") }
        guard let example = ExampleStatement(tag: bytes[5]) else {
            throw ValidationError("unknown example \(bytes[5])")
        }
        let perRow = Int(bytes[6])
        guard (1...64).contains(perRow) else { throw ValidationError("bad permutations per row") }
        return (example, perRow, Array(bytes[7...]))
    }
}

/// FRI options shared by `prove` and `security`.
struct FriOptions: ParsableArguments {
    @Option(help: "log2 of the blowup factor (default 1: rate 1/2).")
    var logBlowup: Int?
    @Option(help: "Number of FRI queries (default 193).")
    var queries: Int?
    @Option(help: "Proof-of-work bits before the queries (default 20).")
    var powBits: Int?
    @Option(help: "Proof-of-work bits before each of the LogUp, DEEP and batching challenges (default 8).")
    var phasePowBits: Int?
    @Option(help: "log2 of FRI's folding arity, 1 through 4 (default 3: folding by 8).")
    var logFoldingArity: Int?
    @Option(help: "Proof-of-work bits before each FRI commit round's folding challenge (default 0).")
    var commitPowBits: Int?

    func validate() throws {
        if let logFoldingArity, !(1...FriParameters.maxLogFoldingArity).contains(logFoldingArity) {
            throw ValidationError("--log-folding-arity must be 1 through \(FriParameters.maxLogFoldingArity)")
        }
        for (name, bits) in [
            ("--pow-bits", powBits), ("--phase-pow-bits", phasePowBits), ("--commit-pow-bits", commitPowBits),
        ] {
            if let bits, !(0...30).contains(bits) { throw ValidationError("\(name) must be 0 through 30") }
        }
    }

    var parameters: FriParameters {
        var p = FriParameters.standard
        if let logBlowup {
            p.logBlowup = logBlowup
            if queries == nil && logBlowup == 2 { p.numQueries = FriParameters.highDegree.numQueries }
        }
        if let queries { p.numQueries = queries }
        if let powBits { p.queryPowBits = powBits }
        if let phasePowBits { p.phasePowBits = phasePowBits }
        if let logFoldingArity { p.logFoldingArity = logFoldingArity }
        if let commitPowBits { p.commitPowBits = commitPowBits }
        return p
    }
}

func formatBytes(_ n: Int) -> String {
    n >= 1 << 20 ? String(format: "%.2f MB", Double(n) / 1e6) : String(format: "%.1f KB", Double(n) / 1e3)
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// `zkprover prove`: proves an example statement, writes the proof, verifies it.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove an example statement with the STARK, then verify the proof."
    )

    @Option(help: "Which example statement to prove.")
    var example: ExampleStatement = .fibonacci
    @Option(help: "log2 of the number of trace rows.")
    var logRows: Int?
    @Option(help: "Poseidon2 permutations per row (poseidon2 example).")
    var permsPerRow: Int = 1
    @Option(help: "Where to write the proof.")
    var output: String = "proof.zkp"
    @Flag(help: "Prove even if the configuration is below the security floor.")
    var allowInsecure = false
    @Option(help: "Minimum proven bits (in --regime).")
    var securityFloor: Int = 100
    @Option(help: "The regime the floor is proven in: UDR (unique decoding) or JBR (up to the Johnson bound).")
    var regime: SoundnessRegime = .uniqueDecoding
    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?
    @OptionGroup var fri: FriOptions

    func run() throws {
        if let threads { Parallel.maxThreads = threads }
        let logRows = logRows ?? example.defaultLogRows
        guard (1...ExampleStatement.maxLogRows).contains(logRows) else {
            throw ValidationError("--log-rows must be in 1...\(ExampleStatement.maxLogRows)")
        }
        guard (1...64).contains(permsPerRow) else { throw ValidationError("--perms-per-row must be in 1...64") }
        if logRows < example.minimumLogRows {
            throw ValidationError("\(example.rawValue) needs --log-rows ≥ \(example.minimumLogRows)")
        }
        let config = StarkConfig<KoalaBear>(
            fri: fri.parameters,
            securityFloor: securityFloor,
            regime: regime,
            allowInsecure: allowInsecure
        )
        let clock = ContinuousClock()
        let start = clock.now
        print("Generating the \(example.rawValue) trace (2^\(logRows) rows)…")
        let input = example.input(logRows: logRows, permutationsPerRow: permsPerRow, field: KoalaBear.self)
        let tables = input.tables
        let options = ProvingOptions(progress: { line in
            let t = seconds(clock.now - start)
            print(String(format: "  [%6.2f s] ", t) + line)
        })
        let proveStart = clock.now
        let cpuStart = CPUTime.process
        let proof: StarkProof<KoalaBear>
        do {
            proof = try StarkProver(config: config).prove(tables, options: options)
        } catch {
            throw ValidationError("proving failed: \(error)")
        }
        let proveTime = seconds(clock.now - proveStart)
        let proveCPU = CPUTime.process - cpuStart
        let bytes = proof.encoded()
        let file = ProofFile.encode(example: example, permutationsPerRow: permsPerRow, proof: bytes)
        try Data(file).write(to: URL(fileURLWithPath: output))
        let verifyStart = clock.now
        let airs = example.airs(logRows: logRows, permutationsPerRow: permsPerRow, field: KoalaBear.self)
        try StarkVerifier(config: config).verify(airs: airs, bytes: bytes)
        let verifyTime = seconds(clock.now - verifyStart)
        let shapes = tables.map { AirShape(of: $0.air) }
        let sp = soundnessParameters(
            shapes: shapes,
            logHeights: tables.map { log2Strict($0.trace.height) },
            fri: config.fri,
            fieldType: KoalaBear.self
        )
        print("Proved: \(input.summary).")
        print("Proof: \(formatBytes(file.count)) written to \(output)")
        let sz = proof.sizes
        let parts = [
            ("opened rows", sz.openedRows), ("trace paths", sz.tracePaths), ("FRI siblings", sz.friSiblings),
            ("FRI paths", sz.friPaths), ("out-of-domain values", sz.outOfDomain),
            ("roots, final poly, PoW", sz.commitments + sz.header),
        ]
        print("  " + parts.map { "\($0.0) \(formatBytes($0.1))" }.joined(separator: ", "))
        print(
            "Security: \(Soundness.report(sp, regime: .uniqueDecoding).bits) bits proven (UDR), "
                + "\(Soundness.report(sp, regime: .johnsonBound).bits) bits (Johnson bound), "
                + "\(Soundness.conjecturedBits(sp)) bits conjectured — \(config.fri)"
        )
        print(
            String(
                format: "Time: proved in %.3f s (CPU %.2f s), verified in %.1f ms (%d thread(s))",
                proveTime,
                proveCPU,
                verifyTime * 1e3,
                Parallel.maxThreads
            )
        )
    }
}

/// `zkprover verify FILE`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a proof file written by `zkprover prove`."
    )

    @Argument(help: "The proof file.")
    var file: String
    @Flag(help: "Accept proofs whose parameters are below the security floor.")
    var allowInsecure = false
    @Option(help: "Minimum proven bits (in --regime).")
    var securityFloor: Int = 100
    @Option(help: "The regime the floor is proven in: UDR (unique decoding) or JBR (up to the Johnson bound).")
    var regime: SoundnessRegime = .uniqueDecoding

    func run() throws {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        let (example, perRow, bytes) = try ProofFile.decode(data)
        let proof: StarkProof<KoalaBear>
        do { proof = try StarkProof<KoalaBear>(decoding: bytes) } catch {
            throw ValidationError("invalid proof: \(VerificationError.decoding(error))")
        }
        let config = StarkConfig<KoalaBear>(
            fri: proof.fri,
            securityFloor: securityFloor,
            regime: regime,
            allowInsecure: allowInsecure
        )
        // The statement's size is the proof's (committed-range rebuilds its committed values from it).
        guard let logRows = proof.tables.first?.logHeight,
            (1...ExampleStatement.maxLogRows).contains(logRows)
        else {
            print("REJECTED: the first table is not 2^1 to 2^\(ExampleStatement.maxLogRows) rows tall")
            throw ExitCode(1)
        }
        let airs = example.airs(logRows: logRows, permutationsPerRow: perRow, field: KoalaBear.self)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try StarkVerifier(config: config).verify(airs: airs, proof: proof)
        } catch {
            print("REJECTED: \(error)")
            throw ExitCode(1)
        }
        let ms = seconds(clock.now - start) * 1e3
        let heights = proof.tables.map { "2^\($0.logHeight)" }.joined(separator: ", ")
        print(
            String(
                format: "OK: valid %@ proof (%d table(s), heights %@), verified in %.1f ms",
                example.rawValue,
                proof.tables.count,
                heights,
                ms
            )
        )
    }
}

/// `zkprover security`: the soundness calculator.
struct SecurityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security",
        abstract: "Proven (UDR, Johnson bound) and conjectured security of a configuration (EF soundcalc formulas)."
    )

    @Option(help: "Field: koalabear or babybear.")
    var field: String = "koalabear"
    @Option(help: "log2 of the trace length.")
    var logRows: Int = 20
    @Option(help: "Maximum constraint degree.")
    var maxDegree: Int = 3
    @Option(help: "Number of constraints.")
    var constraints: Int = 148
    @Option(help: "Number of committed columns batched by FRI.")
    var columns: Int = 172
    @Option(help: "Number of LogUp buses.")
    var lookups: Int = 0
    @OptionGroup var fri: FriOptions

    func run() throws {
        let p: UInt32
        switch field.lowercased() {
        case "koalabear": p = KoalaBear.modulus
        case "babybear": p = BabyBear.modulus
        default: throw ValidationError("unknown field \(field)")
        }
        let params = fri.parameters
        let sp = SoundnessParameters(
            baseFieldBits: log2(Double(p)),
            extensionDegree: 4,
            logTraceLength: logRows,
            maxConstraintDegree: maxDegree,
            numConstraints: constraints,
            logBlowup: params.logBlowup,
            numQueries: params.numQueries,
            queryPowBits: params.queryPowBits,
            commitPowBits: params.commitPowBits,
            logFoldingArity: params.logFoldingArity,
            numBatchedColumns: columns,
            numLookups: lookups,
            phasePowBits: params.phasePowBits
        )
        print(Soundness.describe(sp))
    }
}

/// `zkprover bench`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: Poseidon2, DFT/LDE, STARK proving (table and JSON)."
    )

    @Flag(help: "Print only JSON.")
    var json = false
    @Option(help: "Threads: 1, 2 or both.")
    var threads: String = "both"
    @Flag(help: "Smaller sizes (a quick check, not the reference figures).")
    var quick = false
    @Flag(help: "Only the proving rows.")
    var proveOnly = false
    @Flag(
        help:
            "Return freed matrices to the OS (glibc's default). By default the bench keeps them mapped, as a prover process that proves job after job should: later rows then reuse pages instead of faulting them in again."
    )
    var returnMemory = false
    @Option(help: "Timed runs of every proving row; the fastest is printed (the first run also pays for cold memory).")
    var runs: Int = 2

    func run() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if !returnMemory { retainFreedLargeAllocations() }
        let counts: [Int]
        switch threads {
        case "1": counts = [1]
        case "2": counts = [2]
        case "both": counts = [1, 2]
        default: throw ValidationError("--threads must be 1, 2 or both")
        }
        var rows: [BenchRow] = []
        for t in counts {
            Parallel.maxThreads = t
            if !proveOnly {
                rows += HashingBenchmarks.rows(threads: t)
                rows += AlgebraBenchmarks.rows(threads: t)
            }
            rows += StarkBenchmarks.rows(threads: t, quick: quick, runs: runs, log: json ? { _ in } : { print($0) })
        }
        Parallel.maxThreads = 0
        if !json {
            print("")
            print(
                "what".padding(toLength: 58, withPad: " ", startingAt: 0)
                    + " thr       value  unit       reference  note"
            )
            for r in rows {
                let ref = r.reference.map { String(format: "%10.3f", $0) } ?? "          "
                print(
                    r.name.padding(toLength: 58, withPad: " ", startingAt: 0)
                        + String(format: " %3d %11.3f  ", r.threads, r.value)
                        + r.unit.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + ref + "  " + (r.note ?? "")
                )
            }
            print("")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(rows), as: UTF8.self))
    }
}

/// The STARK rows of `zkprover bench`.
enum StarkBenchmarks {
    typealias F = KoalaBear

    static func reference(logPerms: Int, threads: Int) -> Double? {
        switch (logPerms, threads) {
        case (17, 1): return 0.96
        case (17, 2): return 0.49
        case (19, 1): return 3.69
        case (19, 2): return 1.94
        case (20, 1): return 7.47
        case (20, 2): return 3.97
        default: return nil
        }
    }

    static func rows(threads: Int, quick: Bool, runs: Int = 1, log: (String) -> Void) -> [BenchRow] {
        var out: [BenchRow] = []
        let config = StarkConfig<F>()
        let perRow = 8
        for logPerms in quick ? [12, 14] : [17, 19, 20] {
            let r = measure(config: config, .poseidon2, logRows: logPerms - 3, permutationsPerRow: perRow, runs: runs)
            log(
                String(
                    format:
                        "prove 2^%d Poseidon2 permutations, %d thread(s): %.3f s (CPU %.2f s), proof %@, verify %.1f ms, %d bits",
                    logPerms,
                    threads,
                    r.prove,
                    r.cpu,
                    formatBytes(r.size),
                    r.verify * 1e3,
                    r.bits
                )
            )
            out.append(
                BenchRow(
                    name: "prove 2^\(logPerms) Poseidon2 KoalaBear permutations",
                    threads: threads,
                    value: r.prove,
                    unit: "s",
                    reference: reference(logPerms: logPerms, threads: threads),
                    note: String(
                        format: "proof %@, verify %.1f ms, %d bits UDR, %d perms/row, prover CPU %.2f s, best of %d",
                        formatBytes(r.size),
                        r.verify * 1e3,
                        r.bits,
                        perRow,
                        r.cpu,
                        runs
                    )
                )
            )
        }
        let logFib = quick ? 16 : 20
        let r = measure(config: config, .fibonacci, logRows: logFib, runs: runs)
        log(
            String(
                format: "prove Fibonacci 2^%d rows, %d thread(s): %.3f s (CPU %.2f s)",
                logFib,
                threads,
                r.prove,
                r.cpu
            )
        )
        out.append(
            BenchRow(
                name: "prove Fibonacci 2^\(logFib) rows",
                threads: threads,
                value: r.prove,
                unit: "s",
                reference: nil,
                note: String(
                    format: "proof %@, verify %.1f ms, %d bits UDR, prover CPU %.2f s, best of %d",
                    formatBytes(r.size),
                    r.verify * 1e3,
                    r.bits,
                    r.cpu,
                    runs
                )
            )
        )
        return out
    }

    /// Proves `example` at `2^logRows` rows `runs` times and verifies the fastest proof.
    static func measure(
        config: StarkConfig<F>,
        _ example: ExampleStatement,
        logRows: Int,
        permutationsPerRow: Int = 1,
        runs: Int = 1
    ) -> (
        prove: Double, verify: Double, size: Int, bits: Int, cpu: Double
    ) {
        let tables = example.input(logRows: logRows, permutationsPerRow: permutationsPerRow, field: F.self).tables
        let airs = example.airs(logRows: logRows, permutationsPerRow: permutationsPerRow, field: F.self)
        let clock = ContinuousClock()
        var prove = Double.infinity
        var cpu = 0.0
        var best: StarkProof<F>? = nil
        for _ in 0..<max(1, runs) {
            let t0 = clock.now
            let c0 = CPUTime.process
            let proof = try! StarkProver(config: config).prove(tables)
            let elapsed = seconds(clock.now - t0)
            if elapsed < prove {
                prove = elapsed
                cpu = CPUTime.process - c0
                best = proof
            }
        }
        let bytes = best!.encoded()
        let t1 = clock.now
        try! StarkVerifier(config: config).verify(airs: airs, bytes: bytes)
        let verify = seconds(clock.now - t1)
        let sp = soundnessParameters(
            shapes: tables.map { AirShape(of: $0.air) },
            logHeights: tables.map { log2Strict($0.trace.height) },
            fri: config.fri,
            fieldType: F.self
        )
        return (prove, verify, bytes.count, Soundness.report(sp, regime: .uniqueDecoding).bits, cpu)
    }
}
