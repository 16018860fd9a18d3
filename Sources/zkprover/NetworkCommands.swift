import Algebra
import ArgumentParser
import Foundation
import Logging
import NetworkCore
import ProverNetwork
import Rollup
import Synchronization

/// The network's subcommands, for `ZKProverCommand`'s list.
enum NetworkCommands {
    static let all: [any ParsableCommand.Type] = [
        CoordinatorCommand.self, NodeCommand.self, DevnetCommand.self, NetworkCommand.self,
    ]
}

func networkLogger(_ label: String, level: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
}

/// `zkprover coordinator`: the coordinator service.
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the prover-network coordinator (HTTP/JSON API, SSE events, dashboard)."
    )

    @Option(help: "SQLite file path, or postgres://user:password@host:port/database.")
    var database = "coordinator.sqlite"
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Lease duration without heartbeat, in seconds.") var leaseSeconds = 30.0
    @Option(help: "Token symbol.") var token = "LUMIA"
    @Option(help: "Largest faucet mint per call (0 disables the faucet).") var faucet: Int64 = 0
    @Option(help: "Lease sweep interval in milliseconds.") var sweepMillis = 200
    @Option(help: "Log level (trace, debug, info, notice, warning, error).") var logLevel = "info"
    @Option(help: "Write the listening port to this file once serving.") var portFile: String?
    @Option(help: "Largest request body in MiB (413 beyond); proofs travel as base64 in JSON.")
    var maxBodyMib = 6
    @Flag(help: "Also accept evm-block jobs (zkVM block proofs; builds the block guest first).") var evmBlock = false
    @OptionGroup var vm: VMKindOptions
    @Flag(help: "With --evm-block or --vm-guest/--vm-elf: the -testing kinds, insecure parameters (about 20 bits).")
    var insecureTestParameters = false

    func validate() throws {
        guard (1...256).contains(maxBodyMib) else { throw ValidationError("--max-body-mib must be in 1...256") }
    }

    func run() async throws {
        let logger = networkLogger("zkprover.coordinator", level: logLevel)
        let db = try await openDatabase(database, logger: logger)
        var cc = CoordinatorConfig()
        cc.leaseMillis = Int64(leaseSeconds * 1000)
        cc.token = token
        cc.faucetLimit = faucet
        let kinds = try CommandProofKinds.registry(evmBlock: evmBlock, insecure: insecureTestParameters, vm: vm)
        let core = try await CoordinatorCore(db: db, kinds: kinds, config: cc, logger: logger)
        var sc = CoordinatorServerConfig()
        sc.host = host
        sc.port = port
        sc.sweepInterval = .milliseconds(sweepMillis)
        sc.maxBodyBytes = maxBodyMib << 20
        let server = CoordinatorServer(core: core, config: sc, metrics: CoordinatorMetrics(), logger: logger)
        let portFile = self.portFile
        let group = server.serviceGroup(signals: [.sigterm, .sigint]) { p in
            logger.info(
                "coordinator listening",
                metadata: ["port": .stringConvertible(p), "engine": .string(db.engine.rawValue)]
            )
            if let portFile { try? String(p).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
        try await group.run()
        await db.close()
        logger.info("coordinator stopped")
    }
}

/// `zkprover node`: a prover node.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a prover node: stake, lease jobs within capacity, prove, get paid."
    )

    @Option(help: "Coordinator URL.") var coordinator = "http://127.0.0.1:8080"
    @Option(help: "Private key file (created when missing).") var key = "node.key"
    @Option(help: "Lease state file (default: <key>.leases.json).") var state: String?
    @Option(help: "Tokens to stake.") var stake: Int64 = 1000
    @Option(help: "Tokens to request from the faucet first (devnet).") var faucet: Int64 = 0
    @Option(help: "Concurrent proofs (default: cores).") var slots: Int?
    @Option(help: "Work units per second (default: measured by a self-benchmark).") var workPerSecond: Double?
    @Option(help: "Heartbeat interval in milliseconds.") var heartbeatMillis = 2000
    @Option(help: "Stop after this many verified proofs.") var maxProofs: Int?
    @Option(help: "Log level.") var logLevel = "info"
    @Flag(help: "Also prove evm-block jobs (zkVM block proofs; builds the block guest first).") var evmBlock = false
    @OptionGroup var vm: VMKindOptions
    @Flag(help: "With --evm-block or --vm-guest/--vm-elf: the -testing kinds, insecure parameters (about 20 bits).")
    var insecureTestParameters = false

    func run() async throws {
        let logger = networkLogger("zkprover.node", level: logLevel)
        // A node proves job after job: keep freed LDE-sized buffers mapped for the next.
        retainFreedLargeAllocations()
        var config = ProverNodeConfig(coordinator: coordinator, keyFile: key, stateFile: state)
        config.stake = stake
        config.faucet = faucet
        if let slots { config.slots = slots }
        config.workPerSecond = workPerSecond
        config.heartbeatInterval = .milliseconds(heartbeatMillis)
        config.maxProofs = maxProofs
        let kinds = try CommandProofKinds.registry(evmBlock: evmBlock, insecure: insecureTestParameters, vm: vm)
        let node = try ProverNode(config: config, kinds: kinds, logger: logger)
        logger.info("node starting", metadata: ["address": .string(node.key.address)])
        let task = Task { try await node.run() }
        let signals = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig)
            s.setEventHandler { task.cancel() }
            s.resume()
            return s
        }
        defer { for s in signals { s.cancel() } }
        do { try await task.value } catch is CancellationError {}
        let s = node.stats
        logger.info(
            "node stopped",
            metadata: ["verified": .stringConvertible(s.verified), "earned": .stringConvertible(s.earned)]
        )
    }
}

