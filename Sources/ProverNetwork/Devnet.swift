import AsyncHTTPClient
import Foundation
import Logging
import NetworkCore

/// Options of the local devnet.
public struct DevnetOptions: Sendable {
    /// Shard jobs to submit (an aggregate job depends on all of them, a final job on the aggregate).
    public var shards = 4
    /// Size parameter of each job's input (see the proof kind's `sampleInput`).
    public var size = 0
    /// Proof kind.
    public var kind = StarkFibonacciKind.kindName
    /// Folder for the SQLite file and the node keys (a new temporary folder when `nil`).
    public var directory: String? = nil
    /// Lease time.
    public var leaseSeconds = 20.0
    /// Give up after this long.
    public var timeoutSeconds = 600.0
    public init() {}
}

/// What the devnet ended with.
public struct DevnetReport: Sendable {
    public var jobs: [Job]
    public var nodes: [NodeInfo]
    public var ledger: LedgerCheck
    public var seconds: Double
    public var proofsRechecked: Int
}

/// `zkprover devnet`: a coordinator on SQLite in a temporary folder, two prover nodes and a requester
/// that submits a small DAG of jobs; prints progress and ends with the verified proofs, each node's
/// earnings and the ledger balance.
public enum Devnet {
    public static func run(
        options: DevnetOptions,
        kinds: ProofKindRegistry,
        logger: Logger,
        print say: @escaping @Sendable (String) -> Void
    ) async throws -> DevnetReport {
        let dir = options.directory ?? (NSTemporaryDirectory() + "zkprover-devnet-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let dbPath = dir + "/coordinator.sqlite"
        say("devnet folder: \(dir)")
        var quiet = logger
        quiet.logLevel = .warning
        let db = try await openDatabase(dbPath, logger: quiet)
        var cc = CoordinatorConfig()
        cc.leaseMillis = Int64(options.leaseSeconds * 1000)
        cc.faucetLimit = 1_000_000
        let core = try await CoordinatorCore(db: db, kinds: kinds, config: cc, logger: quiet)
        var sc = CoordinatorServerConfig()
        sc.port = 0
        let server = CoordinatorServer(core: core, config: sc, metrics: CoordinatorMetrics(), logger: quiet)
        let running = try await server.start()
        say("coordinator listening on \(running.url) (SQLite \(dbPath)); dashboard at \(running.url)/")
        let started = ContinuousClock.now
        guard let kind = kinds[options.kind] else { throw ProofKindError("unknown kind \(options.kind)") }

        // Two nodes, one proving slot each (this machine has few cores; each proof uses all of them).
        var nodes: [ProverNode] = []
        for i in 1...2 {
            var nc = ProverNodeConfig(coordinator: running.url, keyFile: dir + "/node\(i).key")
            nc.faucet = 5000
            nc.stake = 2000
            nc.slots = 1
            nc.kinds = [options.kind]
            nc.pollInterval = .seconds(1)
            nc.heartbeatInterval = .milliseconds(max(200, Int(options.leaseSeconds * 250)))
            nodes.append(try ProverNode(config: nc, kinds: kinds, logger: quiet))
        }
        let nodeTasks = nodes.map { node in Task { try await node.run() } }
        for (i, n) in nodes.enumerated() { say("node \(i + 1): \(n.key.address)") }

        // The requester.
        let requesterKey = try NodeKey.loadOrCreate(path: dir + "/requester.key")
        let requester = CoordinatorClient(baseURL: running.url, key: requesterKey)
        try await requester.login()
        _ = try await requester.faucet(100_000)
        say("requester: \(requesterKey.address)")

        // Progress from the event stream.
        let progress = Task {
            try? await requester.events { e in
                let node = e.node.map { " by " + $0.prefix(10) + "…" } ?? ""
                say("  event \(e.type) \(e.jobId ?? "")\(node)")
            }
        }

        var ids: [String] = []
        for s in 0..<options.shards {
            let input = kind.sampleInput(size: options.size, seed: UInt64(s + 1))
            let r = try await requester.submit(
                JobRequest(
                    requestKey: "devnet-shard-\(s)",
                    kind: kind.name,
                    input: Data(input).base64EncodedString(),
                    reward: 100,
                    collateral: 40,
                    deadlineSeconds: 300,
                    role: .shard
                )
            )
            ids.append(r.job.id)
            say("submitted shard \(s): \(r.job.id) (work \(String(format: "%.1f", r.job.work)))")
        }
        let agg = try await requester.submit(
            JobRequest(
                requestKey: "devnet-aggregate",
                kind: kind.name,
                input: Data(kind.sampleInput(size: options.size, seed: 100)).base64EncodedString(),
                reward: 200,
                collateral: 60,
                deadlineSeconds: 240,
                dependsOn: ids,
                role: .aggregate
            )
        )
        say("submitted aggregate \(agg.job.id) depending on \(ids.count) shards")
        let fin = try await requester.submit(
            JobRequest(
                requestKey: "devnet-final",
                kind: kind.name,
                input: Data(kind.sampleInput(size: options.size, seed: 200)).base64EncodedString(),
                reward: 300,
                collateral: 80,
                deadlineSeconds: 300,
                dependsOn: [agg.job.id],
                role: .final
            )
        )
        say("submitted final \(fin.job.id) depending on the aggregate")
        let all = ids + [agg.job.id, fin.job.id]

        // Wait until every job is proven.
        let deadline = ContinuousClock.now + .seconds(options.timeoutSeconds)
        var jobs: [Job] = []
        while true {
            jobs = try await withRetry("jobs") { try await all.asyncMap { try await requester.job($0) } }
            if jobs.allSatisfy({ $0.state.isProven }) { break }
            if jobs.contains(where: { $0.state == .failed }) { break }
            if ContinuousClock.now > deadline { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        progress.cancel()
        for t in nodeTasks { t.cancel() }
        for t in nodeTasks { _ = await t.result }

        // Re-check every proof independently of the coordinator.
        var rechecked = 0
        for j in jobs where j.state.isProven {
            let proof = try await requester.proof(j.id)
            try kind.verify(input: [UInt8](Data(base64Encoded: j.input)!), proof: proof)
            rechecked += 1
        }
        let nodeInfos = try await requester.nodes()
        let ledger = try await requester.ledger().check
        let elapsed = ContinuousClock.now - started
        await running.stop()
        await db.close()
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        say("")
        say("jobs:")
        for j in jobs {
            say("  \(j.id) \(j.role.rawValue) \(j.state.rawValue) attempts \(j.attempts) prover \(j.prover ?? "-")")
        }
        say("proofs verified by the coordinator and re-verified here: \(rechecked)/\(jobs.count)")
        say("earnings (\(cc.token)):")
        for n in nodeInfos {
            say(
                "  \(n.address): wallet \(n.wallet), stake \(n.stake), proofs \(n.proofsVerified), expired \(n.leasesExpired)"
            )
        }
        say(
            "ledger: \(ledger.balanced ? "balanced" : "NOT BALANCED") (sum \(ledger.total), minted \(ledger.minted), burned \(ledger.burned), \(ledger.entries) entries)"
        )
        for p in ledger.problems { say("  problem: \(p)") }
        say(String(format: "done in %.1f s", secs))
        return DevnetReport(jobs: jobs, nodes: nodeInfos, ledger: ledger, seconds: secs, proofsRechecked: rechecked)
    }
}

extension Array {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        out.reserveCapacity(count)
        for e in self { out.append(try await f(e)) }
        return out
    }
}
