import EVM
import EVMPrimitives
import Foundation
import Keccak

extension JSONRPCServer {
    /// Runs one method.
    func dispatch(_ method: String, _ p: Params) async throws -> Any {
        switch method {
        case "web3_clientVersion": return JSONRPCServer.clientVersion
        case "web3_sha3": return d(Keccak256.digest(try p.bytes(0)).bytes)
        case "net_version": return String(chain.genesis.chainId)
        case "net_listening": return true
        case "net_peerCount": return "0x0"
        case "eth_chainId": return q(chain.genesis.chainId)
        case "eth_syncing": return false
        case "eth_mining": return false
        case "eth_accounts": return [Any]()
        case "eth_blockNumber": return q(await chain.head.number)
        case "eth_gasPrice":
            // The next base fee plus the suggested tip.
            return q(await chain.nextBaseFee &+ JSONRPCServer.suggestedTip)
        case "eth_maxPriorityFeePerGas": return q(JSONRPCServer.suggestedTip)
        case "eth_getBalance":
            let a = try p.address(0)
            return q(try await account(a, p.block(1))?.balance ?? .zero)
        case "eth_getTransactionCount":
            let a = try p.address(0)
            let tag = try p.block(1)
            if tag == .pending { return q(await chain.pendingNonce(a)) }
            return q(try await account(a, tag)?.nonce ?? 0)
        case "eth_getCode":
            let a = try p.address(0)
            return d(try await account(a, p.block(1))?.code.bytes ?? [])
        case "eth_getStorageAt":
            let a = try p.address(0)
            guard let s = try p.required(1, "slot") as? String, let slot = UInt256(hex: s) else {
                throw RPCError.invalidParams("argument 1: hex storage slot expected")
            }
            return d(Bytes32(try await account(a, p.block(2))?.storage[slot] ?? .zero).bytes)
        case "eth_call":
            let request = try callRequest(p.object(0))
            let overrides = try stateOverrides(p, 2)
            let tag = try p.block(1)
            if tag == .latest || tag == .pending, let output = try chain.callAtHead(request, overrides: overrides) {
                return d(output)
            }
            let n = try await stateBlock(tag)
            return d(try await chain.call(request, block: n, overrides: overrides))
        case "eth_estimateGas":
            let request = try callRequest(p.object(0))
            let overrides = try stateOverrides(p, 2)
            let n = try await stateBlock(p.block(1))
            return q(try await chain.estimateGas(request, block: n, overrides: overrides))
        case "eth_sendRawTransaction":
            let hash = try await chain.submit(try p.bytes(0))
            if automine { try await chain.mineAll() }
            return hash.description
        case "eth_getTransactionByHash":
            return try await transactionObject(p.hash(0)) ?? NSNull()
        case "eth_getTransactionReceipt":
            return try await receiptObject(p.hash(0)) ?? NSNull()
        case "eth_getBlockByNumber":
            let tag = try p.block(0)
            guard let n = try await blockNumber(tag), let b = try await chain.block(number: n) else { return NSNull() }
            return try await blockObject(b, full: p.bool(1))
        case "eth_getBlockByHash":
            guard let b = try await chain.block(hash: p.hash(0)) else { return NSNull() }
            return try await blockObject(b, full: p.bool(1))
        case "eth_getBlockTransactionCountByNumber":
            guard let n = try await blockNumber(p.block(0)), let b = try await chain.block(number: n) else {
                return NSNull()
            }
            return q(UInt64(b.transactions.count))
        default:
            if let r = try await dispatchLogs(method, p) { return r }
            if let r = try await dispatchState(method, p) { return r }
            throw RPCError.methodNotFound(method)
        }
    }

    /// The tip `eth_maxPriorityFeePerGas` suggests: 1 gwei.
    static let suggestedTip = UInt256(1_000_000_000 as UInt64)

