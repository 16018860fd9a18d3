import EVMPrimitives
import Keccak

/// The fields of a block header, in encoding order (names ``BlockError`` uses).
public enum HeaderField: Int, Sendable, Equatable, CaseIterable {
    case parentHash
    case ommersHash
    case coinbase
    case stateRoot
    case transactionsRoot
    case receiptsRoot
    case logsBloom
    case difficulty
    case number
    case gasLimit
    case gasUsed
    case timestamp
    case extraData
    case mixHash
    case nonce
    /// EIP-1559 (London).
    case baseFeePerGas
    /// EIP-4895 (Shanghai).
    case withdrawalsRoot
    /// EIP-4844 (Cancun).
    case blobGasUsed
    /// EIP-4844 (Cancun).
    case excessBlobGas
    /// EIP-4788 (Cancun).
    case parentBeaconBlockRoot
    /// EIP-7685 (Prague).
    case requestsHash
}

/// An Ethereum block header, every field up to Osaka.
///
/// Fields added by later forks are optional; they are encoded positionally, so a header
/// carries a prefix of them (``decode(_:)`` refuses any other shape, and
/// ``validate(parent:fork:parentFork:blobSchedule:)`` checks the prefix matches the fork).
public struct BlockHeader: Sendable, Equatable {
    public var parentHash: Bytes32
    /// keccak(rlp(ommers)); the hash of the empty list from Paris on.
    public var ommersHash: Bytes32
    /// The fee recipient (`COINBASE`).
    public var coinbase: Address
    public var stateRoot: Bytes32
    public var transactionsRoot: Bytes32
    public var receiptsRoot: Bytes32
    /// The 256-byte bloom of the block's logs.
    public var logsBloom: [UInt8]
    /// Proof-of-work difficulty; zero from Paris on.
    public var difficulty: UInt256
    public var number: UInt64
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    public var timestamp: UInt64
    /// At most 32 bytes.
    public var extraData: [UInt8]
    /// The proof-of-work mix hash, `prevRandao` from Paris on.
    public var mixHash: Bytes32
    /// The 8-byte proof-of-work nonce; zero from Paris on.
    public var nonce: UInt64
    public var baseFeePerGas: UInt256?
    public var withdrawalsRoot: Bytes32?
    public var blobGasUsed: UInt64?
    public var excessBlobGas: UInt64?
    public var parentBeaconBlockRoot: Bytes32?
    public var requestsHash: Bytes32?

    /// A header with every optional field absent and the others zero (empty bloom: 256 zero bytes).
    public init() {
        parentHash = .zero
        ommersHash = .zero
        coinbase = .zero
        stateRoot = .zero
        transactionsRoot = .zero
        receiptsRoot = .zero
        logsBloom = [UInt8](repeating: 0, count: 256)
        difficulty = .zero
        number = 0
        gasLimit = 0
        gasUsed = 0
        timestamp = 0
        extraData = []
        mixHash = .zero
        nonce = 0
        baseFeePerGas = nil
        withdrawalsRoot = nil
        blobGasUsed = nil
        excessBlobGas = nil
        parentBeaconBlockRoot = nil
        requestsHash = nil
    }

    /// `PREVRANDAO` from Paris on (the same field as ``mixHash``).
    public var prevRandao: Bytes32 { mixHash }

    /// keccak(rlp([])): the ommers hash of a block without ommers.
    public static var emptyOmmersHash: Bytes32 { Keccak256.digest([0xC0]) }

    /// Number of fields the encoding carries (15 to 21).
    public var fieldCount: Int {
        if requestsHash != nil { return 21 }
        if parentBeaconBlockRoot != nil { return 20 }
        if excessBlobGas != nil || blobGasUsed != nil { return 19 }
        if withdrawalsRoot != nil { return 17 }
        if baseFeePerGas != nil { return 16 }
        return 15
    }

    /// Decodes a header from its RLP list, refusing non-canonical RLP, wrong field sizes,
    /// trailing bytes and field counts that no fork uses.
    public static func decode(_ bytes: [UInt8]) throws(BlockError) -> BlockHeader {
        var r = RLPReader(bytes)
        let h = try decode(from: &r)
        if !r.isAtEnd { throw .trailingBytes }
        return h
    }

