import ArgumentParser
import Foundation
import Rollup

/// `zkprover rollup bench`: the L2 node's throughput and latency figures.
struct RollupBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Benchmark the L2 node in-process: ETH and ERC-20 transfers per second over JSON-RPC from concurrent senders, eth_sendRawTransaction and eth_call latency, full-block time, restart time with many blocks stored."
    )

    @Option(help: "Transactions per workload (ETH transfers, then ERC-20 transfers).") var transactions = 8_000
    @Option(help: "Concurrent senders (each its own account and HTTP connection).") var senders = 8
    @Option(
        help: "The node's block time in seconds (at 0.2 s the pool's 64 slots per sender cap 8 senders at 2,560 tx/s)."
    )
    var blockTime = 0.1
    @Option(help: "eth_calls timed on the idle node.") var idleCalls = 2_000
    @Option(help: "Blocks stored before the restart is timed (0 skips it).") var restartBlocks: UInt64 = 100_000
    @Option(help: "Data directory (default: a temporary one, removed afterwards).") var datadir: String?
    @Flag(help: "Print the figures as JSON.") var json = false

    func validate() throws {
        if senders < 1 || senders > 64 { throw ValidationError("--senders must be in 1...64") }
        if transactions < senders { throw ValidationError("--transactions must be at least --senders") }
        if !(blockTime > 0 && blockTime <= 60) { throw ValidationError("--block-time must be in (0, 60] seconds") }
        if idleCalls < 1 { throw ValidationError("--idle-calls must be positive") }
    }

    func run() async throws {
        var options = RollupBenchOptions()
        options.transactions = transactions
        options.senders = senders
        options.blockTime = blockTime
        options.idleCalls = idleCalls
        options.restartBlocks = restartBlocks
        options.datadir = datadir
        let start = Date()
        let report = try await RollupBench.run(options) { line in
            let stamp = String(format: "[%6.1f s] ", Date().timeIntervalSince(start))
            FileHandle.standardError.write(Data((stamp + line + "\n").utf8))
        }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try e.encode(report), as: UTF8.self))
        } else {
            for l in report.lines { print(l) }
        }
    }
}
