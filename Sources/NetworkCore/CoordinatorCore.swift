import Algebra
import Foundation
import Logging
import SQLiteNIO

/// Tunable rules of a coordinator.
public struct CoordinatorConfig: Sendable {
    /// Token symbol shown in balances.
    public var token: String = "LUMIA"
    /// How long a lease lasts without a heartbeat (milliseconds).
    public var leaseMillis: Int64 = 30_000
    /// Attempts (leases) a job gets before it fails.
    public var defaultMaxAttempts: Int64 = 3
    /// Challenge lifetime (milliseconds).
    public var challengeMillis: Int64 = 60_000
    /// Session token lifetime (milliseconds).
    public var sessionMillis: Int64 = 3_600_000
    /// Largest amount the faucet mints per call; 0 disables the faucet.
    public var faucetLimit: Int64 = 0
    /// Largest accepted proof, in bytes.
    public var maxProofBytes: Int = 4 << 20
    /// Largest accepted job input, in bytes.
    public var maxInputBytes: Int = 1 << 20

    public init() {}
}

/// The coordinator's rules over a ``SQLDatabase``: jobs and their state machine, leases, proof
/// verification, the ledger and authentication. HTTP lives in the `Network` module; this type is
/// transport-free so tests can drive it directly.
public final class CoordinatorCore: Sendable {
    public let db: any SQLDatabase
    public let kinds: ProofKindRegistry
    public let config: CoordinatorConfig
    let logger: Logger
    let clock: @Sendable () -> Int64
    let listeners: EventListeners
    let sessionCache = SessionCache()

    /// Creates a coordinator over `db` (creating tables when missing).
    public init(
        db: any SQLDatabase,
        kinds: ProofKindRegistry,
        config: CoordinatorConfig = .init(),
        logger: Logger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) async throws {
        self.db = db
        self.kinds = kinds
        self.config = config
        self.logger = logger
        self.clock = clock
        self.listeners = EventListeners()
        try await Schema.migrate(db)
    }

    /// The current time in milliseconds.
    public var now: Int64 { clock() }

    /// Registers a callback for events (called after the change is committed).
    public func onEvent(_ listener: @escaping @Sendable (NetworkEvent) -> Void) {
        listeners.add(listener)
    }

    func emit(_ events: [NetworkEvent]) {
        for e in events { listeners.send(e) }
    }

    // MARK: - Authentication

    /// Issues a login challenge for `address`.
    public func challenge(address: String) async throws -> (challenge: String, expiresAt: Int64, message: String) {
        let address = try Identity.normalize(address)
        let t = now
        let challenge = Identity.randomHex(bytes: 32)
        let expires = t + config.challengeMillis
        try await db.transaction { tx in
            _ = try await tx.query("DELETE FROM challenges WHERE expires_at < $1", [.int(t)])
            _ = try await tx.query(
                "INSERT INTO challenges (challenge, address, expires_at) VALUES ($1, $2, $3)",
                [.text(challenge), .text(address), .int(expires)]
            )
        }
        return (challenge, expires, Identity.loginMessage(address: address, challenge: challenge))
    }

    /// Exchanges a signed challenge for a session token. Each challenge works once.
    public func login(
        address: String,
        challenge: String,
        signature: String
    ) async throws -> (
        token: String, expiresAt: Int64
    ) {
        let address = try Identity.normalize(address)
        let message = Identity.loginMessage(address: address, challenge: challenge)
        guard let signer = Identity.recoverAddress(message: message, signatureHex: signature), signer == address else {
            throw NetworkError.unauthorized("signature does not match \(address)")
        }
        let t = now
        let token = Identity.randomHex(bytes: 32)
        let expires = t + config.sessionMillis
        try await db.transaction { tx in
            let rows = try await tx.query(
                "DELETE FROM challenges WHERE challenge = $1 AND address = $2 AND expires_at >= $3 RETURNING challenge",
                [.text(challenge), .text(address), .int(t)]
            )
            guard !rows.isEmpty else { throw NetworkError.unauthorized("unknown, used or expired challenge") }
            _ = try await tx.query(
                "INSERT INTO sessions (token, address, expires_at) VALUES ($1, $2, $3)",
                [.text(token), .text(address), .int(expires)]
            )
        }
        return (token, expires)
    }

    /// The address behind a session token; throws 401 for unknown or expired tokens.
    public func authenticate(token: String) async throws -> String {
        let t = now
        if let (address, expires) = sessionCache.get(token) {
            guard expires >= t else { throw NetworkError.unauthorized("session token expired") }
            return address
        }
        let rows = try await db.transaction { tx in
            try await tx.query("SELECT address, expires_at FROM sessions WHERE token = $1", [.text(token)])
        }
        guard let row = rows.first, let address = row["address"].text else {
            throw NetworkError.unauthorized("unknown session token")
        }
        guard (row["expires_at"].int ?? 0) >= t else { throw NetworkError.unauthorized("session token expired") }
        sessionCache.put(token, address, row["expires_at"].int ?? 0)
        return address
    }

    /// Checks a signed request: the signature must come from `address` and the nonce must exceed every
    /// nonce that address used before (so a replayed request is refused).
    public func authenticate(
        address: String,
        nonce: Int64,
        signature: String,
        method: String,
        path: String,
        body: [UInt8]
    ) async throws -> String {
        let address = try Identity.normalize(address)
        let message = Identity.requestMessage(method: method, path: path, nonce: nonce, body: body)
        guard let signer = Identity.recoverAddress(message: message, signatureHex: signature), signer == address else {
            throw NetworkError.unauthorized("signature does not match \(address)")
        }
        try await db.transaction { tx in
            let rows = try await tx.query(
                """
                INSERT INTO nonces (address, last_nonce) VALUES ($1, $2)
                ON CONFLICT (address) DO UPDATE SET last_nonce = excluded.last_nonce WHERE nonces.last_nonce < excluded.last_nonce
                RETURNING last_nonce
                """,
                [.text(address), .int(nonce)]
            )
            guard !rows.isEmpty else { throw NetworkError.unauthorized("nonce \(nonce) already used") }
        }
        return address
    }

    // MARK: - Tokens and nodes

    /// Mints test tokens into a wallet (only when the faucet is enabled).
    public func faucet(address: String, amount: Int64) async throws -> Int64 {
        guard config.faucetLimit > 0 else { throw NetworkError.forbidden("faucet disabled") }
        guard amount > 0, amount <= config.faucetLimit else {
            throw NetworkError.badRequest("amount must be in 1...\(config.faucetLimit)")
        }
        let t = now
        return try await db.transaction { tx in
            try await Ledger.transfer(
                tx,
                from: Ledger.issuer,
                to: Ledger.wallet(address),
                amount: amount,
                memo: "faucet",
                jobId: nil,
                now: t
            )
            return try await Ledger.balance(tx, Ledger.wallet(address))
        }
    }

