import EVM
import EVMPrimitives
import Foundation
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// Limits of one WebSocket connection to the JSON-RPC endpoint.
public struct WebSocketRPCLimits: Sendable {
    /// Largest message (one call or batch); a larger one is answered with -32600 and the
    /// connection stays open. A single frame over twice this closes the connection with 1009
    /// (message too big), since it would have to be buffered whole to be answered.
    public var maxMessageBytes = 5 << 20
    /// Most live subscriptions on one connection; more is -32005.
    public var maxSubscriptions = 100
    /// Most messages (replies and notifications) waiting to be sent; a connection whose reader
    /// falls further behind is closed (geth's "subscription queue overflow").
    public var maxQueuedMessages = 10_000
    /// The defaults.
    public init() {}
}

/// One WebSocket connection speaking JSON-RPC: every method of the HTTP endpoint, plus
/// `eth_subscribe` (`newHeads`, `logs`) and `eth_unsubscribe`. Messages are answered in order;
/// replies and notifications leave through one queue, so a subscription's first notification
/// always follows the reply that named it.
struct WebSocketRPCConnection {
    let rpc: JSONRPCServer
    let limits: WebSocketRPCLimits

    /// Serves the connection until the client closes it (or its queue overflows).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (queue, continuation) = AsyncStream.makeStream(
            of: String.self,
            bufferingPolicy: .bufferingOldest(limits.maxQueuedMessages)
        )
        let overflowed = Flag()
        let send: @Sendable (String) -> Void = { text in
            if case .dropped = continuation.yield(text) {
                overflowed.set()
                continuation.finish()
            }
        }
        let session = SubscriptionSession(
            chain: rpc.chain,
            maxSubscriptions: limits.maxSubscriptions,
            send: send,
            overflow: {
                overflowed.set()
                continuation.finish()
            }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in queue { try await outbound.write(.text(text)) }
                if overflowed.isSet {
                    try await outbound.close(.policyViolation, reason: "subscription queue overflow")
                }
            }
            defer {
                continuation.finish()
                group.cancelAll()
            }
            do {
                try await read(inbound, session: session, send: send)
            } catch {
                await session.close()
                throw error
            }
            await session.close()
        }
    }

    /// Reads messages (reassembled from their frames, at most ``WebSocketRPCLimits/maxMessageBytes``)
    /// and answers each.
    func read(
        _ inbound: WebSocketInboundStream,
        session: SubscriptionSession,
        send: @Sendable (String) -> Void
    ) async throws {
        var message = ByteBuffer()
        var oversized = false
        var inMessage = false
        for try await frame in inbound {
            switch frame.opcode {
            case .text, .binary:
                message.clear()
                oversized = false
                inMessage = true
            case .continuation:
                // A continuation without a first frame is a protocol error the client made;
                // nothing can be answered to it.
                guard inMessage else { continue }
            }
            if !oversized {
                if message.readableBytes + frame.data.readableBytes > limits.maxMessageBytes {
                    oversized = true
                    message.clear()
                } else {
                    var data = frame.data
                    message.writeBuffer(&data)
                }
            }
            guard frame.fin else { continue }
            inMessage = false
            if oversized {
                send(
                    String(
                        decoding: rpc.encode(
                            rpc.response(
                                id: NSNull(),
                                error: .invalidRequest("message larger than \(limits.maxMessageBytes) bytes")
                            )
                        ),
                        as: UTF8.self
                    )
                )
                continue
            }
            if let reply = await rpc.handle(body: Data(message.readableBytesView), session: session) {
                send(String(decoding: reply, as: UTF8.self))
            }
            await session.activatePending()
            if message.capacity > 1 << 16 { message = ByteBuffer() }
        }
    }
}

/// A flag set once, from any task.
final class Flag: Sendable {
    private let value = Mutex(false)
    /// Sets the flag.
    func set() { value.withLock { $0 = true } }
    /// Whether the flag is set.
    var isSet: Bool { value.withLock { $0 } }
}

