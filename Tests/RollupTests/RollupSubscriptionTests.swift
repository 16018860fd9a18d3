import EVM
import EVMPrimitives
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Testing

@testable import Rollup

/// `eth_subscribe` over a WebSocket on the HTTP port: a real node (port 0) and
/// hummingbird-websocket's client.
@Suite struct RollupSubscriptionTests {
    /// A client's view of one connection: sends calls, reads messages in order.
    struct Peer {
        var inbound: WebSocketInboundMessageStream.AsyncIterator
        let outbound: WebSocketOutboundWriter
        var nextId = 1

        /// The next message, as JSON.
        mutating func read() async throws -> Any {
            guard case .text(let text) = try await inbound.next() else {
                throw TestFailure("connection closed or binary message")
            }
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        }

        /// Sends a call and returns its reply object; notifications read meanwhile go to `seen`.
        mutating func call(_ method: String, _ params: [Any], seen: inout [[String: Any]]) async throws -> [String: Any]
        {
            let id = nextId
            nextId += 1
            try await send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
            return try await reply(id: id, seen: &seen)
        }

        func send(_ o: Any) async throws {
            try await outbound.write(
                .text(String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self))
            )
        }

        /// Reads until the reply with `id` (or with a null id when nil).
        mutating func reply(id: Int?, seen: inout [[String: Any]]) async throws -> [String: Any] {
            while true {
                let o = try #require(try await read() as? [String: Any])
                if o["method"] as? String == "eth_subscription" {
                    seen.append(o)
                    continue
                }
                if let id { if o["id"] as? Int == id { return o } } else if o["id"] is NSNull { return o }
            }
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Runs a node on a free port with `limits`, and `body` against its WebSocket, bounded in time.
    ///
    /// The bound only guards against a hang: it is generous because the node's handlers share
    /// the cooperative pool (two threads on a 2-core CI machine) with the proving tests that run
    /// beside this suite, and can wait there for minutes.
    static func withNode(
        limits: WebSocketRPCLimits,
        _ body: @escaping @Sendable (Chain, DevChain, Address, Int) async throws -> Void
    ) async throws {
        let (dev, chain, contract) = try await RollupQueryTests.chainWithLogs()
        var config = RollupNodeConfig()
        config.port = 0
        config.webSocket = limits
        let node = RollupNode(chain: chain, config: config, logger: Logger(label: "ws-test"))
        let (ports, portIn) = AsyncStream.makeStream(of: Int.self)
        let group = node.serviceGroup(signals: []) { portIn.yield($0) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                try await Task.sleep(for: .seconds(300))
                throw TestFailure("timed out")
            }
            tasks.addTask {
                var it = ports.makeAsyncIterator()
                let port = try #require(await it.next())
                try await body(chain, dev, contract, port)
            }
            // The body's end (or any failure) ends the node and the timer.
            _ = try await tasks.next()
            tasks.cancelAll()
            await group.triggerGracefulShutdown()
        }
    }

