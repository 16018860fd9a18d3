import EVMPrimitives
import Keccak

/// An EIP-4895 withdrawal: `amount` Gwei credited to `address` (Shanghai+).
public struct Withdrawal: Sendable, Equatable {
    public var index: UInt64
    public var validatorIndex: UInt64
    public var address: Address
    /// The amount in Gwei.
    public var amount: UInt64

    /// A withdrawal from its four fields.
    public init(index: UInt64, validatorIndex: UInt64, address: Address, amount: UInt64) {
        self.index = index
        self.validatorIndex = validatorIndex
        self.address = address
        self.amount = amount
    }

    /// The RLP encoding `[index, validatorIndex, address, amount]`.
    public var encoded: [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            w.append(uint: index)
            w.append(uint: validatorIndex)
            w.append(address)
            w.append(uint: amount)
        }
        return w.bytes
    }
}

/// A block: header and body (transactions, ommers, withdrawals from Shanghai on).
public struct Block: Sendable {
    public var header: BlockHeader
    /// The transactions, decoded.
    public var transactions: [Transaction]
    /// Each transaction's consensus encoding (legacy: its RLP list; typed: `type ‖ rlp(fields)`),
    /// as the transactions trie stores it.
    public var transactionEncodings: [[UInt8]]
    /// Ommer (uncle) headers; none from Paris on.
    public var ommers: [BlockHeader]
    /// keccak of the ommers list as encoded in the block.
    public var ommersListHash: Bytes32
    /// Withdrawals; nil when the block list has no fourth item.
    public var withdrawals: [Withdrawal]?
    /// The size of the block's RLP encoding.
    public var encodedSize: Int

    /// Decodes `rlp([header, transactions, ommers, withdrawals?])`, strictly: canonical RLP,
    /// typed transactions as byte strings wrapping `type ‖ payload` and legacy ones as lists,
    /// no trailing bytes.
    public static func decode(_ bytes: [UInt8]) throws(BlockError) -> Block {
        var outer = RLPReader(bytes)
        var l: RLPReader
        do { l = try outer.readList() } catch { throw .malformedBody(.block, error) }
        if !outer.isAtEnd { throw .trailingBytes }
        let header = try BlockHeader.decode(from: &l)
        var transactions: [Transaction] = []
        var encodings: [[UInt8]] = []
        var txs: RLPReader
        do { txs = try l.readList() } catch { throw .malformedBody(.transactions, error) }
        while !txs.isAtEnd {
            let index = transactions.count
            let encoding: [UInt8]
            let isList: Bool
            do {
                isList = try txs.peekHeader().isList
                encoding = isList ? Array(try txs.readRaw()) : try txs.readBytes()
            } catch {
                throw .malformedBody(.transactions, error)
            }
            // A byte string wraps a typed transaction: its first byte is the type, below 0x80.
            if !isList, let first = encoding.first, first >= 0x80 {
                throw .malformedTransaction(index: index, .malformedEncoding("typed transaction of type \(first)"))
            }
            do {
                transactions.append(try Transaction.decode(encoding))
            } catch {
                throw .malformedTransaction(index: index, error)
            }
            encodings.append(encoding)
        }
        var ommers: [BlockHeader] = []
        let ommersHash: Bytes32
        var ol: RLPReader
        do {
            let start = l.position
            ol = try l.readList()
            ommersHash = Keccak256.digest(Array(l.data[start..<l.position]))
        } catch {
            throw .malformedBody(.ommers, error)
        }
        while !ol.isAtEnd { ommers.append(try BlockHeader.decode(from: &ol)) }
        var withdrawals: [Withdrawal]? = nil
        if !l.isAtEnd {
            var list: [Withdrawal] = []
            do {
                var wl = try l.readList()
                while !wl.isAtEnd {
                    var w = try wl.readList()
                    let index = try w.readUInt64()
                    let validator = try w.readUInt64()
                    let address = try w.readAddress()
                    let amount = try w.readUInt64()
                    try w.finish()
                    list.append(Withdrawal(index: index, validatorIndex: validator, address: address, amount: amount))
                }
                try l.finish()
            } catch {
                throw .malformedBody(.withdrawals, error)
            }
            withdrawals = list
        }
        return Block(
            header: header,
            transactions: transactions,
            transactionEncodings: encodings,
            ommers: ommers,
            ommersListHash: ommersHash,
            withdrawals: withdrawals,
            encodedSize: bytes.count
        )
    }

    /// The root of Ethereum's ordered trie of `encodings`: key `rlp(index)`, value the encoding
    /// (transactions, receipts and withdrawals roots).
    public static func orderedTrieRoot(_ encodings: [[UInt8]]) -> Bytes32 {
        if encodings.isEmpty { return MerklePatriciaTrie.emptyRoot }
        var t = MerklePatriciaTrie()
        for (i, e) in encodings.enumerated() {
            var w = RLPWriter()
            w.append(uint: UInt64(i))
            t.insert(w.bytes, e)
        }
        return t.rootHash
    }

    /// The transactions root of this body.
    public var transactionsRoot: Bytes32 { Block.orderedTrieRoot(transactionEncodings) }

    /// The withdrawals root of this body (nil without withdrawals).
    public var withdrawalsRoot: Bytes32? {
        guard let withdrawals else { return nil }
        return Block.withdrawalsRoot(withdrawals)
    }

    /// The withdrawals trie root of `withdrawals`.
    public static func withdrawalsRoot(_ withdrawals: [Withdrawal]) -> Bytes32 {
        orderedTrieRoot(withdrawals.map { $0.encoded })
    }

    /// The receipts trie root of `receipts`.
    public static func receiptsRoot(_ receipts: [Receipt]) -> Bytes32 {
        orderedTrieRoot(receipts.map { $0.encoded })
    }

    /// Blob gas the body's transactions use (blob count × ``Transaction/gasPerBlob``).
    public var blobGasUsed: UInt64 {
        var blobs: UInt64 = 0
        for t in transactions { blobs &+= UInt64(t.blobVersionedHashes.count) }
        return blobs &* Transaction.gasPerBlob
    }

    /// Checks the body against its header under `fork`: transactions root, ommers hash,
    /// withdrawals (present from Shanghai on, root), blob gas used (Cancun+) and the RLP size
    /// limit (Osaka+). Ommers themselves are not validated.
    public func validateBody(fork: Fork) throws(BlockError) {
        if fork >= .osaka && encodedSize > BlockRules.maximumBlockSize { throw .blockTooLarge }
        if transactionsRoot != header.transactionsRoot { throw .transactionsRootMismatch }
        if ommersListHash != header.ommersHash { throw .ommersHashMismatch }
        if (fork >= .shanghai) != (withdrawals != nil) { throw .withdrawalsPresence }
        if let root = withdrawalsRoot, root != header.withdrawalsRoot { throw .withdrawalsRootMismatch }
        if fork >= .cancun && header.blobGasUsed != blobGasUsed { throw .blobGasUsedMismatch }
    }
}
