import AsyncHTTPClient
import Foundation
import Logging
import NetworkCore
import Synchronization

/// Settings of a prover node.
public struct ProverNodeConfig: Sendable {
    /// Coordinator base URL.
    public var coordinator: String
    /// File holding the node's secp256k1 private key (created when missing).
    public var keyFile: String
    /// File recording held leases, so a restarted node resumes or releases them.
    public var stateFile: String
    /// Tokens moved to stake on registration.
    public var stake: Int64 = 1000
    /// Tokens to ask the faucet for first (devnet); 0 for none.
    public var faucet: Int64 = 0
    /// Concurrent proofs; default: one per core.
    public var slots: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Work units per second; `nil` runs the self-benchmark.
    public var workPerSecond: Double? = nil
    /// Proof kinds to serve; default: all known.
    public var kinds: [String]? = nil
    /// Fallback polling interval when no event arrives.
    public var pollInterval: Duration = .seconds(2)
    /// Heartbeat interval while proving.
    public var heartbeatInterval: Duration = .seconds(2)
    /// Stop after this many verified proofs (`nil`: run until cancelled).
    public var maxProofs: Int? = nil

    public init(coordinator: String, keyFile: String, stateFile: String? = nil) {
        self.coordinator = coordinator
        self.keyFile = keyFile
        self.stateFile = stateFile ?? keyFile + ".leases.json"
    }
}

/// What a node has earned and done so far.
public struct ProverNodeStats: Sendable, Codable {
    public var verified = 0
    public var rejected = 0
    public var earned: Int64 = 0
    public var resumed = 0
    public var released = 0
}

/// The prover node agent: logs in with its key, stakes, measures its capacity, subscribes to new
/// work, leases within capacity, proves on all cores, heartbeats, submits with retries, and after a
/// crash resumes (or releases) the leases it held.
public final class ProverNode: Sendable {
    public let config: ProverNodeConfig
    public let kinds: ProofKindRegistry
    public let key: NodeKey
    public let client: CoordinatorClient
    let logger: Logger
    /// What the node holds, behind one lock.
    private struct State {
        var held: [String: String] = [:]  // leaseId -> jobId
        var pendingRequest: String?
        /// The lease request id found in the state file at start-up, if any.
        var restoredRequest: String?
        var stats = ProverNodeStats()

        /// Held leases plus the unanswered lease request, as the state file stores them.
        var persistent: [String: String] {
            var state = held
            if let pendingRequest { state[ProverNode.pendingRequestKey] = pendingRequest }
            return state
        }
    }
    private let state = Mutex(State())
    /// Serialises writes of the state file.
    private let saveLock = Mutex(())
    private let wake = Signal()

    public init(config: ProverNodeConfig, kinds: ProofKindRegistry, logger: Logger, http: HTTPClient = .shared) throws {
        self.config = config
        self.kinds = kinds
        self.logger = logger
        self.key = try NodeKey.loadOrCreate(path: config.keyFile)
        self.client = CoordinatorClient(baseURL: config.coordinator, key: key, http: http)
    }

    /// The node's counters.
    public var stats: ProverNodeStats { state.withLock { $0.stats } }

    /// Measures proving speed (work units per second) on a small input of each served kind that
    /// proves one from its sample input alone (kinds that build on their dependencies' proofs, or
    /// whose sample input does not prove, are skipped).
    public static func benchmark(kinds: [any ProofKind]) -> Double {
        var best = Double.infinity
        for kind in kinds where kind.dependencyProofs == nil {
            let input = kind.sampleInput(size: 0, seed: 1)
            guard let work = try? kind.estimateWork(input: input) else { continue }
            let start = ContinuousClock.now
            guard (try? kind.prove(input: input)) != nil else { continue }
            let d = ContinuousClock.now - start
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            best = min(best, work / max(seconds, 1e-6))
        }
        return best.isFinite ? best : 1
    }

    /// Runs until cancelled (or until `maxProofs` proofs verified).
    public func run() async throws {
        let served = (config.kinds ?? kinds.names).compactMap { kinds[$0] }
        guard !served.isEmpty else { throw ProofKindError("no known proof kind to serve") }
        _ = try await withRetry(attempts: 40, logger: logger, "login") { try await client.login() }
        if config.faucet > 0 {
            _ = try await withRetry(logger: logger, "faucet") { try await client.faucet(config.faucet) }
        }
        let wps = config.workPerSecond ?? Self.benchmark(kinds: served)
        let slots = max(1, config.slots)
        let info = try await withRetry(logger: logger, "register") {
            try await client.register(
                NodeRegistration(
                    kinds: served.map(\.name),
                    workPerSecond: wps,
                    slots: Int64(slots),
                    stake: config.stake
                )
            )
        }
        logger.info(
            "node registered",
            metadata: [
                "address": .string(key.address), "workPerSecond": .stringConvertible(wps),
                "slots": .stringConvertible(slots),
                "stake": .stringConvertible(info.stake),
            ]
        )
        // The event listener only wakes the lease loop early: it is cancelled on the way out and
        // not waited for, so a stream stuck in the network cannot hold up a shutdown.
        let listener = Task { await self.listen() }
        defer { listener.cancel() }
        await withTaskGroup(of: Void.self) { group in
            // Resume what a previous run held.
            var saved = self.loadState()
            // A lease request sent just before the crash: asking again with the same id returns
            // the lease the coordinator may have granted, so no lease is orphaned.
            if let request = saved.removeValue(forKey: Self.pendingRequestKey) {
                self.restorePendingRequest(request)
            }
            for (leaseId, _) in saved {
                group.addTask { await self.resume(leaseId: leaseId) }
            }
            await self.leaseLoop(slots: slots)
            group.cancelAll()
        }
    }

