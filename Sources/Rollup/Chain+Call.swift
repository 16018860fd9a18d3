import EVM
import EVMPrimitives

/// The fields of an `eth_call` / `eth_estimateGas` call object.
public struct CallRequest: Sendable {
    public var from: Address = .zero
    public var to: Address?
    public var gas: UInt64?
    public var gasPrice: UInt256?
    public var maxFeePerGas: UInt256?
    public var maxPriorityFeePerGas: UInt256?
    public var value: UInt256 = .zero
    public var data: [UInt8] = []
    public var accessList: [AccessListEntry] = []
    /// An empty call from the zero address.
    public init() {}
}

extension Chain {
    /// The outcome of running a call on the state after the head.
    public struct CallOutcome: Sendable {
        /// Whether the call succeeded.
        public var success: Bool
        /// Returned or revert data.
        public var output: [UInt8]
        /// Gas used (after refunds).
        public var gasUsed: UInt64
    }

    /// The most gas a call gets when it names none: the block gas limit, capped by Osaka's
    /// per-transaction limit.
    var callGasCap: UInt64 { min(head.gasLimit, EVM.maxTransactionGas) }

    /// Runs `request` with `gas` on a copy of the head state, in the environment of the next
    /// block. Without fee fields the base fee is taken as zero (as geth does), so an unfunded
    /// sender can call.
    func run(_ request: CallRequest, gas: UInt64) throws(RPCError) -> CallOutcome {
        var header = builder.draftHeader(parent: head, timestamp: nextTimestamp)
        let priced = request.gasPrice != nil || request.maxFeePerGas != nil
        if !priced { header.baseFeePerGas = .zero }
        let (fork, schedule) = config.rules(header)
        let env = BlockEnv(
            header: header,
            fork: fork,
            blobSchedule: schedule,
            chainId: config.chainId,
            blockHashes: recentHashes
        )
        let evm = EVM(fork: fork, state: WorldState(accounts: accounts), block: env)
        var t = Transaction(
            type: request.gasPrice != nil ? 1 : 2,
            chainId: config.chainId,
            nonce: UInt256(nonce(request.from)),
            gasPrice: request.gasPrice ?? .zero,
            maxPriorityFeePerGas: request.maxPriorityFeePerGas ?? .zero,
            maxFeePerGas: request.maxFeePerGas ?? .zero,
            gasLimit: UInt256(gas),
            to: request.to,
            value: request.value,
            data: request.data,
            accessList: request.accessList
        )
        if request.maxFeePerGas != nil && request.maxPriorityFeePerGas == nil { t.maxPriorityFeePerGas = .zero }
        do {
            let r = try evm.execute(t, sender: request.from)
            return CallOutcome(success: r.success, output: r.output, gasUsed: r.gasUsed)
        } catch {
            throw error.rpcError
        }
    }

    /// `eth_call`: the call's return data; a failed call is `execution reverted` (code 3) with
    /// the revert data, as geth answers.
    public func call(_ request: CallRequest) throws(RPCError) -> [UInt8] {
        let r = try run(request, gas: min(request.gas ?? callGasCap, callGasCap))
        if !r.success { throw Chain.reverted(r.output) }
        return r.output
    }

    static func reverted(_ output: [UInt8]) -> RPCError {
        var message = "execution reverted"
        if let reason = revertReason(output) { message += ": \(reason)" }
        return RPCError(3, message, data: Hex.encode(output))
    }

    /// The string of an `Error(string)` revert payload.
    static func revertReason(_ output: [UInt8]) -> String? {
        guard output.count >= 68, output[0..<4] == [0x08, 0xc3, 0x79, 0xa0] else { return nil }
        guard let length = UInt256(bigEndianBytes: Array(output[36..<68])), length.fitsInUInt64,
            length.w0 <= UInt64(output.count - 68)
        else { return nil }
        return String(decoding: output[68..<68 + Int(length.w0)], as: UTF8.self)
    }

    /// `eth_estimateGas`: the least gas limit with which the call succeeds, by binary search
    /// between the gas it used with the cap and the cap.
    public func estimateGas(_ request: CallRequest) throws(RPCError) -> UInt64 {
        let cap = min(request.gas ?? callGasCap, callGasCap)
        let full = try run(request, gas: cap)
        if !full.success { throw Chain.reverted(full.output) }
        func succeeds(_ gas: UInt64) -> Bool { (try? run(request, gas: gas))?.success ?? false }
        if succeeds(full.gasUsed) { return full.gasUsed }
        var lo = full.gasUsed
        var hi = cap
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if succeeds(mid) { hi = mid } else { lo = mid }
        }
        return hi
    }
}
