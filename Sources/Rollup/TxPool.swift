import EVM
import EVMPrimitives

/// A JSON-RPC error: `code`, `message` and optional `data` (hex revert data), as clients read it.
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON-RPC error code.
    public var code: Int
    /// The message; transaction-pool refusals use geth's wording, which clients match.
    public var message: String
    /// Extra data (`0x…` revert data of `execution reverted`).
    public var data: String?

    /// An error with `code`, `message` and `data`.
    public init(_ code: Int, _ message: String, data: String? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "\(code): \(message)" }

    /// -32700: the body is not JSON.
    public static func parse(_ m: String) -> RPCError { RPCError(-32700, "parse error: \(m)") }
    /// -32600: not a valid request object.
    public static func invalidRequest(_ m: String) -> RPCError { RPCError(-32600, "invalid request: \(m)") }
    /// -32601: unknown method.
    public static func methodNotFound(_ m: String) -> RPCError {
        RPCError(-32601, "the method \(m) does not exist/is not available")
    }
    /// -32602: bad parameters.
    public static func invalidParams(_ m: String) -> RPCError { RPCError(-32602, "invalid argument: \(m)") }
    /// -32000: a refused transaction or call (geth's generic server error).
    public static func server(_ m: String) -> RPCError { RPCError(-32000, m) }
    /// -32603: an internal failure (storage).
    public static func `internal`(_ m: String) -> RPCError { RPCError(-32603, "internal error: \(m)") }
}

/// The pool of transactions waiting for a block, by sender and nonce. A sender's transactions
/// are executable from its state nonce upward without gaps; later ones wait (up to
/// ``maxNonceGap`` ahead). A transaction with a sender's nonce already pooled replaces it only
/// with both fee caps raised by ``replacementBumpPercent``.
public struct TxPool: Sendable {
    /// Most transactions held.
    public var capacity = 4096
    /// Most transactions held per sender.
    public var perSender = 64
    /// How far beyond the state nonce a transaction may be queued.
    public var maxNonceGap: UInt64 = 64
    /// The fee increase a replacement needs, in percent.
    public var replacementBumpPercent: UInt64 = 10

    var bySender: [Address: [UInt64: PendingTransaction]] = [:]
    var byHash: [Bytes32: (sender: Address, nonce: UInt64)] = [:]
    var nextSequence: Int64 = 0

    /// An empty pool.
    public init() {}

    /// How many transactions are pooled.
    public var count: Int { byHash.count }

    /// Whether `hash` is pooled.
    public func contains(_ hash: Bytes32) -> Bool { byHash[hash] != nil }

    /// The pooled transaction with `hash`.
    public func transaction(_ hash: Bytes32) -> PendingTransaction? {
        guard let k = byHash[hash] else { return nil }
        return bySender[k.sender]?[k.nonce]
    }

    /// The nonce after `sender`'s last executable pooled transaction (the `pending` nonce).
    public func pendingNonce(_ sender: Address, stateNonce: UInt64) -> UInt64 {
        var n = stateNonce
        guard let txs = bySender[sender] else { return n }
        while txs[n] != nil { n &+= 1 }
        return n
    }

    /// Checks that `p` may enter the pool (given `stateNonce` of its sender) and returns the
    /// transaction it replaces, if any; changes nothing.
    public func admit(_ p: PendingTransaction, stateNonce: UInt64) throws(RPCError) -> Bytes32? {
        let t = p.transaction
        if byHash[p.hash] != nil { throw .server("already known") }
        let nonce = t.nonce.w0
        if nonce < stateNonce { throw .server("nonce too low: next nonce \(stateNonce), tx nonce \(nonce)") }
        if nonce > stateNonce &+ maxNonceGap {
            throw .server("nonce too high: next nonce \(stateNonce), tx nonce \(nonce) (at most \(maxNonceGap) ahead)")
        }
        if let old = bySender[p.sender]?[nonce] {
            let o = old.transaction
            func bumped(_ old: UInt256) -> UInt256 { old &+ old &* UInt256(replacementBumpPercent) / UInt256(100) }
            if t.feeCap < bumped(o.feeCap) || effectiveTipCap(t) < bumped(effectiveTipCap(o)) {
                throw .server("replacement transaction underpriced")
            }
            return old.hash
        }
        if count >= capacity { throw .server("txpool is full") }
        if (bySender[p.sender]?.count ?? 0) >= perSender { throw .server("txpool is full for this sender") }
        return nil
    }

