import AsyncHTTPClient
import EVM
import EVMGuestInput
import EVMPrimitives
import Foundation
import Logging
import NIOCore
import NetworkCore
import ProverNetwork
import Secp256k1

/// Options of the whole-system devnet.
public struct RollupDevnetOptions: Sendable {
    /// Signed transfers sent over JSON-RPC.
    public var transactions = 500
    /// Transactions per second sent (0: as fast as the node takes them).
    public var rate: Double = 50
    /// Seconds between L2 blocks.
    public var blockTime: Double = 1
    /// When blocks close into batches.
    public var policy = BatchPolicy(maxBlocks: 4, maxGas: 30_000_000, maxAgeSeconds: 4)
    /// What the jobs prove.
    public var proofs: BatchProofs
    /// Folder for the databases and keys (a new temporary folder when nil).
    public var directory: String? = nil
    /// Lease time of the coordinator.
    public var leaseSeconds = 120.0
    /// Give up after this long.
    public var timeoutSeconds = 600.0

    /// Options proving batches with `proofs`.
    public init(proofs: BatchProofs) { self.proofs = proofs }
}

/// What the devnet ended with.
public struct RollupDevnetReport: Sendable {
    /// Transactions sent and included.
    public var transactions: Int
    /// The head and the finalized block at the end.
    public var head: UInt64
    public var finalized: UInt64
    /// The block that included the load's last transaction.
    public var loadEnd: UInt64
    /// Every batch the node formed.
    public var batches: [Batch]
    /// Jobs the node requested and how many proofs were re-verified here.
    public var jobs: Int
    public var proofsRechecked: Int
    /// Batch data, raw and deflated, over all batches.
    public var rawBytes: Int
    public var compressedBytes: Int
    /// The coordinator's ledger check.
    public var ledger: LedgerCheck
    /// Seconds from start to the finalized block passing the load.
    public var seconds: Double
    /// Whether the finalized block passed the load before the timeout.
    public var succeeded: Bool { finalized >= loadEnd && loadEnd > 0 }
}

