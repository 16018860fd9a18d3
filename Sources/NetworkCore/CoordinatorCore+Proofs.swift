import Algebra
import Foundation
import NIOPosix

/// Proofs: verification off the request threads, then acceptance (reward, bounty, dependents) or
/// rejection (slashing).
extension CoordinatorCore {
    // MARK: - Proofs

    /// Accepts a proof for a lease. The proof is verified before anything is paid: a valid proof moves
    /// the job to VERIFIED (or, for a final job, on to PAID), pays the reward and any rescue bounty, and
    /// returns the collateral; an invalid one is rejected (422), its collateral slashed (half burned, half
    /// to the rescuer's bounty) and the job reopened. A holder whose lease expired may still submit: a
    /// valid late proof is accepted while the job is unproven.
    public func submitProof(node: String, leaseId: String, proof: [UInt8]) async throws -> SubmitResult {
        let received = now
        guard proof.count <= config.maxProofBytes else {
            throw NetworkError.tooLarge("proof exceeds \(config.maxProofBytes) bytes")
        }
        let (lease, job) = try await db.transaction { tx in
            let lease = try await Self.ownedLease(tx, leaseId, node: node)
            guard let job = try await CoordinatorStore.job(tx, id: lease.jobId) else {
                throw NetworkError.notFound("no job")
            }
            return (lease, job)
        }
        try Self.checkSubmittable(lease, job)
        guard let kind = kinds[job.kind] else { throw NetworkError.conflict("proof kind \(job.kind) no longer known") }
        let input = [UInt8](Data(base64Encoded: job.input) ?? Data())
        // A kind that builds on its dependencies' proofs verifies against the stored ones.
        let dependencies = kind.dependencyProofs == nil ? [] : try await dependencyProofs(of: job)
        // Verification takes milliseconds of CPU: it runs on the verifier threads, not on the task's
        // (cooperative) thread, so short requests such as leases are not queued behind proofs.
        let (failure, elapsed): (String?, Duration) = try await Self.verifierThreads.runIfActive {
            let start = ContinuousClock.now
            var failure: String? = nil
            do throws(ProofKindError) {
                try kind.verify(input: input, proof: proof, dependencies: dependencies)
            } catch {
                failure = error.message
            }
            return (failure, ContinuousClock.now - start)
        }
        let verifyMillis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let t = now
        let proofText = Data(proof).base64EncodedString()
        let failureReason = failure
        let result: (SubmitResult, [NetworkEvent]) = try await db.transaction { tx in
            let lease = try await Self.ownedLease(tx, leaseId, node: node)
            guard let job = try await CoordinatorStore.job(tx, id: lease.jobId) else {
                throw NetworkError.notFound("no job")
            }
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

    /// The verified proofs of `job`'s dependencies, as its kind reads them (in `dependsOn` order,
    /// which is by job id: kinds must not rely on it). Every dependency of a job that can be leased
    /// is proven; one without a stored proof is a conflict.
    public func dependencyProofs(of job: Job) async throws -> [ProofDependency] {
        try await db.transaction { tx in
            var out: [ProofDependency] = []
            for id in job.dependsOn {
                guard let dep = try await CoordinatorStore.job(tx, id: id),
                    let stored = try await CoordinatorStore.proof(tx, job: id), let text = stored,
                    let proof = Data(base64Encoded: text), let input = Data(base64Encoded: dep.input)
                else { throw NetworkError.conflict("dependency \(id) of job \(job.id) has no verified proof") }
                out.append(ProofDependency(jobId: id, kind: dep.kind, input: [UInt8](input), proof: [UInt8](proof)))
            }
            return out
        }
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
        try await CoordinatorStore.completeLease(
            tx,
            lease.id,
            reason: late ? "late proof verified" : "proof verified",
            at: t
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
        var superseded: [String] = []
        for other in try await CoordinatorStore.activeLeases(tx, job: job.id, except: lease.id) {
            if other.node != node && !superseded.contains(other.node) { superseded.append(other.node) }
            try await CoordinatorStore.endLease(tx, other.id, as: .superseded, reason: "job proven by \(node)", at: t)
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
            also: .proof(proof, prover: node)
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
        try await CoordinatorStore.countVerifiedProof(tx, node: node, provingMillis: provingMs, at: t)
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
        let bounty = try await payBounty(tx, job: job, prover: node, rescuers: superseded, now: t)
        var events = [
            NetworkEvent(type: .jobVerified, jobId: job.id, kind: job.kind, state: .verified, node: node, at: t)
        ]
        // Dependencies whose proofs this job used are consumed.
        for dep in job.dependsOn {
            if let d = try await CoordinatorStore.job(tx, id: dep), d.state == .verified {
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
        for dependent in try await CoordinatorStore.resolveDependency(tx, job.id) where dependent.pending == 0 {
            events += try await openJob(tx, id: dependent.id, reason: "all dependencies verified", now: t)
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

    /// Pays out a proven job's bounty: the collateral slashed from its earlier holders. The prover
    /// collects it, except what was slashed from its own leases, since a node never earns back its own
    /// slash (a late proof from an expired holder). That part goes to the rescuers whose leases the
    /// proof superseded, split evenly (the remainder to the earliest), or to the requester when no
    /// rescuer holds a lease. Returns what the prover collected.
    static func payBounty(
        _ tx: any SQLTransaction,
        job: Job,
        prover: String,
        rescuers: [String],
        now t: Int64
    ) async throws -> Int64 {
        let account = Ledger.bounty(job.id)
        let total = try await Ledger.balance(tx, account)
        guard total > 0 else { return 0 }
        let own = try await CoordinatorStore.slashed(tx, job: job.id, into: account, from: prover)
        let collected = min(max(total - own, 0), total)
        try await Ledger.transfer(
            tx,
            from: account,
            to: Ledger.wallet(prover),
            amount: collected,
            memo: "rescue bounty",
            jobId: job.id,
            now: t
        )
        let rest = total - collected
        guard rest > 0 else { return collected }
        guard !rescuers.isEmpty else {
            try await Ledger.transfer(
                tx,
                from: account,
                to: Ledger.wallet(job.requester),
                amount: rest,
                memo: "bounty: the late prover's own slash goes to the requester",
                jobId: job.id,
                now: t
            )
            return collected
        }
        let share = rest / Int64(rescuers.count)
        for (i, rescuer) in rescuers.enumerated() {
            try await Ledger.transfer(
                tx,
                from: account,
                to: Ledger.wallet(rescuer),
                amount: share + (i == 0 ? rest % Int64(rescuers.count) : 0),
                memo: "bounty: rescue lease superseded by the slashed holder's late proof",
                jobId: job.id,
                now: t
            )
        }
        return collected
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
        try await CoordinatorStore.endLease(tx, lease.id, as: .rejected, reason: "invalid proof: \(reason)", at: t)
        try await CoordinatorStore.countRejectedProof(tx, node: node)
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
        events.append(NetworkEvent(type: .proofRejected, jobId: job.id, kind: job.kind, node: node, at: t))
        return (
            SubmitResult(
                jobId: job.id,
                leaseId: lease.id,
                accepted: false,
                state: try await CoordinatorStore.job(tx, id: job.id)!.state,
                reward: 0,
                bounty: 0,
                slashed: slashed,
                verifyMillis: verifyMillis,
                reason: "invalid proof: \(reason)"
            ), events
        )
    }
}

/// Thrown by ``CoordinatorCore/submitProof(node:leaseId:proof:)`` when a proof fails verification;
/// the rejection (and slashing) has been committed.
public struct SubmitRejection: Error, Sendable {
    public var result: SubmitResult
}
