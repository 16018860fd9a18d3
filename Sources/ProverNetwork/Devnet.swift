import AsyncHTTPClient
import Foundation
import Logging
import NetworkCore
import Synchronization

/// Options of the local devnet.
public struct DevnetOptions: Sendable {
    /// The DAG to prove, children first (a zkVM run's `vm-shard`, `vm-aggregate` and `vm-final`
    /// jobs, say); `nil` for the sample DAG of ``kind``: ``shards`` shard jobs, an aggregate job
    /// depending on all of them, a final job on the aggregate.
    public var jobs: [PlannedJob]? = nil
    /// Shard jobs of the sample DAG.
    public var shards = 4
    /// Size parameter of each sample job's input (see the proof kind's `sampleInput`).
    public var size = 0
    /// Proof kind of the sample DAG.
    public var kind = StarkFibonacciKind.kindName
    /// The nodes' proving speed in work units per second; `nil` runs their self-benchmark (which
    /// kinds without sample inputs, such as the zkVM's, cannot run).
    public var nodeWorkPerSecond: Double? = nil
    /// Lines printed after the jobs, before the earnings and the ledger, from the proven jobs and
    /// their proofs by job id (the final statement of a zkVM run, say).
    public var summary: (@Sendable (_ jobs: [Job], _ proofs: [String: [UInt8]]) throws -> [String])? = nil
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

/// `zkprover devnet --network-only`: a coordinator on SQLite in a temporary folder, two prover
/// nodes and a requester that submits a DAG of jobs (a planned one, such as a zkVM run's, or the
/// sample DAG of a kind); prints progress and ends with the verified proofs (each re-verified
/// here, against its dependencies' proofs where its kind reads them), the summary, each node's
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
        let plan = try options.jobs ?? sampleDAG(options, kinds: kinds)
        let served = Array(Set(plan.map(\.kind))).sorted()
        for k in served where kinds[k] == nil { throw ProofKindError("unknown kind \(k)") }

        // Two nodes, one proving slot each (this machine has few cores; each proof uses all of them).
        var nodes: [ProverNode] = []
        for i in 1...2 {
            var nc = ProverNodeConfig(coordinator: running.url, keyFile: dir + "/node\(i).key")
            nc.faucet = 5000
            nc.stake = 2000
            nc.slots = 1
            nc.kinds = served
            nc.workPerSecond = options.nodeWorkPerSecond
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

        // Progress from the event stream, jobs by their planned names.
        let names = Mutex<[String: String]>([:])
        let progress = Task {
            try? await requester.events { e in
                let node = e.node.map { " by " + $0.prefix(10) + "…" } ?? ""
                let job = e.jobId.map { id in names.withLock { $0[id] } ?? id } ?? ""
                let t = ContinuousClock.now - started
                let secs = Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18
                say(String(format: "  [%6.1f s] ", secs) + "\(e.type.rawValue) \(job)\(node)")
            }
        }

        var all: [String] = []
        for job in plan {
            let r = try await requester.submit(
                JobRequest(
                    requestKey: "devnet-\(job.name)",
                    kind: job.kind,
                    input: Data(job.input).base64EncodedString(),
                    reward: job.role == .final ? 300 : job.role == .aggregate ? 200 : 100,
                    collateral: job.role == .final ? 80 : job.role == .aggregate ? 60 : 40,
                    deadlineSeconds: max(300, options.timeoutSeconds),
                    dependsOn: job.dependsOn.map { all[$0] },
                    role: job.role
                )
            )
            all.append(r.job.id)
            names.withLock { $0[r.job.id] = job.name }
            let deps =
                job.dependsOn.isEmpty ? "" : " after \(job.dependsOn.map { plan[$0].name }.joined(separator: ", "))"
            say("submitted \(job.name) (\(job.kind)): \(r.job.id), work \(String(format: "%.1f", r.job.work))\(deps)")
        }
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

        // Re-check every proof independently of the coordinator (children first, as planned).
        var rechecked = 0
        var proofs: [String: [UInt8]] = [:]
        for j in jobs where j.state.isProven {
            let proof = try await requester.proof(j.id)
            proofs[j.id] = proof
            guard let kind = kinds[j.kind] else { continue }
            var dependencies: [ProofDependency] = []
            if kind.dependencyProofs != nil {
                for d in j.dependsOn {
                    guard let dep = jobs.first(where: { $0.id == d }), let p = proofs[d] else { continue }
                    let input = [UInt8](Data(base64Encoded: dep.input) ?? Data())
                    dependencies.append(ProofDependency(jobId: d, kind: dep.kind, input: input, proof: p))
                }
            }
            let input = [UInt8](Data(base64Encoded: j.input) ?? Data())
            try kind.verify(input: input, proof: proof, dependencies: dependencies)
            rechecked += 1
        }
        let summary = try options.summary?(jobs, proofs) ?? []
        let nodeInfos = try await requester.nodes()
        let ledger = try await requester.ledger().check
        let elapsed = ContinuousClock.now - started
        await running.stop()
        await db.close()
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        say("")
        say("jobs:")
        for (p, j) in zip(plan, jobs) {
            let size = proofs[j.id].map { ", proof \($0.count) bytes" } ?? ""
            say(
                "  \(p.name) \(j.id) \(j.kind) \(j.state.rawValue) attempts \(j.attempts) prover \(j.prover ?? "-")\(size)"
            )
        }
        say("proofs verified by the coordinator and re-verified here: \(rechecked)/\(jobs.count)")
        for line in summary { say(line) }
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

    /// The sample DAG of `options.kind`: shard jobs from seeded sample inputs, an aggregate over
    /// all of them and a final job over the aggregate.
    static func sampleDAG(_ options: DevnetOptions, kinds: ProofKindRegistry) throws -> [PlannedJob] {
        guard let kind = kinds[options.kind] else { throw ProofKindError("unknown kind \(options.kind)") }
        var plan = (0..<options.shards).map { s in
            PlannedJob(
                name: "shard-\(s)",
                kind: kind.name,
                role: .shard,
                input: kind.sampleInput(size: options.size, seed: UInt64(s + 1))
            )
        }
        plan.append(
            PlannedJob(
                name: "aggregate",
                kind: kind.name,
                role: .aggregate,
                input: kind.sampleInput(size: options.size, seed: 100),
                dependsOn: Array(0..<options.shards)
            )
        )
        plan.append(
            PlannedJob(
                name: "final",
                kind: kind.name,
                role: .final,
                input: kind.sampleInput(size: options.size, seed: 200),
                dependsOn: [options.shards]
            )
        )
        return plan
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
