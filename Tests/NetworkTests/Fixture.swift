import Foundation
import Logging
import NetworkCore
import Testing

@testable import ProverNetwork

/// A settable clock for the coordinator.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 1_800_000_000_000
    var now: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    func advance(millis: Int64) {
        lock.lock()
        value += millis
        lock.unlock()
    }
}

/// Proofs are generated once per test process and shared.
enum Proofs {
    static let kind = StarkFibonacciKind.testing
    static let registry = StandardProofKinds.registry()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [UInt64: ([UInt8], [UInt8])] = [:]

    /// Input and valid proof for a seed (smallest instance).
    static func sample(_ seed: UInt64) -> (input: [UInt8], proof: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if let c = cache[seed] { return c }
        let input = kind.sampleInput(size: 0, seed: seed)
        let proof = try! kind.prove(input: input)
        cache[seed] = (input, proof)
        return (input, proof)
    }

    static func base64(_ seed: UInt64) -> String { Data(sample(seed).input).base64EncodedString() }
}

/// A coordinator core over SQLite (in memory) or PostgreSQL, with a test clock.
struct CoreFixture {
    let core: CoordinatorCore
    let clock: TestClock
    let db: any SQLDatabase

    static func make(
        postgres: String? = nil,
        leaseMillis: Int64 = 10_000,
        maxAttempts: Int64 = 3,
        faucetLimit: Int64 = 1_000_000,
        kinds: ProofKindRegistry = Proofs.registry
    ) async throws -> CoreFixture {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let db: any SQLDatabase
        if let postgres {
            db = try await openDatabase(postgres, logger: logger)
            try await Schema.reset(db)
        } else {
            db = try await openDatabase("sqlite::memory:", logger: logger)
        }
        let clock = TestClock()
        var config = CoordinatorConfig()
        config.leaseMillis = leaseMillis
        config.faucetLimit = faucetLimit
        config.defaultMaxAttempts = maxAttempts
        let core = try await CoordinatorCore(
            db: db,
            kinds: kinds,
            config: config,
            logger: logger,
            clock: { clock.now }
        )
        return CoreFixture(core: core, clock: clock, db: db)
    }

    /// Funds and registers a node.
    func node(_ address: String, stake: Int64 = 1000, wps: Double = 1e9, slots: Int64 = 4) async throws -> String {
        _ = try await core.faucet(address: address, amount: stake + 500)
        _ = try await core.registerNode(
            address: address,
            registration: NodeRegistration(kinds: [Proofs.kind.name], workPerSecond: wps, slots: slots, stake: stake)
        )
        return address
    }

    /// Funds a requester and submits a job.
    func job(
        _ key: String,
        requester: String = "0x" + String(repeating: "a", count: 40),
        seed: UInt64 = 1,
        reward: Int64 = 100,
        collateral: Int64 = 40,
        deadline: Double = 600,
        deps: [String] = [],
        role: JobRole? = nil
    ) async throws -> Job {
        _ = try await core.faucet(address: requester, amount: reward)
        return try await core.submitJob(
            requester: requester,
            request: JobRequest(
                requestKey: key,
                kind: Proofs.kind.name,
                input: Proofs.base64(seed),
                reward: reward,
                collateral: collateral,
                deadlineSeconds: deadline,
                dependsOn: deps,
                role: role
            )
        ).job
    }

    /// Asserts the ledger balances.
    func expectBalanced(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let check = try await core.checkLedger()
        #expect(check.total == 0, sourceLocation: sourceLocation)
        #expect(check.problems == [], sourceLocation: sourceLocation)
    }

    func close() async { await db.close() }
}

/// PostgreSQL URL for tests, when a server is reachable.
enum PostgresAvailability {
    static var url: String {
        ProcessInfo.processInfo.environment["ZKPROVER_POSTGRES_URL"]
            ?? "postgres://zkprover:zkprover@127.0.0.1:55432/zkprover"
    }
    /// True when a TCP connection to the server succeeds.
    static let reachable: Bool = {
        guard let c = URLComponents(string: url), let host = c.host else { return false }
        let port = UInt16(c.port ?? 5432)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &addr.sin_addr)
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if r != 0 {
            print(
                "PostgreSQL tests skipped: nothing listens on \(host):\(port) (start one with scripts/start-postgres.sh or set ZKPROVER_POSTGRES_URL)"
            )
        }
        return r == 0
    }()
}
