import EVM
import EVMPrimitives
import Foundation

/// The parts of a receipt's consensus encoding the JSON receipt shows.
struct DecodedReceipt {
    var success: Bool
    var cumulativeGasUsed: UInt64
    var bloom: [UInt8]
    var logs: [Log]

    /// Decodes `type? ‖ rlp([status, cumulativeGas, bloom, logs])`.
    init(_ encoding: [UInt8]) throws {
        var bytes = encoding
        if let first = bytes.first, first < 0xc0 { bytes.removeFirst() }
        var r = RLPReader(bytes)
        var l = try r.readList()
        success = try l.readUInt64() == 1
        cumulativeGasUsed = try l.readUInt64()
        bloom = try l.readBytes()
        logs = []
        var ll = try l.readList()
        while !ll.isAtEnd {
            var e = try ll.readList()
            let address = try e.readAddress()
            var topics: [UInt256] = []
            var tl = try e.readList()
            while !tl.isAtEnd { topics.append(UInt256(try tl.readBytes32())) }
            logs.append(Log(address: address, topics: topics, data: try e.readBytes()))
        }
    }
}

extension JSONRPCServer {
    /// A block's JSON object (transaction hashes, or full objects when `full`): the header's
    /// fields and the body's.
    func blockObject(_ b: Block, full: Bool) async throws -> [String: Any] {
        let h = b.header
        var txs: [Any] = []
        if full {
            let stored = try await chain.transactions(block: h.number)
            for (i, t) in b.transactions.enumerated() where i < stored.count {
                txs.append(transactionObject(t, sender: stored[i].sender, block: h, index: i))
            }
        } else {
            txs = b.transactions.map { $0.hash.description }
        }
        var o = JSONRPCServer.headerObject(h)
        o["totalDifficulty"] = "0x0"
        o["size"] = q(UInt64(b.encodedSize))
        o["transactions"] = txs
        o["uncles"] = [Any]()
        if h.withdrawalsRoot != nil { o["withdrawals"] = [Any]() }
        return o
    }

    /// A header's JSON object: what `eth_getBlockByNumber` shows but the body (transactions,
    /// uncles, withdrawals), size and total difficulty; the `newHeads` notification (geth's
    /// header marshalling).
    static func headerObject(_ h: BlockHeader) -> [String: Any] {
        var o: [String: Any] = [
            "number": q(h.number), "hash": h.hash.description, "parentHash": h.parentHash.description,
            "nonce": "0x0000000000000000", "sha3Uncles": h.ommersHash.description, "logsBloom": d(h.logsBloom),
            "transactionsRoot": h.transactionsRoot.description, "stateRoot": h.stateRoot.description,
            "receiptsRoot": h.receiptsRoot.description, "miner": h.coinbase.description, "difficulty": q(h.difficulty),
            "extraData": d(h.extraData), "gasLimit": q(h.gasLimit), "gasUsed": q(h.gasUsed),
            "timestamp": q(h.timestamp), "mixHash": h.mixHash.description,
        ]
        if let f = h.baseFeePerGas { o["baseFeePerGas"] = q(f) }
        if let r = h.withdrawalsRoot { o["withdrawalsRoot"] = r.description }
        if let g = h.blobGasUsed { o["blobGasUsed"] = q(g) }
        if let g = h.excessBlobGas { o["excessBlobGas"] = q(g) }
        if let r = h.parentBeaconBlockRoot { o["parentBeaconBlockRoot"] = r.description }
        if let r = h.requestsHash { o["requestsHash"] = r.description }
        return o
    }

