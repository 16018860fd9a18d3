import EVM
import EVMPrimitives
import Synchronization

/// A block the chain has committed: its header and its logs, as `eth_subscribe` reports them.
public struct NewBlockEvent: Sendable {
    /// The block's header.
    public var header: BlockHeader
    /// Its logs in block order, with their places in the chain.
    public var logs: [StoredLog]

    /// The event of a block with `header` and `logs`.
    public init(header: BlockHeader, logs: [StoredLog]) {
        self.header = header
        self.logs = logs
    }

    /// The event of a block just built.
    init(_ built: BuiltBlock) {
        let header = built.block.header
        var logs: [StoredLog] = []
        for (i, t) in built.included.enumerated() {
            for l in t.logs {
                logs.append(
                    StoredLog(
                        blockNumber: header.number,
                        blockHash: header.hash,
                        transactionHash: t.hash,
                        transactionIndex: i,
                        logIndex: logs.count,
                        address: l.address,
                        topics: l.topics.map { Bytes32($0) },
                        data: l.data
                    )
                )
            }
        }
        self.init(header: header, logs: logs)
    }
}

/// Fans each committed block out to its listeners (one per WebSocket connection with a
/// subscription). A listener's stream buffers at most ``bufferLimit`` blocks; a listener that
/// falls further behind is finished, and its connection is told so and closed, as geth closes a
/// subscriber whose queue overflows: the chain never waits for a slow reader.
public final class ChainEvents: Sendable {
    private struct Listeners {
        var next = 0
        var streams: [Int: AsyncStream<NewBlockEvent>.Continuation] = [:]
    }
    private let listeners = Mutex(Listeners())
    /// Most blocks a listener may have unread.
    public static let bufferLimit = 1024

    /// No listener yet.
    public init() {}

    /// A stream of the blocks committed from now on. It ends when it falls ``bufferLimit``
    /// blocks behind; dropping (or cancelling the iteration of) it removes the listener.
    public func listen() -> AsyncStream<NewBlockEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: NewBlockEvent.self,
            bufferingPolicy: .bufferingOldest(Self.bufferLimit)
        )
        let id = listeners.withLock { l in
            let id = l.next
            l.next += 1
            l.streams[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.listeners.withLock { $0.streams.removeValue(forKey: id) }
        }
        return stream
    }

    /// How many listeners there are.
    public var count: Int { listeners.withLock { $0.streams.count } }

    /// Hands `event` to every listener; a listener whose buffer is full is finished.
    func publish(_ event: NewBlockEvent) {
        let streams = listeners.withLock { Array($0.streams.values) }
        for c in streams {
            if case .dropped = c.yield(event) { c.finish() }
        }
    }
}
