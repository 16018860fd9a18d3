import Foundation
import Logging
import Synchronization

/// Tunable rules of a coordinator.
public struct CoordinatorConfig: Sendable {
    /// Token symbol shown in balances.
    public var token: String = "LUMIA"
    /// How long a lease lasts without a heartbeat (milliseconds).
    public var leaseMillis: Int64 = 30_000
    /// Attempts (leases) a job gets before it fails.
    public var defaultMaxAttempts: Int64 = 3
    /// Challenge lifetime (milliseconds).
    public var challengeMillis: Int64 = 60_000
    /// Session token lifetime (milliseconds).
    public var sessionMillis: Int64 = 3_600_000
    /// Largest amount the faucet mints per call; 0 disables the faucet.
    public var faucetLimit: Int64 = 0
    /// Largest accepted proof, in bytes.
    public var maxProofBytes: Int = 4 << 20
    /// Largest accepted job input, in bytes.
    public var maxInputBytes: Int = 1 << 20

    public init() {}
}

/// The coordinator's rules over a ``SQLDatabase``: jobs and their state machine, leases, proof
/// verification, the ledger and authentication. HTTP lives in the `Network` module; this type is
/// transport-free so tests can drive it directly.
public final class CoordinatorCore: Sendable {
    public let db: any SQLDatabase
    public let kinds: ProofKindRegistry
    public let config: CoordinatorConfig
    let logger: Logger
    let clock: @Sendable () -> Int64
    let listeners: EventListeners
    let sessionCache = SessionCache()

    /// Creates a coordinator over `db` (creating tables when missing).
    public init(
        db: any SQLDatabase,
        kinds: ProofKindRegistry,
        config: CoordinatorConfig = .init(),
        logger: Logger,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) async throws {
        self.db = db
        self.kinds = kinds
        self.config = config
        self.logger = logger
        self.clock = clock
        self.listeners = EventListeners()
        try await Schema.migrate(db)
    }

    /// The current time in milliseconds.
    public var now: Int64 { clock() }

    /// Registers a callback for events (called after the change is committed).
    public func onEvent(_ listener: @escaping @Sendable (NetworkEvent) -> Void) {
        listeners.add(listener)
    }

    func emit(_ events: [NetworkEvent]) {
        for e in events { listeners.send(e) }
    }

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
            _ = try await tx.query(
                """
                INSERT INTO nodes (address, kinds, work_per_second, slots, registered_at, last_seen, proofs_verified,
                  proofs_rejected, leases_expired, proving_ms) VALUES ($1, $2, $3, $4, $5, $5, 0, 0, 0, 0)
                ON CONFLICT (address) DO UPDATE SET kinds = excluded.kinds, work_per_second = excluded.work_per_second,
                  slots = excluded.slots, last_seen = excluded.last_seen
                """,
                [.text(address), .text(known.joined(separator: ",")), .double(r.workPerSecond), .int(r.slots), .int(t)]
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

/// Event callbacks.
final class EventListeners: Sendable {
    private let listeners = Mutex<[@Sendable (NetworkEvent) -> Void]>([])
    func add(_ l: @escaping @Sendable (NetworkEvent) -> Void) {
        listeners.withLock { $0.append(l) }
    }
    func send(_ e: NetworkEvent) {
        for l in listeners.withLock({ $0 }) { l(e) }
    }
}

/// Sessions already read from storage (tokens never change once issued).
final class SessionCache: Sendable {
    private let entries = Mutex<[String: (address: String, expires: Int64)]>([:])
    func get(_ token: String) -> (String, Int64)? {
        entries.withLock { $0[token] }.map { ($0.address, $0.expires) }
    }
    func put(_ token: String, _ address: String, _ expires: Int64) {
        entries.withLock {
            if $0.count > 100_000 { $0.removeAll() }
            $0[token] = (address, expires)
        }
    }
}
