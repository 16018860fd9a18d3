import Foundation
import NIOCore
import NetworkCore

/// Fans coordinator events out to server-sent-event subscribers.
public final class Broadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<ByteBuffer>.Continuation] = [:]
    private var closed = false

    public init() {}

    /// A new subscription: an SSE byte stream that starts with a comment line.
    public func subscribe() -> AsyncStream<ByteBuffer> {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        lock.lock()
        if closed {
            lock.unlock()
            continuation.finish()
            return stream
        }
        subscribers[id] = continuation
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.subscribers[id] = nil
            self.lock.unlock()
        }
        continuation.yield(ByteBuffer(string: ": subscribed\nretry: 1000\n\n"))
        return stream
    }

    /// Number of live subscribers.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscribers.count
    }

    /// Sends an event to every subscriber.
    public func send(_ event: NetworkEvent) {
        guard let data = try? JSONEncoder().encode(event), let text = String(data: data, encoding: .utf8) else {
            return
        }
        let buffer = ByteBuffer(string: "event: \(event.type)\ndata: \(text)\n\n")
        lock.lock()
        let subs = Array(subscribers.values)
        lock.unlock()
        for s in subs { s.yield(buffer) }
    }

    /// Sends a keep-alive comment.
    public func ping() {
        lock.lock()
        let subs = Array(subscribers.values)
        lock.unlock()
        for s in subs { s.yield(ByteBuffer(string: ": ping\n\n")) }
    }

    /// Ends every subscription (on shutdown).
    public func close() {
        lock.lock()
        closed = true
        let subs = Array(subscribers.values)
        subscribers = [:]
        lock.unlock()
        for s in subs { s.finish() }
    }
}
