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

    /// What a call runs on: the state after block ``parent`` (overrides applied) in the
    /// environment of the block that follows it.
    struct CallBase {
        /// The block whose post-state the call reads.
        var parent: BlockHeader
        /// That post-state.
        var state: [Address: Account]
        /// The timestamp of the following block (the next block's for the head, the real
        /// child's for an older block).
        var timestamp: UInt64
        /// The hashes `BLOCKHASH` reads: ``parent`` and its ancestors.
        var blockHashes: [UInt64: UInt256]
    }

    /// The call base at block `number`: the head, or a block within the state history.
    /// -32000 `header not found` past the head, `historical state not available` beyond the
    /// history.
    func callBase(at number: UInt64, overrides: StateOverrides) throws(RPCError) -> CallBase {
        var base: CallBase
        if number == head.number {
            base = CallBase(parent: head, state: accounts, timestamp: nextTimestamp, blockHashes: recentHashes)
        } else {
            guard number < head.number else { throw .server("header not found") }
            let i = Int(head.number - number)
            guard i < ancestors.count, let state = history.state(after: number, head: head.number, headState: accounts)
            else { throw historicalStateUnavailable() }
            base = CallBase(
                parent: ancestors[i],
                state: state,
                timestamp: ancestors[i - 1].timestamp,
                blockHashes: recentHashes.filter { $0.key <= number }
            )
        }
        overrides.apply(to: &base.state)
        return base
    }

    /// The error for a state read before the state history.
    func historicalStateUnavailable() -> RPCError {
        .server(
            "historical state not available: this node keeps the state of the newest \(history.limit) blocks (oldest: block \(history.oldestAvailable(head: head.number)))"
        )
    }

    /// The state after block `number` (the head's, or one within the state history).
    public func state(at number: UInt64) throws(RPCError) -> [Address: Account] {
        if number == head.number { return accounts }
        if number > head.number { throw .server("header not found") }
        guard let s = history.state(after: number, head: head.number, headState: accounts) else {
            throw historicalStateUnavailable()
        }
        return s
    }

    /// How many blocks below the head keep their state for calls and reads (128 by default).
    public func setStateHistory(blocks: Int) { history.limit = max(0, blocks) }

    /// The most gas a call gets when it names none: the block gas limit, capped by Osaka's
    /// per-transaction limit.
    nonisolated func callGasCap(_ base: CallBase) -> UInt64 { min(base.parent.gasLimit, EVM.maxTransactionGas) }

    /// Runs `request` with `gas` on `base`'s state (unchanged), in the environment of the block
    /// after `base.parent`. Without fee fields the base fee is taken as zero (as geth does), so an
    /// unfunded sender can call.
    nonisolated func run(_ request: CallRequest, gas: UInt64, on base: CallBase) throws(RPCError) -> CallOutcome {
        var header = builder.draftHeader(parent: base.parent, timestamp: base.timestamp)
        let priced = request.gasPrice != nil || request.maxFeePerGas != nil
        if !priced { header.baseFeePerGas = .zero }
        let (fork, schedule) = config.rules(header)
        let env = BlockEnv(
            header: header,
            fork: fork,
            blobSchedule: schedule,
            chainId: config.chainId,
            blockHashes: base.blockHashes
        )
        // The call reads the base state account by account (a copy of the whole state on its
        // first write would cost O(state)).
        let world = WorldState()
        world.backend = WitnessBackend(base: base.state)
        let evm = EVM(fork: fork, state: world, block: env)
        var t = Transaction(
            type: request.gasPrice != nil ? 1 : 2,
            chainId: config.chainId,
            nonce: UInt256(base.state[request.from]?.nonce ?? 0),
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

    /// `eth_call`: the call's return data on the state after block `block` (the head when nil)
    /// with `overrides` applied; a failed call is `execution reverted` (code 3) with the revert
    /// data, as geth answers.
    public func call(
        _ request: CallRequest,
        block: UInt64? = nil,
        overrides: StateOverrides = StateOverrides()
    ) throws(RPCError) -> [UInt8] {
        try call(request, on: try callBase(at: block ?? head.number, overrides: overrides))
    }

    /// ``call(_:block:overrides:)`` at the head without entering the actor (so that calls do not
    /// wait for a block being built), on the head last published (``headView``); nil while a
    /// block is being applied.
    public nonisolated func callAtHead(
        _ request: CallRequest,
        overrides: StateOverrides = StateOverrides()
    ) throws(RPCError) -> [UInt8]? {
        guard let view = headView.withLock({ $0 }) else { return nil }
        var base = CallBase(
            parent: view.header,
            state: view.accounts,
            timestamp: max(view.now(), view.header.timestamp &+ 1),
            blockHashes: view.recentHashes
        )
        overrides.apply(to: &base.state)
        return try call(request, on: base)
    }

    nonisolated func call(_ request: CallRequest, on base: CallBase) throws(RPCError) -> [UInt8] {
        let cap = callGasCap(base)
        let r = try run(request, gas: min(request.gas ?? cap, cap), on: base)
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

    /// `eth_estimateGas`: the least gas limit with which the call succeeds on the state after
    /// block `block` (the head when nil) with `overrides`, by binary search between the gas it
    /// used with the cap and the cap.
    public func estimateGas(
        _ request: CallRequest,
        block: UInt64? = nil,
        overrides: StateOverrides = StateOverrides()
    ) throws(RPCError) -> UInt64 {
        let base = try callBase(at: block ?? head.number, overrides: overrides)
        let cap = min(request.gas ?? callGasCap(base), callGasCap(base))
        let full = try run(request, gas: cap, on: base)
        if !full.success { throw Chain.reverted(full.output) }
        func succeeds(_ gas: UInt64) -> Bool { (try? run(request, gas: gas, on: base))?.success ?? false }
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

/// The head as ``Chain/callAtHead(_:overrides:)`` reads it: header, state, the ancestors' hashes
/// and the clock the next block's timestamp comes from.
struct HeadView: Sendable {
    var header: BlockHeader
    var accounts: [Address: Account]
    var recentHashes: [UInt64: UInt256]
    var now: @Sendable () -> UInt64
}
