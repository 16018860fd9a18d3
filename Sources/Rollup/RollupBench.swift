import AsyncHTTPClient
import EVM
import EVMFixtures
import EVMPrimitives
import Foundation
import Logging
import NIOCore
import NIOPosix
import Secp256k1

/// Settings of ``RollupBench`` (`zkprover rollup bench`).
public struct RollupBenchOptions: Sendable {
    /// Transactions per workload (ETH transfers, then ERC-20 transfers), split over the senders.
    public var transactions = 8_000
    /// Concurrent senders, each with its own account and HTTP connection.
    public var senders = 8
    /// The node's block time in seconds.
    public var blockTime = 0.1
    /// `eth_call`s timed on the idle node after the load.
    public var idleCalls = 2_000
    /// Blocks in the store whose restart is timed (0 skips that figure).
    public var restartBlocks: UInt64 = 100_000
    /// Where the chain is stored (a fresh temporary directory, removed afterwards, when nil).
    public var datadir: String?
    /// An options value with the defaults.
    public init() {}
}

/// The L2 node's throughput and latency benchmark: a node started in-process on a temporary
/// data directory (real SQLite store, real HTTP JSON-RPC on localhost) takes pre-signed ETH
/// transfers, then ERC-20 transfers against ``BenchToken``, from concurrent senders; then a
/// block full of transfers is timed, and the restart of a store of many blocks.
public enum RollupBench {
    static let chainId: UInt64 = 1337
    static let gwei = UInt256(1_000_000_000 as UInt64)

    /// An EIP-1559 transaction for the dev chain (chain id 1337) signed with `key` (2 gwei fee
    /// cap, 1 gwei tip).
    public static func sign(
        key: UInt256,
        nonce: UInt64,
        to: Address?,
        value: UInt256 = .zero,
        gas: UInt64,
        data: [UInt8] = []
    ) throws -> [UInt8] {
        var t = Transaction(
            type: 2,
            chainId: UInt256(chainId),
            nonce: UInt256(nonce),
            maxPriorityFeePerGas: gwei,
            maxFeePerGas: gwei &* UInt256(2),
            gasLimit: UInt256(gas),
            to: to,
            value: value,
            data: data
        )
        let sig = try ECDSA.sign(messageHash: t.signingHash, privateKey: key)
        t.r = sig.r
        t.s = sig.s
        t.v = UInt256(UInt64(sig.recoveryId))
        return t.encoded
    }

    /// A fresh recipient: distinct per workload, sender and index, never a sender.
    static func recipient(workload: UInt8, sender: Int, index: Int) -> Address {
        let low = UInt64(0xbe) << 56 | UInt64(workload) << 40 | UInt64(sender) << 24 | UInt64(index)
        return Address(truncating: UInt256(low))
    }

