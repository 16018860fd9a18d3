import Foundation

/// Reads: single rows, paged lists, the ledger check, and row mapping.
extension CoordinatorCore {
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
            throw NetworkError.conflict("job \(id) has no verified proof yet")
        }
        return [UInt8](data)
    }

    /// One page of jobs, newest first, optionally in one state.
    public func jobs(state: JobState? = nil, page: Page = .first) async throws -> [Job] {
        try await db.transaction { tx in
            let rows: [SQLRow]
            if let state {
                rows = try await tx.query(
                    "SELECT \(Self.jobColumns) FROM jobs WHERE state = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
                    [.text(state.rawValue), .int(Int64(page.limit)), .int(Int64(page.offset))]
                )
            } else {
                rows = try await tx.query(
                    "SELECT \(Self.jobColumns) FROM jobs ORDER BY created_at DESC, id LIMIT $1 OFFSET $2",
                    [.int(Int64(page.limit)), .int(Int64(page.offset))]
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

    /// One page of the stored transitions of a job, in order.
    public func transitions(_ id: String, page: Page = .first) async throws -> [Transition] {
        let rows = try await db.transaction { tx in
            guard try await Self.jobByID(tx, id) != nil else { throw NetworkError.notFound("no job \(id)") }
            return try await tx.query(
                "SELECT * FROM transitions WHERE job_id = $1 ORDER BY seq LIMIT $2 OFFSET $3",
                [.text(id), .int(Int64(page.limit)), .int(Int64(page.offset))]
            )
        }
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

    /// One page of the leases of a job (404 when the job does not exist), oldest first.
    public func leases(jobId: String, page: Page = .first) async throws -> [Lease] {
        try await db.transaction { tx in
            guard try await Self.jobByID(tx, jobId) != nil else { throw NetworkError.notFound("no job \(jobId)") }
            return try await tx.query(
                "SELECT * FROM leases WHERE job_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
                [.text(jobId), .int(Int64(page.limit)), .int(Int64(page.offset))]
            ).map(Self.leaseFrom)
        }
    }

    /// One page of the leases of a node, oldest first.
    public func leases(node: String, page: Page = .first) async throws -> [Lease] {
        try await db.transaction { tx in
            try await tx.query(
                "SELECT * FROM leases WHERE node = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
                [.text(node), .int(Int64(page.limit)), .int(Int64(page.offset))]
            ).map(Self.leaseFrom)
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
        guard let n = try await nodes(address: address, page: .first).first else {
            throw NetworkError.notFound("no node \(address)")
        }
        return n
    }

    /// One page of the nodes in address order (or the one with `address`).
    public func nodes(address: String? = nil, page: Page = .first) async throws -> [NodeInfo] {
        try await db.transaction { tx in
            let rows =
                address == nil
                ? try await tx.query(
                    "SELECT * FROM nodes ORDER BY address LIMIT $1 OFFSET $2",
                    [.int(Int64(page.limit)), .int(Int64(page.offset))]
                )
                : try await tx.query("SELECT * FROM nodes WHERE address = $1", [.text(address!)])
            var out: [NodeInfo] = []
            for r in rows {
                let a = r["address"].text ?? ""
                let active = try await tx.query(
                    "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(collateral), 0) AS BIGINT) AS c FROM leases WHERE node = $1 AND state = \(LeaseState.active.sql)",
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

    /// One page of the accounts with their balances, in account order.
    public func accounts(page: Page = .first) async throws -> [String: Int64] {
        try await db.transaction { tx in
            var out: [String: Int64] = [:]
            for r in try await tx.query(
                "SELECT id, balance FROM accounts ORDER BY id LIMIT $1 OFFSET $2",
                [.int(Int64(page.limit)), .int(Int64(page.offset))]
            ) {
                out[r["id"].text ?? ""] = r["balance"].int ?? 0
            }
            return out
        }
    }

    /// One page of the ledger entries of a job (oldest first), or of all entries (newest first).
    public func entries(jobId: String? = nil, page: Page = .first) async throws -> [LedgerEntry] {
        try await db.transaction { tx in
            let bounds: [SQLValue] = [.int(Int64(page.limit)), .int(Int64(page.offset))]
            let rows =
                jobId == nil
                ? try await tx.query("SELECT * FROM entries ORDER BY at DESC, id LIMIT $1 OFFSET $2", bounds)
                : try await tx.query(
                    "SELECT * FROM entries WHERE job_id = $3 ORDER BY at, id LIMIT $1 OFFSET $2",
                    bounds + [.text(jobId!)]
                )
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
