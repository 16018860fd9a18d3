import Foundation

/// Leases (`leases`) and the coordinator's liveness mark (`meta`).
extension CoordinatorStore {
    // MARK: - Leases

    /// Reads lease `id` from `leases`, or `nil`.
    static func lease(_ tx: any SQLTransaction, id: String) async throws -> Lease? {
        try await tx.query("SELECT * FROM leases WHERE id = $1", [.text(id)]).first.map(leaseFrom)
    }

    /// Reads from `leases` the lease `node` was granted for request `requestId` (in any state), or `nil`.
    static func lease(_ tx: any SQLTransaction, node: String, requestId: String) async throws -> Lease? {
        try await tx.query(
            "SELECT * FROM leases WHERE node = $1 AND request_id = $2",
            [.text(node), .text(requestId)]
        ).first.map(leaseFrom)
    }

    /// Reads from `leases` the ACTIVE lease `node` holds on job `jobId`, or `nil`.
    static func activeLease(_ tx: any SQLTransaction, node: String, job jobId: String) async throws -> Lease? {
        try await tx.query(
            "SELECT * FROM leases WHERE node = $1 AND job_id = $2 AND state = \(LeaseState.active.sql)",
            [.text(node), .text(jobId)]
        ).first.map(leaseFrom)
    }

