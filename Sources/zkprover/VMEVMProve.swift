import Algebra
import ArgumentParser
import EVMGuestInput
import Foundation
import Stark
import VM
import VMProver
import VMRecursion

/// `zkprover vm evm-prove FIXTURE`: proves the EVM guest on EEST state-test vectors end to end.
///
/// The guest is built with the software Keccak (the `keccak_f` table does not exist yet), runs
/// the vector's transaction on its pre-state, and commits the post-state root; the run is
/// proven shard by shard, the proof verified against the ELF, and the committed root compared
/// with the fixture's.
struct VMEVMProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evm-prove",
        abstract:
            "Prove the EVM guest on EEST state-test vectors; check the proven post-state root against the fixture."
    )

    @Argument(help: "A state-test JSON file.") var fixture: String
    @Option(help: "Forks to take vectors from (comma-separated).") var forks: String = "Prague,Osaka"
    @Option(help: "Index of the first vector to prove (among the selected forks' vectors).") var index: Int = 0
    @Option(help: "How many vectors to prove.") var count: Int = 1
    @OptionGroup var proving: GuestProvingOptions
    @Option(help: "Write the last proof here.") var output: String?
    @Flag(help: "Print one JSON object per vector.") var json = false
    @Flag(help: "Build the guest with the software Keccak-f instead of the keccak_f syscall.") var softwareKeccak =
        false
    @Flag(help: "Join the shard proofs by recursion into one final proof (written to --output).") var aggregate = false

    func run() throws {
        let session = try GuestProving(
            guest: "evm",
            name: "evm-prove",
            options: proving,
            softwareKeccak: softwareKeccak
        )
        let vectors = try StateTestVector.load(path: fixture, forks: Set(forks.split(separator: ",").map(String.init)))
        guard index >= 0, index < vectors.count else {
            throw ValidationError("the fixture has \(vectors.count) vectors for \(forks)")
        }
        for v in vectors[index..<min(vectors.count, index + count)] {
            var summary = try session.proveAndVerify(
                input: v.input.encode(),
                shardSize: proving.shardSize,
                output: output,
                aggregate: aggregate
            )
            let root = Array((summary["outputBytes"] as? [UInt8] ?? []).prefix(32))
            summary["outputBytes"] = nil
            let matches = root.elementsEqual(v.expectedRoot.bytes)
            summary["vector"] = v.id
            summary["postStateRoot"] = VMCommandSupport.hexString(root)
            summary["fixtureRoot"] = VMCommandSupport.hexString(Array(v.expectedRoot.bytes))
            summary["rootMatchesFixture"] = matches
            VMCommandSupport.report(summary, json: json)
            if !matches { throw ExitCode(1) }
        }
    }
}

/// The options of the commands that prove an example guest (`vm evm-prove`, `vm block-prove`,
/// `vm transfer-prove`).
struct GuestProvingOptions: ParsableArguments {
    @Option(help: "Cycles per shard.") var shardSize: Int = 1 << 20
    @Option(help: "Threads for proving (default: all cores).") var threads: Int?
    @Option(help: "Directory for the built guest.") var buildDirectory: String = ".build/guests"
    @Flag(help: "Fast insecure parameters (about 20 bits): for development only.") var insecureTestParameters =
        false
}

/// Proving an example guest end to end: built with the `keccak_f` syscall (proven by the Keccak
/// table) or with the software Keccak, its key derived once, each input proven shard by shard and
/// the proof verified against the ELF.
struct GuestProving {
    let config: StarkConfig<VMField>
    let key: VMProgramKey
    let insecure: Bool
    let log: @Sendable (String) -> Void

    /// Builds `Guests/examples/<guest>` and derives its key; `name` prefixes progress lines.
    init(guest: String, name: String, options: GuestProvingOptions, softwareKeccak: Bool) throws {
        if let threads = options.threads { Parallel.maxThreads = threads }
        // A prover proves table after table: keep freed LDE-sized buffers mapped for the next.
        retainFreedLargeAllocations()
        let insecure = options.insecureTestParameters
        config = StarkConfig<VMField>.vm(insecure: insecure)
        self.insecure = insecure
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("[\(name)] " + $0 + "\n").utf8)) }
        log("building the \(guest) guest (minutes on a cold cache)...")
        let built = try VMCommandSupport.buildExampleGuest(
            guest,
            buildDirectory: options.buildDirectory,
            softwareKeccak: softwareKeccak
        )
        let t0 = Date()
        key = try VMProgramKey(program: built.program, config: config)
        log(
            "\(built.path.path): program id \(key.programId), key in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s"
        )
        self.log = log
    }

    /// Proves the guest on `input`, verifies the proof, writes it to `output` when given, and
    /// returns the figures (the verified public output as bytes under `outputBytes`). With
    /// `aggregate`, the shard proofs are then joined into one final proof, which is verified
    /// and written instead; its figures are added.
    func proveAndVerify(
        input: [UInt8],
        shardSize: Int,
        output: String?,
        aggregate: Bool = false
    ) throws -> [String: Any] {
        let t1 = Date()
        let proof = try RunProver(key: key, config: config).prove(input: input, shardSize: shardSize, progress: log)
        let proveSeconds = Date().timeIntervalSince(t1)
        var bytes = proof.encoded()
        let t2 = Date()
        let run = try RunVerifier(key: key, config: config).verify(bytes: bytes)
        let verifySeconds = Date().timeIntervalSince(t2)
        var figures: [String: Any] = [:]
        if aggregate {
            let recursion = VMCommandSupport.runRecursion(key: key, insecure: insecure)
            let t3 = Date()
            let final = try RunAggregator(recursion: recursion, progress: log).aggregate(proof)
            let aggregationSeconds = Date().timeIntervalSince(t3)
            bytes = final.encoded()
            _ = try recursion.verify(final)  // builds the leaf keys once
            let t4 = Date()
            let verified = try recursion.verify(try FinalProof(decoding: bytes))
            guard verified.output == run.output, verified.exitCode == run.exitCode else {
                throw ValidationError("the final proof states another output or exit code than the shard proofs")
            }
            figures = [
                "aggregated": true,
                "aggregationSeconds": aggregationSeconds,
                "endToEndSeconds": Date().timeIntervalSince(t1),
                "finalProofBytes": bytes.count,
                "finalVerifySeconds": Date().timeIntervalSince(t4),
                "finalProvenBits": try recursion.provenBits(final),
            ]
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                throw ValidationError("cannot write \(output)")
            }
        }
        return [
            "programId": "\(key.programId)",
            "exitCode": Int(Int32(bitPattern: run.exitCode)),
            "output": VMCommandSupport.hexString(run.output),
            "outputBytes": run.output,
            "cycles": run.cycles,
            "shards": run.shards,
            "proofBytes": bytes.count,
            "provenBits": key.provenBits(proof, regime: config.regime),
            "seconds": proveSeconds,
            "cyclesPerSecond": Double(run.cycles) / proveSeconds,
            "verifySeconds": verifySeconds,
            "verified": true,
        ].merging(figures) { a, _ in a }
    }
}
