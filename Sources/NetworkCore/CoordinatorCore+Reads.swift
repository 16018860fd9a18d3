import Foundation

/// Reads: single rows, paged lists, the ledger check, and lease ownership.
extension CoordinatorCore {
    // MARK: - Reads

    /// One job.
    public func job(_ id: String) async throws -> Job {
        guard let j = try await db.transaction({ tx in try await CoordinatorStore.job(tx, id: id) }) else {
            throw NetworkError.notFound("no job \(id)")
        }
        return j
    }

    /// The encoded proof of a proven job.
    public func proof(_ id: String) async throws -> [UInt8] {
        let stored = try await db.transaction { tx in try await CoordinatorStore.proof(tx, job: id) }
        guard let stored else { throw NetworkError.notFound("no job \(id)") }
        guard let text = stored, let data = Data(base64Encoded: text) else {
            throw NetworkError.conflict("job \(id) has no verified proof yet")
        }
        return [UInt8](data)
    }

    /// One page of jobs, newest first, optionally in one state.
    public func jobs(state: JobState? = nil, page: Page = .first) async throws -> [Job] {
        try await db.transaction { tx in try await CoordinatorStore.jobs(tx, state: state, page: page) }
    }

    /// Number of jobs in each state.
    public func jobCounts() async throws -> [JobState: Int64] {
        try await db.transaction { tx in try await CoordinatorStore.jobCounts(tx) }
    }

    /// One page of the stored transitions of a job, in order.
    public func transitions(_ id: String, page: Page = .first) async throws -> [Transition] {
        try await db.transaction { tx in
            guard try await CoordinatorStore.job(tx, id: id) != nil else { throw NetworkError.notFound("no job \(id)") }
            return try await CoordinatorStore.transitions(tx, job: id, page: page)
        }
    }

    /// One page of the leases of a job (404 when the job does not exist), oldest first.
    public func leases(jobId: String, page: Page = .first) async throws -> [Lease] {
        try await db.transaction { tx in
            guard try await CoordinatorStore.job(tx, id: jobId) != nil else {
                throw NetworkError.notFound("no job \(jobId)")
            }
            return try await CoordinatorStore.leases(tx, job: jobId, page: page)
        }
    }

    /// One page of the leases of a node, oldest first.
    public func leases(node: String, page: Page = .first) async throws -> [Lease] {
        try await db.transaction { tx in try await CoordinatorStore.leases(tx, node: node, page: page) }
    }

    /// One lease.
    public func lease(_ id: String) async throws -> Lease {
        guard let lease = try await db.transaction({ tx in try await CoordinatorStore.lease(tx, id: id) }) else {
            throw NetworkError.notFound("no lease \(id)")
        }
        return lease
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
        try await db.transaction { tx in try await CoordinatorStore.nodes(tx, address: address, page: page) }
    }

    /// The balance of one ledger account.
    public func balance(_ account: String) async throws -> Int64 {
        try await db.transaction { tx in try await Ledger.balance(tx, account) }
    }

    /// One page of the accounts with their balances, in account order.
    public func accounts(page: Page = .first) async throws -> [String: Int64] {
        try await db.transaction { tx in try await CoordinatorStore.accounts(tx, page: page) }
    }

    /// One page of the ledger entries of a job (oldest first), or of all entries (newest first).
    public func entries(jobId: String? = nil, page: Page = .first) async throws -> [LedgerEntry] {
        try await db.transaction { tx in try await CoordinatorStore.entries(tx, job: jobId, page: page) }
    }

    /// Checks that the ledger balances (see ``Ledger/check(_:token:)``).
    public func checkLedger() async throws -> LedgerCheck {
        let token = config.token
        return try await db.transaction { tx in try await Ledger.check(tx, token: token) }
    }

    // MARK: - Ownership

    /// Lease `id`, when `node` holds it: 404 when there is no such lease, 403 when another node holds it.
    static func ownedLease(_ tx: any SQLTransaction, _ id: String, node: String) async throws -> Lease {
        guard let lease = try await CoordinatorStore.lease(tx, id: id) else {
            throw NetworkError.notFound("no lease \(id)")
        }
        guard lease.node == node else { throw NetworkError.forbidden("lease \(id) belongs to another node") }
        return lease
    }
}
