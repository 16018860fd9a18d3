import Foundation

/// Accounts: the devnet faucet, node registration with stake, and stake withdrawal.
extension CoordinatorCore {
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
        guard r.workPerSecond > 0, r.workPerSecond <= Limits.maxWorkPerSecond else {
            throw NetworkError.badRequest("workPerSecond must be in (0, \(Limits.maxWorkPerSecond)]")
        }
        guard r.slots > 0, r.slots <= 1024, r.stake >= 0 else {
            throw NetworkError.badRequest("slots must be in 1...1024 and stake non-negative")
        }
        guard !r.kinds.isEmpty, r.kinds.count <= Limits.maxKinds else {
            throw NetworkError.badRequest("kinds must list 1...\(Limits.maxKinds) proof kinds")
        }
        for k in r.kinds { try Limits.check(k, "a proof kind name", max: Limits.maxKindLength) }
        let known = r.kinds.filter { kinds[$0] != nil }
        guard !known.isEmpty else { throw NetworkError.badRequest("no known proof kind in \(r.kinds)") }
        let t = now
        try await db.transaction { tx in
            try await CoordinatorStore.upsertNode(
                tx,
                address: address,
                kinds: known,
                workPerSecond: r.workPerSecond,
                slots: r.slots,
                at: t
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
        guard amount > 0 else { throw NetworkError.badRequest("amount must be positive") }
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
}