    /// Subscribes to events; any new open job wakes the lease loop. Reconnects on failure.
    func listen() async {
        while !Task.isCancelled {
            do {
                try await client.events { event in
                    if event.type == .jobOpen { self.wake.fire() }
                }
            } catch {
                logger.debug("event stream ended", metadata: ["error": .string("\(error)")])
            }
            try? await Task.sleep(for: .milliseconds(500))
            wake.fire()
            // Sessions do not survive a coordinator restart's absence; refresh the token opportunistically.
            _ = try? await client.login()
        }
    }

    func activeCount() -> Int { state.withLock { $0.held.count } }

    func done() -> Bool {
        guard let m = config.maxProofs else { return false }
        return stats.verified >= m
    }

    func leaseLoop(slots: Int) async {
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled && !done() {
                var leased = false
                if activeCount() < slots {
                    do {
                        // A lease request id makes a retried request return the same lease.
                        let requestId = currentRequestId()
                        if let grant = try await withRetry(
                            logger: logger,
                            "lease",
                            { try await client.lease(requestId: requestId) }
                        ) {
                            if requestId == state.withLock({ $0.restoredRequest }) {
                                logger.info(
                                    "resuming lease after restart",
                                    metadata: ["lease": .string(grant.lease.id), "job": .string(grant.job.id)]
                                )
                            }
                            // Record the lease before forgetting the request: the state file
                            // always names one of them.
                            track(grant.lease.id, grant.job.id)
                            clearRequestId()
                            leased = true
                            group.addTask { await self.work(grant) }
                        } else {
                            clearRequestId()
                        }
                    } catch let e as ClientError where e.status == 401 {
                        _ = try? await client.login()
                    } catch {
                        logger.warning("lease failed", metadata: ["error": .string("\(error)")])
                    }
                }
                if leased { continue }
                // Wait for an event, a finished proof, or the poll interval.
                await wake.wait(timeout: config.pollInterval)
            }
        }
    }

    func currentRequestId() -> String {
        let (r, new) = state.withLock { state -> (String, Bool) in
            if let r = state.pendingRequest { return (r, false) }
            let r = UUID().uuidString
            state.pendingRequest = r
            return (r, true)
        }
        // Written before the request goes out, so a crash cannot lose a lease granted to it.
        if new { persist() }
        return r
    }

    func restorePendingRequest(_ requestId: String) {
        state.withLock {
            $0.pendingRequest = requestId
            $0.restoredRequest = requestId
        }
    }

    func clearRequestId() {
        state.withLock { $0.pendingRequest = nil }
        persist()
    }

    func track(_ leaseId: String, _ jobId: String?) {
        state.withLock { $0.held[leaseId] = jobId }
        persist()
        if jobId == nil { wake.fire() }
    }

    /// The key of the state file's entry for a lease request not yet answered.
    static let pendingRequestKey = "#pending-lease-request"

    /// After a restart: re-prove a lease that is still active, forget the rest.
    func resume(leaseId: String) async {
        do {
            let lease = try await withRetry(logger: logger, "lease lookup") { try await client.getLease(leaseId) }
            guard lease.state == .active, lease.node == key.address else {
                track(leaseId, nil)
                return
            }
            let job = try await withRetry(logger: logger, "job lookup") { try await client.job(lease.jobId) }
            guard kinds[job.kind] != nil else {
                _ = try? await client.release(leaseId, reason: "kind \(job.kind) not served after restart")
                bump { $0.released += 1 }
                track(leaseId, nil)
                return
            }
            logger.info("resuming lease after restart", metadata: ["lease": .string(leaseId), "job": .string(job.id)])
            bump { $0.resumed += 1 }
            await work(LeaseGrant(lease: lease, job: job))
        } catch {
            logger.warning("cannot resume lease", metadata: ["lease": .string(leaseId), "error": .string("\(error)")])
            track(leaseId, nil)
        }
    }

    func bump(_ f: (inout ProverNodeStats) -> Void) {
        state.withLock { f(&$0.stats) }
    }

    /// Proves one leased job with heartbeats, then submits (retrying on network errors).
    func work(_ grant: LeaseGrant) async {
        let leaseId = grant.lease.id
        track(leaseId, grant.job.id)
        defer { track(leaseId, nil) }
        guard let kind = kinds[grant.job.kind], let input = Data(base64Encoded: grant.job.input) else {
            _ = try? await client.release(leaseId, reason: "cannot prove kind \(grant.job.kind)")
            return
        }
        let start = ContinuousClock.now
        var dependencies: [ProofDependency] = []
        if kind.dependencyProofs != nil {
            do { dependencies = try await dependencyProofs(of: grant.job) } catch {
                logger.error(
                    "cannot fetch the dependencies' proofs",
                    metadata: ["job": .string(grant.job.id), "error": .string("\(error)")]
                )
                _ = try? await client.release(leaseId, reason: "cannot fetch the dependencies' proofs")
                bump { $0.released += 1 }
                return
            }
        }
        let expected = max(0.05, grant.job.work / max(config.workPerSecond ?? 1, 1e-9))
        let proof: Result<[UInt8], ProofKindError> = await withTaskGroup(of: Result<[UInt8], ProofKindError>?.self) {
            group in
            group.addTask { [dependencies] in
                await withCheckedContinuation { c in
                    Thread.detachNewThread {
                        do {
                            c.resume(
                                returning: .success(try kind.prove(input: [UInt8](input), dependencies: dependencies))
                            )
                        } catch {
                            c.resume(returning: .failure(error as! ProofKindError))
                        }
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    let elapsed = ContinuousClock.now - start
                    let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    _ = try? await self.client.heartbeat(leaseId, progress: min(0.99, secs / expected))
                    try? await Task.sleep(for: self.config.heartbeatInterval)
                }
                return nil
            }
            var result: Result<[UInt8], ProofKindError>? = nil
            for await r in group {
                if let r {
                    result = r
                    group.cancelAll()
                }
            }
            return result!
        }
        switch proof {
        case .failure(let e):
            logger.error("proving failed", metadata: ["job": .string(grant.job.id), "error": .string(e.message)])
            _ = try? await client.release(leaseId, reason: "prover error: \(e.message)")
            bump { $0.released += 1 }
        case .success(let bytes):
            do {
                let (status, result) = try await withRetry(attempts: 30, logger: logger, "submit") {
                    try await client.submitProof(leaseId, proof: bytes)
                }
                if status == 422 {
                    bump { $0.rejected += 1 }
                    logger.error(
                        "proof rejected",
                        metadata: ["job": .string(grant.job.id), "reason": .string(result.reason)]
                    )
                } else {
                    bump {
                        $0.verified += 1
                        $0.earned += result.reward + result.bounty
                    }
                    logger.info(
                        "proof verified",
                        metadata: [
                            "job": .string(grant.job.id), "reward": .stringConvertible(result.reward),
                            "bounty": .stringConvertible(result.bounty),
                        ]
                    )
                }
            } catch let e as ClientError where e.status == 409 {
                logger.info(
                    "submission not needed",
                    metadata: ["job": .string(grant.job.id), "reason": .string("\(e)")]
                )
            } catch {
                logger.error(
                    "submission failed",
                    metadata: ["job": .string(grant.job.id), "error": .string("\(error)")]
                )
            }
        }
    }

    /// The verified proofs of `job`'s dependencies, read from the coordinator's public proof
    /// endpoint (`GET /v1/jobs/{id}/proof`, with the job for its kind and input), retrying on
    /// transport errors.
    func dependencyProofs(of job: Job) async throws -> [ProofDependency] {
        var out: [ProofDependency] = []
        for id in job.dependsOn {
            let dep = try await withRetry(logger: logger, "dependency lookup") { try await client.job(id) }
            let proof = try await withRetry(logger: logger, "dependency proof") { try await client.proof(id) }
            guard let input = Data(base64Encoded: dep.input) else {
                throw ProofKindError("dependency \(id) has an input that is not base64")
            }
            out.append(ProofDependency(jobId: id, kind: dep.kind, input: [UInt8](input), proof: proof))
        }
        return out
    }

    // MARK: - Crash state

    func loadState() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: config.stateFile),
            let held = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return held
    }

    /// Writes the current held leases and pending request to the state file. Saves are
    /// serialised and each writes the newest state, atomically (temporary file + rename).
    func persist() {
        saveLock.withLock { _ in
            let snapshot = state.withLock { $0.persistent }
            guard let data = try? JSONEncoder().encode(snapshot) else { return }
            do {
                try data.write(to: URL(fileURLWithPath: config.stateFile), options: .atomic)
            } catch {
                logger.error(
                    "cannot save node state",
                    metadata: ["file": .string(config.stateFile), "error": .string("\(error)")]
                )
            }
        }
    }
}

/// A one-slot wake-up signal with timeout.
final class Signal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    /// Wakes the waiter (or the next one).
    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let w = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Returns when fired or after `timeout`.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { g in
            g.addTask { await self.waitSignal() }
            g.addTask {
                do { try await Task.sleep(for: timeout) } catch { return }
                self.fire()
            }
            await g.next()
            g.cancelAll()
        }
    }

    /// Returns when fired, or at once when the task is cancelled (else a cancelled
    /// ``wait(timeout:)``, whose timer child returns without firing, would never finish).
    private func waitSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }
}
