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
            try await CoordinatorStore.deleteExpiredChallenges(tx, before: t)
            try await CoordinatorStore.insertChallenge(tx, challenge, address: address, expiresAt: expires)
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
            guard try await CoordinatorStore.takeChallenge(tx, challenge, address: address, at: t) else {
                throw NetworkError.unauthorized("unknown, used or expired challenge")
            }
            try await CoordinatorStore.insertSession(tx, token: token, address: address, expiresAt: expires)
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
        let session = try await db.transaction { tx in try await CoordinatorStore.session(tx, token: token) }
        guard let session else { throw NetworkError.unauthorized("unknown session token") }
        guard session.expiresAt >= t else { throw NetworkError.unauthorized("session token expired") }
        sessionCache.put(token, session.address, session.expiresAt)
        return session.address
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
            guard try await CoordinatorStore.advanceNonce(tx, address: address, to: nonce) else {
                throw NetworkError.unauthorized("nonce \(nonce) already used")
            }
        }
        return address
    }
}
