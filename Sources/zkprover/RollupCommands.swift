import ArgumentParser
import Foundation
import Logging
import Rollup

/// `zkprover rollup`: the L2 node.
struct RollupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollup",
        abstract: "The L2 chain: sequencer node with Ethereum JSON-RPC.",
        subcommands: [RollupNodeCommand.self]
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

    func validate() throws {
        if dev == (genesis != nil) { throw ValidationError("give exactly one of --dev and --genesis FILE") }
        if !(blockTime >= 0 && blockTime <= 3600) { throw ValidationError("--block-time must be in 0...3600 seconds") }
        if !(0...65535).contains(httpPort) { throw ValidationError("--http-port must be in 0...65535") }
    }

    func run() async throws {
        var log = Logger(label: "zkprover.rollup")
        log.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let logger = log
        let g = try genesis.map { try Genesis.load(path: $0) } ?? Genesis.dev()
        let chain = try await RollupNode.openChain(genesis: g, datadir: datadir, logger: logger)
        var config = RollupNodeConfig()
        config.host = httpHost
        config.port = httpPort
        config.blockTime = blockTime
        let node = RollupNode(chain: chain, config: config, logger: logger)
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