    /// Registers (or updates) a node and moves `stake` tokens from its wallet to its stake.
    public func registerNode(address: String, registration r: NodeRegistration) async throws -> NodeInfo {
        guard r.workPerSecond > 0, r.workPerSecond.isFinite, r.slots > 0, r.slots <= 1024, r.stake >= 0 else {
            throw NetworkError.badRequest("workPerSecond must be positive, slots in 1...1024, stake non-negative")
        }
        let known = r.kinds.filter { kinds[$0] != nil }
        guard !known.isEmpty else { throw NetworkError.badRequest("no known proof kind in \(r.kinds)") }
        let t = now
        try await db.transaction { tx in
            _ = try await tx.query(
                """
                INSERT INTO nodes (address, kinds, work_per_second, slots, registered_at, last_seen, proofs_verified,
                  proofs_rejected, leases_expired, proving_ms) VALUES ($1, $2, $3, $4, $5, $5, 0, 0, 0, 0)
                ON CONFLICT (address) DO UPDATE SET kinds = excluded.kinds, work_per_second = excluded.work_per_second,
                  slots = excluded.slots, last_seen = excluded.last_seen
                """,
                [.text(address), .text(known.joined(separator: ",")), .double(r.workPerSecond), .int(r.slots), .int(t)]
            )
            try await Ledger.transfer(
                tx,
                from: Ledger.wallet(address),
                to: Ledger.stake(address),
                amount: r.stake,
                memo: "stake deposit",
                jobId: nil,
                now: t
            )
        }
        return try await node(address)
    }

    /// Moves free stake back to the node's wallet.
    public func withdrawStake(address: String, amount: Int64) async throws -> NodeInfo {
        let t = now
        try await db.transaction { tx in
            try await Ledger.transfer(
                tx,
                from: Ledger.stake(address),
                to: Ledger.wallet(address),
                amount: amount,
                memo: "stake withdrawal",
                jobId: nil,
                now: t
            )
        }
        return try await node(address)
    }

    // MARK: - Jobs

    /// Submits a proof request. The same requester and request key always return the same job
    /// (`created` is false the second time); the reward moves from the requester's wallet to escrow.
    public func submitJob(requester: String, request r: JobRequest) async throws -> (job: Job, created: Bool) {
        guard !r.requestKey.isEmpty, r.requestKey.utf8.count <= 200 else {
            throw NetworkError.badRequest("requestKey must be 1...200 bytes")
        }
        let key = requester + "/" + r.requestKey
        if let existing = try await db.transaction({ tx in try await Self.jobByKey(tx, key) }) {
            return (existing, false)
        }
        guard let kind = kinds[r.kind] else { throw NetworkError.badRequest("unknown proof kind \(r.kind)") }
        guard r.input.utf8.count <= config.maxInputBytes * 4 / 3 + 4, let input = Data(base64Encoded: r.input) else {
            throw NetworkError.badRequest("input must be base64 of at most \(config.maxInputBytes) bytes")
        }
        let work: Double
        do { work = try kind.estimateWork(input: [UInt8](input)) } catch {
            throw NetworkError.badRequest("input rejected by \(r.kind): \(error)")
        }
        guard r.reward > 0 else { throw NetworkError.badRequest("reward must be positive") }
        let collateral = r.collateral ?? max(1, r.reward / 2)
        guard collateral > 0 else { throw NetworkError.badRequest("collateral must be positive") }
        guard r.deadlineSeconds > 0, r.deadlineSeconds <= 30 * 86400 else {
            throw NetworkError.badRequest("deadlineSeconds must be in (0, 2592000]")
        }
        let maxAttempts = r.maxAttempts ?? config.defaultMaxAttempts
        guard maxAttempts >= 1, maxAttempts <= 100 else { throw NetworkError.badRequest("maxAttempts must be 1...100") }
        let deps = Array(Set(r.dependsOn ?? [])).sorted()
        guard deps.count <= 1024 else { throw NetworkError.badRequest("too many dependencies") }
        let t = now
        let deadline = t + Int64(r.deadlineSeconds * 1000)
        let id = newID("job", now: t)
        let role = r.role ?? (deps.isEmpty ? .shard : .aggregate)
        let logger = self.logger
        let result: (Job, Bool, [NetworkEvent]) = try await db.transaction { tx in
            if let existing = try await Self.jobByKey(tx, key) { return (existing, false, []) }
            var pending: Int64 = 0
            for d in deps {
                let rows = try await tx.query("SELECT state FROM jobs WHERE id = $1", [.text(d)])
                guard let s = rows.first?["state"].text.flatMap(JobState.init(rawValue:)) else {
                    throw NetworkError.badRequest("unknown dependency \(d)")
                }
                if s == .failed { throw NetworkError.conflict("dependency \(d) has failed") }
                if !s.isProven { pending += 1 }
            }
            _ = try await tx.query(
                """
                INSERT INTO jobs (id, request_key, requester, kind, role, input, work, reward, collateral, deadline,
                  effective_deadline, state, seq, attempts, max_attempts, pending_deps, depends_on, lease_id, prover, proof,
                  created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 'CREATED', 1, 0, $11, $12, $13, NULL, NULL, NULL, $14, $14)
                """,
                [
                    .text(id), .text(key), .text(requester), .text(r.kind), .text(role.rawValue), .text(r.input),
                    .double(work), .int(r.reward), .int(collateral), .int(deadline), .int(maxAttempts), .int(pending),
                    .text(deps.joined(separator: ",")), .int(t),
                ]
            )
            _ = try await tx.query(
                "INSERT INTO transitions (job_id, seq, from_state, to_state, at, reason, actor) VALUES ($1, 1, NULL, 'CREATED', $2, $3, $4)",
                [
                    .text(id), .int(t),
                    .text(
                        "requested by \(requester): kind \(r.kind), work \(work), reward \(r.reward), deadline \(deadline)"
                    ),
                    .text(requester),
                ]
            )
            try await Ledger.transfer(
                tx,
                from: Ledger.wallet(requester),
                to: Ledger.escrow(id),
                amount: r.reward,
                memo: "reward escrow",
                jobId: id,
                now: t
            )
            for d in deps {
                _ = try await tx.query("INSERT INTO job_deps (job_id, dep_id) VALUES ($1, $2)", [.text(id), .text(d)])
            }
            // Critical path: each dependency must finish early enough for this job to be proven in time.
            try await Self.tightenDeadlines(tx, deps: deps, before: deadline - Int64(work))
            var events: [NetworkEvent] = []
            if pending == 0 {
                events += try await Self.openJob(
                    tx,
                    id: id,
                    reason: deps.isEmpty ? "no dependencies" : "all dependencies already verified",
                    now: t
                )
            }
            logger.info("job submitted", metadata: ["job": .string(id), "kind": .string(r.kind)])
            return (try await Self.jobByID(tx, id)!, true, events)
        }
        emit(result.2)
        return (result.0, result.1)
    }

