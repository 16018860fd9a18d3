import EVM
import EVMPrimitives
import Foundation

/// Ethereum JSON-RPC 2.0 over one request body: single calls and batches, with the error codes
/// clients expect (-32700 parse error, -32600 invalid request, -32601 unknown method, -32602
/// bad params, -32000 refused transaction, 3 execution reverted).
public struct JSONRPCServer: Sendable {
    /// The chain the methods read and write.
    public let chain: Chain
    /// Whether a transaction is mined into its own block at once (`--block-time 0`).
    public let automine: Bool
    /// Most calls in one batch.
    public var maxBatch = 100
    /// Most blocks one `eth_getLogs` (or log filter poll) may span; a wider range is -32005.
    public var maxLogBlockRange: UInt64 = 10_000
    /// Most logs one `eth_getLogs` (or log filter poll) may return; more is -32005.
    public var maxLogResults = 10_000
    /// The installed `eth_newFilter` / `eth_newBlockFilter` filters.
    let filters = FilterRegistry()
    /// `web3_clientVersion`.
    public static let clientVersion = "zkprover-rollup/0.1"

    /// A server for `chain`.
    public init(chain: Chain, automine: Bool) {
        self.chain = chain
        self.automine = automine
    }

    /// Answers one HTTP body: a JSON object (one call) or array (a batch). Returns the response
    /// body, or nil when every call was a notification (no `id`).
    public func handle(body: Data) async -> Data? { await handle(body: body, session: nil) }

    /// Answers one request body; `session`, the WebSocket connection's subscriptions, serves
    /// `eth_subscribe` and `eth_unsubscribe` (over HTTP they are -32601, as in geth).
    func handle(body: Data, session: SubscriptionSession?) async -> Data? {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            return encode(response(id: NSNull(), error: .parse("body is not JSON")))
        }
        if let batch = parsed as? [Any] {
            if batch.isEmpty { return encode(response(id: NSNull(), error: .invalidRequest("empty batch"))) }
            if batch.count > maxBatch {
                return encode(
                    response(
                        id: NSNull(),
                        error: .invalidRequest("batch of \(batch.count) calls (at most \(maxBatch))")
                    )
                )
            }
            var out: [Any] = []
            for item in batch {
                if let r = await handleOne(item, session: session) { out.append(r) }
            }
            return out.isEmpty ? nil : encode(out)
        }
        guard let r = await handleOne(parsed, session: session) else { return nil }
        return encode(r)
    }

    func encode(_ value: Any) -> Data {
        if let reply = JSONRPCServer.encodeStringResult(value) { return reply }
        return (try? JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes]))
            ?? Data(
                #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error: unencodable result"}}"#
                    .utf8
            )
    }

    /// `{"jsonrpc":"2.0","id":…,"result":"…"}` written directly (JSONSerialization costs more
    /// than the rest of answering a hash or a call) when `value` is such a reply whose id is an
    /// integer, null or a string of plain characters and whose result is a string of printable
    /// ASCII other than `"` and `\` (hex quantities and data); nil otherwise.
    static func encodeStringResult(_ value: Any) -> Data? {
        guard let o = value as? [String: Any], o.count == 3, (o["jsonrpc"] as? String) == "2.0",
            let result = o["result"] as? String, let id = o["id"]
        else { return nil }
        func plain(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != 0x22 && $0 != 0x5c } }
        guard plain(result) else { return nil }
        let idText: String
        if id is NSNull {
            idText = "null"
        } else if let s = id as? String, plain(s) {
            idText = "\"" + s + "\""
        } else if let n = id as? NSNumber, ["i", "q", "l", "s"].contains(String(cString: n.objCType)) {
            // Integers only: booleans ("c") and doubles ("d") take the general path.
            idText = String(n.int64Value)
        } else {
            return nil
        }
        let reply: String = #"{"jsonrpc":"2.0","id":"# + idText + #","result":""# + result + #""}"#
        return Data(reply.utf8)
    }

    func response(id: Any, result: Any) -> [String: Any] { ["jsonrpc": "2.0", "id": id, "result": result] }

    func response(id: Any, error: RPCError) -> [String: Any] {
        var e: [String: Any] = ["code": error.code, "message": error.message]
        if let d = error.data { e["data"] = d }
        return ["jsonrpc": "2.0", "id": id, "error": e]
    }

    /// One call object; nil for a notification.
    func handleOne(_ item: Any, session: SubscriptionSession?) async -> [String: Any]? {
        guard let call = item as? [String: Any] else {
            return response(id: NSNull(), error: .invalidRequest("a call must be a JSON object"))
        }
        let id = call["id"]
        if let id, !(id is String || id is NSNull || id is NSNumber) {
            return response(id: NSNull(), error: .invalidRequest("id must be a string, a number or null"))
        }
        let replyId = id ?? NSNull()
        guard (call["jsonrpc"] as? String) == "2.0" else {
            return response(id: replyId, error: .invalidRequest("jsonrpc must be \"2.0\""))
        }
        guard let method = call["method"] as? String else {
            return response(id: replyId, error: .invalidRequest("method must be a string"))
        }
        let params: [Any]
        switch call["params"] {
        case nil, is NSNull: params = []
        case let a as [Any]: params = a
        default: return response(id: replyId, error: .invalidParams("params must be an array"))
        }
        let result: Any
        do {
            if method == "eth_subscribe" || method == "eth_unsubscribe" {
                guard let session else { throw RPCError(-32601, "notifications not supported") }
                let request = try SubscriptionSession.request(method, Params(params))
                let id = try await session.perform(request)
                result = id.map { $0 as Any } ?? true
            } else {
                result = try await dispatch(method, Params(params))
            }
        } catch let e as RPCError {
            return id == nil ? nil : response(id: replyId, error: e)
        } catch {
            return id == nil ? nil : response(id: replyId, error: .internal("\(error)"))
        }
        return id == nil ? nil : response(id: replyId, result: result)
    }
}