    /// A transaction's JSON object; `block` nil for a pooled one.
    func transactionObject(_ t: Transaction, sender: Address, block: BlockHeader?, index: Int?) -> [String: Any] {
        var o: [String: Any] = [
            "hash": t.hash.description, "nonce": q(t.nonce), "from": sender.description,
            "to": t.to.map { $0.description as Any } ?? NSNull(), "value": q(t.value), "gas": q(t.gasLimit),
            "input": d(t.data), "type": q(UInt64(t.type)), "v": q(t.v), "r": q(t.r), "s": q(t.s),
            "blockHash": block.map { $0.hash.description as Any } ?? NSNull(),
            "blockNumber": block.map { q($0.number) as Any } ?? NSNull(),
            "transactionIndex": index.map { q(UInt64($0)) as Any } ?? NSNull(),
        ]
        if let c = t.chainId { o["chainId"] = q(c) }
        if t.type >= 1 {
            o["accessList"] = t.accessList.map { e -> [String: Any] in
                ["address": e.address.description, "storageKeys": e.storageKeys.map { Bytes32($0).description }]
            }
            o["yParity"] = q(t.v)
        }
        if t.type >= 2 {
            o["maxFeePerGas"] = q(t.maxFeePerGas)
            o["maxPriorityFeePerGas"] = q(t.maxPriorityFeePerGas)
            // The effective price once included, the cap while pooled.
            var price = t.maxFeePerGas
            if let base = block?.baseFeePerGas {
                let tip = t.maxFeePerGas &- base
                price = base &+ (t.maxPriorityFeePerGas < tip ? t.maxPriorityFeePerGas : tip)
            }
            o["gasPrice"] = q(price)
        } else {
            o["gasPrice"] = q(t.gasPrice)
        }
        if t.type == 4 {
            o["authorizationList"] = t.authorizations.map { a -> [String: Any] in
                [
                    "chainId": q(a.chainId), "address": a.address.description, "nonce": q(a.nonce),
                    "yParity": q(a.yParity), "r": q(a.r), "s": q(a.s),
                ]
            }
        }
        return o
    }

    /// `eth_getTransactionByHash`: included, then pooled; nil when unknown.
    func transactionObject(_ hash: Bytes32) async throws -> [String: Any]? {
        if let s = try await chain.transaction(hash: hash) {
            let t = try Transaction.decode(s.raw)
            let header = try await chain.block(number: s.blockNumber)?.header
            return transactionObject(t, sender: s.sender, block: header, index: s.index)
        }
        if let p = await chain.pooled(hash) {
            return transactionObject(p.transaction, sender: p.sender, block: nil, index: nil)
        }
        return nil
    }

    /// `eth_getTransactionReceipt`: nil until the transaction is included.
    func receiptObject(_ hash: Bytes32) async throws -> [String: Any]? {
        guard let s = try await chain.transaction(hash: hash),
            let block = try await chain.block(number: s.blockNumber)
        else { return nil }
        let t = try Transaction.decode(s.raw)
        let r = try DecodedReceipt(s.receipt)
        let blockHash = block.header.hash.description
        let logs = r.logs.enumerated().map { i, l -> [String: Any] in
            [
                "address": l.address.description, "topics": l.topics.map { Bytes32($0).description }, "data": d(l.data),
                "blockNumber": q(s.blockNumber), "blockHash": blockHash, "transactionHash": hash.description,
                "transactionIndex": q(UInt64(s.index)), "logIndex": q(UInt64(s.firstLogIndex + i)), "removed": false,
            ]
        }
        return [
            "transactionHash": hash.description, "transactionIndex": q(UInt64(s.index)), "blockHash": blockHash,
            "blockNumber": q(s.blockNumber), "from": s.sender.description,
            "to": t.to.map { $0.description as Any } ?? NSNull(), "cumulativeGasUsed": q(r.cumulativeGasUsed),
            "gasUsed": q(s.gasUsed), "contractAddress": s.contractAddress.map { $0.description as Any } ?? NSNull(),
            "logs": logs, "logsBloom": d(r.bloom), "status": r.success ? "0x1" : "0x0",
            "effectiveGasPrice": q(s.effectiveGasPrice), "type": q(UInt64(t.type)),
        ]
    }
}
