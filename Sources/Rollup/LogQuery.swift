import EVM
import EVMPrimitives
import Foundation

/// One stored log with its place in the chain, as `eth_getLogs` reports it.
public struct StoredLog: Sendable, Equatable {
    /// The block that holds it.
    public var blockNumber: UInt64
    /// That block's hash.
    public var blockHash: Bytes32
    /// The transaction that emitted it.
    public var transactionHash: Bytes32
    /// That transaction's index in the block.
    public var transactionIndex: Int
    /// Its block-wide index.
    public var logIndex: Int
    /// The emitting contract.
    public var address: Address
    /// Its topics (0 to 4).
    public var topics: [Bytes32]
    /// Its data.
    public var data: [UInt8]
}

/// The criteria of `eth_getLogs` and `eth_newFilter`, resolved to block numbers: a block range,
/// a set of addresses (empty: any) and up to four topic positions, each nil (any topic) or a set
/// of alternatives. As in geth, a log matches only if it has at least as many topics as there are
/// positions, wildcards included.
public struct LogQuery: Sendable, Equatable {
    /// First block, inclusive.
    public var fromBlock: UInt64
    /// Last block, inclusive.
    public var toBlock: UInt64
    /// Emitting contracts; empty matches any.
    public var addresses: [Address]
    /// Topic positions: nil (or an empty list) is a wildcard, a list is an OR of alternatives.
    public var topics: [[Bytes32]?]

    /// Most topic positions (a log has at most four).
    public static let maxTopics = 4
    /// Most addresses, or alternatives in one topic position (geth's limit).
    public static let maxAlternatives = 1000

    /// A query over blocks `fromBlock...toBlock`.
    public init(fromBlock: UInt64, toBlock: UInt64, addresses: [Address] = [], topics: [[Bytes32]?] = []) {
        self.fromBlock = fromBlock
        self.toBlock = toBlock
        self.addresses = addresses
        self.topics = topics
    }

    /// Whether `log` (outside the block range) matches the address and topic criteria.
    public func matches(address: Address, topics logTopics: [Bytes32]) -> Bool {
        if !addresses.isEmpty && !addresses.contains(address) { return false }
        if topics.count > logTopics.count { return false }
        for (i, alternatives) in topics.enumerated() {
            guard let alternatives, !alternatives.isEmpty else { continue }
            if !alternatives.contains(logTopics[i]) { return false }
        }
        return true
    }
}

/// The unresolved criteria of a log filter: a block hash, or a range given by tags or numbers
/// (resolved against the head when the filter runs, so `latest` follows the chain).
struct LogFilterSpec: Sendable {
    var blockHash: Bytes32?
    var fromBlock: BlockTag
    var toBlock: BlockTag
    var addresses: [Address]
    var topics: [[Bytes32]?]

    /// Parses a filter object: `blockHash` or `fromBlock`/`toBlock` (default `latest`), `address`
    /// (one or a list), `topics` (positions of null, a topic, or a list of topics).
    init(_ o: [String: Any]) throws(RPCError) {
        func tag(_ k: String) throws(RPCError) -> BlockTag? {
            guard let v = o[k], !(v is NSNull) else { return nil }
            guard let s = v as? String else { throw .invalidParams("\(k): block number or tag expected") }
            do { return try BlockTag.parse(s) } catch {
                throw .invalidParams("\(k): \(s) is not a block number or tag")
            }
        }
        let from = try tag("fromBlock")
        let to = try tag("toBlock")
        if let v = o["blockHash"], !(v is NSNull) {
            guard let s = v as? String, s.utf8.count == 66, let h = Bytes32(hex: s) else {
                throw .invalidParams("blockHash: hex string of 32 bytes expected")
            }
            if from != nil || to != nil {
                throw .invalidParams("cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
            }
            blockHash = h
        }
        fromBlock = from ?? .latest
        toBlock = to ?? .latest
        addresses = []
        switch o["address"] {
        case nil: break
        case let v? where v is NSNull: break
        case let s as String: addresses = [try Self.address(s)]
        case let list as [Any]:
            if list.count > LogQuery.maxAlternatives {
                throw .invalidParams("exceed max addresses or topics per search position")
            }
            for item in list {
                guard let s = item as? String else { throw .invalidParams("address: hex strings expected") }
                addresses.append(try Self.address(s))
            }
        default: throw .invalidParams("address: an address or a list of addresses expected")
        }
        topics = []
        switch o["topics"] {
        case nil: break
        case let v? where v is NSNull: break
        case let positions as [Any]:
            if positions.count > LogQuery.maxTopics { throw .invalidParams("exceed max topics") }
            for position in positions {
                switch position {
                case let s as String: topics.append([try Self.topic(s)])
                case let list as [Any]:
                    if list.count > LogQuery.maxAlternatives {
                        throw .invalidParams("exceed max addresses or topics per search position")
                    }
                    var alternatives: [Bytes32] = []
                    for item in list {
                        if item is NSNull {
                            // A null among alternatives matches anything, as geth reads it.
                            alternatives = []
                            break
                        }
                        guard let s = item as? String else { throw .invalidParams("topics: hex strings expected") }
                        alternatives.append(try Self.topic(s))
                    }
                    topics.append(alternatives.isEmpty ? nil : alternatives)
                default:
                    guard position is NSNull else {
                        throw .invalidParams("topics: each position is null, a topic or a list of topics")
                    }
                    topics.append(nil)
                }
            }
        default: throw .invalidParams("topics: a list expected")
        }
    }

    static func address(_ s: String) throws(RPCError) -> Address {
        guard s.utf8.count == 42, let a = Address(hex: s) else {
            throw .invalidParams("address: hex string of 20 bytes expected")
        }
        return a
    }

    static func topic(_ s: String) throws(RPCError) -> Bytes32 {
        guard s.utf8.count == 66, let t = Bytes32(hex: s) else {
            throw .invalidParams("topics: hex string of 32 bytes expected")
        }
        return t
    }
}
