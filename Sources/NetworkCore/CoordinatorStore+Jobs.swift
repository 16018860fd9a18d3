import Foundation

/// A job row after a state move: the job and the sequence number its transition is recorded under.
struct MovedJob: Sendable {
    var job: Job
    var seq: Int64
}

/// Columns a state move writes besides `state`, `updated_at` and `seq`.
enum JobUpdate: Sendable {
    /// Nothing else.
    case stateOnly
    /// `lease_id` becomes NULL (the job lost its lease).
    case clearLease
    /// The accepted proof (base64) and the node that delivered it.
    case proof(String, prover: String)
}

/// An open job a node might lease, as the lease query sees it.
struct LeaseCandidate: Sendable {
    var id: String
    var kind: String
    var work: Double
    var collateral: Int64
}

/// Jobs, their dependencies (`job_deps`) and their transition log (`transitions`).
extension CoordinatorStore {
    // MARK: - Jobs

    /// The stored request key: requests are idempotent per requester, so the requester prefixes it
    /// (``jobFrom(_:)`` strips the prefix again).
    private static func storedKey(requester: String, requestKey: String) -> String {
        requester + "/" + requestKey
    }

    /// Reads one job from `jobs` (without its proof), or `nil` when there is none with `id`.
    static func job(_ tx: any SQLTransaction, id: String) async throws -> Job? {
        try await tx.query("SELECT \(jobColumns) FROM jobs WHERE id = $1", [.text(id)]).first.map(jobFrom)
    }

    /// Reads the job `requester` submitted under `requestKey` from `jobs`, or `nil`.
    static func job(_ tx: any SQLTransaction, requester: String, requestKey: String) async throws -> Job? {
        let key = storedKey(requester: requester, requestKey: requestKey)
        return try await tx.query("SELECT \(jobColumns) FROM jobs WHERE request_key = $1", [.text(key)]).first.map(
            jobFrom
        )
    }

    /// Reads the state of job `id` from `jobs`, or `nil` when there is no such job.
    static func jobState(_ tx: any SQLTransaction, id: String) async throws -> JobState? {
        let rows = try await tx.query("SELECT state FROM jobs WHERE id = $1", [.text(id)])
        return rows.first?["state"].text.flatMap(JobState.init(rawValue:))
    }

    /// Inserts a new job into `jobs` in state CREATED (sequence 1, no attempts, no lease, no proof),
    /// its effective deadline equal to its deadline.
    static func insertJob(
        _ tx: any SQLTransaction,
        id: String,
        requester: String,
        requestKey: String,
        kind: String,
        role: JobRole,
        input: String,
        work: Double,
        reward: Int64,
        collateral: Int64,
        deadline: Int64,
        maxAttempts: Int64,
        pendingDependencies: Int64,
        dependsOn: [String],
        at t: Int64
    ) async throws {
        _ = try await tx.query(
            """
            INSERT INTO jobs (id, request_key, requester, kind, role, input, work, reward, collateral, deadline,
              effective_deadline, state, seq, attempts, max_attempts, pending_deps, depends_on, lease_id, prover, proof,
              created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, \(JobState.created.sql), 1, 0, $11, $12, $13, NULL, NULL, NULL, $14, $14)
            """,
            [
                .text(id), .text(storedKey(requester: requester, requestKey: requestKey)), .text(requester),
                .text(kind), .text(role.rawValue), .text(input), .double(work), .int(reward), .int(collateral),
                .int(deadline), .int(maxAttempts), .int(pendingDependencies),
                .text(dependsOn.joined(separator: ",")), .int(t),
            ]
        )
    }

    /// Lowers the effective deadline of job `id` in `jobs` to `limit` when it is later; returns the
    /// job's work and dependencies when it did, `nil` when the deadline was already early enough (or
    /// there is no such job).
    static func lowerEffectiveDeadline(
        _ tx: any SQLTransaction,
        id: String,
        to limit: Int64
    ) async throws -> (work: Double, dependsOn: [String])? {
        let rows = try await tx.query(
            "UPDATE jobs SET effective_deadline = $1 WHERE id = $2 AND effective_deadline > $1 RETURNING work, depends_on",
            [.int(limit), .text(id)]
        )
        guard let row = rows.first else { return nil }
        return (row["work"].double ?? 0, (row["depends_on"].text ?? "").split(separator: ",").map(String.init))
    }

