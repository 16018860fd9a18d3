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
/// proven shard by shard; the first shard's proof is verified in a leaf circuit, which is
/// proven; then a plain 2-to-1 layer (a circuit that verifies two leaf proofs, without the
/// aggregate circuit's segment checks) is built and proven over the first two shards' leaves.
struct RecursionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure recursion: a zkVM shard verified in a leaf circuit, and a 2-to-1 layer over two leaf proofs.",
        discussion: """
            Builds the fibonacci example guest, proves its run shard by shard (--shard-size), then \
            measures the first shard's leaf circuit (build seconds, op counts, table rows and \
            columns, prove seconds, proof bytes, verify seconds, proven bits), and a plain 2-to-1 \
            layer: one circuit that verifies the leaf proofs of the first two shards (shard 0 twice \
            in a one-shard run) and binds them to their keys. Progress goes to stderr.
            """
    )

    @Option(help: "Cycles per shard (a power of two).") var shardSize: Int = 1 << 16
    @Option(help: "Fibonacci iterations (default: shard size / 4, about 2.6 shards).") var iterations: UInt32?
    @Option(help: "Threads for proving (default: all cores).") var threads: Int?
    @Option(help: "Directory for the built guest ELF.") var buildDirectory: String = ".build/guests"
    @Flag(help: "Print one JSON object on stdout.") var json = false
    @Flag(help: "Fast insecure parameters (about 20 bits): for development only.") var insecureTestParameters =
        false

    func validate() throws {
        guard shardSize >= 2, shardSize <= 1 << maxLogShardSize else {
            throw ValidationError("--shard-size must be in 2…2^\(maxLogShardSize)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { Parallel.maxThreads = threads }
        let log: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data(("[recursion bench] " + line + "\n").utf8))
        }
        let shardConfig = VMCommandSupport.provingConfig(insecure: insecureTestParameters)
        let config = VMCommandSupport.recursionConfig(insecure: insecureTestParameters)

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
        log("proving the run (fibonacci \(n)) in shards of \(shardSize) cycles")
        let t0 = Date()
        let run = try RunProver(key: key, config: shardConfig).prove(input: input, shardSize: shardSize, progress: log)
        let runSeconds = Date().timeIntervalSince(t0)
        let shards = run.shards
        let first = VMProof(programId: key.programId, shards: [shards[0]])

        // The leaf circuit of shard 0, and of shard 1 for the layer.
        let zero = [RF](repeating: .zero, count: 8)
        log("building the leaf circuit of shard 0")
        let t1 = Date()
        let leafBuilder = try LeafCircuit.build(
            shard: shards[0],
            key: key,
            config: shardConfig,
            outputIn: zero,
            aggregateKey: zero
        )
        let (leafCircuit, leafWitness) = leafBuilder.build()
        let leafBuildSeconds = Date().timeIntervalSince(t1)
        if let failure = leafBuilder.failures.first { throw ValidationError("leaf circuit of shard 0: \(failure)") }
        let leaf = try Self.measure(
            "leaf (shard 0)",
            circuit: leafCircuit,
            witness: leafWitness,
            buildSeconds: leafBuildSeconds,
            config: config,
            log: log
        )

        var second = leaf
        if shards.count > 1 {
            log("building and proving the leaf circuit of shard 1 (for the layer)")
            let root = shards[0].stark.preprocessedRoots[ShardCommitmentGroup.output].elements
            let outputIn = TruncatedPermutation<RF>(permutation: Poseidon2(width: 16))
                .compress(Digest(zero), Digest(root)).elements
            let b = try LeafCircuit.build(
                shard: shards[1],
                key: key,
                config: shardConfig,
                outputIn: outputIn,
                aggregateKey: zero
            )
            if let failure = b.failures.first { throw ValidationError("leaf circuit of shard 1: \(failure)") }
            let (c, w) = b.build()
            second = try Self.measure(
                "leaf (shard 1)",
                circuit: c,
                witness: w,
                buildSeconds: 0,
                config: config,
                log: log
            )
        }

        // The plain 2-to-1 layer over the two leaf proofs.
        log("building the 2-to-1 layer (plain) over two leaf proofs")
        let t2 = Date()
        let layerBuilder = CircuitBuilder()
        for child in [leaf, second] {
            let s = try StarkVerifierCircuit(config: config, builder: layerBuilder)
                .verify(airs: child.key.airs, proof: child.proof)
            // The child is a proof of its leaf circuit: its key root (the one preprocessed group
            // of recursion tables) is a constant of the layer.
            for (slot, value) in zip(s.preprocessedRoots[0], child.key.root.elements) {
                layerBuilder.assertEqual(slot, layerBuilder.constant(base: value), "another leaf key")
            }
            for v in s.publicValues.last! { layerBuilder.makePublic(v) }
        }
        let (layerCircuit, layerWitness) = layerBuilder.build()
        let layerBuildSeconds = Date().timeIntervalSince(t2)
        if let failure = layerBuilder.failures.first { throw ValidationError("2-to-1 layer: \(failure)") }
        let layer = try Self.measure(
            "2-to-1 layer (plain)",
            circuit: layerCircuit,
            witness: layerWitness,
            buildSeconds: layerBuildSeconds,
            config: config,
            log: log
        )

        let report = RecursionBenchReport(
            guest: "fibonacci",
            iterations: Int(n),
            cycles: shards.compactMap(\.cpu).reduce(0) { $0 + Int($1.cycles) },
            shards: shards.count,
            shardSize: shardSize,
            threads: Parallel.maxThreads,
            fri: "\(config.fri)",
            runProveSeconds: runSeconds,
            shardProofBytes: first.encoded().count,
            shardProvenBits: key.provenBits(first),
            layerLeaves: shards.count > 1 ? "shards 0 and 1" : "shard 0 twice",
            leaf: leaf.figures,
            layer: layer.figures
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
        let t1 = Date()
        let proof = try RecursionProver.prove(circuit: circuit, witness: witness, config: config)
        let proveSeconds = Date().timeIntervalSince(t1)
        log("\(name): proven in \(String(format: "%.2f", proveSeconds)) s; verifying")
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
            proofBytes: proof.encoded().count,
            verifySeconds: verifySeconds,
            provenBits: Soundness.report(sp, regime: .uniqueDecoding).bits
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
    var proveSeconds: Double
    var proofBytes: Int
    var verifySeconds: Double
    /// Proven (unique-decoding) security of the proof.
    var provenBits: Int
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
    /// Seconds to run the guest and prove every shard.
    var runProveSeconds: Double
    /// The first shard's proof alone (one-shard `VMProof` encoding).
    var shardProofBytes: Int
    var shardProvenBits: Int
    /// Which leaf proofs the layer verifies.
    var layerLeaves: String
    var leaf: RecursionCircuitFigures
    var layer: RecursionCircuitFigures

    func printTable() {
        print(
            "\(guest) \(iterations): \(cycles) cycles, \(shards) shards of \(shardSize); shard proofs in "
                + String(format: "%.2f s", runProveSeconds)
                + "; first shard: \(shardProofBytes) bytes, \(shardProvenBits) bits"
        )
        print("FRI: \(fri); threads: \(threads); layer verifies the leaves of \(layerLeaves)")
        let columns = [leaf, layer]
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
        row("proof bytes") { "\($0.proofBytes)" }
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
