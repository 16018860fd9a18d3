import Foundation

/// Authentication state: login challenges (`challenges`), session tokens (`sessions`) and the last
/// nonce of each signed-request address (`nonces`).
extension CoordinatorStore {
    // MARK: - Challenges

    /// Deletes from `challenges` every challenge that expired before `t`.
    static func deleteExpiredChallenges(_ tx: any SQLTransaction, before t: Int64) async throws {
        _ = try await tx.query("DELETE FROM challenges WHERE expires_at < $1", [.int(t)])
    }

    /// Inserts a login challenge for `address` into `challenges`.
    static func insertChallenge(
        _ tx: any SQLTransaction,
        _ challenge: String,
        address: String,
        expiresAt: Int64
    ) async throws {
        _ = try await tx.query(
            "INSERT INTO challenges (challenge, address, expires_at) VALUES ($1, $2, $3)",
            [.text(challenge), .text(address), .int(expiresAt)]
        )
    }

    /// Deletes `challenge` from `challenges` if it was issued to `address` and has not expired at
    /// `t`; returns whether it did (each challenge works once).
    static func takeChallenge(
        _ tx: any SQLTransaction,
        _ challenge: String,
        address: String,
        at t: Int64
    ) async throws -> Bool {
        try await !tx.query(
            "DELETE FROM challenges WHERE challenge = $1 AND address = $2 AND expires_at >= $3 RETURNING challenge",
            [.text(challenge), .text(address), .int(t)]
        ).isEmpty
    }

    // MARK: - Sessions

    /// Inserts a session token for `address` into `sessions`.
    static func insertSession(_ tx: any SQLTransaction, token: String, address: String, expiresAt: Int64) async throws {
        _ = try await tx.query(
            "INSERT INTO sessions (token, address, expires_at) VALUES ($1, $2, $3)",
            [.text(token), .text(address), .int(expiresAt)]
        )
    }

    /// Reads session `token` from `sessions`: its address and expiry, or `nil` when it was never issued.
    static func session(_ tx: any SQLTransaction, token: String) async throws -> (address: String, expiresAt: Int64)? {
        guard
            let row = try await tx.query("SELECT address, expires_at FROM sessions WHERE token = $1", [.text(token)])
                .first,
            let address = row["address"].text
        else { return nil }
        return (address, row["expires_at"].int ?? 0)
    }

    // MARK: - Nonces

    /// Raises the last nonce of `address` in `nonces` to `nonce` (inserting the address when new);
    /// returns `false`, writing nothing, when `nonce` does not exceed the last one.
    static func advanceNonce(_ tx: any SQLTransaction, address: String, to nonce: Int64) async throws -> Bool {
        try await !tx.query(
            """
            INSERT INTO nonces (address, last_nonce) VALUES ($1, $2)
            ON CONFLICT (address) DO UPDATE SET last_nonce = excluded.last_nonce WHERE nonces.last_nonce < excluded.last_nonce
            RETURNING last_nonce
            """,
            [.text(address), .int(nonce)]
        ).isEmpty
    }
}
