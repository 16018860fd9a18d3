import ArgumentParser
import Foundation
import Logging
import NetworkCore
import Rollup

/// `zkprover rollup`: the L2 node.
struct RollupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollup",
        abstract: "The L2 chain: sequencer node with Ethereum JSON-RPC.",
        subcommands: [RollupNodeCommand.self, RollupBenchCommand.self]
    )
}

/// `zkprover rollup node`: runs the L2 node.
struct RollupNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run the L2 node: Osaka blocks from a transaction pool, Ethereum JSON-RPC over HTTP, chain in SQLite."
    )

    @Flag(help: "Development chain: chain id 1337, the 10 accounts of 'test test … junk' prefunded with 10,000 ether.")
    var dev = false
    @Option(help: "Genesis JSON file (chainId, gasLimit, alloc, …).") var genesis: String?
    @Option(help: "Where the chain is stored (chain.sqlite).") var datadir = "rollup-data"
    @Option(help: "Address to listen on.") var httpHost = "127.0.0.1"
    @Option(help: "JSON-RPC port (0 picks a free one).") var httpPort = 8545
    @Option(help: "Seconds between blocks; 0 mines each transaction into its own block at once.")
    var blockTime: Double = 0
    @Option(help: "Write the listening port to this file once serving.") var portFile: String?
    @Option(help: "Log level (trace, debug, info, notice, warning, error).") var logLevel = "info"
    @Option(help: "Prover network coordinator URL: batches of blocks are sent there as proof jobs.")
    var coordinator: String?
    @Option(help: "Most blocks in a batch.") var batchBlocks = 16
    @Option(help: "Most gas in a batch.") var batchGas: UInt64 = 60_000_000
    @Option(help: "Seconds after which a batch closes however small.") var batchAge: Double = 30
    @Option(help: "Block proofs: zkvm (evm-block, the block guest's zkVM proof) or stand-in (a STARK example proof).")
    var blockProofs = BlockProofsOption.zkvm
    @Flag(help: "With --block-proofs zkvm: request evm-block-testing (insecure, about 20 bits).")
    var insecureTestParameters = false
    @Option(help: "Kind of the stand-in block proofs.") var standInKind = StarkFibonacciKind.kindName
    @Option(help: "Kind of each batch's final job (aggregation stand-in).") var finalKind = StarkFibonacciKind.kindName
    @Option(help: "Requester key paying for the jobs (default: <datadir>/batcher.key).") var batcherKey: String?
    @Option(help: "Tokens asked from the coordinator's faucet at start (devnets).") var faucet: Int64 = 0

    func validate() throws {
        if dev == (genesis != nil) { throw ValidationError("give exactly one of --dev and --genesis FILE") }
        if batchBlocks < 1 { throw ValidationError("--batch-blocks must be at least 1") }
        if !(batchAge > 0) { throw ValidationError("--batch-age must be positive") }
        if !(blockTime >= 0 && blockTime <= 3600) { throw ValidationError("--block-time must be in 0...3600 seconds") }
        if !(0...65535).contains(httpPort) { throw ValidationError("--http-port must be in 0...65535") }
    }

    func run() async throws {
        var log = Logger(label: "zkprover.rollup")
        log.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let logger = log
        let g = try genesis.map { try Genesis.load(path: $0) } ?? Genesis.dev()
        let (chain, batches) = try await RollupNode.open(genesis: g, datadir: datadir, logger: logger)
        var config = RollupNodeConfig()
        config.host = httpHost
        config.port = httpPort
        config.blockTime = blockTime
        var batcher: Batcher?
        if let coordinator {
            // The node only names the kinds; the coordinator and the prover nodes hold them.
            let names = StandardProofKinds.registry()
            let proofs = try CommandProofKinds.batchProofs(
                blockProofs,
                insecure: insecureTestParameters,
                standIn: standInKind,
                final: finalKind,
                registry: names
            )
            var bc = BatcherConfig(
                coordinator: coordinator,
                keyFile: batcherKey ?? datadir + "/batcher.key",
                proofs: proofs
            )
            bc.policy = BatchPolicy(maxBlocks: batchBlocks, maxGas: batchGas, maxAgeSeconds: batchAge)
            bc.faucet = faucet
            batcher = try Batcher(chain: chain, store: batches, config: bc, logger: logger)
            logger.info("batches go to \(coordinator)", metadata: ["proofs": .string(proofs.description)])
        }
        let node = RollupNode(chain: chain, config: config, batcher: batcher, logger: logger)
        let head = await chain.head
        let portFile = self.portFile
        let group = node.serviceGroup { port in
            logger.info(
                "rollup node listening",
                metadata: [
                    "port": .stringConvertible(port), "chainId": .stringConvertible(g.chainId),
                    "head": .stringConvertible(head.number),
                ]
            )
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
        try await group.run()
        logger.info("rollup node stopped")
    }
}
