import Foundation

/// Latency percentiles of one JSON-RPC method, in milliseconds.
public struct LatencyFigures: Sendable, Codable {
    /// Requests timed.
    public var count: Int
    /// Median.
    public var p50: Double
    /// 99th percentile.
    public var p99: Double
    /// Slowest.
    public var max: Double

    /// The percentiles of `samples` (seconds).
    init(_ samples: [Double]) {
        let s = samples.sorted()
        count = s.count
        func at(_ q: Double) -> Double {
            s.isEmpty ? 0 : s[Swift.min(s.count - 1, Swift.max(0, Int((q * Double(s.count)).rounded(.up)) - 1))] * 1000
        }
        p50 = at(0.5)
        p99 = at(0.99)
        max = (s.last ?? 0) * 1000
    }

    var line: String { String(format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d requests)", p50, p99, max, count) }
}

/// One workload's figures: transactions sent by the senders over JSON-RPC until every one is
/// included in a block.
public struct WorkloadFigures: Sendable, Codable {
    /// `eth` or `erc20`.
    public var name: String
    /// Transactions included.
    public var transactions: Int
    /// Seconds from the first send until the last transaction's block was committed.
    public var seconds: Double
    /// Transactions included per second.
    public var transactionsPerSecond: Double
    /// Gas included per second, in millions.
    public var megagasPerSecond: Double
    /// Blocks the load took, and the most transactions one of them held.
    public var blocks: UInt64
    public var largestBlock: Int
    /// CPU time of the whole process (node and senders) per included transaction, in
    /// milliseconds: a figure other load on the machine disturbs less than the rate.
    public var cpuMillisecondsPerTransaction: Double
    /// Sends refused because a sender's pool slots were full (retried after 2 ms).
    public var poolFullRetries: Int
    /// `eth_sendRawTransaction` latency (accepted sends).
    public var sendRawTransaction: LatencyFigures
    /// `eth_call` (`balanceOf` on the token) latency while the load runs, one call every 20 ms.
    public var callUnderLoad: LatencyFigures
}

/// What `zkprover rollup bench` measures.
public struct RollupBenchReport: Sendable, Codable {
    /// The settings.
    public var senders: Int
    public var blockTime: Double
    public var gasLimit: UInt64
    /// ETH transfers, then ERC-20 transfers.
    public var workloads: [WorkloadFigures]
    /// `eth_call` latency on the idle node.
    public var callIdle: LatencyFigures
    /// A block full of ETH transfers (the gas limit's worth), built through `Chain.produceBlock`
    /// (execution, state root, witness, SQLite commit): its transactions and milliseconds.
    public var fullBlockTransactions: Int
    public var fullBlockMilliseconds: Double
    /// Blocks in the store at the restart, how they were made, and the seconds to reopen the
    /// store and answer `eth_blockNumber` over HTTP.
    public var restartBlocks: UInt64
    public var restartPopulation: String
    public var populateSeconds: Double
    public var restartSeconds: Double
}

extension RollupBenchReport {
    /// The figures as text lines.
    public var lines: [String] {
        func f(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
        var out = [
            "rollup bench: \(senders) senders, block time \(blockTime) s, block gas limit \(gasLimit)"
        ]
        for w in workloads {
            out.append(
                "  \(w.name): \(w.transactions) transactions in \(f(w.seconds, 2)) s: \(f(w.transactionsPerSecond, 0)) tx/s included in blocks (\(f(w.megagasPerSecond, 1)) Mgas/s), \(w.blocks) blocks (largest \(w.largestBlock) tx), \(w.poolFullRetries) pool-full retries, \(f(w.cpuMillisecondsPerTransaction, 3)) CPU ms/tx (node and senders)"
            )
            out.append("    eth_sendRawTransaction: " + w.sendRawTransaction.line)
            out.append("    eth_call under load:    " + w.callUnderLoad.line)
        }
        out.append("  eth_call idle: " + callIdle.line)
        out.append(
            String(
                format: "  full block: %d transfers built and committed in %.1f ms",
                fullBlockTransactions,
                fullBlockMilliseconds
            )
        )
        if restartBlocks > 0 {
            out.append(
                "  restart with \(restartBlocks) blocks stored: \(f(restartSeconds, 2)) s to reopen the store and answer eth_blockNumber over HTTP (store populated in \(f(populateSeconds, 1)) s: \(restartPopulation))"
            )
        }
        return out
    }
}
