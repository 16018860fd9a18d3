import Foundation

/// Jobs: submission (idempotent by request key), the dependency DAG and the recorded state machine.
extension CoordinatorCore {
    // MARK: - Jobs

    /// Submits a proof request; the reward moves from the requester's wallet to escrow. The request
    /// is validated in full first. The same requester and request key then always return the same
    /// job (`created` is false the second time), provided the request is the same (kind, input,
    /// reward, collateral, attempts, role, dependencies); a different request under a used key is 409.
    public func submitJob(requester: String, request r: JobRequest) async throws -> (job: Job, created: Bool) {
        try Limits.check(r.requestKey, "requestKey", max: Limits.maxKeyLength)
        guard let kind = kinds[r.kind] else { throw NetworkError.badRequest("unknown proof kind \(r.kind)") }
        guard r.input.utf8.count <= config.maxInputBytes * 4 / 3 + 4, let input = Data(base64Encoded: r.input) else {
            throw NetworkError.badRequest("input must be base64 of at most \(config.maxInputBytes) bytes")
        }
        let work: Double
        do { work = try kind.estimateWork(input: [UInt8](input)) } catch {
            throw NetworkError.badRequest("input rejected by \(r.kind): \(error)")
        }
        guard work >= 0, work <= Limits.maxWork else {
            throw NetworkError.badRequest("\(r.kind) estimates \(work) work units, outside 0...\(Limits.maxWork)")
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
        for d in deps { try Limits.check(d, "a dependency id", max: Limits.maxKeyLength) }
        if let range = kind.dependencyProofs, !range.contains(deps.count) {
            let wanted = range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw NetworkError.badRequest("\(r.kind) jobs build on \(wanted) dependencies' proofs, not \(deps.count)")
        }
        let t = now
        let deadline = t + Int64(r.deadlineSeconds * 1000)
        let id = newID("job", now: t)
        let role = r.role ?? (deps.isEmpty ? .shard : .aggregate)
        let logger = self.logger
        let result: (Job, Bool, [NetworkEvent]) = try await db.transaction { tx in
            if let existing = try await CoordinatorStore.job(tx, requester: requester, requestKey: r.requestKey) {
                let same =
                    existing.kind == r.kind && existing.input == r.input && existing.reward == r.reward
                    && existing.collateral == collateral && existing.maxAttempts == maxAttempts
                    && existing.role == role && existing.dependsOn == deps
                guard same else {
                    throw NetworkError.conflict(
                        "requestKey \(r.requestKey) already names job \(existing.id), a different request"
                    )
                }
                return (existing, false, [])
            }
            // A job whose collateral exceeds every token in existence could never be leased.
            let supply = try await Ledger.supply(tx)
            guard collateral <= supply else {
                throw NetworkError.badRequest(
                    "collateral \(collateral) exceeds the total supply \(supply): no node could ever lock it"
                )
            }
            var pending: Int64 = 0
            for d in deps {
                guard let s = try await CoordinatorStore.jobState(tx, id: d) else {
                    throw NetworkError.badRequest("unknown dependency \(d)")
                }
                if s == .failed { throw NetworkError.conflict("dependency \(d) has failed") }
                if !s.isProven { pending += 1 }
            }
            try await CoordinatorStore.insertJob(
                tx,
                id: id,
                requester: requester,
                requestKey: r.requestKey,
                kind: r.kind,
                role: role,
                input: r.input,
                work: work,
                reward: r.reward,
                collateral: collateral,
                deadline: deadline,
                maxAttempts: maxAttempts,
                pendingDependencies: pending,
                dependsOn: deps,
                at: t
            )
            try await CoordinatorStore.recordTransition(
                tx,
                id,
                seq: 1,
                from: nil,
                to: .created,
                at: t,
                reason:
                    "requested by \(requester): kind \(r.kind), work \(work), reward \(r.reward), deadline \(deadline)",
                actor: requester
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
            for d in deps { try await CoordinatorStore.insertDependency(tx, job: id, on: d) }
            // Critical path: each dependency must finish early enough for this job to be proven in time.
            try await Self.tightenDeadlines(tx, deps: deps, before: deadline - Int64(work.rounded(.up)))
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
            return (try await CoordinatorStore.job(tx, id: id)!, true, events)
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
            guard let job = try await CoordinatorStore.lowerEffectiveDeadline(tx, id: id, to: limit) else { continue }
            let work = min(max(job.work, 0), Limits.maxWork)
            for d in job.dependsOn {
                frontier.append((d, limit &- Int64(work.rounded(.up))))
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
                type: .jobOpen,
                jobId: id,
                kind: job.kind,
                state: .open,
                work: job.work,
                effectiveDeadline: job.effectiveDeadline,
                at: now
            )
        ]
    }

    /// Atomically moves job `id` from one of `from` to `to` (also writing `also`) and records the
    /// transition; throws 404 when there is no such job and 409 when it is in another state.
    @discardableResult
    static func transition(
        _ tx: any SQLTransaction,
        _ id: String,
        from: [JobState],
        to: JobState,
        reason: String,
        actor: String,
        now: Int64,
        also: JobUpdate = .stateOnly
    ) async throws -> Job {
        guard let moved = try await CoordinatorStore.moveJob(tx, id, from: from, to: to, at: now, also: also) else {
            guard let current = try await CoordinatorStore.jobState(tx, id: id) else {
                throw NetworkError.notFound("no job \(id)")
            }
            throw NetworkError.conflict(
                "job \(id) is \(current.rawValue), not \(from.map(\.rawValue).joined(separator: "/"))"
            )
        }
        var fromState = from.count == 1 ? from[0].rawValue : nil
        if fromState == nil {
            fromState = try await CoordinatorStore.recordedState(tx, job: id, seq: moved.seq - 1)
        }
        try await CoordinatorStore.recordTransition(
            tx,
            id,
            seq: moved.seq,
            from: fromState,
            to: to,
            at: now,
            reason: reason,
            actor: actor
        )
        return moved.job
    }

    /// Marks a requester's proven job as consumed (its proof has been used).
    public func consume(requester: String, jobId: String) async throws -> Job {
        let t = now
        return try await db.transaction { tx in
            guard let job = try await CoordinatorStore.job(tx, id: jobId) else {
                throw NetworkError.notFound("no job \(jobId)")
            }
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
}