    /// Lowers the effective deadline of `deps` (and recursively their dependencies) to at most `before`.
    static func tightenDeadlines(_ tx: any SQLTransaction, deps: [String], before: Int64) async throws {
        var frontier = deps.map { ($0, before) }
        var steps = 0
        while let (id, limit) = frontier.popLast(), steps < 100_000 {
            steps += 1
            let rows = try await tx.query(
                "UPDATE jobs SET effective_deadline = $1 WHERE id = $2 AND effective_deadline > $1 RETURNING work, depends_on",
                [.int(limit), .text(id)]
            )
            guard let row = rows.first else { continue }
            let work = row["work"].double ?? 0
            for d in (row["depends_on"].text ?? "").split(separator: ",") {
                frontier.append((String(d), limit - Int64(work)))
            }
        }
    }

    /// Moves a job along READY → OPEN.
    static func openJob(_ tx: any SQLTransaction, id: String, reason: String, now: Int64) async throws -> [NetworkEvent]
    {
        try await transition(tx, id, from: [.created], to: .ready, reason: reason, actor: "coordinator", now: now)
        let job = try await transition(
            tx,
            id,
            from: [.ready],
            to: .open,
            reason: "escrow funded; offered to nodes",
            actor: "coordinator",
            now: now
        )
        return [
            NetworkEvent(
                type: "job.open",
                jobId: id,
                kind: job.kind,
                state: "OPEN",
                work: job.work,
                effectiveDeadline: job.effectiveDeadline,
                at: now
            )
        ]
    }

