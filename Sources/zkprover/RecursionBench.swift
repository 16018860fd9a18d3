import Algebra
import ArgumentParser
import Foundation
import Hashing
import Recursion
import Stark
import VM
import VMProver
import VMRecursion

/// `zkprover recursion ...`: recursion tools.
struct RecursionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recursion",
        abstract: "Recursion circuits over STARK proofs.",
        subcommands: [RecursionBench.self]
    )
}

/// `zkprover recursion bench`: what recursion costs. A run of the fibonacci example guest is
/// proven shard by shard; the recursion keys are built; the first two shards' proofs are
/// verified in leaf circuits, which are proven; then one aggregation step over the two leaf
/// proofs, the compress proof over that aggregate (the final circuit, under the compress
/// parameters) and the final proof over the compress proof (the wrap circuit, under the final
/// parameters).
struct RecursionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure recursion: a zkVM shard verified in a leaf circuit, an aggregation step over two leaves, the compress and final proofs.",
        discussion: """
            Builds the fibonacci example guest, proves its run shard by shard (--shard-size), builds \
            the recursion keys, then measures the leaf circuits of the first two shards, the aggregate \
            circuit over their leaf proofs (one step of the aggregation tree), the final circuit over \
            that aggregate (the compress proof) and the wrap circuit over the compress proof (the \
            final proof): build seconds, op counts, table rows and columns, key seconds, prove \
            seconds, proof bytes, verify seconds, proven bits. Progress goes to stderr.
            """
    )

    @Option(help: "Cycles per shard (a power of two).") var shardSize: Int = 1 << 16
    @Option(help: "Fibonacci iterations (default: shard size / 4, about 2.6 shards).") var iterations: UInt32?
    @Option(help: "Threads for proving (default: all cores).") var threads: Int?
    @Option(help: "Directory for the built guest ELF.") var buildDirectory: String = ".build/guests"
    @Flag(help: "Print one JSON object on stdout.") var json = false
    @Flag(help: "Fast insecure parameters (about 20 bits): for development only.") var insecureTestParameters =
        false
    @Option(help: "The final proof's log2 blowup, to measure an alternative (default: the final parameters').")
    var finalLogBlowup: Int?
    @Option(help: "The final proof's number of queries (default: the final parameters').") var finalQueries: Int?
    @Option(help: "The final proof's log2 final-polynomial length (default: the final parameters').")
    var finalLogFinalPolyLength: Int?
    @Option(help: "The compress proof's log2 blowup (default: the compress parameters').")
    var compressLogBlowup: Int?
    @Option(help: "The compress proof's number of queries (default: the compress parameters').")
    var compressQueries: Int?
    @Option(
        help:
            "Proofs of shard 0's leaf circuit and of the aggregate circuit each (the fastest is reported; after the first, the fixed columns' commitment is cached, as in a run)."
    )
    var `repeat`: Int = 1
    @Flag(
        help:
            "Return freed matrices to the OS (glibc's default). By default the bench keeps them mapped, as a prover process that proves job after job does (see `zkprover bench --return-memory`)."
    )
    var returnMemory = false

    func validate() throws {
        guard shardSize >= 2, shardSize <= 1 << maxLogShardSize else {
            throw ValidationError("--shard-size must be in 2…2^\(maxLogShardSize)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard (1...20).contains(`repeat`) else { throw ValidationError("--repeat must be 1 through 20") }
        for (name, value) in [("--final-log-blowup", finalLogBlowup), ("--compress-log-blowup", compressLogBlowup)] {
            if let value, !(1...8).contains(value) { throw ValidationError("\(name) must be 1 through 8") }
        }
        for (name, value) in [("--final-queries", finalQueries), ("--compress-queries", compressQueries)] {
            if let value, !(1...ProofLimits.maxQueries).contains(value) {
                throw ValidationError("\(name) must be 1 through \(ProofLimits.maxQueries)")
            }
        }
        if let finalLogFinalPolyLength, !(0...4).contains(finalLogFinalPolyLength) {
            throw ValidationError("--final-log-final-poly-length must be 0 through 4 (the public table has 16 rows)")
        }
    }

    func run() throws {
        if let threads { Parallel.maxThreads = threads }
        if !returnMemory { retainFreedLargeAllocations() }
        let log: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data(("[recursion bench] " + line + "\n").utf8))
        }
        let shardConfig = StarkConfig<VMField>.vm(insecure: insecureTestParameters)

        // The guest run and its shard proofs.
        log("building the fibonacci guest")
        let guest = try VMCommandSupport.buildExampleGuest(
            "fibonacci",
            buildDirectory: buildDirectory,
            softwareKeccak: false
        )
        let n = iterations ?? UInt32(clamping: max(shardSize / 4, 1))
        let input = (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) }
        let key = try VMProgramKey(program: guest.program, config: shardConfig)
        var recursion = VMCommandSupport.runRecursion(key: key, insecure: insecureTestParameters)
        if finalLogBlowup != nil || finalQueries != nil || finalLogFinalPolyLength != nil || compressLogBlowup != nil
            || compressQueries != nil
        {
            // Alternative compress and final configurations, still held to the floor in their regime.
            var fc = recursion.finalConfig
            if let finalLogBlowup { fc.fri.logBlowup = finalLogBlowup }
            if let finalQueries { fc.fri.numQueries = finalQueries }
            if let finalLogFinalPolyLength { fc.fri.logFinalPolyLength = finalLogFinalPolyLength }
            var cc = recursion.compressConfig
            if let compressLogBlowup { cc.fri.logBlowup = compressLogBlowup }
            if let compressQueries { cc.fri.numQueries = compressQueries }
            recursion = RunRecursion(
                key: key,
                shardConfig: recursion.shardConfig,
                config: recursion.config,
                compressConfig: cc,
                finalConfig: fc,
                maxLogShardHeight: recursion.maxLogShardHeight
            )
        }
        let config = recursion.config
        log("proving the run (fibonacci \(n)) in shards of \(shardSize) cycles")
        let t0 = Date()
        let run = try RunProver(key: key, config: shardConfig).prove(input: input, shardSize: shardSize, progress: log)
        let runSeconds = Date().timeIntervalSince(t0)
        let shards = run.shards
        let first = VMProof(programId: key.programId, shards: [shards[0]])

        log("building the recursion keys (shape, aggregate, final and wrap circuits)")
        let tk = Date()
        let keys = try recursion.keys()
        let keysSeconds = Date().timeIntervalSince(tk)
        let aggregateKey = keys.aggregate.root.elements
        let largest = try recursion.largestLeafCircuit()
        let largestLeaf = LargestLeafFigures(
            arithOps: largest.arith.count,
            poseidon2Ops: largest.poseidon2.count,
            inputs: largest.inputs.count,
            shape: "\(keys.shape)"
        )

        // The leaf circuits of shards 0 and 1 (shard 0 twice in a one-shard run).
        var leaves: [Measured] = []
        for k in 0..<min(2, shards.count) {
            log("building the leaf circuit of shard \(k)")
            let t1 = Date()
            let b = try LeafCircuit.build(shard: shards[k], key: key, config: shardConfig, aggregateKey: aggregateKey)
            let (c, w) = b.build(shape: keys.shape)
            let buildSeconds = Date().timeIntervalSince(t1)
            if let failure = b.failures.first { throw ValidationError("leaf circuit of shard \(k): \(failure)") }
            guard c.heights == keys.shape else {
                throw ValidationError(
                    "the leaf circuit of shard \(k) needs \(c.heights), above the recursion shape: such a leaf "
                        + "is proven in its own shape and normalized, which this bench does not measure "
                        + "(a smaller --shard-size keeps it inside)"
                )
            }
            leaves.append(
                try Self.measure(
                    "leaf (shard \(k))",
                    circuit: c,
                    witness: w,
                    buildSeconds: buildSeconds,
                    config: config,
                    repeats: k == 0 ? `repeat` : 1,
                    log: log
                )
            )
        }
        let second = leaves.count > 1 ? leaves[1] : leaves[0]

        // One aggregation step over the two leaves (a one-shard run aggregates shard 0 with
        // itself, which the aggregate circuit refuses: its failures are ignored here).
        log("building the aggregate circuit over two leaf proofs")
        let t2 = Date()
        let aggregateBuilder = try AggregateCircuit.build(
            left: .init(proof: leaves[0].proof, isAggregate: false),
            right: .init(proof: second.proof, isAggregate: false),
            shape: keys.shape,
            config: config,
            aggregateKey: aggregateKey
        )
        let (aggregateCircuit, aggregateWitness) = aggregateBuilder.build(shape: keys.shape)
        let aggregateBuildSeconds = Date().timeIntervalSince(t2)
        if shards.count > 1, let failure = aggregateBuilder.failures.first {
            throw ValidationError("aggregate circuit: \(failure)")
        }
        let layer = try Self.measure(
            "aggregate (2 leaves)",
            circuit: aggregateCircuit,
            witness: aggregateWitness,
            buildSeconds: aggregateBuildSeconds,
            config: config,
            repeats: `repeat`,
            log: log
        )

        // The compress proof over the aggregate (the final circuit).
        log("building the final circuit over the aggregate proof")
        let t3 = Date()
        let compressBuilder = try FinalCircuit.build(
            root: .init(proof: layer.proof, isAggregate: true),
            shape: keys.shape,
            config: config,
            aggregateKey: aggregateKey
        )
        let (compressCircuit, compressWitness) = compressBuilder.build(shape: keys.compress.shape)
        let compressBuildSeconds = Date().timeIntervalSince(t3)
        let compress = try Self.measure(
            "compress",
            circuit: compressCircuit,
            witness: compressWitness,
            buildSeconds: compressBuildSeconds,
            config: recursion.compressConfig,
            log: log
        )

        // The final proof over the compress proof (the wrap circuit).
        log("building the wrap circuit over the compress proof")
        let t4 = Date()
        let wrapBuilder = try WrapCircuit.build(
            inner: compress.proof,
            key: keys.compress,
            config: recursion.compressConfig
        )
        let (finalCircuit, finalWitness) = wrapBuilder.build(shape: keys.final.shape)
        let finalBuildSeconds = Date().timeIntervalSince(t4)
        if let failure = wrapBuilder.failures.first { throw ValidationError("wrap circuit: \(failure)") }
        let final = try Self.measure(
            "final (wrap)",
            circuit: finalCircuit,
            witness: finalWitness,
            buildSeconds: finalBuildSeconds,
            config: recursion.finalConfig,
            log: log
        )
        let leaf = leaves[0]

        let report = RecursionBenchReport(
            guest: "fibonacci",
            iterations: Int(n),
            cycles: shards.compactMap(\.cpu).reduce(0) { $0 + Int($1.cycles) },
            shards: shards.count,
            shardSize: shardSize,
            threads: Parallel.maxThreads,
            fri: "\(config.fri)",
            compressFri: "\(recursion.compressConfig.fri)",
            finalFri: "\(recursion.finalConfig.fri)",
            keysSeconds: keysSeconds,
            runProveSeconds: runSeconds,
            shardProofBytes: first.encoded().count,
            shardProvenBits: key.provenBits(first, regime: shardConfig.regime),
            layerLeaves: shards.count > 1 ? "shards 0 and 1" : "shard 0 twice",
            largestLeaf: largestLeaf,
            leaf: leaf.figures,
            layer: layer.figures,
            compress: compress.figures,
            final: final.figures
        )
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            report.printTable()
        }
    }

    /// A circuit proven and verified: its figures, key and proof.
    struct Measured {
        var figures: RecursionCircuitFigures
        var key: RecursionVerifyingKey
        var proof: StarkProof<RF>
    }

    /// Computes the key of `circuit`, proves `witness` and verifies the proof natively.
    static func measure(
        _ name: String,
        circuit: RecursionCircuit,
        witness: CircuitWitness,
        buildSeconds: Double,
        config: StarkConfig<RF>,
        repeats: Int = 1,
        log: @escaping @Sendable (String) -> Void
    ) throws -> Measured {
        let heights = circuit.heights
        log(
            "\(name): \(circuit.arith.count) arith, \(circuit.poseidon2.count) Poseidon2, \(circuit.inputs.count) inputs; "
                + "\(heights)"
        )
        let t0 = Date()
        let key = try RecursionVerifyingKey(circuit: circuit, config: config)
        let keySeconds = Date().timeIntervalSince(t0)
        log("\(name): key in \(String(format: "%.2f", keySeconds)) s; proving")
        // `repeats` proofs; the fastest is reported. The first commits the fixed columns; the
        // others find that commitment in the prover's cache, as every aggregate of a run after
        // the first does (they share one circuit).
        var runs: [(seconds: Double, phases: [String: Double], proof: StarkProof<RF>)] = []
        for _ in 0..<repeats {
            let t1 = Date()
            let clock = PhaseClock()
            let proof = try RecursionProver.prove(
                circuit: circuit,
                witness: witness,
                config: config,
                options: ProvingOptions(progress: { clock.mark($0) })
            )
            let proveEnd = Date()
            let seconds = proveEnd.timeIntervalSince(t1)
            var phases = clock.phases(end: proveEnd)
            // Before the prover's first line: the witness check and the tables' traces.
            phases["witness check and traces"] = (clock.firstMark ?? proveEnd).timeIntervalSince(t1)
            let byPhase = phases.sorted { $0.value > $1.value }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }
            log("\(name): proven in \(String(format: "%.2f", seconds)) s (\(byPhase.joined(separator: ", ")))")
            runs.append((seconds, phases, proof))
        }
        let fastest = runs.min { $0.seconds < $1.seconds }!
        let (proveSeconds, phases, proof) = (fastest.seconds, fastest.phases, fastest.proof)
        log("\(name): verifying")
        let publicValues = witness.publicValues(of: circuit)
        let t2 = Date()
        try RecursionProver.verify(key: key, proof: proof, publicValues: publicValues, config: config)
        let verifySeconds = Date().timeIntervalSince(t2)

        let airs = RecursionTableSet(circuit: circuit).airs
        let shapes = airs.map { AirShape(of: $0) }
        let tables = zip(airs, shapes).enumerated().map { i, pair in
            RecursionTableFigures(
                name: pair.0.name,
                rows: 1 << proof.tables[i].logHeight,
                mainColumns: pair.1.width,
                fixedColumns: pair.1.preprocessedWidth,
                logUpColumns: 4 * pair.1.auxExtensionColumns
            )
        }
        let sp = soundnessParameters(
            shapes: shapes,
            logHeights: proof.tables.map(\.logHeight),
            fri: proof.fri,
            fieldType: RF.self
        )
        let figures = RecursionCircuitFigures(
            name: name,
            buildSeconds: buildSeconds,
            arithOps: circuit.arith.count,
            poseidon2Ops: circuit.poseidon2.count,
            inputs: circuit.inputs.count,
            slots: circuit.slotCount,
            publicValues: circuit.publics.count,
            tables: tables,
            keySeconds: keySeconds,
            proveSeconds: proveSeconds,
            proveRuns: runs.map(\.seconds),
            provePhases: phases,
            proofBytes: proof.encoded().count,
            proofSizes: proof.sizes,
            verifySeconds: verifySeconds,
            provenBits: Soundness.report(sp, regime: config.regime).bits
        )
        return Measured(figures: figures, key: key, proof: proof)
    }
}

