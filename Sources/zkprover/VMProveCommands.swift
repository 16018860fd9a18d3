import Algebra
import ArgumentParser
import Foundation
import Recursion
import Stark
import VM
import VMProver
import VMRecursion

/// `zkprover vm prove ELF`: proves a run of a guest.
struct VMProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Run an RV32IM ELF and prove the run (one STARK proof per shard)."
    )

    @Argument(help: "The guest ELF.") var elf: String
    @Option(help: "Private input file (read by the guest from fd 0).") var input: String?
    @Option(help: "Hint file (host advice).") var hints: String?
    @Option(help: "Cycles per shard (a power of two ≤ 2^22 is best).") var shardSize: Int = 1 << 20
    @Option(help: "Threads for proving (default: all cores).") var threads: Int?
    @Option(name: .shortAndLong, help: "Where to write the proof.") var output: String
    @Flag(help: "Print one JSON object on stdout.") var json = false
    @Flag(help: "Check every constraint before proving (slow; names the failing table).") var checkConstraints =
        false
    @Flag(help: "Fast insecure parameters (about 20 bits): for development only.") var insecureTestParameters =
        false
    @Flag(help: "Join the shard proofs by recursion (leaf and aggregate proofs) and end with one small final proof.")
    var aggregate =
        false

    func validate() throws {
        guard shardSize >= 2, shardSize <= 1 << maxLogShardSize else {
            throw ValidationError("--shard-size must be in 2…2^\(maxLogShardSize)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { Parallel.maxThreads = threads }
        // A prover proves table after table: keep freed LDE-sized buffers mapped for the next.
        retainFreedLargeAllocations()
        let config = StarkConfig<VMField>.vm(insecure: insecureTestParameters)
        let program = try ELFLoader.load(try VMCommandSupport.readFile(elf))
        let inputBytes = try input.map(VMCommandSupport.readFile) ?? []
        let hintBytes = try hints.map(VMCommandSupport.readFile) ?? []
        let t0 = Date()
        let key = try VMProgramKey(program: program, config: config)
        let prover = RunProver(key: key, config: config)
        let log: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data(("[vm prove] " + line + "\n").utf8))
        }
        if !json { log("program id \(key.programId)") }
        let proof = try prover.prove(
            input: inputBytes,
            hints: hintBytes,
            shardSize: shardSize,
            options: ProvingOptions(checkConstraints: checkConstraints),
            progress: log
        )
        var bytes = proof.encoded()
        var bits = key.provenBits(proof, regime: config.regime)
        var extra: [String: Any] = [:]
        if aggregate {
            let t1 = Date()
            let recursion = VMCommandSupport.runRecursion(key: key, insecure: insecureTestParameters)
            let run = try RunAggregator(recursion: recursion, progress: log).aggregate(proof)
            bytes = run.encoded()
            bits = min(bits, try recursion.provenBits(run))
            extra = [
                "aggregated": true,
                "aggregationSeconds": Date().timeIntervalSince(t1),
                "recursionShape": "\(try recursion.keys().shape)",
            ]
        }
        let seconds = Date().timeIntervalSince(t0)
        guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
            throw ValidationError("cannot write \(output)")
        }
        let cycles = proof.shards.compactMap(\.cpu).reduce(0) { $0 + UInt64($1.cycles) }
        let exit = proof.shards.last?.cpu?.exitCode ?? 0
        var summary: [String: Any] = [
            "programId": "\(key.programId)",
            "exitCode": Int(Int32(bitPattern: exit)),
            "output": VMCommandSupport.hexString(proof.output),
            "cycles": cycles,
            "shards": proof.shards.count,
            "proofBytes": bytes.count,
            "provenBits": bits,
            "seconds": seconds,
            "cyclesPerSecond": seconds > 0 ? Double(cycles) / seconds : 0,
        ]
        summary.merge(extra) { a, _ in a }
        VMCommandSupport.report(summary, json: json)
    }
}

/// `zkprover vm verify PROOF --elf ELF`.
struct VMVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Verify a run proof (a chain of shard proofs, or an aggregated proof) against the ELF it claims to run."
    )

    @Argument(help: "The proof file.") var proof: String
    @Option(help: "The guest ELF.") var elf: String
    @Flag(help: "Print one JSON object on stdout.") var json = false
    @Flag(help: "Accept the fast insecure test parameters.") var insecureTestParameters = false

    func run() throws {
        let config = StarkConfig<VMField>.vm(insecure: insecureTestParameters)
        let program = try ELFLoader.load(try VMCommandSupport.readFile(elf))
        let bytes = try VMCommandSupport.readFile(proof)
        let t0 = Date()
        let key = try VMProgramKey(program: program, config: config)
        let keySeconds = Date().timeIntervalSince(t0)
        let t1 = Date()
        do {
            let verified: (exitCode: UInt32, output: [UInt8], cycles: UInt64, shards: Int)
            var aggregated = false
            if bytes.starts(with: FinalProof.magic) {
                let recursion = VMCommandSupport.runRecursion(key: key, insecure: insecureTestParameters)
                let run = try recursion.verify(try FinalProof(decoding: bytes))
                verified = (run.exitCode, run.output, run.cycles, run.shards)
                aggregated = true
            } else {
                let run = try RunVerifier(key: key, config: config).verify(bytes: bytes)
                verified = (run.exitCode, run.output, run.cycles, run.shards)
            }
            let summary: [String: Any] = [
                "programId": "\(key.programId)",
                "exitCode": Int(Int32(bitPattern: verified.exitCode)),
                "output": VMCommandSupport.hexString(verified.output),
                "cycles": verified.cycles,
                "shards": verified.shards,
                "proofBytes": bytes.count,
                "verified": true,
                "aggregated": aggregated,
                "seconds": Date().timeIntervalSince(t1),
                "keySeconds": keySeconds,
            ]
            VMCommandSupport.report(summary, json: json)
        } catch {
            if json {
                VMCommandSupport.report(
                    ["programId": "\(key.programId)", "verified": false, "error": "\(error)"],
                    json: true
                )
            } else {
                FileHandle.standardError.write(Data("verification failed: \(error)\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}

extension VMCommandSupport {
    /// The recursion configurations of runs of `key`'s program: production, or the insecure
    /// test ones.
    static func runRecursion(key: VMProgramKey, insecure: Bool) -> RunRecursion {
        insecure ? .testing(key: key) : RunRecursion(key: key)
    }

    /// Prints `summary` as one JSON object or as aligned lines.
    static func report(_ summary: [String: Any], json: Bool) {
        if json {
            let data = try! JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for k in summary.keys.sorted() { print("\(k): \(summary[k]!)") }
        }
    }
}
