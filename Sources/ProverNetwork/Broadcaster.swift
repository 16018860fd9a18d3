import Foundation
import NIOCore
import NetworkCore
import Synchronization

/// Fans coordinator events out to server-sent-event subscribers.
public final class Broadcaster: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<ByteBuffer>.Continuation] = [:]
        var closed = false
    }
    private let state = Mutex(State())

    public init() {}

    /// A new subscription: an SSE byte stream that starts with a comment line.
    public func subscribe() -> AsyncStream<ByteBuffer> {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        let open = state.withLock { state in
            if !state.closed { state.subscribers[id] = continuation }
            return !state.closed
        }
        guard open else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        continuation.yield(ByteBuffer(string: ": subscribed\nretry: 1000\n\n"))
        return stream
    }

    /// Number of live subscribers.
    public var count: Int { state.withLock { $0.subscribers.count } }

    /// Sends an event to every subscriber.
    public func send(_ event: NetworkEvent) {
        guard let data = try? JSONEncoder().encode(event), let text = String(data: data, encoding: .utf8) else {
            return
        }
        yield(ByteBuffer(string: "event: \(event.type.rawValue)\ndata: \(text)\n\n"))
    }

    /// Sends a keep-alive comment.
    public func ping() { yield(ByteBuffer(string: ": ping\n\n")) }

    private func yield(_ buffer: ByteBuffer) {
        for s in state.withLock({ Array($0.subscribers.values) }) { s.yield(buffer) }
    }

    /// Ends every subscription (on shutdown).
    public func close() {
        let subs = state.withLock { state in
            state.closed = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for s in subs { s.finish() }
    }
}