/// The subscriptions of one WebSocket connection and the task that turns committed blocks into
/// their notifications.
actor SubscriptionSession {
    /// What a subscription reports.
    enum Kind: Sendable {
        /// Each new block's header.
        case newHeads
        /// Each new log matching the address and topic criteria.
        case logs(LogQuery)
    }

    struct Subscription {
        var id: String
        var kind: Kind
        /// Whether its notifications flow: not before the reply that named it was queued.
        var active: Bool
    }

    let chain: Chain
    let maxSubscriptions: Int
    let send: @Sendable (String) -> Void
    let overflow: @Sendable () -> Void
    var subscriptions: [Subscription] = []
    var listener: Task<Void, Never>?
    var closed = false

    init(
        chain: Chain,
        maxSubscriptions: Int,
        send: @escaping @Sendable (String) -> Void,
        overflow: @escaping @Sendable () -> Void
    ) {
        self.chain = chain
        self.maxSubscriptions = maxSubscriptions
        self.send = send
        self.overflow = overflow
    }

    /// A parsed `eth_subscribe` or `eth_unsubscribe` call.
    enum Request: Sendable {
        case subscribe(Kind)
        case unsubscribe(String)
    }

    /// Parses the parameters of `eth_subscribe` or `eth_unsubscribe`.
    nonisolated static func request(_ method: String, _ p: Params) throws -> Request {
        if method == "eth_unsubscribe" {
            guard let id = try p.required(0, "subscription id") as? String else {
                throw RPCError.invalidParams("argument 0: hex subscription id expected")
            }
            return .unsubscribe(id.lowercased())
        }
        guard let name = try p.required(0, "subscription name") as? String else {
            throw RPCError.invalidParams("argument 0: subscription name expected")
        }
        switch name {
        case "newHeads":
            if p.at(1) != nil { throw RPCError.invalidParams("newHeads takes no argument") }
            return .subscribe(.newHeads)
        case "logs":
            let o = p.at(1) == nil ? [:] : try p.object(1)
            if o["fromBlock"] != nil || o["toBlock"] != nil || o["blockHash"] != nil {
                throw RPCError.invalidParams("a logs subscription takes address and topics only")
            }
            let spec = try LogFilterSpec(o)
            return .subscribe(
                .logs(LogQuery(fromBlock: 0, toBlock: .max, addresses: spec.addresses, topics: spec.topics))
            )
        default:
            throw RPCError(-32601, "no \"\(name)\" subscription in eth namespace")
        }
    }

    /// Subscribes (the new id) or unsubscribes (`true`; -32000 for an unknown id).
    func perform(_ request: Request) throws(RPCError) -> String? {
        switch request {
        case .unsubscribe(let id):
            guard let i = subscriptions.firstIndex(where: { $0.id == id }) else {
                throw RPCError.server("subscription not found")
            }
            subscriptions.remove(at: i)
            if subscriptions.isEmpty { stopListening() }
            return nil
        case .subscribe(let kind):
            if subscriptions.count >= maxSubscriptions {
                throw RPCError(-32005, "too many subscriptions on this connection (at most \(maxSubscriptions))")
            }
            var id: String
            repeat {
                id = SubscriptionSession.newId()
            } while subscriptions.contains { $0.id == id }
            subscriptions.append(Subscription(id: id, kind: kind, active: false))
            if listener == nil { startListening() }
            return id
        }
    }

    /// A random id as geth makes them: `0x` and 16 random bytes in hex, leading zeros dropped.
    static func newId() -> String {
        var digits = ""
        for _ in 0..<2 {
            let s = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            digits += String(repeating: "0", count: 16 - s.count) + s
        }
        let trimmed = digits.drop { $0 == "0" }
        return "0x" + (trimmed.isEmpty ? "0" : trimmed)
    }

    /// Lets the subscriptions made by the message just answered notify (its reply is queued).
    func activatePending() {
        for i in subscriptions.indices { subscriptions[i].active = true }
    }

    func startListening() {
        let stream = chain.events.listen()
        listener = Task { [weak self] in
            for await event in stream {
                guard let self else { return }
                await self.deliver(event)
            }
            // The stream ended without being cancelled: this connection fell too far behind.
            if !Task.isCancelled { await self?.fellBehind() }
        }
    }

    func stopListening() {
        listener?.cancel()
        listener = nil
    }

    func fellBehind() {
        if !closed { overflow() }
    }

    /// Queues the notifications of one block, subscription by subscription.
    func deliver(_ event: NewBlockEvent) {
        if closed { return }
        var header: String?
        for s in subscriptions where s.active {
            switch s.kind {
            case .newHeads:
                if header == nil { header = Self.json(JSONRPCServer.headerObject(event.header)) }
                send(Self.notification(s.id, header!))
            case .logs(let q):
                for l in event.logs where q.matches(address: l.address, topics: l.topics) {
                    send(Self.notification(s.id, Self.json(JSONRPCServer.logObject(l))))
                }
            }
        }
    }

    /// `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":id,"result":…}}`.
    static func notification(_ id: String, _ result: String) -> String {
        #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":""#
            + id + #"","result":"# + result + "}}"
    }

    static func json(_ o: [String: Any]) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: o, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Ends the subscriptions when the connection closes.
    func close() {
        closed = true
        subscriptions = []
        stopListening()
    }
}
