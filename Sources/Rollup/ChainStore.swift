import EVM
import EVMPrimitives

/// What changed in the state between two blocks: the rows a store rewrites.
public struct StateChanges: Sendable {
    /// Accounts written (nil: deleted, with all their storage).
    public var accounts: [(address: Address, account: Account?)] = []
    /// Accounts whose storage is wiped before ``storage`` is applied (deleted or re-created).
    public var clearedStorage: [Address] = []
    /// Slots written (a zero value deletes the slot).
    public var storage: [(address: Address, slot: UInt256, value: UInt256)] = []
    /// Codes that may be new, by hash.
    public var codes: [(hash: UInt256, code: [UInt8])] = []

    /// The changes that turn `old` into `new` (whole states, compared account by account).
    public static func between(_ old: [Address: Account], _ new: [Address: Account]) -> StateChanges {
        var c = StateChanges()
        for (address, n) in new {
            guard let o = old[address] else {
                c.created(address, n)
                continue
            }
            c.rewrote(address, from: o, to: n)
            if o.storage != n.storage { c.rewroteStorage(address, from: o.storage, to: n.storage) }
        }
        for (address, _) in old where new[address] == nil { c.accounts.append((address, nil)) }
        return c
    }

    /// Adds account `address`, absent before, as `n`: its fields, code and every slot.
    mutating func created(_ address: Address, _ n: Account) {
        accounts.append((address, n))
        clearedStorage.append(address)
        for (k, v) in n.storage { storage.append((address, k, v)) }
        if !n.code.isEmpty { codes.append((n.code.hash, n.code.bytes)) }
    }

    /// Adds account `address`'s fields (and new code) when they changed from `o` to `n`.
    mutating func rewrote(_ address: Address, from o: Account, to n: Account) {
        if o.nonce != n.nonce || o.balance != n.balance || o.code.hash != n.code.hash {
            accounts.append((address, n))
            if !n.code.isEmpty && o.code.hash != n.code.hash { codes.append((n.code.hash, n.code.bytes)) }
        }
    }

    /// Adds every slot of account `address` that differs between `old` and `new`.
    mutating func rewroteStorage(_ address: Address, from old: [UInt256: UInt256], to new: [UInt256: UInt256]) {
        for (k, v) in new where old[k] != v { storage.append((address, k, v)) }
        for (k, _) in old where new[k] == nil { storage.append((address, k, .zero)) }
    }
}

/// A stored transaction's place and outcome.
public struct StoredTransaction: Sendable {
    /// The block that includes it.
    public var blockNumber: UInt64
    /// Its index in the block.
    public var index: Int
    /// Its sender.
    public var sender: Address
    /// Its network encoding.
    public var raw: [UInt8]
    /// Its receipt's consensus encoding.
    public var receipt: [UInt8]
    /// Gas it used.
    public var gasUsed: UInt64
    /// The price per gas it paid.
    public var effectiveGasPrice: UInt256
    /// The contract it created, if any.
    public var contractAddress: Address?
    /// The block-wide index of its first log.
    public var firstLogIndex: Int
}

/// What a store holds at start-up: enough to resume the chain.
public struct StoredChain: Sendable {
    /// The newest block's header.
    public var head: BlockHeader
    /// The hashes of the newest blocks (up to 256 back from the head), by number.
    public var recentHashes: [UInt64: UInt256]
    /// The state after the head.
    public var accounts: [Address: Account]
    /// Pooled transactions, in order of arrival.
    public var pool: [(raw: [UInt8], sequence: Int64)]
}

extension ChainStore {
    /// ``pool(hash:raw:sequence:replacing:)`` through ``transaction(hash:)``,
    /// ``addToPool(hash:raw:sequence:)`` and ``removeFromPool(_:)`` (not atomic: a store
    /// overrides it with one transaction).
    public func pool(hash: Bytes32, raw: [UInt8], sequence: Int64, replacing: Bytes32?) async throws -> Bool {
        if try await transaction(hash: hash) != nil { return false }
        try await addToPool(hash: hash, raw: raw, sequence: sequence)
        if let replacing { try await removeFromPool([replacing]) }
        return true
    }

    /// No state history: a store that keeps none serves calls at the head only after a restart.
    public func stateUndos(newest count: Int) async throws -> [(number: UInt64, undo: StateChanges)] { [] }
}

/// Durable storage of the L2 chain: blocks, receipts, logs (indexed by block, address and
/// topics), transactions by hash, each block's execution witness, the state and the transaction
/// pool. Each write is one atomic transaction: after a crash the store holds every
/// block it acknowledged, with the state after it, and every pooled transaction it acknowledged.
public protocol ChainStore: Sendable {
    /// The stored chain, or nil when the store is empty.
    func load() async throws -> StoredChain?
    /// Stores `block` (with its post-state `changes` from the previous block), its transactions,
    /// their logs, the block's witness and undo diff when it has them, and removes `dropFromPool` from the pool, atomically.
    func commit(_ block: BuiltBlock, changes: StateChanges, dropFromPool: [Bytes32]) async throws
    /// Adds a transaction to the pool.
    func addToPool(hash: Bytes32, raw: [UInt8], sequence: Int64) async throws
    /// Adds a transaction to the pool, removing the one it replaces, unless it is already in a
    /// block: then nothing changes and the answer is false.
    func pool(hash: Bytes32, raw: [UInt8], sequence: Int64, replacing: Bytes32?) async throws -> Bool
    /// Removes transactions from the pool (replaced or no longer valid).
    func removeFromPool(_ hashes: [Bytes32]) async throws
    /// A block's RLP by number.
    func block(number: UInt64) async throws -> [UInt8]?
    /// A block's number by hash.
    func blockNumber(hash: Bytes32) async throws -> UInt64?
    /// A transaction by hash, once included.
    func transaction(hash: Bytes32) async throws -> StoredTransaction?
    /// The transactions of a block, in order.
    func transactions(block number: UInt64) async throws -> [StoredTransaction]
    /// The logs matching `query`, in chain order, at most `limit` of them.
    func logs(_ query: LogQuery, limit: Int) async throws -> [StoredLog]
    /// The execution witness recorded for block `number`, if any.
    func witness(block number: UInt64) async throws -> ExecutionWitness?
    /// The undo diffs of the newest `count` blocks that have one stored (``BuiltBlock/undo``),
    /// oldest first.
    func stateUndos(newest count: Int) async throws -> [(number: UInt64, undo: StateChanges)]
    /// Closes the store.
    func close() async
}
