import EVM
import EVMPrimitives
import Foundation

extension JSONRPCServer {
    /// `eth_feeHistory`, `eth_getProof` and `debug_executionWitness`, or nil when `method` is none
    /// of them.
    func dispatchState(_ method: String, _ p: Params) async throws -> Any? {
        switch method {
        case "eth_feeHistory":
            return try await feeHistory(p)
        case "eth_getProof":
            let address = try p.address(0)
            var slots: [(text: String, slot: UInt256)] = []
            if let v = p.at(1) {
                guard let list = v as? [Any] else {
                    throw RPCError.invalidParams("argument 1: list of storage keys expected")
                }
                if list.count > JSONRPCServer.maxProofSlots {
                    throw RPCError.invalidParams("argument 1: at most \(JSONRPCServer.maxProofSlots) storage keys")
                }
                for item in list {
                    guard let s = item as? String, s.hasPrefix("0x"), s.utf8.count <= 66, let k = UInt256(hex: s) else {
                        throw RPCError.invalidParams("argument 1: storage keys are hex strings of at most 32 bytes")
                    }
                    slots.append((s, k))
                }
            }
            try await latestState(p.block(2))
            let proof = await chain.proof(address, slots: slots.map(\.slot))
            return [
                "address": address.description, "accountProof": proof.accountProof.map(d),
                "balance": q(proof.account.balance), "nonce": q(proof.account.nonce),
                "codeHash": Bytes32(proof.account.code.hash).description,
                "storageHash": proof.storageRoot.description,
                "storageProof": zip(slots, proof.storageProofs).map { s, sp -> [String: Any] in
                    ["key": s.text, "value": q(sp.value), "proof": sp.proof.map(d)]
                },
            ] as [String: Any]
        case "debug_executionWitness":
            guard let n = try await blockNumber(p.block(0)) else { throw RPCError.server("block not found") }
            if n == 0 { throw RPCError.server("the genesis block has no execution witness (it has no parent)") }
            guard let w = try await chain.witness(block: n) else {
                throw RPCError.server("no execution witness recorded for block \(n)")
            }
            return ["state": w.state.map(d), "codes": w.codes.map(d), "headers": w.headers.map(d)]
        default:
            return nil
        }
    }

    /// Most storage keys one `eth_getProof` may ask for.
    static let maxProofSlots = 1000
    /// Most blocks one `eth_feeHistory` reports (more are clamped, as geth does).
    static let maxFeeHistoryBlocks: UInt64 = 1024
    /// Most reward percentiles one `eth_feeHistory` takes.
    static let maxRewardPercentiles = 100

    /// `eth_feeHistory(blockCount, newestBlock, rewardPercentiles?)`: base fees (one more than the
    /// blocks: the next block's), gas used ratios, blob base fees and ratios, and per block the
    /// priority fee at each percentile of gas (transactions sorted by tip, weighted by gas used).
    func feeHistory(_ p: Params) async throws -> [String: Any] {
        let countValue = try p.required(0, "blockCount")
        var count: UInt64
        if let s = countValue as? String, let n = quantity(s) ?? UInt256(decimal: s) {
            count = n.fitsInUInt64 ? n.w0 : .max
        } else if let n = countValue as? NSNumber, n.int64Value >= 0 {
            count = UInt64(n.int64Value)
        } else {
            throw RPCError.invalidParams("argument 0: block count expected")
        }
        count = min(count, JSONRPCServer.maxFeeHistoryBlocks)
        let head = await chain.head.number
        let newestTag = try p.block(1)
        if case .number(let n) = newestTag, n > head {
            throw RPCError.server("request beyond head block: requested \(n), head \(head)")
        }
        guard let newest = try await blockNumber(newestTag) else { throw RPCError.server("block not found") }
        var percentiles: [Double] = []
        if let v = p.at(2) {
            guard let list = v as? [Any] else {
                throw RPCError.invalidParams("argument 2: list of percentiles expected")
            }
            if list.count > JSONRPCServer.maxRewardPercentiles {
                throw RPCError.invalidParams("argument 2: over the query limit \(JSONRPCServer.maxRewardPercentiles)")
            }
            for item in list {
                guard let n = item as? NSNumber, !(item is Bool) else {
                    throw RPCError.invalidParams("argument 2: percentiles are numbers")
                }
                let x = n.doubleValue
                if !(0...100).contains(x) || (percentiles.last.map { x < $0 } ?? false) {
                    throw RPCError.invalidParams("invalid reward percentile: \(x)")
                }
                percentiles.append(x)
            }
        }
        if count == 0 { return ["oldestBlock": q(UInt64(0)), "baseFeePerGas": [Any](), "gasUsedRatio": [Any]()] }
        count = min(count, newest + 1)
        let oldest = newest + 1 - count
        var baseFees: [Any] = []
        var blobBaseFees: [Any] = []
        var ratios: [Any] = []
        var blobRatios: [Any] = []
        var rewards: [Any] = []
        var last = BlockHeader()
        for n in oldest...newest {
            guard let b = try await chain.block(number: n) else { throw RPCError.server("block \(n) not found") }
            let h = b.header
            last = h
            let baseFee = h.baseFeePerGas ?? .zero
            baseFees.append(q(baseFee))
            ratios.append(h.gasLimit == 0 ? 0.0 : Double(h.gasUsed) / Double(h.gasLimit))
            let schedule = chain.config.rules(h).blobSchedule
            blobBaseFees.append(q(schedule?.blobBaseFee(excessBlobGas: h.excessBlobGas ?? 0) ?? .zero))
            let maxBlobGas = (schedule?.max ?? 0) &* 131_072
            blobRatios.append(maxBlobGas == 0 ? 0.0 : Double(h.blobGasUsed ?? 0) / Double(maxBlobGas))
            if percentiles.isEmpty { continue }
            let txs = try await chain.transactions(block: n)
            if txs.isEmpty {
                rewards.append(percentiles.map { _ in "0x0" })
                continue
            }
            let sorted = txs.map { t in (tip: t.effectiveGasPrice &- baseFee, gas: t.gasUsed) }.sorted {
                $0.tip < $1.tip
            }
            var row: [Any] = []
            var index = 0
            var sum = sorted[0].gas
            for pct in percentiles {
                let threshold = UInt64(Double(h.gasUsed) * pct / 100)
                while sum < threshold && index < sorted.count - 1 {
                    index += 1
                    sum += sorted[index].gas
                }
                row.append(q(sorted[index].tip))
            }
            rewards.append(row)
        }
        // The block after the newest one: its base fee and blob base fee follow from the newest.
        let next = await chain.draftHeader(after: last)
        baseFees.append(q(next.baseFeePerGas ?? .zero))
        let nextSchedule = chain.config.rules(next).blobSchedule
        blobBaseFees.append(q(nextSchedule?.blobBaseFee(excessBlobGas: next.excessBlobGas ?? 0) ?? .zero))
        var result: [String: Any] = [
            "oldestBlock": q(oldest), "baseFeePerGas": baseFees, "gasUsedRatio": ratios,
            "baseFeePerBlobGas": blobBaseFees, "blobGasUsedRatio": blobRatios,
        ]
        if !percentiles.isEmpty { result["reward"] = rewards }
        return result
    }
}
