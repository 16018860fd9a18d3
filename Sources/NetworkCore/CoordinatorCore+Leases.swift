import Foundation

/// Leases: granting within stake, slots and throughput; heartbeats, release, expiry and slashing,
/// and forgiving the coordinator's own downtime.
extension CoordinatorCore {
    // MARK: - Leases

    /// Leases an open job to `node`, most urgent first along the critical path, within the node's free
    /// stake (collateral), slots and measured throughput. A repeated call with the same `requestId`
    /// (or for a job the node already holds) returns the same lease. Returns `nil` when nothing fits.
    public func lease(node: String, requestId: String?, jobId: String? = nil) async throws -> LeaseGrant? {
        if let requestId { try Limits.check(requestId, "requestId", max: Limits.maxKeyLength) }
        if let jobId { try Limits.check(jobId, "jobId", max: Limits.maxKeyLength) }
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
                    "SELECT * FROM leases WHERE node = $1 AND job_id = $2 AND state = \(LeaseState.active.sql)",
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
                "SELECT COUNT(*) AS n, COALESCE(SUM(work), 0) AS w FROM leases WHERE node = $1 AND state = \(LeaseState.active.sql)",
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
                    "SELECT id, kind, work, collateral FROM jobs WHERE id = $1 AND state = \(JobState.open.sql)",
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
                    SELECT id, kind, work, collateral FROM jobs WHERE state = \(JobState.open.sql) AND kind IN (\(kindList))
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
                    "UPDATE jobs SET state = \(JobState.leased.sql), seq = seq + 1, attempts = attempts + 1, lease_id = $1, updated_at = $2 WHERE id = $3 AND state = \(JobState.open.sql) AND attempts < max_attempts RETURNING \(Self.jobColumns)",
                    [.text(leaseId), .int(t), .text(id)]
                )
                guard let claimedRow = claimed.first, let seq = claimedRow["seq"].int else { continue }
                let job = Self.jobFrom(claimedRow)
                let attempt = job.attempts
                let rescue = bounty > 0 ? ", rescue with bounty \(bounty)" : ""
                try await Self.recordTransition(
                    tx,
                    id,
                    seq: seq,
                    from: JobState.open.rawValue,
                    to: .leased,
                    at: t,
                    reason: "leased to \(node) as \(leaseId) (attempt \(attempt), collateral \(collateral)\(rescue))",
                    actor: node
                )
                _ = try await tx.query(
                    """
                    INSERT INTO leases (id, job_id, node, request_id, collateral, state, rescue, progress, work, created_at,
                      expires_at, updated_at, reason) VALUES ($1, $2, $3, $4, $5, \(LeaseState.active.sql), $6, 0, $7, $8, $9, $8, 'granted')
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
                    [NetworkEvent(type: .jobLeased, jobId: id, kind: job.kind, state: .leased, node: node, at: t)]
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
        try Limits.check(reason, "reason", min: 0, max: Limits.maxReasonLength)
        let t = now
        let result: (Lease, [NetworkEvent]) = try await db.transaction { tx in
            let lease = try await Self.ownedLease(tx, leaseId, node: node)
            guard lease.state == .active else {
                throw NetworkError.conflict("lease \(leaseId) is \(lease.state.rawValue)")
            }
            _ = try await tx.query(
                "UPDATE leases SET state = \(LeaseState.released.sql), updated_at = $1, reason = $2 WHERE id = $3",
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
                    type: .jobOpen,
                    jobId: j.id,
                    kind: j.kind,
                    state: .open,
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
        for row in try await tx.query(
            "SELECT * FROM leases WHERE job_id = $1 AND state = \(LeaseState.active.sql)",
            [.text(id)]
        ) {
            let l = leaseFrom(row)
            _ = try await tx.query(
                "UPDATE leases SET state = \(LeaseState.superseded.sql), updated_at = $1, reason = 'job failed' WHERE id = $2",
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
        var events = [NetworkEvent(type: .jobFailed, jobId: id, kind: job.kind, state: .failed, at: now)]
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

    /// Records that the coordinator is serving, and forgives its own downtime. The serving process
    /// calls this before every lease sweep. When more than `outageAfterMillis` passed since the last
    /// call (the process was down, or storage was unreachable), no node could heartbeat meanwhile,
    /// so every lease that was still live when the coordinator was last seen alive gets a full lease
    /// period from now: an honest node is never slashed for the coordinator's outage. Leases already
    /// overdue before the outage are left to the sweep. Returns the number of leases extended.
    @discardableResult
    public func markAlive(outageAfterMillis: Int64) async throws -> Int {
        let t = now
        let leaseMillis = config.leaseMillis
        let logger = self.logger
        return try await db.transaction { tx in
            let last = try await tx.query("SELECT value FROM meta WHERE key = 'alive'", []).first?["value"].int
            var extended = 0
            if last.map({ t - $0 > outageAfterMillis }) ?? true {
                let since = last ?? Int64.min
                let down = last.map { "\(t - $0) ms" } ?? "an unknown time"
                extended = try await tx.query(
                    "UPDATE leases SET expires_at = $1, reason = $2 WHERE state = \(LeaseState.active.sql) AND expires_at >= $3 AND expires_at < $1 RETURNING id",
                    [.int(t + leaseMillis), .text("extended after a coordinator outage of \(down)"), .int(since)]
                ).count
                if extended > 0 {
                    logger.notice(
                        "coordinator outage: live leases extended",
                        metadata: ["down": .string(down), "leases": .stringConvertible(extended)]
                    )
                }
            }
            _ = try await tx.query(
                "INSERT INTO meta (key, value) VALUES ('alive', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [.int(t)]
            )
            return extended
        }
    }

    /// Expires every active lease past its time: half its collateral is burned, half becomes a bounty for
    /// whoever rescues the job, and the job reopens (or fails without attempts left).
    @discardableResult
    public func expireLeases() async throws -> Int {
        let t = now
        let due = try await db.transaction { tx in
            try await tx.query(
                "SELECT id FROM leases WHERE state = \(LeaseState.active.sql) AND expires_at < $1 ORDER BY expires_at LIMIT 256",
                [.int(t)]
            )
        }
        var count = 0
        for row in due {
            guard let leaseId = row["id"].text else { continue }
            let events: [NetworkEvent] = try await db.transaction { tx in
                let rows = try await tx.query(
                    "UPDATE leases SET state = \(LeaseState.expired.sql), updated_at = $1, reason = $2 WHERE id = $3 AND state = \(LeaseState.active.sql) AND expires_at < $1 RETURNING *",
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
                    NetworkEvent(type: .leaseExpired, jobId: lease.jobId, node: lease.node, at: t)
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
}