    /// The number a tag names (nil when no such block).
    func blockNumber(_ tag: BlockTag) async throws -> UInt64? {
        let head = await chain.head.number
        switch tag {
        case .latest, .pending: return head
        // Without batches (no coordinator) every block is as safe as it gets: the head.
        case .safe: return await chain.safeNumber ?? head
        case .finalized: return await chain.finalizedNumber
        case .earliest: return 0
        case .number(let n): return n <= head ? n : nil
        case .hash(let h): return try await chain.block(hash: h)?.header.number
        }
    }

    /// Refuses reads at blocks other than the head (`eth_getProof` proves the head state only).
    func latestState(_ tag: BlockTag) async throws {
        let head = await chain.head
        let safe = await chain.safeNumber ?? head.number
        switch tag {
        case .latest, .pending: return
        case .safe where safe == head.number: return
        case .number(let n) where n == head.number: return
        case .hash(let h) where h == head.hash: return
        case .number(let n) where n > head.number: throw RPCError.server("header not found")
        default: throw RPCError.server("historical state not available: eth_getProof serves the latest state only")
        }
    }

    /// The block whose post-state a call or state read at `tag` runs on: -32000 `header not
    /// found` for a number past the head or an unknown hash (whether its state is still kept is
    /// the chain's to say).
    func stateBlock(_ tag: BlockTag) async throws -> UInt64 {
        let head = await chain.head.number
        switch tag {
        case .latest, .pending: return head
        // The batches' marks (the head and genesis without a coordinator).
        case .safe, .finalized, .earliest: return try await blockNumber(tag) ?? head
        case .number(let n):
            guard n <= head else { throw RPCError.server("header not found") }
            return n
        case .hash(let h):
            guard let n = try await chain.block(hash: h)?.header.number else {
                throw RPCError.server("header for hash not found")
            }
            return n
        }
    }

    /// An account in the state after the block `tag` names (nil when absent).
    func account(_ address: Address, _ tag: BlockTag) async throws -> Account? {
        let n = try await stateBlock(tag)
        return try await chain.state(at: n)[address]
    }

    /// The optional state-override object at position `i` of `eth_call` / `eth_estimateGas`.
    func stateOverrides(_ p: Params, _ i: Int) throws -> StateOverrides {
        guard p.at(i) != nil else { return StateOverrides() }
        return try StateOverrides(json: p.object(i))
    }

    /// A call object's fields.
    func callRequest(_ o: [String: Any]) throws -> CallRequest {
        var r = CallRequest()
        func word(_ k: String) throws -> UInt256? {
            guard let v = o[k], !(v is NSNull) else { return nil }
            guard let s = v as? String, let n = quantity(s) else {
                throw RPCError.invalidParams("\(k): hex quantity expected")
            }
            return n
        }
        func address(_ k: String) throws -> Address? {
            guard let v = o[k], !(v is NSNull) else { return nil }
            guard let s = v as? String, s.utf8.count == 42, let a = Address(hex: s) else {
                throw RPCError.invalidParams("\(k): address expected")
            }
            return a
        }
        r.from = try address("from") ?? .zero
        r.to = try address("to")
        if let g = try word("gas") {
            guard g.fitsInUInt64 else { throw RPCError.invalidParams("gas: too large") }
            r.gas = g.w0
        }
        r.gasPrice = try word("gasPrice")
        r.maxFeePerGas = try word("maxFeePerGas")
        r.maxPriorityFeePerGas = try word("maxPriorityFeePerGas")
        r.value = try word("value") ?? .zero
        for k in ["input", "data"] {
            guard let v = o[k], !(v is NSNull) else { continue }
            guard let s = v as? String, let b = Hex.decode(s) else {
                throw RPCError.invalidParams("\(k): hex data expected")
            }
            r.data = b
            break
        }
        if r.gasPrice != nil && (r.maxFeePerGas != nil || r.maxPriorityFeePerGas != nil) {
            throw RPCError.invalidParams("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
        }
        return r
    }
}