/// One recursion table of a proof: padded height and columns (main, fixed, LogUp in base-field
/// columns: 4 per extension column).
struct RecursionTableFigures: Codable {
    var name: String
    var rows: Int
    var mainColumns: Int
    var fixedColumns: Int
    var logUpColumns: Int
}

/// The figures of one recursion circuit: built, keyed, proven and verified.
struct RecursionCircuitFigures: Codable {
    var name: String
    /// Seconds to build the circuit and its witness natively (0 when not measured).
    var buildSeconds: Double
    var arithOps: Int
    var poseidon2Ops: Int
    var inputs: Int
    var slots: Int
    var publicValues: Int
    var tables: [RecursionTableFigures]
    /// Seconds to compute the verifying key (commit the tables' fixed columns).
    var keySeconds: Double
    /// The fastest of `proveRuns`.
    var proveSeconds: Double
    /// Seconds of each proof of the circuit (`--repeat`; the first commits the fixed columns,
    /// the others find them in the prover's cache).
    var proveRuns: [Double]
    /// Seconds of `proveSeconds` by proving phase (the prover's progress lines, per table
    /// summed; "witness check and traces" before the first).
    var provePhases: [String: Double]
    var proofBytes: Int
    /// The proof's bytes by component.
    var proofSizes: ProofSizes
    var verifySeconds: Double
    /// Proven security of the proof, in its configuration's regime (unique decoding; the
    /// compress and final proofs' up to the Johnson bound).
    var provenBits: Int
}

