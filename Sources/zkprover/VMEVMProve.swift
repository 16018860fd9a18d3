import Algebra
import ArgumentParser
import EVMGuestInput
import Foundation
import Stark
import VM
import VMProver

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
    @Option(help: "Cycles per shard.") var shardSize: Int = 1 << 20
    @Option(help: "Threads for proving (default: all cores).") var threads: Int?
    @Option(help: "Directory for the built guest.") var buildDirectory: String = ".build/guests"
    @Option(help: "Write the last proof here.") var output: String?
    @Flag(help: "Fast insecure parameters (about 20 bits): for development only.") var insecureTestParameters =
        false
    @Flag(help: "Print one JSON object per vector.") var json = false

    func run() throws {
        if let threads { Parallel.maxThreads = threads }
        let config = VMCommandSupport.provingConfig(insecure: insecureTestParameters)
        let builder = try GuestBuilder(guestsDirectory: VMCommandSupport.guestsDirectory())
        let outDir = URL(fileURLWithPath: buildDirectory)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let elfURL = try builder.build(
            directory: builder.guestsDirectory.appendingPathComponent("examples/evm"),
            output: outDir.appendingPathComponent("evm-software-keccak.elf"),
            accelerateKeccak: false
        )
        let program = try ELFLoader.load(try VMCommandSupport.readFile(elfURL.path))
        let t0 = Date()
        let key = try VMProgramKey(program: program, config: config)
        let keySeconds = Date().timeIntervalSince(t0)
        let vectors = try StateTestVector.load(path: fixture, forks: Set(forks.split(separator: ",").map(String.init)))
        guard index >= 0, index < vectors.count else {
            throw ValidationError("the fixture has \(vectors.count) vectors for \(forks)")
        }
        let log: (String) -> Void = { FileHandle.standardError.write(Data(("[evm-prove] " + $0 + "\n").utf8)) }
        log("EVM guest \(elfURL.path): program id \(key.programId), key in \(String(format: "%.2f", keySeconds)) s")
        for v in vectors[index..<min(vectors.count, index + count)] {
            let input = v.input.encode()
            let t1 = Date()
            let proof = try RunProver(key: key, config: config).prove(input: input, shardSize: shardSize, progress: log)
            let proveSeconds = Date().timeIntervalSince(t1)
            let bytes = proof.encoded()
            let t2 = Date()
            let run = try RunVerifier(key: key, config: config).verify(bytes: bytes)
            let verifySeconds = Date().timeIntervalSince(t2)
            let root = Array(run.output.prefix(32))
            let matches = root.elementsEqual(v.expectedRoot.bytes)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                    throw ValidationError("cannot write \(output)")
                }
            }
            let summary: [String: Any] = [
                "vector": v.id,
                "programId": "\(key.programId)",
                "exitCode": Int(Int32(bitPattern: run.exitCode)),
                "output": VMCommandSupport.hexString(run.output),
                "postStateRoot": VMCommandSupport.hexString(root),
                "fixtureRoot": VMCommandSupport.hexString(Array(v.expectedRoot.bytes)),
                "rootMatchesFixture": matches,
                "cycles": run.cycles,
                "shards": run.shards,
                "proofBytes": bytes.count,
                "provenBits": key.provenBits(proof),
                "seconds": proveSeconds,
                "cyclesPerSecond": Double(run.cycles) / proveSeconds,
                "verifySeconds": verifySeconds,
                "verified": true,
            ]
            VMCommandSupport.report(summary, json: json)
            if !matches { throw ExitCode(1) }
        }
    }
}