    static func connect(_ port: Int, _ body: @escaping @Sendable (inout Peer) async throws -> Void) async throws {
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/",
            configuration: .init(maxFrameSize: 1 << 20),
            logger: Logger(label: "ws-client")
        ) { inbound, outbound, _ in
            var peer = Peer(inbound: inbound.messages(maxSize: 1 << 20).makeAsyncIterator(), outbound: outbound)
            try await body(&peer)
            try await outbound.close(.normalClosure, reason: nil)
        }
    }

    @Test func newHeadsAndLogsNotifications() async throws {
        try await Self.withNode(limits: WebSocketRPCLimits()) { chain, dev, contract, port in
            try await Self.connect(port) { peer in
                var seen: [[String: Any]] = []
                let heads = try #require(
                    try await peer.call("eth_subscribe", ["newHeads"], seen: &seen)["result"] as? String
                )
                let t0 = Bytes32(UInt256(0xaa)).description
                let seven = Bytes32(UInt256(7)).description
                let logs = try #require(
                    try await peer.call(
                        "eth_subscribe",
                        ["logs", ["address": contract.description, "topics": [t0, [seven]]]],
                        seen: &seen
                    )["result"] as? String
                )
                let other = try #require(
                    try await peer.call("eth_subscribe", ["logs", ["address": Address.zero.description]], seen: &seen)[
                        "result"
                    ] as? String
                )
                #expect(Set([heads, logs, other]).count == 3 && heads.hasPrefix("0x"))
                // A transaction sent over the socket (every method works there) mines block 5.
                let raw = try dev.sign(from: 1, to: contract, data: word(7), nonce: 3)
                let sent = try await peer.call("eth_sendRawTransaction", [Hex.encode(raw)], seen: &seen)
                #expect(sent["result"] is String, "\(sent)")
                while seen.count < 2 { seen.append(try #require(try await peer.read() as? [String: Any])) }
                // A round trip after the block: every notification of block 5 came before it.
                let number = try await peer.call("eth_blockNumber", [], seen: &seen)
                #expect(number["result"] as? String == "0x5")
                #expect(seen.count == 2)
                let bySubscription = Dictionary(
                    uniqueKeysWithValues: seen.compactMap { n -> (String, [String: Any])? in
                        guard let p = n["params"] as? [String: Any], let s = p["subscription"] as? String,
                            let r = p["result"] as? [String: Any]
                        else { return nil }
                        #expect(n["jsonrpc"] as? String == "2.0" && n["id"] == nil && p.count == 2)
                        return (s, r)
                    }
                )
                let head = try #require(bySubscription[heads])
                let block = try #require(try await chain.block(number: 5)).header
                #expect(head["number"] as? String == "0x5" && head["hash"] as? String == block.hash.description)
                #expect(head["transactions"] == nil && head["parentHash"] as? String == block.parentHash.description)
                #expect(head["stateRoot"] as? String == block.stateRoot.description)
                let log = try #require(bySubscription[logs])
                #expect(log["topics"] as? [String] == [t0, seven] && log["removed"] as? Bool == false)
                #expect(log["address"] as? String == contract.description && log["blockNumber"] as? String == "0x5")
                #expect(bySubscription[other] == nil)

                // Unsubscribe: true, then "subscription not found".
                #expect(try await peer.call("eth_unsubscribe", [heads], seen: &seen)["result"] as? Bool == true)
                let again = try await peer.call("eth_unsubscribe", [heads], seen: &seen)
                #expect((again["error"] as? [String: Any])?["message"] as? String == "subscription not found")
                // A batch over the socket.
                try await peer.send([
                    ["jsonrpc": "2.0", "id": 100, "method": "eth_chainId"],
                    ["jsonrpc": "2.0", "id": 101, "method": "net_version"],
                ])
                let batch = try #require(try await peer.read() as? [[String: Any]])
                #expect(batch.map { $0["result"] as? String } == ["0x539", "1337"])
            }
        }
    }

    @Test func hostileInputGetsErrors() async throws {
        var limits = WebSocketRPCLimits()
        limits.maxMessageBytes = 4096
        limits.maxSubscriptions = 2
        try await Self.withNode(limits: limits) { chain, _, _, port in
            try await Self.connect(port) { peer in
                var seen: [[String: Any]] = []
                func code(_ o: [String: Any]) -> Int? { (o["error"] as? [String: Any])?["code"] as? Int }
                try await peer.outbound.write(.text("{not json"))
                #expect(code(try await peer.reply(id: nil, seen: &seen)) == -32700)
                try await peer.outbound.write(.text(#"{"jsonrpc":"2.0","id":"#))
                #expect(code(try await peer.reply(id: nil, seen: &seen)) == -32700)
                #expect(code(try await peer.call("eth_noSuchMethod", [], seen: &seen)) == -32601)
                #expect(code(try await peer.call("eth_subscribe", ["syncing2"], seen: &seen)) == -32601)
                #expect(code(try await peer.call("eth_subscribe", [], seen: &seen)) == -32602)
                #expect(
                    code(try await peer.call("eth_subscribe", ["logs", ["fromBlock": "0x0"]], seen: &seen)) == -32602
                )
                // A message over the limit: -32600, and the connection goes on.
                try await peer.outbound.write(.text(String(repeating: " ", count: 5000) + "{}"))
                let big = try await peer.reply(id: nil, seen: &seen)
                #expect(code(big) == -32600, "\(big)")
                // The same limit over continuation frames.
                var buffer = ByteBuffer(string: "[" + String(repeating: " ", count: 3000))
                try await peer.outbound.write(.custom(.init(fin: false, opcode: .text, data: buffer)))
                buffer = ByteBuffer(string: String(repeating: " ", count: 3000) + "]")
                try await peer.outbound.write(.custom(.init(fin: true, opcode: .continuation, data: buffer)))
                #expect(code(try await peer.reply(id: nil, seen: &seen)) == -32600)
                // Subscriptions per connection: the third is -32005.
                #expect(try await peer.call("eth_subscribe", ["newHeads"], seen: &seen)["result"] is String)
                #expect(try await peer.call("eth_subscribe", ["newHeads"], seen: &seen)["result"] is String)
                #expect(code(try await peer.call("eth_subscribe", ["newHeads"], seen: &seen)) == -32005)
                #expect(try await peer.call("eth_chainId", [], seen: &seen)["result"] as? String == "0x539")
                // One frame over twice the limit cannot be buffered to be answered: closed (1009).
                try await peer.outbound.write(.text(String(repeating: " ", count: 9000)))
                #expect(try await peer.inbound.next() == nil)
            }
            // The connection's subscriptions end with it.
            for _ in 0..<6000 where chain.events.count > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(chain.events.count == 0)
        }
    }

    @Test func slowListenerIsFinished() async throws {
        let events = ChainEvents()
        let stream = events.listen()
        #expect(events.count == 1)
        for n in 0...UInt64(ChainEvents.bufferLimit) {
            var header = BlockHeader()
            header.number = n
            events.publish(NewBlockEvent(header: header, logs: []))
        }
        // The listener that fell behind is finished after what it had buffered, and removed.
        var received = 0
        for await _ in stream { received += 1 }
        #expect(received == ChainEvents.bufferLimit && events.count == 0)
    }

    @Test func subscribeOverHTTPIsRefused() async throws {
        let (_, chain, _) = try await RollupQueryTests.chainWithLogs()
        let rpc = LocalRPC(rpc: JSONRPCServer(chain: chain, automine: false))
        let e = try await rpc.errorCode("eth_subscribe", ["newHeads"])
        #expect(e.code == -32601 && e.message == "notifications not supported")
    }
}
