import EVM
import EVMPrimitives
import Foundation

extension JSONRPCServer {
    /// The query a filter names now: its block hash, or its tags resolved against the head (a
    /// `toBlock` past the head stops at the head). Nil when the range starts past the head.
    func logQuery(_ spec: LogFilterSpec) async throws -> LogQuery? {
        if let h = spec.blockHash {
            guard let b = try await chain.block(hash: h) else { throw RPCError.server("unknown block") }
            let n = b.header.number
            return LogQuery(fromBlock: n, toBlock: n, addresses: spec.addresses, topics: spec.topics)
        }
        let head = await chain.head.number
        func resolve(_ tag: BlockTag) async throws -> UInt64 {
            if case .number(let n) = tag { return n }
            return try await blockNumber(tag) ?? head
        }
        let from = try await resolve(spec.fromBlock)
        let to = min(try await resolve(spec.toBlock), head)
        if from > head { return nil }
        if from > to { throw RPCError.server("invalid block range params") }
        return LogQuery(fromBlock: from, toBlock: to, addresses: spec.addresses, topics: spec.topics)
    }

    /// The logs of `query` as JSON objects, within the range and result limits (-32005 past
    /// them, as Infura and Alchemy answer).
    func logObjects(_ query: LogQuery?) async throws -> [Any] {
        guard let query else { return [] }
        if query.toBlock - query.fromBlock >= maxLogBlockRange {
            throw RPCError(
                -32005,
                "query exceeds max block range \(maxLogBlockRange) (blocks \(query.fromBlock)-\(query.toBlock))"
            )
        }
        let logs = try await chain.logs(query, limit: maxLogResults + 1)
        if logs.count > maxLogResults {
            throw RPCError(
                -32005,
                "query returned more than \(maxLogResults) results; narrow the block range or the filter"
            )
        }
        return logs.map(JSONRPCServer.logObject)
    }

    /// A log's JSON object.
    static func logObject(_ l: StoredLog) -> [String: Any] {
        [
            "address": l.address.description, "topics": l.topics.map(\.description), "data": d(l.data),
            "blockNumber": q(l.blockNumber), "blockHash": l.blockHash.description,
            "transactionHash": l.transactionHash.description, "transactionIndex": q(UInt64(l.transactionIndex)),
            "logIndex": q(UInt64(l.logIndex)), "removed": false,
        ]
    }

    /// `eth_getLogs`, the filter methods, or nil when `method` is none of them.
    func dispatchLogs(_ method: String, _ p: Params) async throws -> Any? {
        switch method {
        case "eth_getLogs":
            return try await logObjects(logQuery(LogFilterSpec(p.object(0))))
        case "eth_newFilter":
            let spec = try LogFilterSpec(p.object(0))
            if spec.blockHash != nil {
                throw RPCError.invalidParams("eth_newFilter takes fromBlock/toBlock, not blockHash")
            }
            return try await filters.install(.logs(spec), head: chain.head.number)
        case "eth_newBlockFilter":
            return try await filters.install(.blocks, head: chain.head.number)
        case "eth_uninstallFilter":
            return await filters.uninstall(try filterId(p))
        case "eth_getFilterLogs":
            guard case .logs(let spec)? = await filters.kind(try filterId(p)) else {
                throw RPCError.server("filter not found")
            }
            return try await logObjects(logQuery(spec))
        case "eth_getFilterChanges":
            let id = try filterId(p)
            let head = await chain.head.number
            guard let (kind, since) = await filters.pending(id) else { throw RPCError.server("filter not found") }
            let result: [Any]
            switch kind {
            case .blocks:
                var hashes: [Any] = []
                var n = since &+ 1
                // The limit keeps one poll bounded; the rest comes with the next poll.
                while n <= head && hashes.count < maxLogResults {
                    guard let b = try await chain.block(number: n) else { break }
                    hashes.append(b.header.hash.description)
                    n += 1
                }
                await filters.advance(id, to: n &- 1)
                return hashes
            case .logs(let spec):
                // A filter from a moving tag reports every block after the last poll; one from a
                // number, the blocks after the last poll from that number on.
                var moving = spec
                switch spec.fromBlock {
                case .latest, .pending, .safe, .finalized: moving.fromBlock = .number(since &+ 1)
                default: break
                }
                if case .number(let to) = spec.toBlock, to <= since {
                    await filters.advance(id, to: head)
                    return [Any]()
                }
                guard var query = try await logQuery(moving) else {
                    await filters.advance(id, to: head)
                    return [Any]()
                }
                query.fromBlock = max(query.fromBlock, since &+ 1)
                if query.fromBlock > query.toBlock {
                    result = []
                } else {
                    result = try await logObjects(query)
                }
                await filters.advance(id, to: head)
                return result
            }
        default:
            return nil
        }
    }

    func filterId(_ p: Params) throws -> String {
        guard let s = try p.required(0, "filter id") as? String, s.hasPrefix("0x"), s.utf8.count <= 66 else {
            throw RPCError.invalidParams("argument 0: hex filter id expected")
        }
        return s.lowercased()
    }
}

/// The installed filters of `eth_newFilter` and `eth_newBlockFilter`, in memory (lost on restart,
/// as in geth). A filter not polled for ``timeout`` is removed; at most ``maxFilters`` live at once.
actor FilterRegistry {
    /// What a filter reports.
    enum Kind: Sendable {
        /// New block hashes.
        case blocks
        /// New logs matching the criteria.
        case logs(LogFilterSpec)
    }

    struct Filter {
        var kind: Kind
        /// The last block whose changes were reported.
        var cursor: UInt64
        var lastUse: ContinuousClock.Instant
    }

    /// How long a filter lives without a poll (geth's 5 minutes).
    static let timeout = Duration.seconds(300)
    /// Most filters installed at once.
    static let maxFilters = 10_000
    var filters: [String: Filter] = [:]
    let clock = ContinuousClock()

    /// Installs a filter whose changes start after block `head`; returns its id.
    func install(_ kind: Kind, head: UInt64) throws -> String {
        let now = clock.now
        filters = filters.filter { now - $0.value.lastUse < Self.timeout }
        if filters.count >= Self.maxFilters {
            throw RPCError.server("too many filters installed (\(Self.maxFilters)); uninstall some")
        }
        var id: String
        repeat {
            id =
                "0x" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
                + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        } while filters[id] != nil
        filters[id] = Filter(kind: kind, cursor: head, lastUse: now)
        return id
    }

    /// Removes a filter; whether it existed.
    func uninstall(_ id: String) -> Bool { filters.removeValue(forKey: id) != nil }

    /// A live filter's kind (and the poll keeps it alive).
    func kind(_ id: String) -> Kind? {
        guard let f = live(id) else { return nil }
        return f.kind
    }

    /// A live filter's kind and the last block it reported.
    func pending(_ id: String) -> (Kind, UInt64)? {
        guard let f = live(id) else { return nil }
        return (f.kind, f.cursor)
    }

    /// Marks the changes up to block `number` reported.
    func advance(_ id: String, to number: UInt64) {
        if filters[id] != nil { filters[id]!.cursor = max(filters[id]!.cursor, number) }
    }

    private func live(_ id: String) -> Filter? {
        guard var f = filters[id] else { return nil }
        let now = clock.now
        if now - f.lastUse >= Self.timeout {
            filters[id] = nil
            return nil
        }
        f.lastUse = now
        filters[id] = f
        return f
    }
}
