import Foundation
import Hummingbird
import Logging
import NIOCore
import NetworkCore
import ServiceLifecycle
import UnixSignals

/// Per-request context. Bodies are read only by ``CoordinatorServer/body(_:)``, up to
/// ``CoordinatorServerConfig/maxBodyBytes``.
public struct CoordinatorContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
}

/// Settings of the coordinator's HTTP service.
public struct CoordinatorServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Largest request body (bytes); larger ones get 413.
    public var maxBodyBytes = 6 << 20
    /// How often leases are checked for expiry.
    public var sweepInterval: Duration = .milliseconds(200)
    public init() {}

    /// A pause between two sweeps longer than this is an outage of the coordinator (it was down, or
    /// its storage was): five sweep intervals, at least one second.
    public var outageAfterMillis: Int64 {
        let c = sweepInterval.components
        return max(1000, 5 * (c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000))
    }
}

/// The coordinator's HTTP/JSON service: routes, auth, events, metrics and background maintenance.
public struct CoordinatorServer: Sendable {
    public let core: CoordinatorCore
    public let broadcaster: Broadcaster
    public let metrics: CoordinatorMetrics
    public let config: CoordinatorServerConfig
    let logger: Logger

    public init(core: CoordinatorCore, config: CoordinatorServerConfig, metrics: CoordinatorMetrics, logger: Logger) {
        self.core = core
        self.config = config
        self.metrics = metrics
        self.logger = logger
        let broadcaster = Broadcaster()
        self.broadcaster = broadcaster
        core.onEvent { broadcaster.send($0) }
    }

    /// The HTTP application alone (test it with HummingbirdTesting; serve it with ``serviceGroup(signals:onServerRunning:)``).
    public func application(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            configuration: .init(
                address: .hostname(config.host, port: config.port),
                serverName: "zkprover-coordinator"
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// The application plus background maintenance in one service group. On graceful shutdown
    /// (SIGTERM/SIGINT when listed in `signals`) maintenance stops first and closes the event
    /// streams, then the server drains its requests and stops.
    public func serviceGroup(
        signals: [UnixSignal] = [.sigterm, .sigint],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: [application(onServerRunning: onServerRunning), Maintenance(server: self)],
                gracefulShutdownSignals: signals,
                logger: logger
            )
        )
    }

    /// Starts the service in the background and returns once it listens.
    public func start() async throws -> RunningCoordinator {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let group = serviceGroup(signals: []) { port in continuation.yield(port) }
        let task = Task {
            do { try await group.run() } catch { continuation.finish() }
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw NetworkError(.internal, "coordinator failed to start on \(config.host):\(config.port)")
        }
        return RunningCoordinator(port: port, group: group, task: task, server: self)
    }