/// `zkprover devnet`: everything on one machine.
struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract:
            "The whole system on one machine: L2 node, coordinator, two prover nodes; transfers over JSON-RPC until the finalized block passes them.",
        discussion: """
            Batches of L2 blocks become proof jobs (one per block, a final job per batch). By default each block's \
            job is a stand-in STARK proof (--block-proofs stand-in): a zkVM proof of a block takes minutes on two \
            cores. --block-proofs zkvm proves every block with the block guest (evm-block).

            --network-only runs the prover network alone on a real guest run: the EVM guest on one EEST \
            state-test vector (--fixture, --forks, --index), cut into shards (--shard-size; by default the \
            largest power of two that gives at least four), proven by the two nodes as vm-shard jobs (a shard's \
            STARK and its leaf recursion proof), vm-aggregate jobs pairing adjacent segments level by level, and a \
            vm-final job over the root; every proof is verified by the coordinator before it counts. It prints the \
            final statement (exit code, the post-state root the guest committed, shards, cycles) and the ledger. \
            --insecure-test-parameters proves at about 20 bits, for development. --network-only --kind K runs \
            the sample DAG of kind K instead (stark-fibonacci, stark-fibonacci-testing: --shards shard jobs, one \
            aggregate and one final job).
            """
    )

    @Option(help: "Signed transfers sent over JSON-RPC.") var transactions = 500
    @Option(help: "Transfers per second (0: as fast as possible).") var rate: Double = 50
    @Option(help: "Seconds between L2 blocks.") var blockTime: Double = 1
    @Option(help: "Most blocks in a batch.") var batchBlocks = 4
    @Option(help: "Seconds after which a batch closes however small.") var batchAge: Double = 4
    @Option(help: "Block proofs: stand-in (a STARK example proof per block) or zkvm (evm-block).")
    var blockProofs = BlockProofsOption.standIn
    @Flag(
        help:
            "Insecure parameters (about 20 bits): with --block-proofs zkvm (evm-block-testing) or --network-only (the vm-*-testing kinds)."
    )
    var insecureTestParameters = false
    @Option(
        help:
            "Proof kind of the stand-in and final jobs (stark-fibonacci, or stark-fibonacci-testing); with --network-only, the kind of the sample DAG to run instead of the zkVM run."
    )
    var kind: String?
    @Option(help: "Give up after this many seconds.") var timeout: Double = 600
    @Flag(help: "Only the prover network: the EVM guest's run proven as vm-shard, vm-aggregate and vm-final jobs.")
    var networkOnly = false
    @Option(help: "With --network-only: the state-test file (default: frontier/opcodes/test_call_large_offset_mstore).")
    var fixture: String?
    @Option(help: "With --network-only: forks to take vectors from (comma-separated).") var forks = "Prague,Osaka"
    @Option(help: "With --network-only: index of the vector among the selected forks' vectors.") var index = 0
    @Option(help: "With --network-only: cycles per shard (default: the largest power of two giving 4 shards or more).")
    var shardSize: Int?
    @Option(help: "With --network-only: directory for the built guest.") var buildDirectory = ".build/guests"
    @Option(help: "With --network-only --kind: shard jobs (plus one aggregate and one final job).") var shards = 4
    @Option(help: "With --network-only --kind: input size parameter of the proof kind.") var size = 0
    @Option(help: "Folder for the databases and keys (default: a new temporary folder).") var directory: String?
    @Option(help: "Log level.") var logLevel = "warning"

    func run() async throws {
        let say: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        let logger = networkLogger("zkprover.devnet", level: logLevel)
        // The devnet's nodes prove job after job: keep freed LDE-sized buffers mapped for the next.
        retainFreedLargeAllocations()
        if networkOnly {
            var options: DevnetOptions
            let kinds: ProofKindRegistry
            var outcome: VMDevnet.Outcome? = nil
            if let kind {
                options = DevnetOptions()
                options.kind = kind
                options.shards = shards
                options.size = size
                kinds = StandardProofKinds.registry()
            } else {
                let vm = try VMDevnet.options(
                    fixture: fixture,
                    forks: forks,
                    index: index,
                    shardSize: shardSize,
                    insecure: insecureTestParameters,
                    buildDirectory: buildDirectory,
                    say: say
                )
                (options, kinds, outcome) = (vm.0, vm.1, vm.2)
            }
            options.directory = directory
            options.timeoutSeconds = timeout
            let report = try await Devnet.run(options: options, kinds: kinds, logger: logger, print: say)
            if !report.ledger.balanced || report.proofsRechecked != report.jobs.count { throw ExitCode(1) }
            if let outcome, !outcome.rootMatches.withLock({ $0 }) { throw ExitCode(1) }
            return
        }
        let kind = self.kind ?? StarkFibonacciKind.kindName
        let kinds = try CommandProofKinds.registry(
            evmBlock: blockProofs == .zkvm,
            insecure: insecureTestParameters
        )
        var options = RollupDevnetOptions(
            proofs: try CommandProofKinds.batchProofs(
                blockProofs,
                insecure: insecureTestParameters,
                standIn: kind,
                final: kind,
                registry: kinds
            )
        )
        options.transactions = transactions
        options.rate = rate
        options.blockTime = blockTime
        options.policy = BatchPolicy(maxBlocks: batchBlocks, maxGas: 60_000_000, maxAgeSeconds: batchAge)
        options.directory = directory
        options.timeoutSeconds = timeout
        // A node may lease only the work it proves within one lease period at the speed its
        // self-benchmark measured on the stand-in kind; a zkVM block proof is far more work.
        if blockProofs == .zkvm { options.leaseSeconds = max(options.leaseSeconds, timeout) }
        let report = try await RollupDevnet.run(options: options, kinds: kinds, logger: logger, print: say)
        if !report.succeeded || !report.ledger.balanced { throw ExitCode(1) }
    }
}