/// The leaf circuit of the largest shard (every accelerator table, every table at the tallest
/// shard height): the largest shape a leaf proof takes (a leaf taller than the recursion shape is
/// proven in its own and normalized by a wrap circuit, which the recursion shape holds).
struct LargestLeafFigures: Codable {
    var arithOps: Int
    var poseidon2Ops: Int
    var inputs: Int
    /// The recursion shape (the heights every segment proof is padded to).
    var shape: String
}

/// Everything `zkprover recursion bench` prints.
struct RecursionBenchReport: Codable {
    var guest: String
    var iterations: Int
    var cycles: Int
    var shards: Int
    var shardSize: Int
    var threads: Int
    var fri: String
    var compressFri: String
    var finalFri: String
    /// Seconds to build the recursion keys (shape, aggregate, final and wrap circuits).
    var keysSeconds: Double
    /// Seconds to run the guest and prove every shard.
    var runProveSeconds: Double
    /// The first shard's proof alone (one-shard `VMProof` encoding).
    var shardProofBytes: Int
    var shardProvenBits: Int
    /// Which leaf proofs the layer verifies.
    var layerLeaves: String
    var largestLeaf: LargestLeafFigures
    var leaf: RecursionCircuitFigures
    var layer: RecursionCircuitFigures
    var compress: RecursionCircuitFigures
    var final: RecursionCircuitFigures