    /// Builds the router with every endpoint of `openapi.yaml`.
    public func buildRouter() -> Router<CoordinatorContext> {
        let router = Router(context: CoordinatorContext.self)
        let routes = RouteTable()
        router.middlewares.add(ErrorMiddleware(logger: logger, routes: routes))
        /// Registers a route and records it, so an undeclared method on a known path gets 405.
        func on<Output: ResponseGenerator>(
            _ method: HTTPRequest.Method,
            _ path: String,
            use handler: @escaping @Sendable (Request, CoordinatorContext) async throws -> Output
        ) {
            routes.add(method, path)
            router.on(RouterPath(path), method: method, use: handler)
        }
        let core = self.core
        let server = self

        on(.get, "/") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: Resources.dashboard))
            )
        }
        on(.get, "/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(string: Resources.openAPI))
            )
        }
        on(.get, "/metrics") { _, _ in
            await server.metrics.refresh(core: core, subscribers: server.broadcaster.count)
            var buffer: [UInt8] = []
            server.metrics.registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
        on(.get, "/v1/health") { _, _ in
            try json(
                API.Health(
                    status: "ok",
                    engine: core.db.engine.rawValue,
                    token: core.config.token,
                    kinds: core.kinds.names
                )
            )
        }
        on(.get, "/v1/events") { _, _ in
            let stream = server.broadcaster.subscribe()
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init(asyncSequence: stream)
            )
        }

        // Auth.
        on(.get, "/v1/auth/challenge") { request, _ in
            guard let address = request.uri.queryParameters.get("address") else {
                throw NetworkError.badRequest("query parameter address is required")
            }
            let c = try await core.challenge(address: address)
            return try json(
                API.ChallengeResponse(
                    address: try Identity.normalize(address),
                    challenge: c.challenge,
                    message: c.message,
                    expiresAt: c.expiresAt
                )
            )
        }
        on(.post, "/v1/auth/login") { request, context in
            let (body, _) = try await server.decode(API.LoginRequest.self, request, context)
            let s = try await core.login(address: body.address, challenge: body.challenge, signature: body.signature)
            return try json(
                API.LoginResponse(token: s.token, address: try Identity.normalize(body.address), expiresAt: s.expiresAt)
            )
        }

        // Tokens and nodes.
        on(.post, "/v1/faucet") { request, context in
            let (body, caller) = try await server.decodeAuthenticated(API.AmountRequest.self, request, context)
            let balance = try await core.faucet(address: caller, amount: body.amount)
            return try json(
                API.BalanceResponse(account: Ledger.wallet(caller), balance: balance, token: core.config.token)
            )
        }
        on(.post, "/v1/nodes") { request, context in
            let (body, caller) = try await server.decodeAuthenticated(NodeRegistration.self, request, context)
            return try json(try await core.registerNode(address: caller, registration: body))
        }
        on(.post, "/v1/nodes/withdraw") { request, context in
            let (body, caller) = try await server.decodeAuthenticated(API.AmountRequest.self, request, context)
            return try json(try await core.withdrawStake(address: caller, amount: body.amount))
        }
        on(.get, "/v1/nodes") { request, _ in try json(try await core.nodes(page: try page(request))) }
        on(.get, "/v1/nodes/:address") { _, context in
            try json(try await core.node(try Identity.normalize(context.parameters.require("address"))))
        }
        on(.get, "/v1/nodes/:address/leases") { request, context in
            let address = try Identity.normalize(context.parameters.require("address"))
            return try json(try await core.leases(node: address, page: try page(request)))
        }

        // Jobs.
        on(.post, "/v1/jobs") { request, context in
            let (body, caller) = try await server.decodeAuthenticated(JobRequest.self, request, context)
            let (job, created) = try await core.submitJob(requester: caller, request: body)
            return try json(API.JobResponse(job: job, created: created), status: created ? .created : .ok)
        }
        on(.get, "/v1/jobs") { request, _ in
            let state = try request.uri.queryParameters.get("state").map { s in
                guard let st = JobState(rawValue: s) else { throw NetworkError.badRequest("unknown state \(s)") }
                return st
            }
            return try json(try await core.jobs(state: state, page: try page(request)))
        }
        on(.get, "/v1/jobs/:id") { _, context in try json(try await core.job(context.parameters.require("id"))) }
        on(.get, "/v1/jobs/:id/transitions") { request, context in
            try json(try await core.transitions(context.parameters.require("id"), page: try page(request)))
        }
        on(.get, "/v1/jobs/:id/leases") { request, context in
            try json(try await core.leases(jobId: context.parameters.require("id"), page: try page(request)))
        }
        on(.get, "/v1/jobs/:id/entries") { request, context in
            let id = try context.parameters.require("id")
            _ = try await core.job(id)
            return try json(try await core.entries(jobId: id, page: try page(request)))
        }
        on(.get, "/v1/jobs/:id/proof") { _, context in
            let id = try context.parameters.require("id")
            let job = try await core.job(id)
            let proof = try await core.proof(id)
            return try json(API.ProofResponse(jobId: id, kind: job.kind, proof: Data(proof).base64EncodedString()))
        }
        on(.post, "/v1/jobs/:id/consume") { request, context in
            let (_, caller) = try await server.authenticated(request, context)
            return try json(try await core.consume(requester: caller, jobId: context.parameters.require("id")))
        }

        // Leases.
        on(.post, "/v1/leases") { request, context in
            let start = ContinuousClock.now
            let (body, caller) = try await server.decodeAuthenticated(API.LeaseRequest.self, request, context)
            let grant = try await core.lease(node: caller, requestId: body.requestId, jobId: body.jobId)
            server.metrics.leaseLatency.record(ContinuousClock.now - start)
            guard let grant else {
                server.metrics.leasesEmpty.increment()
                return Response(status: .noContent)
            }
            server.metrics.leasesGranted.increment()
            return try json(grant)
        }
        on(.get, "/v1/leases/:id") { _, context in try json(try await core.lease(context.parameters.require("id"))) }
        on(.post, "/v1/leases/:id/heartbeat") { request, context in
            let (body, caller) = try await server.decodeAuthenticated(API.HeartbeatRequest.self, request, context)
            return try json(
                try await core.heartbeat(
                    node: caller,
                    leaseId: context.parameters.require("id"),
                    progress: body.progress
                )
            )
        }
        on(.post, "/v1/leases/:id/release") { request, context in
            let (body, caller) = try await server.decodeAuthenticated(API.ReleaseRequest.self, request, context)
            return try json(
                try await core.release(
                    node: caller,
                    leaseId: context.parameters.require("id"),
                    reason: body.reason ?? "released by node"
                )
            )
        }
        on(.post, "/v1/leases/:id/proof") { request, context in
            let (body, caller) = try await server.decodeAuthenticated(API.ProofRequest.self, request, context)
            guard let proof = Data(base64Encoded: body.proof) else {
                throw NetworkError.badRequest("proof must be base64")
            }
            let start = ContinuousClock.now
            do {
                let result = try await core.submitProof(
                    node: caller,
                    leaseId: context.parameters.require("id"),
                    proof: [UInt8](proof)
                )
                server.metrics.verifyTime.record(ContinuousClock.now - start)
                server.metrics.proofsVerified.increment()
                return try json(result)
            } catch let rejection as SubmitRejection {
                server.metrics.verifyTime.record(ContinuousClock.now - start)
                server.metrics.proofsRejected.increment()
                return try json(rejection.result, status: .unprocessableContent)
            }
        }

        // Ledger.
        on(.get, "/v1/balances/:account") { _, context in
            let account = try context.parameters.require("account")
            return try json(
                API.BalanceResponse(
                    account: account,
                    balance: try await core.balance(account),
                    token: core.config.token
                )
            )
        }
        on(.get, "/v1/ledger") { request, _ in
            let accounts = try await core.accounts(page: try page(request))
            return try json(API.LedgerResponse(check: try await core.checkLedger(), accounts: accounts))
        }
        on(.get, "/v1/ledger/entries") { request, _ in
            try json(try await core.entries(page: try page(request)))
        }
        return router
    }

    /// The request body, at most `maxBodyBytes` of it (413 beyond): the one place bodies are read.
    func body(_ request: Request) async throws -> [UInt8] {
        do {
            return [UInt8](try await request.body.collect(upTo: config.maxBodyBytes).readableBytesView)
        } catch {
            throw NetworkError.tooLarge("request body exceeds \(config.maxBodyBytes) bytes")
        }
    }

    /// Reads and decodes a JSON body (400 when malformed, 413 when too large).
    func decode<T: Decodable>(
        _ type: T.Type,
        _ request: Request,
        _ context: CoordinatorContext
    ) async throws -> (
        T, [UInt8]
    ) {
        let bytes = try await body(request)
        return (try decodeStrict(T.self, bytes), bytes)
    }

    /// Authenticates a request by `Authorization: Bearer <session token>` or by the signature headers
    /// `X-ZK-Address`, `X-ZK-Nonce`, `X-ZK-Signature` over the method, path, nonce and `bytes`, its
    /// body (read here when not given).
    func authenticated(
        _ request: Request,
        _ context: CoordinatorContext,
        body given: [UInt8]? = nil
    ) async throws -> (
        [UInt8], String
    ) {
        let bytes: [UInt8]
        if let given { bytes = given } else { bytes = try await body(request) }
        let h = request.headers
        if let auth = h[.authorization] {
            guard auth.hasPrefix("Bearer ") else { throw NetworkError.unauthorized("expected a Bearer token") }
            return (bytes, try await core.authenticate(token: String(auth.dropFirst(7))))
        }
        func header(_ name: String) -> String? { h.first { $0.name.canonicalName == name }?.value }
        if let a = header("x-zk-address"), let n = header("x-zk-nonce"), let s = header("x-zk-signature") {
            guard let nonce = Int64(n), nonce > 0 else { throw NetworkError.unauthorized("bad nonce") }
            let address = try await core.authenticate(
                address: a,
                nonce: nonce,
                signature: s,
                method: request.method.rawValue,
                path: request.uri.path,
                body: bytes
            )
            return (bytes, address)
        }
        throw NetworkError.unauthorized("authentication required (Bearer token or X-ZK-Signature)")
    }

    /// Authenticates, then decodes the body: a forged request learns nothing about its body.
    func decodeAuthenticated<T: Decodable>(
        _ type: T.Type,
        _ request: Request,
        _ context: CoordinatorContext
    ) async throws -> (T, String) {
        let (bytes, caller) = try await authenticated(request, context)
        return (try decodeStrict(T.self, bytes), caller)
    }
}

