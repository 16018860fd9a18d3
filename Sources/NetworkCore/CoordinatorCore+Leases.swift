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
            if let requestId, let lease = try await CoordinatorStore.lease(tx, node: node, requestId: requestId) {
                return (LeaseGrant(lease: lease, job: try await CoordinatorStore.job(tx, id: lease.jobId)!), [])
            }
            if let jobId, let lease = try await CoordinatorStore.activeLease(tx, node: node, job: jobId) {
                return (LeaseGrant(lease: lease, job: try await CoordinatorStore.job(tx, id: lease.jobId)!), [])
            }
            guard let capacity = try await CoordinatorStore.nodeCapacity(tx, markingSeen: node, at: t) else {
                throw NetworkError.forbidden("node \(node) is not registered")
            }
            let nodeKinds = capacity.kinds
            let active = try await CoordinatorStore.activeLoad(tx, node: node)
            guard active.count < capacity.slots else { return (nil, []) }
            let freeStake = try await Ledger.balance(tx, Ledger.stake(node))
            // Capacity: all leased work must be provable within one lease period at the measured speed.
            let workBudget = capacity.workPerSecond * Double(leaseMillis) / 1000 - active.work
            let candidates: [LeaseCandidate]
            if let jobId {
                candidates = try await CoordinatorStore.leaseCandidate(tx, id: jobId)
            } else {
                // Most urgent first along the critical path. On PostgreSQL the chosen row is locked and
                // rows that concurrent lease transactions are claiming are skipped (see the store).
                candidates = try await CoordinatorStore.leaseCandidates(
                    tx,
                    engine: engine,
                    kinds: nodeKinds,
                    maxCollateral: freeStake,
                    maxWork: workBudget
                )
            }
            for c in candidates {
                guard nodeKinds.contains(c.kind) else { continue }
                let id = c.id
                let collateral = c.collateral
                let work = c.work
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
                guard let claimed = try await CoordinatorStore.claimOpenJob(tx, id: id, leaseId: leaseId, at: t) else {
                    continue
                }
                let job = claimed.job
                let attempt = job.attempts
                let rescue = bounty > 0 ? ", rescue with bounty \(bounty)" : ""
                try await CoordinatorStore.recordTransition(
                    tx,
                    id,
                    seq: claimed.seq,
                    from: JobState.open.rawValue,
                    to: .leased,
                    at: t,
                    reason: "leased to \(node) as \(leaseId) (attempt \(attempt), collateral \(collateral)\(rescue))",
                    actor: node
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
                try await CoordinatorStore.insertLease(tx, lease, work: work)
                try await Ledger.transfer(
                    tx,
                    from: Ledger.stake(node),
                    to: Ledger.lease(leaseId),
                    amount: collateral,
                    memo: "lease collateral",
                    jobId: id,
                    now: t
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
            try await CoordinatorStore.recordProgress(
                tx,
                lease: leaseId,
                progress: p,
                expiresAt: t + leaseMillis,
                at: t
            )
            try await CoordinatorStore.markSeen(tx, node: node, at: t)
            if let job = try await CoordinatorStore.job(tx, id: lease.jobId), job.state == .leased,
                job.leaseId == leaseId
            {
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
            return try await CoordinatorStore.lease(tx, id: leaseId)!
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
            try await CoordinatorStore.endLease(tx, leaseId, as: .released, reason: "released: \(reason)", at: t)
            try await Ledger.sweep(
                tx,
                Ledger.lease(leaseId),
                to: Ledger.stake(node),
                memo: "collateral returned on release",
                jobId: lease.jobId,
                now: t
            )
            var events: [NetworkEvent] = []
            if let job = try await CoordinatorStore.job(tx, id: lease.jobId), job.leaseId == leaseId,
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
            return (try await CoordinatorStore.lease(tx, id: leaseId)!, events)
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
                also: .clearLease
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
        for l in try await CoordinatorStore.activeLeases(tx, job: id) {
            try await CoordinatorStore.endLease(tx, l.id, as: .superseded, reason: "job failed", at: now)
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
        for dependent in try await CoordinatorStore.dependents(tx, of: id) {
            guard let d = try await CoordinatorStore.job(tx, id: dependent) else { continue }
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
            let last = try await CoordinatorStore.lastAlive(tx)
            var extended = 0
            if last.map({ t - $0 > outageAfterMillis }) ?? true {
                let since = last ?? Int64.min
                let down = last.map { "\(t - $0) ms" } ?? "an unknown time"
                extended = try await CoordinatorStore.extendLiveLeases(
                    tx,
                    since: since,
                    to: t + leaseMillis,
                    reason: "extended after a coordinator outage of \(down)"
                )
                if extended > 0 {
                    logger.notice(
                        "coordinator outage: live leases extended",
                        metadata: ["down": .string(down), "leases": .stringConvertible(extended)]
                    )
                }
            }
            try await CoordinatorStore.setAlive(tx, at: t)
            return extended
        }
    }

    /// Expires every active lease past its time: half its collateral is burned, half becomes a bounty for
    /// whoever rescues the job, and the job reopens (or fails without attempts left).
    @discardableResult
    public func expireLeases() async throws -> Int {
        let t = now
        let due = try await db.transaction { tx in try await CoordinatorStore.overdueLeases(tx, at: t) }
        var count = 0
        for leaseId in due {
            let events: [NetworkEvent] = try await db.transaction { tx in
                guard
                    let lease = try await CoordinatorStore.expireLease(
                        tx,
                        leaseId,
                        reason: "expired without heartbeat",
                        at: t
                    )
                else { return [] }
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
                try await CoordinatorStore.countExpiredLease(tx, node: lease.node)
                var events = [
                    NetworkEvent(type: .leaseExpired, jobId: lease.jobId, node: lease.node, at: t)
                ]
                if let job = try await CoordinatorStore.job(tx, id: lease.jobId), job.leaseId == leaseId,
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