    /// Runs the benchmark; progress goes to `progress`.
    public static func run(
        _ options: RollupBenchOptions,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> RollupBenchReport {
        let datadir =
            options.datadir
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "zkprover-rollup-bench-\(UUID().uuidString)"
            )
            .path
        defer { if options.datadir == nil { try? FileManager.default.removeItem(atPath: datadir) } }
        var logger = Logger(label: "zkprover.rollup.bench")
        logger.logLevel = .warning

        // Accounts: the senders, then enough fillers to put a full block's transfers in the pool
        // (at most 64 per sender).
        var genesis = try Genesis.dev(chainId: chainId)
        let fullBlock = Int(genesis.gasLimit / 21_000)
        let fillers = (fullBlock + 59) / 60
        progress("deriving \(options.senders + fillers) accounts")
        let keys = try DevAccounts.derive(count: options.senders + fillers)
        genesis.alloc = [:]
        for k in keys { genesis.alloc[k.address] = Account(balance: gwei &* gwei &* UInt256(1_000_000)) }
        let senders = Array(keys.prefix(options.senders))

        let (chain, _) = try await RollupNode.open(genesis: genesis, datadir: datadir, logger: logger)
        var config = RollupNodeConfig()
        config.port = 0
        config.blockTime = options.blockTime
        let node = try await RollupNode(chain: chain, config: config, logger: logger).start()
        progress("node at \(node.url), block time \(options.blockTime) s, data in \(datadir)")

        // The token: deployed by sender 0, which hands an equal share to each other sender.
        let perSender = options.transactions / options.senders
        let share = UInt256(UInt64(perSender) * 1_000)
        let token = EVM.createAddress(sender: senders[0].address, nonce: 0)
        let rpc = JSONRPCClient(url: node.url)
        var setup = [
            try sign(
                key: senders[0].privateKey,
                nonce: 0,
                to: nil,
                gas: 1_000_000,
                data: BenchToken.initcode(supply: share &* UInt256(UInt64(options.senders)))
            )
        ]
        for (i, s) in senders.enumerated().dropFirst() {
            setup.append(
                try sign(
                    key: senders[0].privateKey,
                    nonce: UInt64(i),
                    to: token,
                    gas: 100_000,
                    data: BenchToken.transferCall(to: s.address, amount: share)
                )
            )
        }
        for raw in setup { _ = try await rpc.call("eth_sendRawTransaction", [Hex.encode(raw)]) }
        try await waitForNonces(chain, [senders[0].address: UInt64(setup.count)])
        let last = try await balanceOf(rpc, token: token, senders[senders.count - 1].address)
        guard last == share else {
            throw RPCError.internal("token setup failed: last sender holds \(last), expected \(share)")
        }
        progress(
            "token \(token) deployed (\(BenchToken.runtime.count) bytes of code), \(share.decimalString) units per sender"
        )

        var workloads: [WorkloadFigures] = []
        for (w, name) in ["eth", "erc20"].enumerated() {
            progress("signing \(perSender * options.senders) \(name) transfers")
            let signed = try await withThrowingTaskGroup(of: (Int, [[UInt8]]).self) { group in
                for (s, key) in senders.enumerated() {
                    // Sender 0's first nonces went to the setup; each workload follows the last.
                    let base = (s == 0 ? UInt64(setup.count) : 0) + UInt64(w * perSender)
                    group.addTask {
                        var list: [[UInt8]] = []
                        for i in 0..<perSender {
                            let to = recipient(workload: UInt8(w), sender: s, index: i)
                            list.append(
                                w == 0
                                    ? try sign(
                                        key: key.privateKey,
                                        nonce: base + UInt64(i),
                                        to: to,
                                        value: .one,
                                        gas: 21_000
                                    )
                                    : try sign(
                                        key: key.privateKey,
                                        nonce: base + UInt64(i),
                                        to: token,
                                        gas: 60_000,
                                        data: BenchToken.transferCall(to: to, amount: .one)
                                    )
                            )
                        }
                        return (s, list)
                    }
                }
                var out = [[[UInt8]]](repeating: [], count: senders.count)
                for try await (s, list) in group { out[s] = list }
                return out
            }
            progress("sending \(name) transfers from \(options.senders) senders")
            let figures = try await load(
                name: name,
                chain: chain,
                url: node.url,
                token: token,
                senders: senders,
                signed: signed,
                progress: progress
            )
            workloads.append(figures)
            progress("\(name): \(String(format: "%.0f", figures.transactionsPerSecond)) tx/s")
        }
        // Every transfer did what it should: the senders' token balances are down by their
        // transfers, and a sample of recipients hold what they were sent.
        for s in senders {
            let b = try await balanceOf(rpc, token: token, s.address)
            guard b == share &- UInt256(UInt64(perSender)) else {
                throw RPCError.internal("sender \(s.address) holds \(b) tokens")
            }
        }
        for s in [0, senders.count - 1] {
            let to = recipient(workload: 0, sender: s, index: perSender - 1)
            guard let wei = try await rpc.call("eth_getBalance", [to.description, "latest"]) as? String, wei == "0x1"
            else {
                throw RPCError.internal("recipient \(to) did not receive its wei")
            }
            guard
                try await balanceOf(rpc, token: token, recipient(workload: 1, sender: s, index: perSender - 1)) == .one
            else {
                throw RPCError.internal("token recipient did not receive its unit")
            }
        }

        progress("timing \(options.idleCalls) eth_calls on the idle node")
        var idle: [Double] = []
        for _ in 0..<options.idleCalls {
            let t = ContinuousClock.now
            _ = try await balanceOf(rpc, token: token, senders[0].address)
            idle.append(seconds(since: t))
        }
        await node.stop()

        // A full block: the gas limit's worth of transfers from the filler accounts, pooled
        // directly, then one `produceBlock`.
        progress("timing a full block of \(fullBlock) transfers")
        var pooled = 0
        for (f, key) in keys.dropFirst(options.senders).enumerated() where pooled < fullBlock {
            for i in 0..<min(60, fullBlock - pooled) {
                _ = try await chain.submit(
                    try sign(
                        key: key.privateKey,
                        nonce: UInt64(i),
                        to: recipient(workload: 2, sender: f, index: i),
                        value: .one,
                        gas: 21_000
                    )
                )
                pooled += 1
            }
        }
        let t = ContinuousClock.now
        guard let full = try await chain.produceBlock() else { throw RPCError.internal("no block built") }
        let fullMs = seconds(since: t) * 1000
        let fullCount = try await chain.transactions(block: full.number).count

        // Restart: empty blocks up to `restartBlocks`, built by `produceBlock` as the node's
        // block timer would and committed to the store as every block is.
        var populate = 0.0
        var restart = 0.0
        let population =
            "empty blocks (system calls only) built by Chain.produceBlock, each committed to SQLite as the node commits every block"
        if options.restartBlocks > 0 {
            let start = ContinuousClock.now
            var head = await chain.head.number
            progress(
                "building \(options.restartBlocks > head ? options.restartBlocks - head : 0) blocks for the restart"
            )
            while head < options.restartBlocks {
                guard let h = try await chain.produceBlock() else { throw RPCError.internal("no block built") }
                head = h.number
                if head % 10_000 == 0 {
                    progress(
                        "  block \(head) (\(String(format: "%.0f", Double(head) / seconds(since: start))) blocks/s)"
                    )
                }
            }
            populate = seconds(since: start)
        }
        let headBefore = await chain.head
        await chain.close()
        if options.restartBlocks > 0 {
            progress("restarting on \(headBefore.number) blocks")
            let t = ContinuousClock.now
            let (reopened, _) = try await RollupNode.open(genesis: genesis, datadir: datadir, logger: logger)
            let again = try await RollupNode(chain: reopened, config: config, logger: logger).start()
            let n = try await JSONRPCClient(url: again.url).call("eth_blockNumber", [])
            restart = seconds(since: t)
            guard n as? String == "0x" + String(headBefore.number, radix: 16) else {
                throw RPCError.internal("restarted at \(n), expected block \(headBefore.number)")
            }
            await again.stop()
            await reopened.close()
        }
        return RollupBenchReport(
            senders: options.senders,
            blockTime: options.blockTime,
            gasLimit: genesis.gasLimit,
            workloads: workloads,
            callIdle: LatencyFigures(idle),
            fullBlockTransactions: fullCount,
            fullBlockMilliseconds: fullMs,
            restartBlocks: options.restartBlocks > 0 ? headBefore.number : 0,
            restartPopulation: population,
            populateSeconds: populate,
            restartSeconds: restart
        )
    }

