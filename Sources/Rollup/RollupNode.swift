import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NetworkCore
import ServiceLifecycle
import UnixSignals

/// Settings of the L2 node's HTTP service and block production.
public struct RollupNodeConfig: Sendable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// Port to listen on (0 picks a free one).
    public var port = 8545
    /// Seconds between blocks; 0 builds one block per transaction as it arrives.
    public var blockTime: Double = 0
    /// Largest request body; a larger one is answered with a JSON-RPC error and HTTP 413.
    public var maxBodyBytes = 5 << 20
    /// Limits of each WebSocket connection (`ws://host:port/`, on the HTTP port).
    public var webSocket = WebSocketRPCLimits()
    /// A settings value with the defaults.
    public init() {}
}

/// The L2 node: the chain behind an Ethereum JSON-RPC endpoint (`POST /`, and WebSocket on the
/// same port: `GET /` with an upgrade, as geth and anvil serve `ws://host:port`), and a block
/// producer when blocks are built on a timer.
public struct RollupNode: Sendable {
    /// The chain.
    public let chain: Chain
    /// The settings.
    public let config: RollupNodeConfig
    /// Hands batches of blocks to the prover network, when the node has a coordinator.
    public let batcher: Batcher?
    let logger: Logger
    /// The JSON-RPC server both transports answer with (one set of installed filters).
    let rpcServer: JSONRPCServer

    /// A node serving `chain`, batching it with `batcher` when given.
    public init(chain: Chain, config: RollupNodeConfig, batcher: Batcher? = nil, logger: Logger) {
        self.chain = chain
        self.config = config
        self.batcher = batcher
        self.logger = logger
        self.rpcServer = JSONRPCServer(chain: chain, automine: config.blockTime == 0)
    }

    /// Opens (or creates) the chain stored in `datadir/chain.sqlite` (SQLite, WAL).
    public static func openChain(genesis: Genesis, datadir: String, logger: Logger) async throws -> Chain {
        try await open(genesis: genesis, datadir: datadir, logger: logger).chain
    }

    /// Opens (or creates) the chain and its batches stored in `datadir/chain.sqlite`; the chain's
    /// `safe` and `finalized` blocks resume from the stored batches.
    public static func open(
        genesis: Genesis,
        datadir: String,
        logger: Logger
    ) async throws -> (chain: Chain, batches: BatchStore) {
        try FileManager.default.createDirectory(atPath: datadir, withIntermediateDirectories: true)
        let db = try await openDatabase(datadir + "/chain.sqlite", logger: logger)
        let store = try await SQLChainStore(db: db)
        let chain = try await Chain(genesis: genesis, store: store, logger: logger)
        let batches = try await BatchStore(db: db)
        let marks = try await batches.marks()
        if marks.safe > 0 { await chain.advanceMarks(safe: marks.safe, finalized: marks.finalized) }
        return (chain, batches)
    }

    /// The JSON-RPC router: `POST /` takes a call or a batch.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let rpc = rpcServer
        let limit = config.maxBodyBytes
        router.post("/") { request, _ -> Response in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch {
                let reply = rpc.encode(
                    rpc.response(id: NSNull(), error: .invalidRequest("body larger than \(limit) bytes"))
                )
                return Response(
                    status: .contentTooLarge,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: reply))
                )
            }
            guard let reply = await rpc.handle(body: Data(body.readableBytesView)) else {
                return Response(status: .ok)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: reply))
            )
        }
        return router
    }

    /// The HTTP server and, with a block time, the block producer, in one service group. The
    /// server upgrades `GET /` to a WebSocket: each such connection is a
    /// ``WebSocketRPCConnection``; a frame over twice the message limit closes it (1009), and
    /// pings every 30 s find dead peers.
    public func serviceGroup(
        signals: [UnixSignal] = [.sigterm, .sigint],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let connection = WebSocketRPCConnection(rpc: rpcServer, limits: config.webSocket)
        let app = Application(
            router: buildRouter(),
            server: .http1WebSocketUpgrade(
                configuration: .init(
                    ws: .init(
                        maxFrameSize: 2 * config.webSocket.maxMessageBytes,
                        autoPing: .enabled(timePeriod: .seconds(30))
                    )
                )
            ) { request, _, _ in
                guard request.path == "/" || request.path?.hasPrefix("/?") == true else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    try await connection.run(inbound: inbound, outbound: outbound)
                }
            },
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "zkprover-rollup"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        var services: [any Service] = [app]
        if let batcher { services.append(BatcherService(batcher: batcher)) }
        if config.blockTime > 0 {
            services.append(
                BlockProducer(chain: chain, interval: .milliseconds(Int64(config.blockTime * 1000)), logger: logger)
            )
        }
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
    }
}

extension RollupNode {
    /// Starts the node's services in the background and returns once it listens.
    public func start() async throws -> RunningRollupNode {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let group = serviceGroup(signals: []) { port in continuation.yield(port) }
        let task = Task {
            do { try await group.run() } catch { logger.error("rollup node stopped", metadata: ["error": "\(error)"]) }
            continuation.finish()
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw RPCError.server("the rollup node failed to start on \(config.host):\(config.port)")
        }
        return RunningRollupNode(port: port, url: "http://\(config.host):\(port)", group: group, task: task)
    }
}

/// A node running in this process.
public struct RunningRollupNode: Sendable {
    /// The port its JSON-RPC listens on.
    public let port: Int
    /// Its JSON-RPC URL.
    public let url: String
    let group: ServiceGroup
    let task: Task<Void, Never>

    /// Shuts down gracefully and waits.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}

/// Builds a block every `interval`, empty or not, until shutdown: at a fixed cadence (a block
/// that takes longer than `interval` delays the next one, which then follows at once).
struct BlockProducer: Service {
    let chain: Chain
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var next = ContinuousClock.now
            while !Task.isCancelled {
                next = max(next + interval, ContinuousClock.now)
                do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
                do {
                    try await chain.produceBlock()
                } catch {
                    logger.error("block production failed", metadata: ["error": .string("\(error)")])
                }
            }
        }
    }
}