/// `zkprover network …`.
struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Prover-network tools.",
        subcommands: [NetworkBenchCommand.self, NetworkLoginCommand.self]
    )
}

/// `zkprover network login`: a session token for scripts (curl, schemathesis).
struct NetworkLoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Logs a key in to a coordinator and prints the session token (for `Authorization: Bearer`).",
        discussion: "The key's address goes to standard error, the token alone to standard output."
    )

    @Option(help: "Coordinator URL.") var coordinator = "http://127.0.0.1:8080"
    @Option(help: "Private key file (created when missing).") var key = "node.key"
    @Option(help: "Tokens to request from the faucet after logging in (devnet).") var faucet: Int64 = 0

    func run() async throws {
        let client = CoordinatorClient(baseURL: coordinator, key: try NodeKey.loadOrCreate(path: key))
        let token = try await withRetry(attempts: 20, "login") { try await client.login() }
        if faucet > 0 { _ = try await client.faucet(faucet) }
        FileHandle.standardError.write(Data("logged in as \(client.key.address)\n".utf8))
        print(token)
    }
}

/// `zkprover network bench`.
struct NetworkBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Simulated nodes push jobs with pre-generated real proofs through a coordinator; prints jobs/s and lease latency."
    )

    @Option(help: "Proof kind whose smallest instance is used.") var kind = StarkFibonacciKind.kindName
    @Option(help: "Simulated nodes.") var nodes = 8
    @Option(help: "Jobs.") var jobs = 1000
    @Option(
        help:
            "Databases to run against, comma-separated: sqlite, or postgres://… (default: sqlite, plus $ZKPROVER_POSTGRES_URL when set)."
    )
    var database: String?

    func run() async throws {
        var targets: [String?] = []
        if let database {
            targets = database.split(separator: ",").map { $0 == "sqlite" ? nil : String($0) }
        } else {
            targets = [nil]
            if let pg = ProcessInfo.processInfo.environment["ZKPROVER_POSTGRES_URL"] { targets.append(pg) }
        }
        print(
            "engine    nodes  jobs  verified  jobs/s   lease p50 ms  lease p99 ms  submit p50 ms  submit p99 ms  ledger"
        )
        for t in targets {
            var options = BenchOptions()
            options.nodes = nodes
            options.jobs = jobs
            options.database = t
            options.kind = kind
            let r = try await NetworkBench.run(
                options: options,
                kinds: StandardProofKinds.registry(),
                logger: networkLogger("zkprover.bench", level: "error")
            )
            print(
                String(
                    format: "%-9@ %5d %5d %9d %7.1f %13.2f %13.2f %14.2f %14.2f  %@",
                    r.engine as NSString,
                    r.nodes,
                    r.jobs,
                    r.verified,
                    r.jobsPerSecond,
                    r.leaseP50Millis,
                    r.leaseP99Millis,
                    r.submitP50Millis,
                    r.submitP99Millis,
                    (r.ledgerBalanced ? "balanced" : "NOT BALANCED") as NSString
                )
            )
            print(
                String(
                    format:
                        "  (submitting %d jobs took %.2f s; %d proofs of %d bytes generated beforehand in %.2f s; one verifies in %.2f ms)",
                    r.jobs,
                    r.submitSeconds,
                    8,
                    r.proofBytes,
                    r.proofGenerationSeconds,
                    r.verifyMillis
                )
            )
        }
    }
}
