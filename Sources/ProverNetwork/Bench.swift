import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NetworkCore

/// Options of `zkprover network bench`.
public struct BenchOptions: Sendable {
    /// Simulated nodes.
    public var nodes = 8
    /// Jobs to push through.
    public var jobs = 1000
    /// Database URL; `nil` gives a new SQLite file in a temporary folder.
    public var database: String? = nil
    /// Distinct inputs (and pre-generated proofs) the jobs cycle through.
    public var distinctInputs = 8
    /// Proof kind (the smallest instance of it is used).
    public var kind = StarkFibonacciKind.kindName
    public init() {}
}

/// Figures from one bench run.
public struct BenchReport: Sendable, Codable {
    public var engine: String
    public var nodes: Int
    public var jobs: Int
    public var verified: Int
    public var submitSeconds: Double
    public var seconds: Double
    public var jobsPerSecond: Double
    public var leaseP50Millis: Double
    public var leaseP99Millis: Double
    public var submitP50Millis: Double
    public var submitP99Millis: Double
    public var proofGenerationSeconds: Double
    /// Median time to verify one of the proofs on one core, measured before the timed phase.
    public var verifyMillis: Double
    public var proofBytes: Int
    public var ledgerBalanced: Bool
}

/// Drives simulated nodes through a real coordinator over loopback. The nodes submit real proofs
/// generated before the timed phase, so the figures measure the coordinator: scheduling, storage
/// and verification of every proof.
public enum NetworkBench {
    public static func run(options: BenchOptions, kinds: ProofKindRegistry, logger: Logger) async throws -> BenchReport
    {
        guard let kind = kinds[options.kind] else { throw ProofKindError("unknown kind \(options.kind)") }
        var quiet = logger
        quiet.logLevel = .error
        let url: String
        if let d = options.database {
            url = d
        } else {
            let dir = NSTemporaryDirectory() + "zkprover-bench-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            url = dir + "/bench.sqlite"
        }
        let db = try await openDatabase(url, logger: quiet)
        try await Schema.reset(db)
        var cc = CoordinatorConfig()
        cc.faucetLimit = Int64.max / 4
        cc.leaseMillis = 60_000
        let core = try await CoordinatorCore(db: db, kinds: kinds, config: cc, logger: quiet)
        var sc = CoordinatorServerConfig()
        sc.port = 0
        let server = CoordinatorServer(core: core, config: sc, metrics: CoordinatorMetrics(), logger: quiet)
        let running = try await server.start()
        var hc = HTTPClient.Configuration()
        hc.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: options.nodes + 16
        )
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: hc)

        // Proofs before the timed phase.
        let genStart = ContinuousClock.now
        var proofs: [String: [UInt8]] = [:]
        var inputs: [[UInt8]] = []
        for i in 0..<max(1, options.distinctInputs) {
            let input = kind.sampleInput(size: 0, seed: UInt64(i + 1))
            inputs.append(input)
            proofs[Data(input).base64EncodedString()] = try kind.prove(input: input)
        }
        let genSeconds = seconds(ContinuousClock.now - genStart)
        // One proof verified alone, for comparison with the coordinator's per-job cost.
        var verifyTimes: [Double] = []
        for i in 0..<9 {
            let input = inputs[i % inputs.count]
            let proof = proofs[Data(input).base64EncodedString()]!
            let t0 = ContinuousClock.now
            try kind.verify(input: input, proof: proof)
            verifyTimes.append(seconds(ContinuousClock.now - t0) * 1000)
        }
        verifyTimes.sort()
        let proofTable = proofs

        let requester = CoordinatorClient(baseURL: running.url, key: try NodeKey.generate(), http: http)
        try await requester.login()
        _ = try await requester.faucet(Int64(options.jobs) * 10 + 10)
        var clients: [CoordinatorClient] = []
        for _ in 0..<options.nodes {
            let c = CoordinatorClient(baseURL: running.url, key: try NodeKey.generate(), http: http)
            try await c.login()
            _ = try await c.faucet(Int64(options.jobs) * 10 + 10)
            _ = try await c.register(
                NodeRegistration(kinds: [kind.name], workPerSecond: 1e12, slots: 4, stake: Int64(options.jobs) * 10)
            )
            clients.append(c)
        }

        // Submit the jobs (timed separately).
        let submitStart = ContinuousClock.now
        let jobs = options.jobs
        let jobInputs = inputs.map { Data($0).base64EncodedString() }
        let runTag = UUID().uuidString.prefix(8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let lanes = 8
            for lane in 0..<lanes {
                group.addTask {
                    var i = lane
                    while i < jobs {
                        _ = try await requester.submit(
                            JobRequest(
                                requestKey: "bench-\(runTag)-\(i)",
                                kind: kind.name,
                                input: jobInputs[i % jobInputs.count],
                                reward: 10,
                                collateral: 5,
                                deadlineSeconds: 3600
                            )
                        )
                        i += lanes
                    }
                }
            }
            try await group.waitForAll()
        }
        let submitSeconds = seconds(ContinuousClock.now - submitStart)

        // Timed phase: lease, submit the pre-generated proof, repeat.
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([Double], [Double], Int).self) { group in
            for c in clients {
                group.addTask {
                    var leaseLat: [Double] = []
                    var submitLat: [Double] = []
                    var done = 0
                    var empty = 0
                    while empty < 3 {
                        let t0 = ContinuousClock.now
                        let grant = try await c.lease(requestId: nil)
                        leaseLat.append(seconds(ContinuousClock.now - t0) * 1000)
                        guard let grant else {
                            empty += 1
                            try await Task.sleep(for: .milliseconds(20))
                            continue
                        }
                        empty = 0
                        guard let proof = proofTable[grant.job.input] else {
                            _ = try await c.release(grant.lease.id, reason: "no pre-generated proof")
                            continue
                        }
                        let t1 = ContinuousClock.now
                        let (status, _) = try await c.submitProof(grant.lease.id, proof: proof)
                        submitLat.append(seconds(ContinuousClock.now - t1) * 1000)
                        if status == 200 { done += 1 }
                    }
                    return (leaseLat, submitLat, done)
                }
            }
            var all: [([Double], [Double], Int)] = []
            for try await r in group { all.append(r) }
            return all
        }
        let elapsed = seconds(ContinuousClock.now - start)
        let verified = results.reduce(0) { $0 + $1.2 }
        // The nodes stop after three empty lease answers (20 ms apart); do not count that tail.
        let lease = results.flatMap(\.0).sorted()
        let submit = results.flatMap(\.1).sorted()
        let check = try await core.checkLedger()
        await running.stop()
        await db.close()
        try? await http.shutdown()
        return BenchReport(
            engine: db.engine.rawValue,
            nodes: options.nodes,
            jobs: options.jobs,
            verified: verified,
            submitSeconds: submitSeconds,
            seconds: elapsed,
            jobsPerSecond: Double(verified) / max(elapsed - 0.06, 1e-9),
            leaseP50Millis: percentile(lease, 0.5),
            leaseP99Millis: percentile(lease, 0.99),
            submitP50Millis: percentile(submit, 0.5),
            submitP99Millis: percentile(submit, 0.99),
            proofGenerationSeconds: genSeconds,
            verifyMillis: verifyTimes[verifyTimes.count / 2],
            proofBytes: proofs.values.first?.count ?? 0,
            ledgerBalanced: check.balanced
        )
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