    static func seconds(since t: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Posts a prepared JSON-RPC request; throws the node's error.
    static func post(_ http: HTTPClient, url: String, body: ByteBuffer) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard let o = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] else {
            throw RPCError.internal("not a JSON-RPC reply")
        }
        if let e = o["error"] as? [String: Any] {
            throw RPCError(e["code"] as? Int ?? -32603, e["message"] as? String ?? "error")
        }
    }

    static func balanceOf(_ rpc: JSONRPCClient, token: Address, _ owner: Address) async throws -> UInt256 {
        let r = try await rpc.call(
            "eth_call",
            [["to": token.description, "data": Hex.encode(BenchToken.balanceOfCall(owner))], "latest"]
        )
        guard let s = r as? String, let v = UInt256(hex: s) else { throw RPCError.internal("balanceOf answered \(r)") }
        return v
    }

    /// Waits until each account's state nonce reaches its target.
    static func waitForNonces(_ chain: Chain, _ targets: [Address: UInt64]) async throws {
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            var done = true
            for (a, n) in targets where await chain.nonce(a) < n {
                done = false
                break
            }
            if done { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw RPCError.internal("transactions not included within 600 s")
    }

    /// One workload: every sender sends its list in order over its own connection (a send the
    /// pool refuses for want of room is retried), while one more connection times `eth_call`s;
    /// ends when every transaction is included.
    static func load(
        name: String,
        chain: Chain,
        url: String,
        token: Address,
        senders: [(privateKey: UInt256, address: Address)],
        signed: [[[UInt8]]],
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> WorkloadFigures {
        var targets: [Address: UInt64] = [:]
        for (s, list) in zip(senders, signed) {
            guard let raw = list.last, let t = try? Transaction.decode(raw) else { continue }
            targets[s.address] = t.nonce.w0 + 1
        }
        let included = targets
        // The request bodies are prepared ahead too, so that the senders spend as little of the
        // two cores they share with the node as a client can.
        let bodies = signed.map { list in
            list.map { raw in
                ByteBuffer(
                    string: #"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":[""#
                        + Hex.encode(raw) + #""]}"#
                )
            }
        }
        // The clients' own event loops: the node's (NIO's singleton) serve only the node, as
        // they would with clients in other processes.
        let clients = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { clients.shutdownGracefully { _ in } }
        let firstBlock = await chain.head.number
        let cpuStart = CPUTime.process
        let start = ContinuousClock.now
        let result = try await withThrowingTaskGroup(of: ([Double], Int, [Double]).self) { group in
            for list in bodies {
                group.addTask {
                    let http = HTTPClient(eventLoopGroupProvider: .shared(clients))
                    defer { Task { try? await http.shutdown() } }
                    var latencies: [Double] = []
                    var retries = 0
                    for body in list {
                        while true {
                            let t = ContinuousClock.now
                            do {
                                try await post(http, url: url, body: body)
                                latencies.append(seconds(since: t))
                                break
                            } catch let e as RPCError where e.message.hasPrefix("txpool is full") {
                                retries += 1
                                try await Task.sleep(for: .milliseconds(2))
                            }
                        }
                    }
                    return (latencies, retries, [])
                }
            }
            group.addTask {
                // eth_call under load, until every transaction is included.
                let http = HTTPClient(eventLoopGroupProvider: .shared(clients))
                defer { Task { try? await http.shutdown() } }
                let rpc = JSONRPCClient(url: url, http: http)
                var calls: [Double] = []
                while true {
                    var done = true
                    for (a, n) in included where await chain.nonce(a) < n {
                        done = false
                        break
                    }
                    if done { break }
                    let t = ContinuousClock.now
                    _ = try await balanceOf(rpc, token: token, senders[0].address)
                    calls.append(seconds(since: t))
                    try await Task.sleep(for: .milliseconds(20))
                }
                return ([], 0, calls)
            }
            var sends: [Double] = []
            var retries = 0
            var calls: [Double] = []
            for try await (s, r, c) in group {
                sends += s
                retries += r
                calls += c
            }
            return (sends, retries, calls)
        }
        try await waitForNonces(chain, included)
        let elapsed = seconds(since: start)
        let cpu = CPUTime.process - cpuStart
        let lastBlock = await chain.head.number
        var count = 0
        var gas: UInt64 = 0
        var largest = 0
        for n in (firstBlock + 1)...max(firstBlock + 1, lastBlock) {
            guard let b = try await chain.block(number: n) else { continue }
            count += b.transactions.count
            gas += b.header.gasUsed
            largest = max(largest, b.transactions.count)
        }
        return WorkloadFigures(
            name: name,
            transactions: count,
            seconds: elapsed,
            transactionsPerSecond: Double(count) / elapsed,
            megagasPerSecond: Double(gas) / elapsed / 1e6,
            blocks: lastBlock - firstBlock,
            largestBlock: largest,
            cpuMillisecondsPerTransaction: cpu * 1000 / Double(max(count, 1)),
            poolFullRetries: result.1,
            sendRawTransaction: LatencyFigures(result.0),
            callUnderLoad: LatencyFigures(result.2)
        )
    }
}