    func effectiveTipCap(_ t: Transaction) -> UInt256 { t.type >= 2 ? t.maxPriorityFeePerGas : t.gasPrice }

    /// Inserts `p` (admitted by ``admit(_:stateNonce:)``), replacing the pooled transaction
    /// with the same sender and nonce.
    public mutating func insert(_ p: PendingTransaction) {
        let nonce = p.transaction.nonce.w0
        if let old = bySender[p.sender]?[nonce] { byHash[old.hash] = nil }
        bySender[p.sender, default: [:]][nonce] = p
        byHash[p.hash] = (p.sender, nonce)
        nextSequence = max(nextSequence, p.sequence &+ 1)
    }

    /// Removes `hash` when pooled.
    public mutating func remove(_ hash: Bytes32) {
        guard let k = byHash.removeValue(forKey: hash) else { return }
        bySender[k.sender]?[k.nonce] = nil
        if bySender[k.sender]?.isEmpty == true { bySender[k.sender] = nil }
    }

    /// Removes every transaction of a sender whose nonce is now below `stateNonce`; returns
    /// their hashes.
    public mutating func prune(sender: Address, stateNonce: UInt64) -> [Bytes32] {
        guard let txs = bySender[sender] else { return [] }
        let stale = txs.values.filter { $0.transaction.nonce.w0 < stateNonce }.map(\.hash)
        for h in stale { remove(h) }
        return stale
    }

    /// The senders with pooled transactions.
    public var senders: [Address] { Array(bySender.keys) }

    /// The executable transactions: each sender's run of consecutive nonces from its state
    /// nonce, senders ordered by their first transaction's arrival.
    public func executable(stateNonce: (Address) -> UInt64) -> [PendingTransaction] {
        var runs: [[PendingTransaction]] = []
        for (sender, txs) in bySender {
            var n = stateNonce(sender)
            var run: [PendingTransaction] = []
            while let t = txs[n] {
                run.append(t)
                n &+= 1
            }
            if !run.isEmpty { runs.append(run) }
        }
        runs.sort { $0[0].sequence < $1[0].sequence }
        return runs.flatMap { $0 }
    }
}

extension TransactionError {
    /// geth's wording of this refusal, which clients match.
    var poolMessage: String {
        switch self {
        case .intrinsicGasTooLow, .intrinsicGasBelowFloor: return "intrinsic gas too low"
        case .nonceMismatch: return "invalid nonce"
        case .nonceMaxValue: return "nonce has max value"
        case .senderNotEOA: return "sender not an eoa"
        case .insufficientFunds: return "insufficient funds for gas * price + value"
        case .feeCapLessThanBaseFee: return "max fee per gas less than block base fee"
        case .priorityFeeGreaterThanMaxFee: return "max priority fee per gas higher than max fee per gas"
        case .gasLimitExceedsBlock: return "exceeds block gas limit"
        case .gasLimitExceedsCap: return "gas limit too high"
        case .initcodeSizeExceeded: return "max initcode size exceeded"
        case .typeNotSupported: return "transaction type not supported"
        case .blobCreate: return "blob transaction of type create"
        case .noBlobs: return "blob transaction missing blob hashes"
        case .tooManyBlobs: return "too many blobs"
        case .invalidBlobVersionedHash: return "invalid blob versioned hash"
        case .blobFeeCapTooLow: return "max fee per blob gas less than block blob gas fee"
        case .setCodeCreate: return "set code transaction of type create"
        case .emptyAuthorizationList: return "EIP-7702 transaction with empty auth list"
        case .invalidSignature: return "invalid sender"
        case .invalidChainId: return "invalid chain id for signer"
        case .valueOverflow: return "value overflow"
        }
    }
}

extension EVMError {
    /// The JSON-RPC error of a refused transaction.
    var rpcError: RPCError {
        switch self {
        case .invalidTransaction(let e): return .server(e.poolMessage)
        case .malformedEncoding(let m): return .server("invalid transaction encoding: \(m)")
        case .invalidInput(let m): return .server(m)
        }
    }
}