    /// Atomically moves job `id` from one of `from` to `to` and records the transition; throws 409 when
    /// the job is in another state.
    @discardableResult
    static func transition(
        _ tx: any SQLTransaction,
        _ id: String,
        from: [JobState],
        to: JobState,
        reason: String,
        actor: String,
        now: Int64,
        extra: String = "",
        binds: [SQLValue] = []
    ) async throws -> Job {
        let placeholders = from.indices.map { "$\($0 + 4)" }.joined(separator: ", ")
        var all: [SQLValue] = [.text(to.rawValue), .int(now), .text(id)] + from.map { .text($0.rawValue) }
        let base = all.count
        var extraSQL = extra
        for i in binds.indices.reversed() {
            extraSQL = extraSQL.replacingOccurrences(of: "?\(i + 1)", with: "$\(base + i + 1)")
        }
        all += binds
        let rows = try await tx.query(
            """
            UPDATE jobs SET state = $1, updated_at = $2, seq = seq + 1\(extraSQL)
            WHERE id = $3 AND state IN (\(placeholders)) RETURNING \(jobColumns)
            """,
            all
        )
        guard let row = rows.first, let seq = row["seq"].int else {
            let current = try await tx.query("SELECT state FROM jobs WHERE id = $1", [.text(id)]).first?["state"].text
            guard let current else { throw NetworkError.notFound("no job \(id)") }
            throw NetworkError.conflict("job \(id) is \(current), not \(from.map(\.rawValue).joined(separator: "/"))")
        }
        var fromState = from.count == 1 ? from[0].rawValue : nil
        if fromState == nil {
            fromState = try await tx.query(
                "SELECT to_state FROM transitions WHERE job_id = $1 AND seq = $2",
                [.text(id), .int(seq - 1)]
            ).first?["to_state"].text
        }
        _ = try await tx.query(
            "INSERT INTO transitions (job_id, seq, from_state, to_state, at, reason, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                .text(id), .int(seq), fromState.map { .text($0) } ?? .null, .text(to.rawValue), .int(now),
                .text(reason),
                .text(actor),
            ]
        )
        return jobFrom(row)
    }

    /// Marks a requester's proven job as consumed (its proof has been used).
    public func consume(requester: String, jobId: String) async throws -> Job {
        let t = now
        return try await db.transaction { tx in
            guard let job = try await Self.jobByID(tx, jobId) else { throw NetworkError.notFound("no job \(jobId)") }
            guard job.requester == requester else {
                throw NetworkError.forbidden("job \(jobId) belongs to another requester")
            }
            let from: [JobState] = job.role == .final ? [.paid] : [.verified]
            return try await Self.transition(
                tx,
                jobId,
                from: from,
                to: .consumed,
                reason: "proof consumed by requester",
                actor: requester,
                now: t
            )
        }
    }

    // MARK: - Leases

    /// Leases an open job to `node`, most urgent first along the critical path, within the node's free
    /// stake (collateral), slots and measured throughput. A repeated call with the same `requestId`
    /// (or for a job the node already holds) returns the same lease. Returns `nil` when nothing fits.
    public func lease(node: String, requestId: String?, jobId: String? = nil) async throws -> LeaseGrant? {
        let t = now
        let leaseMillis = config.leaseMillis
        let engine = db.engine
        let result: (LeaseGrant?, [NetworkEvent]) = try await db.transaction { tx in
            if let requestId {
                let rows = try await tx.query(
                    "SELECT * FROM leases WHERE node = $1 AND request_id = $2",
                    [.text(node), .text(requestId)]
                )
                if let row = rows.first {
                    let lease = Self.leaseFrom(row)
                    return (LeaseGrant(lease: lease, job: try await Self.jobByID(tx, lease.jobId)!), [])
                }
            }
            if let jobId {
                let rows = try await tx.query(
                    "SELECT * FROM leases WHERE node = $1 AND job_id = $2 AND state = 'ACTIVE'",
                    [.text(node), .text(jobId)]
                )
                if let row = rows.first {
                    let lease = Self.leaseFrom(row)
                    return (LeaseGrant(lease: lease, job: try await Self.jobByID(tx, lease.jobId)!), [])
                }
            }
            guard
                let nodeRow = try await tx.query(
                    "UPDATE nodes SET last_seen = $1 WHERE address = $2 RETURNING kinds, work_per_second, slots",
                    [.int(t), .text(node)]
                ).first
            else {
                throw NetworkError.forbidden("node \(node) is not registered")
            }
            let nodeKinds = (nodeRow["kinds"].text ?? "").split(separator: ",").map(String.init)
            let wps = nodeRow["work_per_second"].double ?? 0
            let slots = nodeRow["slots"].int ?? 0
            let active = try await tx.query(
                "SELECT COUNT(*) AS n, COALESCE(SUM(work), 0) AS w FROM leases WHERE node = $1 AND state = 'ACTIVE'",
                [.text(node)]
            ).first
            let activeCount = active?["n"].int ?? 0
            let activeWork = active?["w"].double ?? 0
            guard activeCount < slots else { return (nil, []) }
            let freeStake = try await Ledger.balance(tx, Ledger.stake(node))
            // Capacity: all leased work must be provable within one lease period at the measured speed.
            let workBudget = wps * Double(leaseMillis) / 1000 - activeWork
            var candidates: [SQLRow]
            if let jobId {
                candidates = try await tx.query(
                    "SELECT id, kind, work, collateral FROM jobs WHERE id = $1 AND state = 'OPEN'",
                    [.text(jobId)]
                )
            } else {
                let kindList = nodeKinds.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
                // PostgreSQL runs lease transactions concurrently: lock the chosen row and skip rows other
                // transactions are claiming, instead of queueing behind them for the same most urgent job.
                // The filter is complete (the claim below cannot fail on a locked OPEN row), so one row is
                // enough. SQLite serialises transactions, so nothing is ever locked there.
                let tail = engine == .postgres ? "LIMIT 1 FOR UPDATE SKIP LOCKED" : "LIMIT 16"
                candidates = try await tx.query(
                    """
                    SELECT id, kind, work, collateral FROM jobs WHERE state = 'OPEN' AND kind IN (\(kindList))
                    AND collateral <= $\(nodeKinds.count + 1) AND work <= $\(nodeKinds.count + 2)
                    AND attempts < max_attempts
                    ORDER BY effective_deadline, created_at \(tail)
                    """,
                    nodeKinds.map { .text($0) } + [.int(freeStake), .double(workBudget)]
                )
            }
            for c in candidates {
                guard let id = c["id"].text, nodeKinds.contains(c["kind"].text ?? "") else { continue }
                let collateral = c["collateral"].int ?? 0
                let work = c["work"].double ?? 0
                guard collateral <= freeStake, work <= workBudget else {
                    if jobId != nil {
                        throw NetworkError.capacity(
                            "job \(id) needs collateral \(collateral) and work \(work); node has stake \(freeStake), work budget \(workBudget)"
                        )
                    }
                    continue
                }
                let leaseId = newID("lease", now: t)
                let bounty = try await Ledger.balance(tx, Ledger.bounty(id))
                let claimed = try await tx.query(
                    "UPDATE jobs SET state = 'LEASED', seq = seq + 1, attempts = attempts + 1, lease_id = $1, updated_at = $2 WHERE id = $3 AND state = 'OPEN' AND attempts < max_attempts RETURNING \(Self.jobColumns)",
                    [.text(leaseId), .int(t), .text(id)]
                )
                guard let claimedRow = claimed.first, let seq = claimedRow["seq"].int else { continue }
                let job = Self.jobFrom(claimedRow)
                let attempt = job.attempts
                _ = try await tx.query(
                    "INSERT INTO transitions (job_id, seq, from_state, to_state, at, reason, actor) VALUES ($1, $2, 'OPEN', 'LEASED', $3, $4, $5)",
                    [
                        .text(id), .int(seq), .int(t),
                        .text(
                            "leased to \(node) as \(leaseId) (attempt \(attempt), collateral \(collateral)\(bounty > 0 ? ", rescue with bounty \(bounty)" : ""))"
                        ), .text(node),
                    ]
                )
                _ = try await tx.query(
                    """
                    INSERT INTO leases (id, job_id, node, request_id, collateral, state, rescue, progress, work, created_at,
                      expires_at, updated_at, reason) VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, 0, $7, $8, $9, $8, 'granted')
                    """,
                    [
                        .text(leaseId), .text(id), .text(node), requestId.map { .text($0) } ?? .null, .int(collateral),
                        .int(bounty > 0 ? 1 : 0), .double(work), .int(t), .int(t + leaseMillis),
                    ]
                )
                try await Ledger.transfer(
                    tx,
                    from: Ledger.stake(node),
                    to: Ledger.lease(leaseId),
                    amount: collateral,
                    memo: "lease collateral",
                    jobId: id,
                    now: t
                )
                let lease = Lease(
                    id: leaseId,
                    jobId: id,
                    node: node,
                    requestId: requestId,
                    collateral: collateral,
                    state: .active,
                    rescue: bounty > 0,
                    progress: 0,
                    createdAt: t,
                    expiresAt: t + leaseMillis,
                    updatedAt: t,
                    reason: "granted"
                )
                return (
                    LeaseGrant(lease: lease, job: job),
                    [NetworkEvent(type: "job.leased", jobId: id, kind: job.kind, state: "LEASED", node: node, at: t)]
                )
            }
            if let jobId, candidates.isEmpty {
                throw NetworkError.conflict("job \(jobId) is not open")
            }
            return (nil, [])
        }
        emit(result.1)
        return result.0
    }

    /// Records progress on an active lease and extends it; the first heartbeat moves LEASED → PROVING.
    public func heartbeat(node: String, leaseId: String, progress: Double) async throws -> Lease {
        let t = now
        let leaseMillis = config.leaseMillis
        return try await db.transaction { tx in
            let lease = try await Self.ownedLease(tx, leaseId, node: node)
            guard lease.state == .active else {
                throw NetworkError.conflict("lease \(leaseId) is \(lease.state.rawValue)")
            }
            let p = progress.isFinite ? min(max(progress, 0), 1) : 0
            _ = try await tx.query(
                "UPDATE leases SET progress = $1, expires_at = $2, updated_at = $3 WHERE id = $4",
                [.double(p), .int(t + leaseMillis), .int(t), .text(leaseId)]
            )
            _ = try await tx.query("UPDATE nodes SET last_seen = $1 WHERE address = $2", [.int(t), .text(node)])
            if let job = try await Self.jobByID(tx, lease.jobId), job.state == .leased, job.leaseId == leaseId {
                try await Self.transition(
                    tx,
                    lease.jobId,
                    from: [.leased],
                    to: .proving,
                    reason: "proving started by \(node) (progress \(p))",
                    actor: node,
                    now: t
                )
            }
            return Self.leaseFrom(try await tx.query("SELECT * FROM leases WHERE id = $1", [.text(leaseId)]).first!)
        }
    }

    /// Gives a lease back before it expires: collateral returns to the node's stake and the job reopens.
    public func release(node: String, leaseId: String, reason: String) async throws -> Lease {
        let t = now
        let result: (Lease, [NetworkEvent]) = try await db.transaction { tx in
            let lease = try await Self.ownedLease(tx, leaseId, node: node)
            guard lease.state == .active else {
                throw NetworkError.conflict("lease \(leaseId) is \(lease.state.rawValue)")
            }
            _ = try await tx.query(
                "UPDATE leases SET state = 'RELEASED', updated_at = $1, reason = $2 WHERE id = $3",
                [.int(t), .text("released: \(reason)"), .text(leaseId)]
            )
            try await Ledger.sweep(
                tx,
                Ledger.lease(leaseId),
                to: Ledger.stake(node),
                memo: "collateral returned on release",
                jobId: lease.jobId,
                now: t
            )
            var events: [NetworkEvent] = []
            if let job = try await Self.jobByID(tx, lease.jobId), job.leaseId == leaseId,
                job.state == .leased || job.state == .proving
            {
                events += try await Self.reopenOrFail(
                    tx,
                    job,
                    reason: "lease \(leaseId) released by \(node): \(reason)",
                    actor: node,
                    now: t
                )
            }
            return (
                Self.leaseFrom(try await tx.query("SELECT * FROM leases WHERE id = $1", [.text(leaseId)]).first!),
                events
            )
        }
        emit(result.1)
        return result.0
    }

    /// Reopens a job after a lost lease, or fails it when it has no attempts left (refunding the requester).
    static func reopenOrFail(
        _ tx: any SQLTransaction,
        _ job: Job,
        reason: String,
        actor: String,
        now: Int64
    ) async throws
        -> [NetworkEvent]
    {
        let current = job.state
        if job.attempts < job.maxAttempts {
            let j = try await transition(
                tx,
                job.id,
                from: [current],
                to: .open,
                reason: "reopened: \(reason)",
                actor: actor,
                now: now,
                extra: ", lease_id = NULL"
            )
            return [
                NetworkEvent(
                    type: "job.open",
                    jobId: j.id,
                    kind: j.kind,
                    state: "OPEN",
                    work: j.work,
                    effectiveDeadline: j.effectiveDeadline,
                    at: now
                )
            ]
        }
        return try await fail(
            tx,
            job.id,
            from: [current],
            reason: "\(reason); no attempts left",
            actor: actor,
            now: now
        )
    }

    /// Fails a job and, recursively, the jobs that depend on it; refunds escrow and bounty to the requester.
    static func fail(
        _ tx: any SQLTransaction,
        _ id: String,
        from: [JobState],
        reason: String,
        actor: String,
        now: Int64
    )
        async throws -> [NetworkEvent]
    {
        let job = try await transition(tx, id, from: from, to: .failed, reason: reason, actor: actor, now: now)
        try await Ledger.sweep(
            tx,
            Ledger.escrow(id),
            to: Ledger.wallet(job.requester),
            memo: "refund: job failed",
            jobId: id,
            now: now
        )
        try await Ledger.sweep(
            tx,
            Ledger.bounty(id),
            to: Ledger.wallet(job.requester),
            memo: "unclaimed bounty to requester",
            jobId: id,
            now: now
        )
        // Release any still-active lease on it.
        for row in try await tx.query("SELECT * FROM leases WHERE job_id = $1 AND state = 'ACTIVE'", [.text(id)]) {
            let l = leaseFrom(row)
            _ = try await tx.query(
                "UPDATE leases SET state = 'SUPERSEDED', updated_at = $1, reason = 'job failed' WHERE id = $2",
                [.int(now), .text(l.id)]
            )
            try await Ledger.sweep(
                tx,
                Ledger.lease(l.id),
                to: Ledger.stake(l.node),
                memo: "collateral returned: job failed",
                jobId: id,
                now: now
            )
        }
        var events = [NetworkEvent(type: "job.failed", jobId: id, kind: job.kind, state: "FAILED", at: now)]
        for row in try await tx.query("SELECT job_id FROM job_deps WHERE dep_id = $1", [.text(id)]) {
            guard let dependent = row["job_id"].text, let d = try await jobByID(tx, dependent) else { continue }
            if d.state == .created || d.state == .open || d.state == .ready {
                events += try await fail(
                    tx,
                    dependent,
                    from: [d.state],
                    reason: "dependency \(id) failed",
                    actor: "coordinator",
                    now: now
                )
            }
        }
        return events
    }

    /// Expires every active lease past its time: half its collateral is burned, half becomes a bounty for
    /// whoever rescues the job, and the job reopens (or fails without attempts left).
    @discardableResult
    public func expireLeases() async throws -> Int {
        let t = now
        let due = try await db.transaction { tx in
            try await tx.query(
                "SELECT id FROM leases WHERE state = 'ACTIVE' AND expires_at < $1 ORDER BY expires_at LIMIT 256",
                [.int(t)]
            )
        }
        var count = 0
        for row in due {
            guard let leaseId = row["id"].text else { continue }
            let events: [NetworkEvent] = try await db.transaction { tx in
                let rows = try await tx.query(
                    "UPDATE leases SET state = 'EXPIRED', updated_at = $1, reason = $2 WHERE id = $3 AND state = 'ACTIVE' AND expires_at < $1 RETURNING *",
                    [.int(t), .text("expired without heartbeat"), .text(leaseId)]
                )
                guard let leaseRow = rows.first else { return [] }
                let lease = Self.leaseFrom(leaseRow)
                let burned = lease.collateral / 2
                let bounty = lease.collateral - burned
                try await Ledger.transfer(
                    tx,
                    from: Ledger.lease(leaseId),
                    to: Ledger.burn,
                    amount: burned,
                    memo: "slash: lease expired (burn half)",
                    jobId: lease.jobId,
                    now: t
                )
                try await Ledger.transfer(
                    tx,
                    from: Ledger.lease(leaseId),
                    to: Ledger.bounty(lease.jobId),
                    amount: bounty,
                    memo: "slash: lease expired (half to rescuer)",
                    jobId: lease.jobId,
                    now: t
                )
                _ = try await tx.query(
                    "UPDATE nodes SET leases_expired = leases_expired + 1 WHERE address = $1",
                    [.text(lease.node)]
                )
                var events = [
                    NetworkEvent(type: "lease.expired", jobId: lease.jobId, node: lease.node, at: t)
                ]
                if let job = try await Self.jobByID(tx, lease.jobId), job.leaseId == leaseId,
                    job.state == .leased || job.state == .proving
                {
                    let expiredJob = try await Self.transition(
                        tx,
                        job.id,
                        from: [job.state],
                        to: .expired,
                        reason:
                            "lease \(leaseId) of \(lease.node) expired; collateral \(lease.collateral) slashed: \(burned) burned, \(bounty) to the rescuer",
                        actor: "coordinator",
                        now: t
                    )
                    events += try await Self.reopenOrFail(
                        tx,
                        expiredJob,
                        reason: "rescue after expired lease \(leaseId)",
                        actor: "coordinator",
                        now: t
                    )
                }
                return events
            }
            if !events.isEmpty { count += 1 }
            emit(events)
        }
        return count
    }

    // MARK: - Proofs

    /// Accepts a proof for a lease. The proof is verified before anything is paid: a valid proof moves
    /// the job to VERIFIED (or, for a final job, on to PAID), pays the reward and any rescue bounty, and
    /// returns the collateral; an invalid one is rejected (422), its collateral slashed (half burned, half
    /// to the rescuer's bounty) and the job reopened. A holder whose lease expired may still submit: a
    /// valid late proof is accepted while the job is unproven.
    public func submitProof(node: String, leaseId: String, proof: [UInt8]) async throws -> SubmitResult {
        let received = now
        guard proof.count <= config.maxProofBytes else {
            throw NetworkError(413, "too_large", "proof exceeds \(config.maxProofBytes) bytes")
        }
        let (lease, job) = try await db.transaction { tx in
            let lease = try await Self.ownedLease(tx, leaseId, node: node)
            guard let job = try await Self.jobByID(tx, lease.jobId) else { throw NetworkError.notFound("no job") }
            return (lease, job)
        }
        try Self.checkSubmittable(lease, job)
        guard let kind = kinds[job.kind] else { throw NetworkError.conflict("proof kind \(job.kind) no longer known") }
        let input = [UInt8](Data(base64Encoded: job.input) ?? Data())
        // Verification takes milliseconds of CPU: it runs on the verifier threads, not on the task's
        // (cooperative) thread, so short requests such as leases are not queued behind proofs.
        let (failure, elapsed): (String?, Duration) = try await Self.verifierThreads.runIfActive {
            let start = ContinuousClock.now
            var failure: String? = nil
            do throws(ProofKindError) { try kind.verify(input: input, proof: proof) } catch { failure = error.message }
            return (failure, ContinuousClock.now - start)
        }
        let verifyMillis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let t = now
        let proofText = Data(proof).base64EncodedString()
        let failureReason = failure
        let result: (SubmitResult, [NetworkEvent]) = try await db.transaction { tx in
            let lease = try await Self.ownedLease(tx, leaseId, node: node)
            guard let job = try await Self.jobByID(tx, lease.jobId) else { throw NetworkError.notFound("no job") }
            try Self.checkSubmittable(lease, job)
            let provingMs = max(0, received - lease.createdAt)
            if let failureReason {
                return try await Self.reject(
                    tx,
                    lease: lease,
                    job: job,
                    reason: failureReason,
                    verifyMillis: verifyMillis,
                    now: t
                )
            }
            return try await Self.accept(
                tx,
                lease: lease,
                job: job,
                proof: proofText,
                provingMs: provingMs,
                received: received,
                verifyMillis: verifyMillis,
                now: t
            )
        }
        emit(result.1)
        if !result.0.accepted { throw SubmitRejection(result: result.0) }
        return result.0
    }

    /// Threads that verify proofs, one per processor, shared by every coordinator in the process.
    static let verifierThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, Parallel.activeProcessorCount))
        pool.start()
        return pool
    }()

    static func checkSubmittable(_ lease: Lease, _ job: Job) throws {
        switch lease.state {
        case .active, .expired: break
        case .completed:
            throw NetworkError.conflict("lease \(lease.id) already delivered a proof (duplicate submission)")
        default: throw NetworkError.conflict("lease \(lease.id) is \(lease.state.rawValue)")
        }
        if job.state.isProven { throw NetworkError.conflict("job \(job.id) is already proven") }
        if job.state == .failed { throw NetworkError.conflict("job \(job.id) has failed") }
    }

    static func accept(
        _ tx: any SQLTransaction,
        lease: Lease,
        job: Job,
        proof: String,
        provingMs: Int64,
        received: Int64,
        verifyMillis: Double,
        now t: Int64
    ) async throws -> (SubmitResult, [NetworkEvent]) {
        let node = lease.node
        let late = lease.state == .expired
        _ = try await tx.query(
            "UPDATE leases SET state = 'COMPLETED', progress = 1, updated_at = $1, reason = $2 WHERE id = $3",
            [.int(t), .text(late ? "late proof verified" : "proof verified"), .text(lease.id)]
        )
        if !late {
            try await Ledger.sweep(
                tx,
                Ledger.lease(lease.id),
                to: Ledger.stake(node),
                memo: "collateral returned: proof verified",
                jobId: job.id,
                now: t
            )
        }
        // Any other active lease on the job (a rescuer racing a late holder) is superseded without penalty.
        for row in try await tx.query(
            "SELECT * FROM leases WHERE job_id = $1 AND state = 'ACTIVE' AND id <> $2",
            [.text(job.id), .text(lease.id)]
        ) {
            let other = leaseFrom(row)
            _ = try await tx.query(
                "UPDATE leases SET state = 'SUPERSEDED', updated_at = $1, reason = $2 WHERE id = $3",
                [.int(t), .text("job proven by \(node)"), .text(other.id)]
            )
            try await Ledger.sweep(
                tx,
                Ledger.lease(other.id),
                to: Ledger.stake(other.node),
                memo: "collateral returned: job proven by another node",
                jobId: job.id,
                now: t
            )
        }
        try await transition(
            tx,
            job.id,
            from: [job.state],
            to: .submitted,
            reason:
                "proof of \(proof.utf8.count * 3 / 4) bytes received from \(node) on lease \(lease.id)\(late ? " (late, after expiry)" : "")",
            actor: node,
            now: received,
            extra: ", proof = ?1, prover = ?2",
            binds: [.text(proof), .text(node)]
        )
        var final = try await transition(
            tx,
            job.id,
            from: [.submitted],
            to: .verified,
            reason: "proof verified in \(String(format: "%.2f", verifyMillis)) ms",
            actor: "coordinator",
            now: t
        )
        _ = try await tx.query(
            "UPDATE nodes SET proofs_verified = proofs_verified + 1, proving_ms = proving_ms + $1, last_seen = $2 WHERE address = $3",
            [.int(provingMs), .int(t), .text(node)]
        )
        var reward: Int64 = 0
        if job.role == .final {
            try await transition(
                tx,
                job.id,
                from: [.verified],
                to: .settling,
                reason: "final proof handed to settlement",
                actor: "coordinator",
                now: t
            )
            try await transition(
                tx,
                job.id,
                from: [.settling],
                to: .settled,
                reason: "settled by the coordinator's ledger (no L1 settlement layer configured)",
                actor: "coordinator",
                now: t
            )
            reward = try await Ledger.sweep(
                tx,
                Ledger.escrow(job.id),
                to: Ledger.wallet(node),
                memo: "reward: final proof settled",
                jobId: job.id,
                now: t
            )
            final = try await transition(
                tx,
                job.id,
                from: [.settled],
                to: .paid,
                reason: "reward \(reward) paid to \(node)",
                actor: "coordinator",
                now: t
            )
        } else {
            reward = try await Ledger.sweep(
                tx,
                Ledger.escrow(job.id),
                to: Ledger.wallet(node),
                memo: "reward: proof verified",
                jobId: job.id,
                now: t
            )
        }
        let bounty = try await Ledger.sweep(
            tx,
            Ledger.bounty(job.id),
            to: Ledger.wallet(node),
            memo: "rescue bounty",
            jobId: job.id,
            now: t
        )
        var events = [
            NetworkEvent(type: "job.verified", jobId: job.id, kind: job.kind, state: "VERIFIED", node: node, at: t)
        ]
        // Dependencies whose proofs this job used are consumed.
        for dep in job.dependsOn {
            if let d = try await jobByID(tx, dep), d.state == .verified {
                try await transition(
                    tx,
                    dep,
                    from: [.verified],
                    to: .consumed,
                    reason: "proof consumed by dependent job \(job.id)",
                    actor: "coordinator",
                    now: t
                )
            }
        }
        // Dependents whose last dependency this was become ready and open.
        for row in try await tx.query(
            "UPDATE jobs SET pending_deps = pending_deps - 1 WHERE id IN (SELECT job_id FROM job_deps WHERE dep_id = $1) AND state = 'CREATED' RETURNING id, pending_deps",
            [.text(job.id)]
        )
        where (row["pending_deps"].int ?? 1) == 0 {
            events += try await openJob(tx, id: row["id"].text!, reason: "all dependencies verified", now: t)
        }
        return (
            SubmitResult(
                jobId: job.id,
                leaseId: lease.id,
                accepted: true,
                state: final.state,
                reward: reward,
                bounty: bounty,
                slashed: 0,
                verifyMillis: verifyMillis,
                reason: "proof verified"
            ), events
        )
    }

    static func reject(
        _ tx: any SQLTransaction,
        lease: Lease,
        job: Job,
        reason: String,
        verifyMillis: Double,
        now t: Int64
    ) async throws -> (SubmitResult, [NetworkEvent]) {
        let node = lease.node
        _ = try await tx.query(
            "UPDATE leases SET state = 'REJECTED', updated_at = $1, reason = $2 WHERE id = $3",
            [.int(t), .text("invalid proof: \(reason)"), .text(lease.id)]
        )
        _ = try await tx.query(
            "UPDATE nodes SET proofs_rejected = proofs_rejected + 1 WHERE address = $1",
            [.text(node)]
        )
        var slashed: Int64 = 0
        var events: [NetworkEvent] = []
        if lease.state == .active {
            slashed = lease.collateral
            let burned = slashed / 2
            try await Ledger.transfer(
                tx,
                from: Ledger.lease(lease.id),
                to: Ledger.burn,
                amount: burned,
                memo: "slash: invalid proof (burn half)",
                jobId: job.id,
                now: t
            )
            try await Ledger.transfer(
                tx,
                from: Ledger.lease(lease.id),
                to: Ledger.bounty(job.id),
                amount: slashed - burned,
                memo: "slash: invalid proof (half to the next prover)",
                jobId: job.id,
                now: t
            )
        }
        if job.leaseId == lease.id, job.state == .leased || job.state == .proving {
            try await transition(
                tx,
                job.id,
                from: [job.state],
                to: .submitted,
                reason: "proof received from \(node) on lease \(lease.id)",
                actor: node,
                now: t
            )
            let rejected = try await transition(
                tx,
                job.id,
                from: [.submitted],
                to: .rejectedProof,
                reason: "proof failed verification: \(reason); collateral \(slashed) slashed",
                actor: "coordinator",
                now: t
            )
            events += try await reopenOrFail(tx, rejected, reason: "after rejected proof", actor: "coordinator", now: t)
        }
        events.append(NetworkEvent(type: "proof.rejected", jobId: job.id, kind: job.kind, node: node, at: t))
        return (
            SubmitResult(
                jobId: job.id,
                leaseId: lease.id,
                accepted: false,
                state: try await jobByID(tx, job.id)!.state,
                reward: 0,
                bounty: 0,
                slashed: slashed,
                verifyMillis: verifyMillis,
                reason: "invalid proof: \(reason)"
            ), events
        )
    }

    // MARK: - Reads

    /// One job.
    public func job(_ id: String) async throws -> Job {
        guard let j = try await db.transaction({ tx in try await Self.jobByID(tx, id) }) else {
            throw NetworkError.notFound("no job \(id)")
        }
        return j
    }

    /// The encoded proof of a proven job.
    public func proof(_ id: String) async throws -> [UInt8] {
        let rows = try await db.transaction { tx in
            try await tx.query("SELECT proof FROM jobs WHERE id = $1", [.text(id)])
        }
        guard let row = rows.first else { throw NetworkError.notFound("no job \(id)") }
        guard let text = row["proof"].text, let data = Data(base64Encoded: text) else {
            throw NetworkError.notFound("job \(id) has no verified proof yet")
        }
        return [UInt8](data)
    }

    /// Jobs, newest first, optionally in one state.
    public func jobs(state: JobState? = nil, limit: Int = 100) async throws -> [Job] {
        let limit = max(1, min(limit, 1000))
        return try await db.transaction { tx in
            let rows: [SQLRow]
            if let state {
                rows = try await tx.query(
                    "SELECT \(Self.jobColumns) FROM jobs WHERE state = $1 ORDER BY created_at DESC, id LIMIT $2",
                    [.text(state.rawValue), .int(Int64(limit))]
                )
            } else {
                rows = try await tx.query(
                    "SELECT \(Self.jobColumns) FROM jobs ORDER BY created_at DESC, id LIMIT $1",
                    [.int(Int64(limit))]
                )
            }
            return rows.map(Self.jobFrom)
        }
    }

    /// Number of jobs in each state.
    public func jobCounts() async throws -> [JobState: Int64] {
        let rows = try await db.transaction { tx in
            try await tx.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state", [])
        }
        var out: [JobState: Int64] = [:]
        for r in rows { if let s = JobState(rawValue: r["state"].text ?? "") { out[s] = r["n"].int ?? 0 } }
        return out
    }

    /// The stored transitions of a job, in order.
    public func transitions(_ id: String) async throws -> [Transition] {
        let rows = try await db.transaction { tx in
            try await tx.query("SELECT * FROM transitions WHERE job_id = $1 ORDER BY seq", [.text(id)])
        }
        if rows.isEmpty { throw NetworkError.notFound("no job \(id)") }
        return rows.map {
            Transition(
                jobId: $0["job_id"].text ?? "",
                seq: $0["seq"].int ?? 0,
                from: $0["from_state"].text,
                to: $0["to_state"].text ?? "",
                at: $0["at"].int ?? 0,
                reason: $0["reason"].text ?? "",
                actor: $0["actor"].text ?? ""
            )
        }
    }

    /// Leases of a job, or of a node.
    public func leases(jobId: String? = nil, node: String? = nil) async throws -> [Lease] {
        try await db.transaction { tx in
            if let jobId {
                return try await tx.query("SELECT * FROM leases WHERE job_id = $1 ORDER BY created_at", [.text(jobId)])
                    .map(
                        Self.leaseFrom
                    )
            }
            return try await tx.query("SELECT * FROM leases WHERE node = $1 ORDER BY created_at", [.text(node ?? "")])
                .map(
                    Self.leaseFrom
                )
        }
    }

    /// One lease.
    public func lease(_ id: String) async throws -> Lease {
        guard
            let row = try await db.transaction({ tx in
                try await tx.query("SELECT * FROM leases WHERE id = $1", [.text(id)])
            }).first
        else {
            throw NetworkError.notFound("no lease \(id)")
        }
        return Self.leaseFrom(row)
    }

    /// One node with its balances.
    public func node(_ address: String) async throws -> NodeInfo {
        guard let n = try await nodes(address: address).first else { throw NetworkError.notFound("no node \(address)") }
        return n
    }

    /// All nodes (or one).
    public func nodes(address: String? = nil) async throws -> [NodeInfo] {
        try await db.transaction { tx in
            let rows =
                address == nil
                ? try await tx.query("SELECT * FROM nodes ORDER BY address", [])
                : try await tx.query("SELECT * FROM nodes WHERE address = $1", [.text(address!)])
            var out: [NodeInfo] = []
            for r in rows {
                let a = r["address"].text ?? ""
                let active = try await tx.query(
                    "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(collateral), 0) AS BIGINT) AS c FROM leases WHERE node = $1 AND state = 'ACTIVE'",
                    [.text(a)]
                ).first
                out.append(
                    NodeInfo(
                        address: a,
                        kinds: (r["kinds"].text ?? "").split(separator: ",").map(String.init),
                        workPerSecond: r["work_per_second"].double ?? 0,
                        slots: r["slots"].int ?? 0,
                        registeredAt: r["registered_at"].int ?? 0,
                        lastSeen: r["last_seen"].int ?? 0,
                        proofsVerified: r["proofs_verified"].int ?? 0,
                        proofsRejected: r["proofs_rejected"].int ?? 0,
                        leasesExpired: r["leases_expired"].int ?? 0,
                        provingMillis: r["proving_ms"].int ?? 0,
                        stake: try await Ledger.balance(tx, Ledger.stake(a)),
                        lockedCollateral: active?["c"].int ?? 0,
                        wallet: try await Ledger.balance(tx, Ledger.wallet(a)),
                        activeLeases: active?["n"].int ?? 0
                    )
                )
            }
            return out
        }
    }

    /// The balance of one ledger account.
    public func balance(_ account: String) async throws -> Int64 {
        try await db.transaction { tx in try await Ledger.balance(tx, account) }
    }

    /// All accounts with their balances.
    public func accounts() async throws -> [String: Int64] {
        try await db.transaction { tx in
            var out: [String: Int64] = [:]
            for r in try await tx.query("SELECT id, balance FROM accounts", []) {
                out[r["id"].text ?? ""] = r["balance"].int ?? 0
            }
            return out
        }
    }

    /// Ledger entries touching a job, or the latest ones.
    public func entries(jobId: String? = nil, limit: Int = 200) async throws -> [LedgerEntry] {
        try await db.transaction { tx in
            let rows =
                jobId == nil
                ? try await tx.query(
                    "SELECT * FROM entries ORDER BY at DESC, id LIMIT $1",
                    [.int(Int64(max(1, min(limit, 5000))))]
                )
                : try await tx.query("SELECT * FROM entries WHERE job_id = $1 ORDER BY at, id", [.text(jobId!)])
            return rows.map {
                LedgerEntry(
                    id: $0["id"].text ?? "",
                    at: $0["at"].int ?? 0,
                    debit: $0["debit"].text ?? "",
                    credit: $0["credit"].text ?? "",
                    amount: $0["amount"].int ?? 0,
                    memo: $0["memo"].text ?? "",
                    jobId: $0["job_id"].text
                )
            }
        }
    }

    /// Checks that the ledger balances (see ``Ledger/check(_:token:)``).
    public func checkLedger() async throws -> LedgerCheck {
        let token = config.token
        return try await db.transaction { tx in try await Ledger.check(tx, token: token) }
    }

    // MARK: - Row mapping

    static func ownedLease(_ tx: any SQLTransaction, _ id: String, node: String) async throws -> Lease {
        guard let row = try await tx.query("SELECT * FROM leases WHERE id = $1", [.text(id)]).first else {
            throw NetworkError.notFound("no lease \(id)")
        }
        let lease = leaseFrom(row)
        guard lease.node == node else { throw NetworkError.forbidden("lease \(id) belongs to another node") }
        return lease
    }

    /// The columns ``jobFrom(_:)`` reads: every column but the proof itself (up to megabytes), which
    /// only ``proof(_:)`` reads.
    static let jobColumns = """
        id, request_key, requester, kind, role, input, work, reward, collateral, deadline, effective_deadline, state, \
        seq, attempts, max_attempts, pending_deps, depends_on, lease_id, prover, \
        CASE WHEN proof IS NULL THEN 0 ELSE 1 END AS has_proof, created_at, updated_at
        """

    static func jobByID(_ tx: any SQLTransaction, _ id: String) async throws -> Job? {
        try await tx.query("SELECT \(jobColumns) FROM jobs WHERE id = $1", [.text(id)]).first.map(jobFrom)
    }

    static func jobByKey(_ tx: any SQLTransaction, _ key: String) async throws -> Job? {
        try await tx.query("SELECT \(jobColumns) FROM jobs WHERE request_key = $1", [.text(key)]).first.map(jobFrom)
    }

    static func jobFrom(_ r: SQLRow) -> Job {
        let key = r["request_key"].text ?? ""
        let requester = r["requester"].text ?? ""
        return Job(
            id: r["id"].text ?? "",
            requestKey: key.hasPrefix(requester + "/") ? String(key.dropFirst(requester.count + 1)) : key,
            requester: requester,
            kind: r["kind"].text ?? "",
            role: JobRole(rawValue: r["role"].text ?? "") ?? .shard,
            input: r["input"].text ?? "",
            work: r["work"].double ?? 0,
            reward: r["reward"].int ?? 0,
            collateral: r["collateral"].int ?? 0,
            deadline: r["deadline"].int ?? 0,
            effectiveDeadline: r["effective_deadline"].int ?? 0,
            state: JobState(rawValue: r["state"].text ?? "") ?? .failed,
            attempts: r["attempts"].int ?? 0,
            maxAttempts: r["max_attempts"].int ?? 0,
            pendingDependencies: r["pending_deps"].int ?? 0,
            dependsOn: (r["depends_on"].text ?? "").split(separator: ",").map(String.init),
            leaseId: r["lease_id"].text,
            prover: r["prover"].text,
            hasProof: (r["has_proof"].int ?? 0) != 0,
            createdAt: r["created_at"].int ?? 0,
            updatedAt: r["updated_at"].int ?? 0
        )
    }

    static func leaseFrom(_ r: SQLRow) -> Lease {
        Lease(
            id: r["id"].text ?? "",
            jobId: r["job_id"].text ?? "",
            node: r["node"].text ?? "",
            requestId: r["request_id"].text,
            collateral: r["collateral"].int ?? 0,
            state: LeaseState(rawValue: r["state"].text ?? "") ?? .expired,
            rescue: (r["rescue"].int ?? 0) != 0,
            progress: r["progress"].double ?? 0,
            createdAt: r["created_at"].int ?? 0,
            expiresAt: r["expires_at"].int ?? 0,
            updatedAt: r["updated_at"].int ?? 0,
            reason: r["reason"].text ?? ""
        )
    }
}

/// Thrown by ``CoordinatorCore/submitProof(node:leaseId:proof:)`` when a proof fails verification;
/// the rejection (and slashing) has been committed.
public struct SubmitRejection: Error, Sendable {
    public var result: SubmitResult
}

/// Event callbacks.
final class EventListeners: @unchecked Sendable {
    private let lock = NSLock()
    private var listeners: [@Sendable (NetworkEvent) -> Void] = []
    func add(_ l: @escaping @Sendable (NetworkEvent) -> Void) {
        lock.lock()
        listeners.append(l)
        lock.unlock()
    }
    func send(_ e: NetworkEvent) {
        lock.lock()
        let ls = listeners
        lock.unlock()
        for l in ls { l(e) }
    }
}

/// Sessions already read from storage (tokens never change once issued).
final class SessionCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (String, Int64)] = [:]
    func get(_ token: String) -> (String, Int64)? {
        lock.lock()
        defer { lock.unlock() }
        return entries[token]
    }
    func put(_ token: String, _ address: String, _ expires: Int64) {
        lock.lock()
        if entries.count > 100_000 { entries.removeAll() }
        entries[token] = (address, expires)
        lock.unlock()
    }
}
