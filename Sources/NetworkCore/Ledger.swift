import Foundation

/// Double-entry ledger postings inside a transaction. Every movement of tokens is one entry that
/// debits one account and credits another by the same amount, so the sum of all balances stays zero:
/// the `issuer` account goes negative by what was minted; `burn` collects what was destroyed.
public enum Ledger {
    /// The only account allowed below zero.
    public static let issuer = "issuer"
    /// Where burned tokens go.
    public static let burn = "burn"
    /// A node's or requester's spendable balance.
    public static func wallet(_ address: String) -> String { "wallet:" + address }
    /// A node's free stake.
    public static func stake(_ address: String) -> String { "stake:" + address }
    /// Collateral locked by one lease.
    public static func lease(_ id: String) -> String { "lease:" + id }
    /// A job's reward held until its proof verifies.
    public static func escrow(_ jobId: String) -> String { "escrow:" + jobId }
    /// Slashed collateral waiting for whoever rescues the job.
    public static func bounty(_ jobId: String) -> String { "bounty:" + jobId }

    /// Moves `amount` from `debit` to `credit`; throws 402 when `debit` lacks the funds.
    public static func transfer(
        _ tx: any SQLTransaction,
        from debit: String,
        to credit: String,
        amount: Int64,
        memo: String,
        jobId: String?,
        now: Int64
    ) async throws {
        guard amount > 0 else { return }
        if debit == issuer {
            _ = try await tx.query(
                "INSERT INTO accounts (id, balance) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET balance = accounts.balance + excluded.balance",
                [.text(debit), .int(-amount)]
            )
        } else {
            let rows = try await tx.query(
                "UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $1 RETURNING balance",
                [.int(amount), .text(debit)]
            )
            if rows.isEmpty {
                throw NetworkError.insufficientFunds("account \(debit) cannot pay \(amount) (\(memo))")
            }
        }
        _ = try await tx.query(
            "INSERT INTO accounts (id, balance) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET balance = accounts.balance + excluded.balance",
            [.text(credit), .int(amount)]
        )
        _ = try await tx.query(
            "INSERT INTO entries (id, at, debit, credit, amount, memo, job_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                .text(newID("e", now: now)), .int(now), .text(debit), .text(credit), .int(amount), .text(memo),
                jobId.map { .text($0) } ?? .null,
            ]
        )
    }

    /// Moves the whole balance of `account` to `credit`; returns the amount moved.
    @discardableResult
    public static func sweep(
        _ tx: any SQLTransaction,
        _ account: String,
        to credit: String,
        memo: String,
        jobId: String?,
        now: Int64
    ) async throws -> Int64 {
        let amount = try await balance(tx, account)
        if amount > 0 {
            try await transfer(tx, from: account, to: credit, amount: amount, memo: memo, jobId: jobId, now: now)
        }
        return amount
    }

    /// The balance of one account (zero when it does not exist).
    public static func balance(_ tx: any SQLTransaction, _ account: String) async throws -> Int64 {
        let rows = try await tx.query("SELECT balance FROM accounts WHERE id = $1", [.text(account)])
        return rows.first?["balance"].int ?? 0
    }

    /// Checks the ledger: all balances sum to zero, no account but the issuer is negative, every
    /// balance equals its entries, escrow of finished jobs is empty, and each lease account holds
    /// exactly its lease's collateral while active and nothing afterwards.
    public static func check(_ tx: any SQLTransaction, token: String) async throws -> LedgerCheck {
        var problems: [String] = []
        let accounts = try await tx.query("SELECT id, balance FROM accounts", [])
        var balances: [String: Int64] = [:]
        var total: Int64 = 0
        for row in accounts {
            let id = row["id"].text ?? ""
            let b = row["balance"].int ?? 0
            balances[id] = b
            total &+= b
            if b < 0 && id != issuer { problems.append("account \(id) is negative: \(b)") }
        }
        let flows = try await tx.query(
            """
            SELECT account, CAST(SUM(amount) AS BIGINT) AS net FROM (
              SELECT credit AS account, amount FROM entries
              UNION ALL
              SELECT debit AS account, -amount AS amount FROM entries
            ) AS flows GROUP BY account
            """,
            []
        )
        var fromEntries: [String: Int64] = [:]
        for row in flows { fromEntries[row["account"].text ?? ""] = row["net"].int ?? 0 }
        for (id, b) in balances where (fromEntries[id] ?? 0) != b {
            problems.append("account \(id) balance \(b) differs from its entries \(fromEntries[id] ?? 0)")
        }
        for (id, net) in fromEntries where balances[id] == nil && net != 0 {
            problems.append("entries move \(net) through missing account \(id)")
        }
        let leases = try await tx.query("SELECT id, state, collateral FROM leases", [])
        for row in leases {
            let id = row["id"].text ?? ""
            let held = balances[lease(id)] ?? 0
            let expected = row["state"].text == LeaseState.active.rawValue ? (row["collateral"].int ?? 0) : 0
            if held != expected {
                problems.append("lease \(id) (\(row["state"].text ?? "")) holds \(held), expected \(expected)")
            }
        }
        let jobs = try await tx.query("SELECT id, state, reward, role FROM jobs", [])
        for row in jobs {
            let id = row["id"].text ?? ""
            guard let state = JobState(rawValue: row["state"].text ?? "") else { continue }
            let held = balances[escrow(id)] ?? 0
            // Final jobs keep their escrow until PAID; the others are paid on VERIFIED.
            let released =
                row["role"].text == JobRole.final.rawValue
                ? (state == .paid || state == .failed || state == .consumed) : (state.isProven || state == .failed)
            if released && held != 0 { problems.append("job \(id) is \(state.rawValue) but escrow holds \(held)") }
            if !released && held != (row["reward"].int ?? 0) {
                problems.append("job \(id) (\(state.rawValue)) escrow \(held) differs from its reward")
            }
        }
        let entryCount = try await tx.query("SELECT COUNT(*) AS n FROM entries", [])
        return LedgerCheck(
            token: token,
            total: total,
            minted: -(balances[issuer] ?? 0),
            burned: balances[burn] ?? 0,
            accounts: Int64(accounts.count),
            entries: entryCount.first?["n"].int ?? 0,
            problems: problems
        )
    }
}

/// A new unique identifier: prefix, time and 64 random bits.
public func newID(_ prefix: String, now: Int64) -> String {
    let r = UInt64.random(in: 0...UInt64.max)
    let hex = String(r, radix: 16)
    return prefix + "-" + String(now, radix: 36) + "-" + String(repeating: "0", count: 16 - hex.count) + hex
}
