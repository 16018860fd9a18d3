import EVM
import EVMPrimitives
import Foundation
import Logging
import Synchronization

/// The L2 chain: the head, its state, the transaction pool and the store behind them. Blocks
/// are built by ``BlockBuilder`` and committed to the store before the in-memory head moves, so
/// whatever a client was told survives a crash; at start-up the chain resumes from the store
/// (or writes the genesis block when it is empty).
public actor Chain {
    /// The genesis the chain started from.
    public let genesis: Genesis
    /// The rules.
    public let config: ChainConfig
    let store: any ChainStore
    let builder: BlockBuilder
    let logger: Logger
    /// Largest transaction encoding accepted (128 KiB, as geth).
    public static let maxTransactionSize = 128 * 1024

    /// The newest block's header.
    public private(set) var head: BlockHeader
    /// The state after ``head``.
    public private(set) var accounts: [Address: Account]
    var recentHashes: [UInt64: UInt256]
    /// The head and its ancestors, newest first (up to 256 of them: what `BLOCKHASH` reads and a
    /// witness carries).
    var ancestors: [BlockHeader]
    /// The head state's tries, updated block by block: blocks are built on them, and
    /// `eth_getProof` reads them.
    var tries: StateTries
    var pool = TxPool()
    /// The newest block whose batch was handed to the prover network (`safe`); nil when the
    /// node does not batch, and then `safe` is the head.
    public private(set) var safeNumber: UInt64?
    /// The newest block whose batch's final proof verified, with all batches before it
    /// (`finalized`); genesis until then.
    public private(set) var finalizedNumber: UInt64 = 0
    var building = false
    /// Undo diffs of the newest blocks: the states calls and reads at older blocks run on.
    var history = StateHistory(limit: 128)
    /// Each committed block, for `eth_subscribe`.
    public nonisolated let events = ChainEvents()
    /// The clock used for block timestamps (seconds since the epoch).
    var now: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    /// The fork of the next block as of the last block: what submissions check signatures
    /// under before they reach the actor (re-checked there if the fork has changed since).
    nonisolated let forkHint: Mutex<Fork>
    /// The head as calls at the head read it without waiting for the actor (nil while a block
    /// is being applied).
    nonisolated let headView = Mutex<HeadView?>(nil)

    /// Opens the chain on `store`: resumes from it, or starts it from `genesis` when empty.
    /// Pooled transactions are revalidated against the resumed state.
    public init(genesis: Genesis, store: any ChainStore, logger: Logger) async throws {
        self.genesis = genesis
        self.config = genesis.config
        self.store = store
        self.logger = logger
        self.builder = BlockBuilder(config: genesis.config, coinbase: genesis.coinbase)
        self.forkHint = Mutex(genesis.config.rules(number: 0, timestamp: genesis.timestamp).fork)
        if let stored = try await store.load() {
            head = stored.head
            accounts = stored.accounts
            recentHashes = stored.recentHashes
            var headers: [BlockHeader] = []
            var n = stored.head.number
            while headers.count < 256 {
                guard let rlp = try await store.block(number: n) else { break }
                headers.append(try Block.decode(rlp).header)
                if n == 0 { break }
                n -= 1
            }
            ancestors = headers
            tries = StateTries(accounts: stored.accounts)
            if let first = try await store.block(number: 0), let stored = try? Block.decode(first),
                stored.header.hash != genesis.block.header.hash
            {
                throw GenesisError(
                    "the data directory holds another chain (genesis \(stored.header.hash), this genesis \(genesis.block.header.hash))"
                )
            }
            var stale: [Bytes32] = []
            for (raw, sequence) in stored.pool {
                do {
                    _ = try admit(raw, sequence: sequence)
                } catch {
                    if let t = try? Transaction.decode(raw) { stale.append(t.hash) }
                }
            }
            try await store.removeFromPool(stale)
            for (number, undo) in try await store.stateUndos(newest: history.limit) {
                history.record(block: number, undo: undo)
            }
        } else {
            let state = genesis.state
            let block = genesis.block
            let built = BuiltBlock(
                block: block,
                encoded: Block.encode(header: block.header, transactionEncodings: []),
                included: []
            )
            try await store.commit(built, changes: StateChanges.between([:], state), dropFromPool: [])
            head = block.header
            accounts = state
            recentHashes = [0: UInt256(block.header.hash)]
            ancestors = [block.header]
            tries = StateTries(accounts: state)
        }
        publishHead()
    }

    /// Publishes the head for ``headView`` and the next block's fork for ``forkHint``.
    func publishHead() {
        let view = HeadView(header: head, accounts: accounts, recentHashes: recentHashes, now: now)
        headView.withLock { $0 = view }
        let fork = nextFork
        forkHint.withLock { $0 = fork }
    }

    /// The fork in force for the next block.
    var nextFork: Fork { config.rules(number: head.number &+ 1, timestamp: nextTimestamp).fork }
    var nextTimestamp: UInt64 { max(now(), head.timestamp &+ 1) }

    /// The base fee of the next block.
    public var nextBaseFee: UInt256 {
        builder.draftHeader(parent: head, timestamp: nextTimestamp).baseFeePerGas ?? .zero
    }

    /// The nonce of `address` in the state after the head.
    public func nonce(_ address: Address) -> UInt64 { accounts[address]?.nonce ?? 0 }

    /// The nonce the next transaction of `address` takes, counting pooled transactions.
    public func pendingNonce(_ address: Address) -> UInt64 { pool.pendingNonce(address, stateNonce: nonce(address)) }

    /// How many transactions wait in the pool.
    public var pooledCount: Int { pool.count }

    /// A pooled transaction by hash.
    public func pooled(_ hash: Bytes32) -> PendingTransaction? { pool.transaction(hash) }

    // MARK: - Transactions

    /// Validates a signed transaction and pools it (durably, before returning its hash).
    /// Refusals carry geth's messages: encoding, type, signature and chain id, intrinsic gas,
    /// nonce, fee caps against the next base fee, balance, block gas limit, replacement.
    ///
    /// The signature is checked (and the sender recovered) before the actor is entered, so that
    /// submissions do it in parallel and do not hold up blocks and calls.
    public nonisolated func submit(_ raw: [UInt8]) async throws -> Bytes32 {
        if raw.count > Chain.maxTransactionSize { throw RPCError.server("oversized data") }
        let t: Transaction
        do { t = try Transaction.decode(raw) } catch { throw error.rpcError }
        let fork = forkHint.withLock { $0 }
        let checked: Result<Address, EVMError>
        do {
            checked = .success(try t.validateStatelessly(fork: fork, chainId: config.chainId).sender)
        } catch {
            checked = .failure(error)
        }
        return try await submit(raw, decoded: t, checked: checked, under: fork)
    }

    /// Pools `raw` (decoded as `t`, its stateless checks under `fork` giving `checked`).
    func submit(
        _ raw: [UInt8],
        decoded t: Transaction,
        checked: Result<Address, EVMError>,
        under fork: Fork
    ) async throws -> Bytes32 {
        let sequence = pool.nextSequence
        let (p, replaced) = try admit(raw, sequence: sequence, decoded: t, checked: fork == nextFork ? checked : nil)
        let pooled: Bool
        do {
            pooled = try await store.pool(hash: p.hash, raw: raw, sequence: sequence, replacing: replaced)
        } catch {
            pool.remove(p.hash)
            throw error
        }
        if !pooled {
            // In a block already. The actor is reentrant at the store's await: when a block built
            // meanwhile took it from the pool, it is this submission that was included.
            guard pool.contains(p.hash) else { return p.hash }
            pool.remove(p.hash)
            throw RPCError.server("already known")
        }
        logger.debug("pooled", metadata: ["hash": .string(p.hash.description)])
        return p.hash
    }

    /// Checks `raw` against the pool rules and the head state, and inserts it into the pool.
    /// `decoded` and `checked` are its decoding and the result of its stateless checks under
    /// the next block's fork, when the caller has them.
    func admit(
        _ raw: [UInt8],
        sequence: Int64,
        decoded: Transaction? = nil,
        checked: Result<Address, EVMError>? = nil
    ) throws(RPCError) -> (PendingTransaction, replaced: Bytes32?) {
        if raw.count > Chain.maxTransactionSize { throw .server("oversized data") }
        let t: Transaction
        if let decoded { t = decoded } else { do { t = try Transaction.decode(raw) } catch { throw error.rpcError } }
        // Blob transactions need their sidecars (blobs, commitments, proofs), which this node
        // does not take.
        if t.type == 3 { throw .server("transaction type not supported") }
        let sender: Address
        switch checked {
        case .success(let a): sender = a
        case .failure(let e): throw e.rpcError
        case nil:
            do { sender = try t.validateStatelessly(fork: nextFork, chainId: config.chainId).sender } catch {
                throw error.rpcError
            }
        }
        if t.gasLimit.w0 > head.gasLimit { throw .server("exceeds block gas limit") }
        let baseFee = nextBaseFee
        if t.feeCap < baseFee {
            throw .server(
                "max fee per gas less than block base fee: maxFeePerGas: \(t.feeCap.decimalString), baseFee: \(baseFee.decimalString)"
            )
        }
        let account = accounts[sender] ?? Account()
        if !account.code.isEmpty && account.code.delegationTarget == nil { throw .server("sender not an eoa") }
        let p = PendingTransaction(transaction: t, hash: t.hash, sender: sender, sequence: sequence)
        let replaced = try pool.admit(p, stateNonce: account.nonce)
        let cost = t.gasLimit.multipliedFullWidth(by: t.feeCap)
        let total = cost.low.addingReportingOverflow(t.value)
        if !cost.high.isZero || total.overflow || account.balance < total.partialValue {
            throw .server(
                "insufficient funds for gas * price + value: balance \(account.balance.decimalString), tx cost \(total.overflow || !cost.high.isZero ? "overflow" : total.partialValue.decimalString)"
            )
        }
        pool.insert(p)
        return (p, replaced)
    }

    // MARK: - Blocks

    /// Builds and commits one block from the pool's executable transactions (at most
    /// `maxTransactions`), even an empty one. Returns its header, or nil when another block is
    /// being built.
    @discardableResult
    public func produceBlock(maxTransactions: Int = .max) async throws -> BlockHeader? {
        if building { return nil }
        building = true
        defer { building = false }
        let candidates = pool.executable { self.accounts[$0]?.nonce ?? 0 }
        let parent = head
        // The block runs on the head's tries as a stateless validator runs it: what it looks up
        // is its witness, and its root is recomputed from what it touched.
        let backend = tries.backend(root: parent.stateRoot, blockHashes: recentHashes)
        // Stop recording lookups however the build ends (the witness is taken before).
        defer { tries.store.visited = nil }
        let post = WorldState()
        post.backend = backend
        let (unwitnessed, refused) = try builder.build(
            parent: parent,
            state: post,
            candidates: candidates,
            timestamp: nextTimestamp,
            blockHashes: recentHashes,
            maxTransactions: maxTransactions
        )
        var built = unwitnessed
        let number = built.block.header.number
        built.witness = tries.witness(
            of: backend,
            number: number,
            window: ancestors.prefix(ExecutionWitness.headerCount(blockNumber: number)).map(\.encoded)
        )
        var drop = refused.map(\.hash)
        let changes = StateChanges.made(by: post, backend: backend, on: accounts)
        built.undo = changes.undo(from: accounts)
        for r in refused {
            logger.info(
                "dropped transaction",
                metadata: ["hash": .string(r.hash.description), "error": .string(r.error.rpcError.message)]
            )
        }
        // Pooled transactions whose nonce the block used up (replaced by an included one).
        var after = pool
        for t in built.included { after.remove(t.hash) }
        for h in drop { after.remove(h) }
        for s in Set(built.included.map(\.sender)) {
            drop += after.prune(sender: s, stateNonce: post.accounts[s]?.nonce ?? 0)
        }
        try await store.commit(built, changes: changes, dropFromPool: drop)
        if let undo = built.undo { history.record(block: built.block.header.number, undo: undo) }
        // The actor is reentrant at the commit's await: transactions pooled meanwhile are in
        // `pool` but not in `after`, so the block's removals are applied to the pool as it is now.
        for t in built.included { pool.remove(t.hash) }
        for h in drop { pool.remove(h) }
        for s in Set(built.included.map(\.sender)) {
            _ = pool.prune(sender: s, stateNonce: post.accounts[s]?.nonce ?? 0)
        }
        // Calls running on the published head keep its state alive; dropping the published
        // reference first lets the state be updated in place.
        headView.withLock { $0 = nil }
        head = built.block.header
        changes.apply(to: &accounts)
        tries.advance(changes, accounts: accounts)
        recentHashes[head.number] = UInt256(head.hash)
        if head.number >= 257 { recentHashes[head.number - 257] = nil }
        ancestors.insert(head, at: 0)
        if ancestors.count > 256 { ancestors.removeLast() }
        publishHead()
        events.publish(NewBlockEvent(built))
        logger.info(
            "block",
            metadata: [
                "number": .stringConvertible(head.number), "transactions": .stringConvertible(built.included.count),
                "gasUsed": .stringConvertible(head.gasUsed),
            ]
        )
        return head
    }

    /// Builds blocks of one transaction each until no pooled transaction is executable (the
    /// `--block-time 0` mode).
    public func mineAll() async throws {
        while !pool.executable(stateNonce: { self.accounts[$0]?.nonce ?? 0 }).isEmpty {
            guard let h = try await produceBlock(maxTransactions: 1) else { return }
            if h.gasUsed == 0 { return }
        }
    }

    /// Moves the `safe` and `finalized` blocks forward (never back, never past the head):
    /// called with the batches' marks (``BatchStore/marks()``).
    public func advanceMarks(safe: UInt64, finalized: UInt64) {
        let s = min(max(safe, safeNumber ?? 0), head.number)
        safeNumber = s
        finalizedNumber = min(max(finalized, finalizedNumber), s)
    }

    // MARK: - Reads

    /// The block numbered `number`.
    public func block(number: UInt64) async throws -> Block? {
        if number > head.number { return nil }
        guard let rlp = try await store.block(number: number) else { return nil }
        return try Block.decode(rlp)
    }

    /// The block with `hash`.
    public func block(hash: Bytes32) async throws -> Block? {
        guard let n = try await store.blockNumber(hash: hash) else { return nil }
        return try await block(number: n)
    }

    /// An included transaction by hash.
    public func transaction(hash: Bytes32) async throws -> StoredTransaction? {
        try await store.transaction(hash: hash)
    }

    /// The logs matching `query`, in chain order, at most `limit` of them.
    public func logs(_ query: LogQuery, limit: Int) async throws -> [StoredLog] {
        try await store.logs(query, limit: limit)
    }

    /// The header fields of the block that would follow `parent` (its base fee and excess blob
    /// gas).
    public func draftHeader(after parent: BlockHeader) -> BlockHeader {
        builder.draftHeader(parent: parent, timestamp: parent.timestamp &+ 1)
    }

    /// The transactions of block `number`.
    public func transactions(block number: UInt64) async throws -> [StoredTransaction] {
        try await store.transactions(block: number)
    }
}

extension UInt256 {
    /// The value in decimal.
    var decimalString: String {
        if fitsInUInt64 { return String(w0) }
        var digits: [UInt8] = []
        var v = self
        let ten = UInt256(10)
        while !v.isZero {
            let q = v / ten
            digits.append(UInt8(truncatingIfNeeded: (v &- q &* ten).w0) + 48)
            v = q
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}

extension Chain {
    /// Closes the store (the chain must not be used afterwards).
    public func close() async { await store.close() }
}
