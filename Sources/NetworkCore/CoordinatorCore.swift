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
/// verification, the ledger and authentication. HTTP lives in the `ProverNetwork` module; this type is
/// transport-free so tests can drive it directly. Its concerns live in one file each:
/// `+Auth` (challenges, sessions, signed requests), `+Accounts` (faucet, node registration and
/// stake), `+Jobs`, `+Leases`, `+Proofs` and `+Reads`. These hold the rules and decide where
/// transactions begin and end; the SQL lives in ``CoordinatorStore`` (and ``Ledger`` for tokens).
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
