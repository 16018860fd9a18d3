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

    /// Moves `amount` from `debit` to `credit`; throws 402 when `debit` lacks the funds and 409
    /// (`ledger_overflow`) when an account would leave the range of `Int64`.
    ///
    /// Every update is checked arithmetic inside the statement itself (`WHERE balance <= max - amount`),
    /// never `balance + x` left to the engine: SQLite silently turns an overflowing integer sum into a
    /// float and PostgreSQL raises a storage error. The issuer may not go below `-Int64.max`, so the
    /// total supply, and with it every sum of balances, stays within `Int64`.
    public static func transfer(
        _ tx: any SQLTransaction,
        from debit: String,
        to credit: String,
        amount: Int64,
        memo: String,
        jobId: String?,
        now: Int64
    ) async throws {
        guard amount >= 0 else { throw NetworkError.badRequest("amount must not be negative (\(memo))") }
        guard amount > 0 else { return }
        if debit == issuer {
            // Minting: the issuer goes negative by the supply, at most Int64.max in all.
            let rows = try await tx.query(
                "UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $3 RETURNING balance",
                [.int(amount), .text(issuer), .int(-Int64.max + amount)]
            )
            if rows.isEmpty {
                if try await exists(tx, issuer) {
                    throw NetworkError.ledgerOverflow(
                        "minting \(amount) would take the total supply past \(Int64.max) (\(memo))"
                    )
                }
                _ = try await tx.query(
                    "INSERT INTO accounts (id, balance) VALUES ($1, $2)",
                    [.text(issuer), .int(-amount)]
                )
            }
        } else {
            let rows = try await tx.query(
                "UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >= $1 RETURNING balance",
                [.int(amount), .text(debit)]
            )
            if rows.isEmpty {
                throw NetworkError.insufficientFunds("account \(debit) cannot pay \(amount) (\(memo))")
            }
        }
        try await add(tx, credit, amount, memo: memo)
        _ = try await tx.query(
            "INSERT INTO entries (id, at, debit, credit, amount, memo, job_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                .text(newID("e", now: now)), .int(now), .text(debit), .text(credit), .int(amount), .text(memo),
                jobId.map { .text($0) } ?? .null,
            ]
        )
    }

    /// Credits `amount` (> 0) to `account`, creating it when missing; 409 when its balance would pass
    /// `Int64.max`.
    static func add(_ tx: any SQLTransaction, _ account: String, _ amount: Int64, memo: String) async throws {
        let update = "UPDATE accounts SET balance = balance + $1 WHERE id = $2 AND balance <= $3 RETURNING balance"
        let binds: [SQLValue] = [.int(amount), .text(account), .int(Int64.max - amount)]
        if try await !tx.query(update, binds).isEmpty { return }
        let inserted = try await tx.query(
            "INSERT INTO accounts (id, balance) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING balance",
            [.text(account), .int(amount)]
        )
        if !inserted.isEmpty { return }
        // Another transaction created the account between the two statements (PostgreSQL): try again.
        if try await !tx.query(update, binds).isEmpty { return }
        throw NetworkError.ledgerOverflow("account \(account) cannot hold \(amount) more (\(memo))")
    }

    static func exists(_ tx: any SQLTransaction, _ account: String) async throws -> Bool {
        try await !tx.query("SELECT id FROM accounts WHERE id = $1", [.text(account)]).isEmpty
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

    /// Tokens in existence: everything minted (the negative of the issuer's balance).
    public static func supply(_ tx: any SQLTransaction) async throws -> Int64 {
        // The issuer never goes below -Int64.max, so the negation cannot overflow.
        -(try await balance(tx, issuer))
    }

    /// Checks the ledger: all balances sum to zero, no account but the issuer is negative, every
    /// balance equals its entries, escrow of finished jobs is empty, and each lease account holds
    /// exactly its lease's collateral while active and nothing afterwards.
    public static func check(_ tx: any SQLTransaction, token: String) async throws -> LedgerCheck {
        var problems: [String] = []
        let accounts = try await tx.query("SELECT id, balance FROM accounts", [])
        var balances: [String: Int64] = [:]
        var total: Int128 = 0
        for row in accounts {
            let id = row["id"].text ?? ""
            guard let b = row["balance"].int else {
                problems.append("account \(id) holds a non-integer balance \(row["balance"])")
                continue
            }
            balances[id] = b
            total += Int128(b)
            if b < 0 && id != issuer { problems.append("account \(id) is negative: \(b)") }
        }
        // An account's flows can sum past Int64 over its history (SQLite's SUM then fails with
        // "integer overflow"), so each amount is split into its high and low 32 bits, each part summed
        // in SQL (exact for up to 2^31 entries) and the parts joined in 128 bits here.
        let flows = try await tx.query(
            """
            SELECT account, CAST(SUM(hi) AS BIGINT) AS hi, CAST(SUM(lo) AS BIGINT) AS lo FROM (
              SELECT credit AS account, amount >> 32 AS hi, amount & 4294967295 AS lo FROM entries
              UNION ALL
              SELECT debit AS account, -(amount >> 32) AS hi, -(amount & 4294967295) AS lo FROM entries
            ) AS flows GROUP BY account
            """,
            []
        )
        var fromEntries: [String: Int128] = [:]
        for row in flows {
            let hi = Int128(row["hi"].int ?? 0)
            let lo = Int128(row["lo"].int ?? 0)
            fromEntries[row["account"].text ?? ""] = (hi << 32) + lo
        }
        for (id, b) in balances where (fromEntries[id] ?? 0) != Int128(b) {
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
        if total != 0 { problems.append("balances sum to \(total), not zero") }
        return LedgerCheck(
            token: token,
            total: Int64(clamping: total),
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