    func printTable() {
        print(
            "\(guest) \(iterations): \(cycles) cycles, \(shards) shards of \(shardSize); shard proofs in "
                + String(format: "%.2f s", runProveSeconds)
                + "; first shard: \(shardProofBytes) bytes, \(shardProvenBits) bits"
        )
        print("FRI: \(fri); compress: \(compressFri); final: \(finalFri); threads: \(threads)")
        print(
            "recursion keys in \(String(format: "%.2f", keysSeconds)) s; the aggregate verifies the leaves of \(layerLeaves)"
        )
        print(
            "recursion shape: \(largestLeaf.shape); the largest leaf: \(largestLeaf.arithOps) arith, "
                + "\(largestLeaf.poseidon2Ops) Poseidon2 ops, \(largestLeaf.inputs) inputs "
                + "(a leaf above the shape is proven in its own and normalized by a wrap circuit)"
        )
        let columns = [leaf, layer, compress, final]
        func row(_ label: String, _ value: (RecursionCircuitFigures) -> String) {
            let cells = columns.map { value($0).leftPadded(to: 24) }.joined()
            print(label.padding(toLength: 34, withPad: " ", startingAt: 0) + cells)
        }
        func seconds(_ s: Double) -> String { String(format: "%.2f", s) }
        row("") { $0.name }
        row("build circuit (s)") { seconds($0.buildSeconds) }
        row("arith ops") { "\($0.arithOps)" }
        row("Poseidon2 ops") { "\($0.poseidon2Ops)" }
        row("inputs") { "\($0.inputs)" }
        row("slots") { "\($0.slots)" }
        row("public values") { "\($0.publicValues)" }
        for i in leaf.tables.indices {
            row("\(leaf.tables[i].name) rows × cols") { f in
                let t = f.tables[i]
                return "\(t.rows) × \(t.mainColumns)+\(t.fixedColumns)+\(t.logUpColumns)"
            }
        }
        row("key (s)") { seconds($0.keySeconds) }
        row("prove (s)") { seconds($0.proveSeconds) }
        if columns.contains(where: { $0.proveRuns.count > 1 }) {
            row("  each proof (s)") { $0.proveRuns.map(seconds).joined(separator: " ") }
        }
        row("proof bytes") { "\($0.proofBytes)" }
        row("  opened rows") { "\($0.proofSizes.openedRows)" }
        row("  trace paths") { "\($0.proofSizes.tracePaths)" }
        row("  FRI siblings + paths") { "\($0.proofSizes.friSiblings) + \($0.proofSizes.friPaths)" }
        row("  out-of-domain values") { "\($0.proofSizes.outOfDomain)" }
        row("verify (s)") { String(format: "%.3f", $0.verifySeconds) }
        row("proven bits") { "\($0.provenBits)" }
        print("(cols: main + fixed + LogUp, in base-field columns)")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
