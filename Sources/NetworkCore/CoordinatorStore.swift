import Foundation

/// The coordinator's SQL: every statement on its tables but the ledger's (``Ledger`` owns `accounts`
/// and `entries` postings). Each function runs inside the caller's transaction and returns model
/// types or small structs, never rows; ``CoordinatorCore`` keeps the rules (validation, the state
/// machine's decisions, ledger transfers, events) and decides where transactions begin and end.
/// The statements run unchanged on SQLite and PostgreSQL (see ``SQLTransaction``).
///
/// The functions live in one file per table group: `+Jobs` (jobs, job_deps, transitions), `+Leases`
/// (leases and the coordinator's `meta` row), `+Nodes` and `+Sessions` (challenges, sessions,
/// nonces); this file holds row mapping and the ledger listings.
enum CoordinatorStore {
    // MARK: - Row mapping

    /// The columns ``jobFrom(_:)`` reads: every column but the proof itself (up to megabytes), which
    /// only ``proof(_:job:)`` reads.
    static let jobColumns = """
        id, request_key, requester, kind, role, input, work, reward, collateral, deadline, effective_deadline, state, \
        seq, attempts, max_attempts, pending_deps, depends_on, lease_id, prover, \
        CASE WHEN proof IS NULL THEN 0 ELSE 1 END AS has_proof, created_at, updated_at
        """

    /// A job from a row holding ``jobColumns``.
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

    /// A lease from a full `leases` row.
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

    /// The `LIMIT` and `OFFSET` binds of a page.
    static func bounds(_ page: Page) -> [SQLValue] {
        [.int(Int64(page.limit)), .int(Int64(page.offset))]
    }

    // MARK: - Ledger listings

    /// Reads one page of `accounts` (id and balance) in id order.
    static func accounts(_ tx: any SQLTransaction, page: Page) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for r in try await tx.query("SELECT id, balance FROM accounts ORDER BY id LIMIT $1 OFFSET $2", bounds(page)) {
            out[r["id"].text ?? ""] = r["balance"].int ?? 0
        }
        return out
    }

    /// Reads one page of `entries`: those of `job` oldest first, or (without a job) all of them
    /// newest first.
    static func entries(_ tx: any SQLTransaction, job: String?, page: Page) async throws -> [LedgerEntry] {
        let rows =
            job == nil
            ? try await tx.query("SELECT * FROM entries ORDER BY at DESC, id LIMIT $1 OFFSET $2", bounds(page))
            : try await tx.query(
                "SELECT * FROM entries WHERE job_id = $3 ORDER BY at, id LIMIT $1 OFFSET $2",
                bounds(page) + [.text(job!)]
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

extension JobState {
    /// The state as an SQL string literal, for statements that name a state.
    var sql: String { "'\(rawValue)'" }
}

extension LeaseState {
    /// The state as an SQL string literal, for statements that name a state.
    var sql: String { "'\(rawValue)'" }
}
