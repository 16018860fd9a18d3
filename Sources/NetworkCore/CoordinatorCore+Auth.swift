import Foundation

/// Authentication: login challenges, session tokens and signed requests with increasing nonces.
extension CoordinatorCore {
    // MARK: - Authentication

    /// Issues a login challenge for `address`.
    public func challenge(address: String) async throws -> (challenge: String, expiresAt: Int64, message: String) {
        let address = try Identity.normalize(address)
        let t = now
        let challenge = Identity.randomHex(bytes: 32)
        let expires = t + config.challengeMillis
        try await db.transaction { tx in
            _ = try await tx.query("DELETE FROM challenges WHERE expires_at < $1", [.int(t)])
            _ = try await tx.query(
                "INSERT INTO challenges (challenge, address, expires_at) VALUES ($1, $2, $3)",
                [.text(challenge), .text(address), .int(expires)]
            )
        }
        return (challenge, expires, Identity.loginMessage(address: address, challenge: challenge))
    }

    /// Exchanges a signed challenge for a session token. Each challenge works once.
    public func login(
        address: String,
        challenge: String,
        signature: String
    ) async throws -> (
        token: String, expiresAt: Int64
    ) {
        let address = try Identity.normalize(address)
        // Challenges are 32 random bytes in hex; anything else was never issued.
        guard challenge.utf8.count == 64, challenge.utf8.allSatisfy({ Identity.isHexDigit($0) }) else {
            throw NetworkError.unauthorized("unknown, used or expired challenge")
        }
        let message = Identity.loginMessage(address: address, challenge: challenge)
        guard let signer = Identity.recoverAddress(message: message, signatureHex: signature), signer == address else {
            throw NetworkError.unauthorized("signature does not match \(address)")
        }
        let t = now
        let token = Identity.randomHex(bytes: 32)
        let expires = t + config.sessionMillis
        try await db.transaction { tx in
            let rows = try await tx.query(
                "DELETE FROM challenges WHERE challenge = $1 AND address = $2 AND expires_at >= $3 RETURNING challenge",
                [.text(challenge), .text(address), .int(t)]
            )
            guard !rows.isEmpty else { throw NetworkError.unauthorized("unknown, used or expired challenge") }
            _ = try await tx.query(
                "INSERT INTO sessions (token, address, expires_at) VALUES ($1, $2, $3)",
                [.text(token), .text(address), .int(expires)]
            )
        }
        return (token, expires)
    }

    /// The address behind a session token; throws 401 for unknown or expired tokens.
    public func authenticate(token: String) async throws -> String {
        let t = now
        if let (address, expires) = sessionCache.get(token) {
            guard expires >= t else { throw NetworkError.unauthorized("session token expired") }
            return address
        }
        let rows = try await db.transaction { tx in
            try await tx.query("SELECT address, expires_at FROM sessions WHERE token = $1", [.text(token)])
        }
        guard let row = rows.first, let address = row["address"].text else {
            throw NetworkError.unauthorized("unknown session token")
        }
        guard (row["expires_at"].int ?? 0) >= t else { throw NetworkError.unauthorized("session token expired") }
        sessionCache.put(token, address, row["expires_at"].int ?? 0)
        return address
    }

    /// Checks a signed request: the signature must come from `address` and the nonce must exceed every
    /// nonce that address used before (so a replayed request is refused).
    public func authenticate(
        address: String,
        nonce: Int64,
        signature: String,
        method: String,
        path: String,
        body: [UInt8]
    ) async throws -> String {
        let address = try Identity.normalize(address)
        let message = Identity.requestMessage(method: method, path: path, nonce: nonce, body: body)
        guard let signer = Identity.recoverAddress(message: message, signatureHex: signature), signer == address else {
            throw NetworkError.unauthorized("signature does not match \(address)")
        }
        try await db.transaction { tx in
            let rows = try await tx.query(
                """
                INSERT INTO nonces (address, last_nonce) VALUES ($1, $2)
                ON CONFLICT (address) DO UPDATE SET last_nonce = excluded.last_nonce WHERE nonces.last_nonce < excluded.last_nonce
                RETURNING last_nonce
                """,
                [.text(address), .int(nonce)]
            )
            guard !rows.isEmpty else { throw NetworkError.unauthorized("nonce \(nonce) already used") }
        }
        return address
    }
}