    /// Decodes one header list at the reader's position and moves past it.
    public static func decode(from r: inout RLPReader) throws(BlockError) -> BlockHeader {
        var l: RLPReader
        do { l = try r.readList() } catch { throw .malformedHeader(.parentHash, error) }
        var h = BlockHeader()
        var field = HeaderField.parentHash
        do throws(RLPError) {
            h.parentHash = try l.readBytes32()
            field = .ommersHash
            h.ommersHash = try l.readBytes32()
            field = .coinbase
            h.coinbase = try l.readAddress()
            field = .stateRoot
            h.stateRoot = try l.readBytes32()
            field = .transactionsRoot
            h.transactionsRoot = try l.readBytes32()
            field = .receiptsRoot
            h.receiptsRoot = try l.readBytes32()
            field = .logsBloom
            h.logsBloom = try l.readBytes()
            guard h.logsBloom.count == 256 else { throw RLPError.wrongSize }
            field = .difficulty
            h.difficulty = try l.readUInt256()
            field = .number
            h.number = try l.readUInt64()
            field = .gasLimit
            h.gasLimit = try l.readUInt64()
            field = .gasUsed
            h.gasUsed = try l.readUInt64()
            field = .timestamp
            h.timestamp = try l.readUInt64()
            field = .extraData
            h.extraData = try l.readBytes()
            field = .mixHash
            h.mixHash = try l.readBytes32()
            field = .nonce
            let n = try l.readBytesRange()
            guard n.count == 8 else { throw RLPError.wrongSize }
            for i in n { h.nonce = h.nonce << 8 | UInt64(l.data[i]) }
            if l.isAtEnd { return h }
            field = .baseFeePerGas
            h.baseFeePerGas = try l.readUInt256()
            if l.isAtEnd { return h }
            field = .withdrawalsRoot
            h.withdrawalsRoot = try l.readBytes32()
            if l.isAtEnd { return h }
            field = .blobGasUsed
            h.blobGasUsed = try l.readUInt64()
            field = .excessBlobGas
            if l.isAtEnd { throw RLPError.truncated }
            h.excessBlobGas = try l.readUInt64()
            if l.isAtEnd { return h }
            field = .parentBeaconBlockRoot
            h.parentBeaconBlockRoot = try l.readBytes32()
            if l.isAtEnd { return h }
            field = .requestsHash
            h.requestsHash = try l.readBytes32()
            try l.finish()
        } catch {
            throw .malformedHeader(field, error)
        }
        return h
    }

    /// Appends the header's RLP list to `w`.
    public func append(to w: inout RLPWriter) {
        let count = fieldCount
        w.appendList { w in
            w.append(parentHash)
            w.append(ommersHash)
            w.append(coinbase)
            w.append(stateRoot)
            w.append(transactionsRoot)
            w.append(receiptsRoot)
            w.append(bytes: logsBloom)
            w.append(difficulty)
            w.append(uint: number)
            w.append(uint: gasLimit)
            w.append(uint: gasUsed)
            w.append(uint: timestamp)
            w.append(bytes: extraData)
            w.append(mixHash)
            var nonceBytes = [UInt8](repeating: 0, count: 8)
            for i in 0..<8 { nonceBytes[i] = UInt8(truncatingIfNeeded: nonce >> UInt64(56 &- 8 &* i)) }
            w.append(bytes: nonceBytes)
            if count >= 16 { w.append(baseFeePerGas ?? .zero) }
            if count >= 17 { w.append(withdrawalsRoot ?? .zero) }
            if count >= 19 {
                w.append(uint: blobGasUsed ?? 0)
                w.append(uint: excessBlobGas ?? 0)
            }
            if count >= 20 { w.append(parentBeaconBlockRoot ?? .zero) }
            if count >= 21 { w.append(requestsHash ?? .zero) }
        }
    }

    /// The RLP encoding.
    public var encoded: [UInt8] {
        var w = RLPWriter(capacity: 640)
        append(to: &w)
        return w.bytes
    }

    /// The block hash: keccak(rlp(header)).
    public var hash: Bytes32 { Keccak256.digest(encoded) }
}