/// `zkprover devnet`: the whole system on one machine. A coordinator (SQLite), two prover
/// nodes, and the L2 node (dev accounts) whose batcher hands batches of blocks to the
/// coordinator; a load of signed transfers arrives over JSON-RPC, and the devnet prints
/// progress until the node's `finalized` block passes the block holding the last transfer.
public enum RollupDevnet {
    /// Runs the devnet; `kinds` must know the kinds `options.proofs` names.
    public static func run(
        options: RollupDevnetOptions,
        kinds: ProofKindRegistry,
        logger: Logger,
        print say: @escaping @Sendable (String) -> Void
    ) async throws -> RollupDevnetReport {
        let dir = options.directory ?? (NSTemporaryDirectory() + "zkprover-devnet-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let started = ContinuousClock.now
        let elapsed: @Sendable () -> Double = {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let stamp: @Sendable (String) -> Void = { say(String(format: "[%6.1f s] ", elapsed()) + $0) }
        say("devnet folder: \(dir)")
        say("proofs: \(options.proofs)")
        for name in [options.proofs.blockKind, options.proofs.final.name] where kinds[name] == nil {
            throw ProofKindError("unknown proof kind \(name)")
        }

        // The coordinator.
        let cdb = try await openDatabase(dir + "/coordinator.sqlite", logger: quiet)
        var cc = CoordinatorConfig()
        cc.leaseMillis = Int64(options.leaseSeconds * 1000)
        cc.faucetLimit = 10_000_000
        let core = try await CoordinatorCore(db: cdb, kinds: kinds, config: cc, logger: quiet)
        var sc = CoordinatorServerConfig()
        sc.port = 0
        let coordinator = try await CoordinatorServer(
            core: core,
            config: sc,
            metrics: CoordinatorMetrics(),
            logger: quiet
        )
        .start()
        say("coordinator: \(coordinator.url) (dashboard at \(coordinator.url)/)")

        // Two prover nodes, one proving slot each.
        let served = Array(Set([options.proofs.blockKind, options.proofs.final.name])).sorted()
        var nodes: [ProverNode] = []
        for i in 1...2 {
            var nc = ProverNodeConfig(coordinator: coordinator.url, keyFile: dir + "/node\(i).key")
            nc.faucet = 50_000
            nc.stake = 20_000
            nc.slots = 1
            nc.kinds = served
            nc.pollInterval = .milliseconds(500)
            nc.heartbeatInterval = .seconds(max(1, Int64(options.leaseSeconds / 4)))
            nodes.append(try ProverNode(config: nc, kinds: kinds, logger: quiet))
        }
        let nodeTasks = nodes.map { node in Task { try await node.run() } }
        for (i, n) in nodes.enumerated() { say("prover node \(i + 1): \(n.key.address)") }

        // The L2 node with its batcher.
        let genesis = try Genesis.dev()
        let (chain, batchStore) = try await RollupNode.open(genesis: genesis, datadir: dir + "/l2", logger: quiet)
        var bc = BatcherConfig(coordinator: coordinator.url, keyFile: dir + "/l2/batcher.key", proofs: options.proofs)
        bc.policy = options.policy
        bc.faucet = 1_000_000
        bc.deadlineSeconds = options.timeoutSeconds
        let batcher = try Batcher(chain: chain, store: batchStore, config: bc, logger: quiet) { event in
            switch event {
            case .sealed(let b):
                stamp(
                    "batch \(b.id) sealed: blocks \(b.firstBlock)...\(b.lastBlock), \(b.transactions) txs, \(b.rawBytes) B → \(b.compressedBytes) B deflated (×\(String(format: "%.2f", b.compressionRatio)))"
                )
            case .submitted(let b):
                stamp("batch \(b.id) submitted: \(b.blockJobs.count) block jobs + final job \(b.finalJob ?? "-")")
            case .resubmitted(let b, let reason):
                stamp("batch \(b.id) requested again (\(reason))")
            case .finalized(let b):
                stamp("batch \(b.id) finalized: blocks \(b.firstBlock)...\(b.lastBlock)")
            }
        }
        var nodeConfig = RollupNodeConfig()
        nodeConfig.port = 0
        nodeConfig.blockTime = options.blockTime
        let l2 = try await RollupNode(chain: chain, config: nodeConfig, batcher: batcher, logger: quiet).start()
        say(
            "L2 node: \(l2.url) (chain id \(genesis.chainId), block time \(options.blockTime) s, batches of ≤ \(options.policy.maxBlocks) blocks or \(options.policy.maxAgeSeconds) s)"
        )

        var loadEnd: UInt64 = 0
        var finalized: UInt64 = 0
        var sent = 0
        do {
            // The load: signed transfers from the dev accounts over JSON-RPC.
            let rpc = JSONRPCClient(url: l2.url)
            let keys = try DevAccounts.derive(count: 10)
            var nonces = [UInt64](repeating: 0, count: keys.count)
            var hashes: [String] = []
            let loadStart = ContinuousClock.now
            stamp("sending \(options.transactions) transfers from \(keys.count) dev accounts")
            for i in 0..<options.transactions {
                let from = i % keys.count
                let to =
                    i % 2 == 0
                    ? keys[(from + 1) % keys.count].address
                    : Address(hex: "0x" + String(repeating: "0", count: 32) + String(format: "%08x", 0x1000 + i))!
                let raw = try signTransfer(
                    key: keys[from].privateKey,
                    chainId: genesis.chainId,
                    nonce: nonces[from],
                    to: to,
                    value: UInt64(1_000 + i)
                )
                nonces[from] += 1
                let hash = try await rpc.call("eth_sendRawTransaction", [Hex.encode(raw)])
                guard let h = hash as? String else { throw RPCError.server("eth_sendRawTransaction answered \(hash)") }
                hashes.append(h)
                sent += 1
                if options.rate > 0 {
                    let due = loadStart + .milliseconds(Int64(Double(i + 1) / options.rate * 1000))
                    if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                }
            }
            stamp("sent \(sent) transfers")

            // Wait until every transfer is included, then until `finalized` passes the last one.
            let deadline = ContinuousClock.now + .seconds(options.timeoutSeconds)
            var lastReport = ""
            while ContinuousClock.now < deadline {
                if loadEnd == 0 {
                    var maxBlock: UInt64 = 0
                    var included = true
                    for h in hashes.suffix(keys.count) {
                        guard let r = try await rpc.call("eth_getTransactionReceipt", [h]) as? [String: Any],
                            let n = (r["blockNumber"] as? String).flatMap({ UInt64($0.dropFirst(2), radix: 16) })
                        else {
                            included = false
                            break
                        }
                        maxBlock = max(maxBlock, n)
                    }
                    if included {
                        loadEnd = maxBlock
                        stamp("every transfer is included; the last one in block \(loadEnd)")
                    }
                }
                let head = try await rpc.blockNumber("latest")
                let safe = try await rpc.blockNumber("safe")
                finalized = try await rpc.blockNumber("finalized")
                let line = "head \(head), safe \(safe), finalized \(finalized)"
                if line != lastReport {
                    stamp("L2 " + line)
                    lastReport = line
                }
                if loadEnd > 0 && finalized >= loadEnd { break }
                try await Task.sleep(for: .milliseconds(500))
            }
        } catch {
            await shutDown(l2: l2, nodes: nodeTasks, coordinator: coordinator, db: cdb)
            throw error
        }
        let seconds = elapsed()
        await l2.stop()
        for t in nodeTasks { t.cancel() }
        for t in nodeTasks { _ = await t.result }

        // Re-check the proofs of the finalized batches independently of the coordinator.
        let batches = try await batchStore.batches()
        let checker = CoordinatorClient(
            baseURL: coordinator.url,
            key: try NodeKey.loadOrCreate(path: dir + "/l2/batcher.key")
        )
        try await checker.login()
        var jobs = 0
        var rechecked = 0
        for b in batches {
            let ids = b.blockJobs + (b.finalJob.map { [$0] } ?? [])
            jobs += ids.count
            guard b.state == .finalized else { continue }
            for id in ids {
                let job = try await checker.job(id)
                guard let kind = kinds[job.kind], let input = Data(base64Encoded: job.input) else { continue }
                try kind.verify(input: [UInt8](input), proof: try await checker.proof(id))
                rechecked += 1
            }
        }
        let ledger = try await checker.ledger().check
        let nodeInfos = try await checker.nodes()
        await coordinator.stop()
        await cdb.close()

        let raw = batches.reduce(0) { $0 + $1.rawBytes }
        let compressed = batches.reduce(0) { $0 + $1.compressedBytes }
        // The blocks alone, batch by batch: what a data-availability post would carry.
        var blocksRaw = 0
        var blocksDeflated = 0
        for b in batches {
            guard let data = try await batchStore.data(id: b.id) else { continue }
            var blocks: [UInt8] = []
            for input in data.blockInputs { blocks += try StatelessBlockInput.decode(input).block }
            blocksRaw += blocks.count
            blocksDeflated += Deflate.compress(blocks).count
        }
        let head = await chain.head.number
        let report = RollupDevnetReport(
            transactions: sent,
            head: head,
            finalized: finalized,
            loadEnd: loadEnd,
            batches: batches,
            jobs: jobs,
            proofsRechecked: rechecked,
            rawBytes: raw,
            compressedBytes: compressed,
            ledger: ledger,
            seconds: seconds
        )
        say("")
        say("report")
        say("  transactions: \(sent) sent over JSON-RPC, all included by block \(loadEnd)")
        say("  blocks: head \(head), finalized \(finalized)")
        say("  batches: \(batches.count) (\(batches.filter { $0.state == .finalized }.count) finalized)")
        for b in batches {
            say(
                "    #\(b.id) blocks \(b.firstBlock)...\(b.lastBlock) \(b.state.rawValue), \(b.transactions) txs, \(b.gasUsed) gas, \(b.rawBytes) B → \(b.compressedBytes) B"
            )
        }
        say("  proofs: \(options.proofs)")
        say("  jobs: \(jobs) requested; proofs of finalized batches re-verified here: \(rechecked)")
        say(
            "  batch data (block + parent header + execution witness per block): \(raw) B raw, \(compressed) B deflated, ratio \(String(format: "%.2f", Double(raw) / Double(max(1, compressed))))"
        )
        say(
            "  blocks alone (transactions and headers, without witnesses): \(blocksRaw) B raw, \(blocksDeflated) B deflated, ratio \(String(format: "%.2f", Double(blocksRaw) / Double(max(1, blocksDeflated))))"
        )
        for n in nodeInfos where n.proofsVerified > 0 {
            say("  prover \(n.address): \(n.proofsVerified) proofs, wallet \(n.wallet) \(cc.token)")
        }
        say("  ledger: \(ledger.balanced ? "balanced" : "NOT BALANCED") (\(ledger.entries) entries)")
        let outcome = report.succeeded ? "finalized block passed the load" : "TIMED OUT before finalizing the load"
        say("  \(outcome) in \(String(format: "%.1f", seconds)) s")
        return report
    }

    static func shutDown(
        l2: RunningRollupNode,
        nodes: [Task<Void, any Error>],
        coordinator: RunningCoordinator,
        db: any SQLDatabase
    ) async {
        await l2.stop()
        for t in nodes { t.cancel() }
        for t in nodes { _ = await t.result }
        await coordinator.stop()
        await db.close()
    }

    /// An EIP-1559 transfer of `value` wei, signed with `key` (2 gwei fee cap, 1 gwei tip).
    public static func signTransfer(
        key: UInt256,
        chainId: UInt64,
        nonce: UInt64,
        to: Address,
        value: UInt64
    ) throws -> [UInt8] {
        var t = Transaction(
            type: 2,
            chainId: UInt256(chainId),
            nonce: UInt256(nonce),
            gasPrice: .zero,
            maxPriorityFeePerGas: UInt256(1_000_000_000 as UInt64),
            maxFeePerGas: UInt256(2_000_000_000 as UInt64),
            gasLimit: UInt256(21_000 as UInt64),
            to: to,
            value: UInt256(value)
        )
        let sig = try ECDSA.sign(messageHash: t.signingHash, privateKey: key)
        t.r = sig.r
        t.s = sig.s
        t.v = UInt256(UInt64(sig.recoveryId))
        return t.encoded
    }
}

/// A minimal Ethereum JSON-RPC client over HTTP (the devnet's load and progress).
public struct JSONRPCClient: Sendable {
    /// The node's URL.
    public let url: String
    let http: HTTPClient

    /// A client of the node at `url`.
    public init(url: String, http: HTTPClient = .shared) {
        self.url = url
        self.http = http
    }

    /// Calls `method` with `params`; returns the result or throws the node's error.
    public func call(_ method: String, _ params: [Any]) async throws -> Any {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: [String: Any] = ["jsonrpc": "2.0", "id": 1, "method": method, "params": params]
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let reply = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
        guard let o = reply as? [String: Any] else { throw RPCError.internal("not a JSON-RPC reply: \(reply)") }
        if let e = o["error"] as? [String: Any] {
            throw RPCError(e["code"] as? Int ?? -32603, e["message"] as? String ?? "error")
        }
        return o["result"] ?? NSNull()
    }

    /// The number of the block `tag` names (`latest`, `safe`, `finalized`, …).
    public func blockNumber(_ tag: String) async throws -> UInt64 {
        guard let b = try await call("eth_getBlockByNumber", [tag, false]) as? [String: Any],
            let s = b["number"] as? String, let n = UInt64(s.dropFirst(2), radix: 16)
        else { throw RPCError.internal("no block \(tag)") }
        return n
    }
}