/// Positional parameters with typed readers that throw -32602.
struct Params {
    let values: [Any]
    init(_ values: [Any]) { self.values = values }

    func at(_ i: Int) -> Any? {
        guard i < values.count, !(values[i] is NSNull) else { return nil }
        return values[i]
    }

    func required(_ i: Int, _ what: String) throws -> Any {
        guard let v = at(i) else { throw RPCError.invalidParams("missing value for required argument \(i) (\(what))") }
        return v
    }

    func address(_ i: Int) throws -> Address {
        guard let s = try required(i, "address") as? String, s.utf8.count == 42, let a = Address(hex: s) else {
            throw RPCError.invalidParams("argument \(i): hex string of 20 bytes expected")
        }
        return a
    }

    func hash(_ i: Int) throws -> Bytes32 {
        guard let s = try required(i, "hash") as? String, s.utf8.count == 66, let h = Bytes32(hex: s) else {
            throw RPCError.invalidParams("argument \(i): hex string of 32 bytes expected")
        }
        return h
    }

    func bytes(_ i: Int) throws -> [UInt8] {
        guard let s = try required(i, "data") as? String, s.hasPrefix("0x"), let b = Hex.decode(s) else {
            throw RPCError.invalidParams("argument \(i): 0x-prefixed hex data expected")
        }
        return b
    }

    func bool(_ i: Int) throws -> Bool {
        guard let v = at(i) else { return false }
        guard let b = v as? Bool else { throw RPCError.invalidParams("argument \(i): boolean expected") }
        return b
    }

    func object(_ i: Int) throws -> [String: Any] {
        guard let o = try required(i, "object") as? [String: Any] else {
            throw RPCError.invalidParams("argument \(i): object expected")
        }
        return o
    }

    /// A block tag or number; absent means `latest`.
    func block(_ i: Int) throws -> BlockTag {
        guard let v = at(i) else { return .latest }
        if let s = v as? String { return try BlockTag.parse(s) }
        if let o = v as? [String: Any] {
            if let n = o["blockNumber"] as? String { return try BlockTag.parse(n) }
            if let h = o["blockHash"] as? String, let hash = Bytes32(hex: h), h.utf8.count == 66 { return .hash(hash) }
        }
        throw RPCError.invalidParams("argument \(i): block number, tag or {blockHash} expected")
    }
}

/// A block named by tag, number or hash.
enum BlockTag: Equatable {
    case latest, pending, safe, finalized, earliest
    case number(UInt64)
    case hash(Bytes32)

    static func parse(_ s: String) throws -> BlockTag {
        switch s {
        case "latest": return .latest
        case "pending": return .pending
        case "safe": return .safe
        case "finalized": return .finalized
        case "earliest": return .earliest
        default:
            guard let n = quantity(s), n.fitsInUInt64 else {
                throw RPCError.invalidParams(
                    "block tag \(s) is not latest, pending, safe, finalized, earliest or a hex number"
                )
            }
            return .number(n.w0)
        }
    }
}

/// A JSON-RPC quantity: `0x` hex without leading zeros (leading zeros tolerated on input).
func quantity(_ s: String) -> UInt256? {
    guard s.hasPrefix("0x"), s.utf8.count > 2, s.utf8.count <= 66 else { return nil }
    return UInt256(hex: s)
}

/// A quantity's JSON form.
func q(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
/// A quantity's JSON form.
func q(_ v: UInt256) -> String { v.hexString }
/// Data's JSON form.
func d(_ b: [UInt8]) -> String { Hex.encode(b) }