    /// Counts the ACTIVE leases of `node` in `leases` and sums their work.
    static func activeLoad(_ tx: any SQLTransaction, node: String) async throws -> (count: Int64, work: Double) {
        let row = try await tx.query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(work), 0) AS w FROM leases WHERE node = $1 AND state = \(LeaseState.active.sql)",
            [.text(node)]
        ).first
        return (row?["n"].int ?? 0, row?["w"].double ?? 0)
    }

    /// Counts the ACTIVE leases of `node` in `leases` and sums their collateral.
    static func activeCollateral(
        _ tx: any SQLTransaction,
        node: String
    ) async throws -> (count: Int64, collateral: Int64) {
        let row = try await tx.query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(collateral), 0) AS BIGINT) AS c FROM leases WHERE node = $1 AND state = \(LeaseState.active.sql)",
            [.text(node)]
        ).first
        return (row?["n"].int ?? 0, row?["c"].int ?? 0)
    }

    /// Reads the ACTIVE leases on job `jobId` from `leases`.
    static func activeLeases(_ tx: any SQLTransaction, job jobId: String) async throws -> [Lease] {
        try await tx.query(
            "SELECT * FROM leases WHERE job_id = $1 AND state = \(LeaseState.active.sql)",
            [.text(jobId)]
        ).map(leaseFrom)
    }

    /// Reads the ACTIVE leases on job `jobId` but lease `except` from `leases`, oldest first.
    static func activeLeases(_ tx: any SQLTransaction, job jobId: String, except: String) async throws -> [Lease] {
        try await tx.query(
            "SELECT * FROM leases WHERE job_id = $1 AND state = \(LeaseState.active.sql) AND id <> $2 ORDER BY created_at, id",
            [.text(jobId), .text(except)]
        ).map(leaseFrom)
    }

    /// Inserts a newly granted lease into `leases`, with the work of its job (counted against the
    /// node's throughput while the lease is active).
    static func insertLease(_ tx: any SQLTransaction, _ lease: Lease, work: Double) async throws {
        _ = try await tx.query(
            """
            INSERT INTO leases (id, job_id, node, request_id, collateral, state, rescue, progress, work, created_at,
              expires_at, updated_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """,
            [
                .text(lease.id), .text(lease.jobId), .text(lease.node), lease.requestId.map { .text($0) } ?? .null,
                .int(lease.collateral), .text(lease.state.rawValue), .int(lease.rescue ? 1 : 0),
                .double(lease.progress), .double(work), .int(lease.createdAt), .int(lease.expiresAt),
                .int(lease.updatedAt), .text(lease.reason),
            ]
        )
    }

    /// Writes a heartbeat to lease `id` in `leases`: its progress and new expiry.
    static func recordProgress(
        _ tx: any SQLTransaction,
        lease id: String,
        progress: Double,
        expiresAt: Int64,
        at t: Int64
    ) async throws {
        _ = try await tx.query(
            "UPDATE leases SET progress = $1, expires_at = $2, updated_at = $3 WHERE id = $4",
            [.double(progress), .int(expiresAt), .int(t), .text(id)]
        )
    }

    /// Ends lease `id` in `leases`: sets its state (released, rejected or superseded) and reason.
    static func endLease(
        _ tx: any SQLTransaction,
        _ id: String,
        as state: LeaseState,
        reason: String,
        at t: Int64
    ) async throws {
        _ = try await tx.query(
            "UPDATE leases SET state = \(state.sql), updated_at = $1, reason = $2 WHERE id = $3",
            [.int(t), .text(reason), .text(id)]
        )
    }

    /// Marks lease `id` in `leases` COMPLETED (progress 1) with `reason`.
    static func completeLease(_ tx: any SQLTransaction, _ id: String, reason: String, at t: Int64) async throws {
        _ = try await tx.query(
            "UPDATE leases SET state = \(LeaseState.completed.sql), progress = 1, updated_at = $1, reason = $2 WHERE id = $3",
            [.int(t), .text(reason), .text(id)]
        )
    }

    /// Reads from `leases` the ids of up to 256 ACTIVE leases that expired before `t`, earliest first.
    static func overdueLeases(_ tx: any SQLTransaction, at t: Int64) async throws -> [String] {
        try await tx.query(
            "SELECT id FROM leases WHERE state = \(LeaseState.active.sql) AND expires_at < $1 ORDER BY expires_at LIMIT 256",
            [.int(t)]
        ).compactMap { $0["id"].text }
    }

    /// Marks lease `id` in `leases` EXPIRED with `reason` if it is still ACTIVE and past its expiry at
    /// `t`; returns the expired lease, or `nil` when it was not.
    static func expireLease(_ tx: any SQLTransaction, _ id: String, reason: String, at t: Int64) async throws -> Lease?
    {
        try await tx.query(
            "UPDATE leases SET state = \(LeaseState.expired.sql), updated_at = $1, reason = $2 WHERE id = $3 AND state = \(LeaseState.active.sql) AND expires_at < $1 RETURNING *",
            [.int(t), .text(reason), .text(id)]
        ).first.map(leaseFrom)
    }

    /// Gives every ACTIVE lease in `leases` that was still live at `since` and expires before
    /// `expiresAt` the expiry `expiresAt` and `reason`; returns how many it extended.
    static func extendLiveLeases(
        _ tx: any SQLTransaction,
        since: Int64,
        to expiresAt: Int64,
        reason: String
    ) async throws -> Int {
        try await tx.query(
            "UPDATE leases SET expires_at = $1, reason = $2 WHERE state = \(LeaseState.active.sql) AND expires_at >= $3 AND expires_at < $1 RETURNING id",
            [.int(expiresAt), .text(reason), .int(since)]
        ).count
    }

    /// Sums from `entries` what ledger entries of job `jobId` moved into `account` from the lease
    /// accounts of `node`'s leases (joined with `leases`): the collateral slashed from that node.
    static func slashed(
        _ tx: any SQLTransaction,
        job jobId: String,
        into account: String,
        from node: String
    ) async throws -> Int64 {
        try await tx.query(
            """
            SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) AS own FROM entries e
            JOIN leases l ON e.debit = '\(Ledger.lease(""))' || l.id
            WHERE e.job_id = $1 AND e.credit = $2 AND l.node = $3
            """,
            [.text(jobId), .text(account), .text(node)]
        ).first?["own"].int ?? 0
    }

    /// Reads one page of job `jobId`'s leases from `leases`, oldest first.
    static func leases(_ tx: any SQLTransaction, job jobId: String, page: Page) async throws -> [Lease] {
        try await tx.query(
            "SELECT * FROM leases WHERE job_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
            [.text(jobId)] + bounds(page)
        ).map(leaseFrom)
    }

    /// Reads one page of `node`'s leases from `leases`, oldest first.
    static func leases(_ tx: any SQLTransaction, node: String, page: Page) async throws -> [Lease] {
        try await tx.query(
            "SELECT * FROM leases WHERE node = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
            [.text(node)] + bounds(page)
        ).map(leaseFrom)
    }

    // MARK: - Liveness

    /// Reads from `meta` when the serving coordinator was last seen alive, or `nil` (never).
    static func lastAlive(_ tx: any SQLTransaction) async throws -> Int64? {
        try await tx.query("SELECT value FROM meta WHERE key = 'alive'", []).first?["value"].int
    }

    /// Writes `t` to `meta` as the time the serving coordinator was last seen alive.
    static func setAlive(_ tx: any SQLTransaction, at t: Int64) async throws {
        _ = try await tx.query(
            "INSERT INTO meta (key, value) VALUES ('alive', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [.int(t)]
        )
    }
}