    /// Moves job `id` in `jobs` from one of the states `from` to `to` (bumping its sequence number and
    /// `updated_at`, and writing `also`); returns the updated job, or `nil` when it was in none of
    /// `from` (or does not exist). Records no transition: see ``recordTransition(_:_:seq:from:to:at:reason:actor:)``.
    static func moveJob(
        _ tx: any SQLTransaction,
        _ id: String,
        from: [JobState],
        to: JobState,
        at now: Int64,
        also: JobUpdate = .stateOnly
    ) async throws -> MovedJob? {
        let placeholders = from.indices.map { "$\($0 + 4)" }.joined(separator: ", ")
        var binds: [SQLValue] = [.text(to.rawValue), .int(now), .text(id)] + from.map { .text($0.rawValue) }
        let extra: String
        switch also {
        case .stateOnly: extra = ""
        case .clearLease: extra = ", lease_id = NULL"
        case .proof(let proof, let prover):
            extra = ", proof = $\(binds.count + 1), prover = $\(binds.count + 2)"
            binds += [.text(proof), .text(prover)]
        }
        let rows = try await tx.query(
            """
            UPDATE jobs SET state = $1, updated_at = $2, seq = seq + 1\(extra)
            WHERE id = $3 AND state IN (\(placeholders)) RETURNING \(jobColumns)
            """,
            binds
        )
        guard let row = rows.first, let seq = row["seq"].int else { return nil }
        return MovedJob(job: jobFrom(row), seq: seq)
    }