/// Background work: expiring leases, refreshing gauges, keeping event streams alive, and closing
/// them on shutdown so the server can stop promptly.
struct Maintenance: Service {
    let server: CoordinatorServer

    func run() async throws {
        let logger = server.logger
        await withGracefulShutdownHandler {
            var ticks = 0
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    // First forgive the coordinator's own downtime, then expire what is overdue.
                    try await server.core.markAlive(outageAfterMillis: server.config.outageAfterMillis)
                    let expired = try await server.core.expireLeases()
                    if expired > 0 {
                        server.metrics.leasesExpired.increment(by: Int64(expired))
                        logger.info("leases expired", metadata: ["count": .stringConvertible(expired)])
                    }
                } catch {
                    logger.warning("lease sweep failed", metadata: ["error": .string("\(error)")])
                }
                ticks += 1
                if ticks % 25 == 0 { server.broadcaster.ping() }
                try? await Task.sleep(for: server.config.sweepInterval)
            }
        } onGracefulShutdown: {
            server.broadcaster.close()
        }
        server.broadcaster.close()
    }
}

/// A coordinator running in this process.
public struct RunningCoordinator: Sendable {
    /// The port it listens on.
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, Never>
    public let server: CoordinatorServer
    /// Base URL.
    public var url: String { "http://\(server.config.host):\(port)" }
    /// Shuts down gracefully and waits.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