    /// Appends one row to a job's log in `transitions`: the only place rows go into `transitions`.
    static func recordTransition(
        _ tx: any SQLTransaction,
        _ id: String,
        seq: Int64,
        from: String?,
        to: JobState,
        at: Int64,
        reason: String,
        actor: String
    ) async throws {
        _ = try await tx.query(
            "INSERT INTO transitions (job_id, seq, from_state, to_state, at, reason, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                .text(id), .int(seq), from.map { .text($0) } ?? .null, .text(to.rawValue), .int(at), .text(reason),
                .text(actor),
            ]
        )
    }

    /// Reads from `transitions` the state that transition `seq` of job `id` moved to, or `nil`.
    static func recordedState(_ tx: any SQLTransaction, job id: String, seq: Int64) async throws -> String? {
        try await tx.query(
            "SELECT to_state FROM transitions WHERE job_id = $1 AND seq = $2",
            [.text(id), .int(seq)]
        ).first?["to_state"].text
    }

    // MARK: - Dependencies

    /// Inserts one edge into `job_deps`: job `id` depends on `dependency`.
    static func insertDependency(_ tx: any SQLTransaction, job id: String, on dependency: String) async throws {
        _ = try await tx.query(
            "INSERT INTO job_deps (job_id, dep_id) VALUES ($1, $2)",
            [.text(id), .text(dependency)]
        )
    }

    /// Reads from `job_deps` the ids of the jobs that depend on `id`.
    static func dependents(_ tx: any SQLTransaction, of id: String) async throws -> [String] {
        try await tx.query("SELECT job_id FROM job_deps WHERE dep_id = $1", [.text(id)]).compactMap {
            $0["job_id"].text
        }
    }

    /// Counts job `id` as proven for its CREATED dependents: decrements their `pending_deps` in `jobs`
    /// and returns each one's id with the dependencies it still waits for.
    static func resolveDependency(
        _ tx: any SQLTransaction,
        _ id: String
    ) async throws -> [(id: String, pending: Int64)] {
        try await tx.query(
            "UPDATE jobs SET pending_deps = pending_deps - 1 WHERE id IN (SELECT job_id FROM job_deps WHERE dep_id = $1) AND state = \(JobState.created.sql) RETURNING id, pending_deps",
            [.text(id)]
        ).map { ($0["id"].text!, $0["pending_deps"].int ?? 1) }
    }

    // MARK: - Leasing

    /// Reads job `id` from `jobs` when it is OPEN (zero or one candidate).
    static func leaseCandidate(_ tx: any SQLTransaction, id: String) async throws -> [LeaseCandidate] {
        candidates(
            try await tx.query(
                "SELECT id, kind, work, collateral FROM jobs WHERE id = $1 AND state = \(JobState.open.sql)",
                [.text(id)]
            )
        )
    }

    /// Reads from `jobs` the most urgent OPEN jobs (earliest effective deadline, then oldest) of one of
    /// `kinds` with attempts left, collateral at most `maxCollateral` and work at most `maxWork`.
    ///
    /// PostgreSQL runs lease transactions concurrently: there the chosen row is locked and rows other
    /// transactions are claiming are skipped (`FOR UPDATE SKIP LOCKED`), instead of queueing behind
    /// them for the same most urgent job. The filter is complete (the claim cannot fail on a locked
    /// OPEN row), so one row is enough. SQLite serialises transactions, so nothing is ever locked
    /// there and up to 16 rows come back.
    static func leaseCandidates(
        _ tx: any SQLTransaction,
        engine: SQLEngine,
        kinds: [String],
        maxCollateral: Int64,
        maxWork: Double
    ) async throws -> [LeaseCandidate] {
        let kindList = kinds.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let tail = engine == .postgres ? "LIMIT 1 FOR UPDATE SKIP LOCKED" : "LIMIT 16"
        return candidates(
            try await tx.query(
                """
                SELECT id, kind, work, collateral FROM jobs WHERE state = \(JobState.open.sql) AND kind IN (\(kindList))
                AND collateral <= $\(kinds.count + 1) AND work <= $\(kinds.count + 2)
                AND attempts < max_attempts
                ORDER BY effective_deadline, created_at \(tail)
                """,
                kinds.map { .text($0) } + [.int(maxCollateral), .double(maxWork)]
            )
        )
    }

    private static func candidates(_ rows: [SQLRow]) -> [LeaseCandidate] {
        rows.compactMap { r in
            r["id"].text.map {
                LeaseCandidate(
                    id: $0,
                    kind: r["kind"].text ?? "",
                    work: r["work"].double ?? 0,
                    collateral: r["collateral"].int ?? 0
                )
            }
        }
    }

    /// Claims OPEN job `id` in `jobs` for lease `leaseId`: LEASED, one more attempt, the lease recorded.
    /// Returns the job, or `nil` when it is no longer OPEN or has no attempts left.
    static func claimOpenJob(
        _ tx: any SQLTransaction,
        id: String,
        leaseId: String,
        at t: Int64
    ) async throws -> MovedJob? {
        let rows = try await tx.query(
            "UPDATE jobs SET state = \(JobState.leased.sql), seq = seq + 1, attempts = attempts + 1, lease_id = $1, updated_at = $2 WHERE id = $3 AND state = \(JobState.open.sql) AND attempts < max_attempts RETURNING \(jobColumns)",
            [.text(leaseId), .int(t), .text(id)]
        )
        guard let row = rows.first, let seq = row["seq"].int else { return nil }
        return MovedJob(job: jobFrom(row), seq: seq)
    }

    // MARK: - Reads

    /// Reads the proof column of job `id` from `jobs`: `nil` when there is no such job, `.some(nil)`
    /// when it has no proof yet, else the proof in base64.
    static func proof(_ tx: any SQLTransaction, job id: String) async throws -> String?? {
        guard let row = try await tx.query("SELECT proof FROM jobs WHERE id = $1", [.text(id)]).first else {
            return nil
        }
        return .some(row["proof"].text)
    }

    /// Reads one page of `jobs` (without proofs), newest first, optionally only those in `state`.
    static func jobs(_ tx: any SQLTransaction, state: JobState?, page: Page) async throws -> [Job] {
        let rows: [SQLRow]
        if let state {
            rows = try await tx.query(
                "SELECT \(jobColumns) FROM jobs WHERE state = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
                [.text(state.rawValue)] + bounds(page)
            )
        } else {
            rows = try await tx.query(
                "SELECT \(jobColumns) FROM jobs ORDER BY created_at DESC, id LIMIT $1 OFFSET $2",
                bounds(page)
            )
        }
        return rows.map(jobFrom)
    }

    /// Counts the rows of `jobs` in each state.
    static func jobCounts(_ tx: any SQLTransaction) async throws -> [JobState: Int64] {
        var out: [JobState: Int64] = [:]
        for r in try await tx.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state", []) {
            if let s = JobState(rawValue: r["state"].text ?? "") { out[s] = r["n"].int ?? 0 }
        }
        return out
    }

    /// Reads one page of job `id`'s log from `transitions`, in order.
    static func transitions(_ tx: any SQLTransaction, job id: String, page: Page) async throws -> [Transition] {
        try await tx.query(
            "SELECT * FROM transitions WHERE job_id = $1 ORDER BY seq LIMIT $2 OFFSET $3",
            [.text(id)] + bounds(page)
        ).map {
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
}
