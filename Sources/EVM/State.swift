import EVMPrimitives

/// One account of the world state.
public struct Account: Sendable {
    /// Transaction count (or contract-creation count for contracts).
    public var nonce: UInt64
    /// Balance in wei.
    public var balance: UInt256
    /// The account's code.
    public var code: Code
    /// Storage slots with non-zero values (a zero write removes the slot).
    public var storage: [UInt256: UInt256]

    /// An account with the given fields.
    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, code: Code = .empty, storage: [UInt256: UInt256] = [:]) {
        self.nonce = nonce
        self.balance = balance
        self.code = code
        self.storage = storage
    }

    /// EIP-161 emptiness: no nonce, no balance, no code.
    @inlinable public var isEmpty: Bool { nonce == 0 && balance.isZero && code.isEmpty }
}

extension Code: @unchecked Sendable {}

/// A storage slot of an account (key of warm-slot and transient-storage sets).
public struct SlotKey: Hashable, Sendable {
    public var address: Address
    public var key: UInt256
    @inlinable public init(_ address: Address, _ key: UInt256) {
        self.address = address
        self.key = key
    }
}

/// A log entry emitted by `LOG0`–`LOG4`.
public struct Log: Equatable, Sendable {
    public var address: Address
    public var topics: [UInt256]
    public var data: [UInt8]
    public init(address: Address, topics: [UInt256], data: [UInt8]) {
        self.address = address
        self.topics = topics
        self.data = data
    }
}

@usableFromInline
enum JournalEntry {
    case balance(Address, UInt256)
    case nonce(Address, UInt64)
    case storage(Address, UInt256, UInt256)
    case code(Address, Code)
    case account(Address, Account?)
    case warmAccount(Address)
    case warmSlot(SlotKey)
    case transient(SlotKey, UInt256)
    case touched(Address)
    case selfdestruct(Address)
    case created(Address)
}

/// The world state with a journal: every change made during a transaction can be undone
/// back to a checkpoint (a reverted call undoes exactly its own effects, warmth included).
public final class WorldState {
    /// All existing accounts.
    public var accounts: [Address: Account]
    @usableFromInline var journal: [JournalEntry] = []
    @usableFromInline var warmAccounts: Set<Address> = []
    @usableFromInline var warmSlots: Set<SlotKey> = []
    @usableFromInline var transientStorage: [SlotKey: UInt256] = [:]
    @usableFromInline var originalStorage: [SlotKey: UInt256] = [:]
    /// Accounts touched in the current transaction (EIP-161).
    public internal(set) var touched: Set<Address> = []
    /// Accounts that executed `SELFDESTRUCT` in the current transaction.
    public internal(set) var selfdestructs: Set<Address> = []
    /// Accounts created in the current transaction (EIP-6780).
    public internal(set) var created: Set<Address> = []
    /// Where accounts and slots not yet in ``accounts`` come from, for stateless execution
    /// (nil: ``accounts`` is the whole state). See ``WitnessBackend``.
    public var backend: WitnessBackend?

    /// A state holding `accounts`.
    public init(accounts: [Address: Account] = [:]) {
        self.accounts = accounts
    }

    /// A copy (accounts only; the journal and transaction sets start empty).
    public func copy() -> WorldState { WorldState(accounts: accounts) }

    // MARK: Transaction scope

    /// Clears the per-transaction sets (journal, warmth, transient storage, originals).
    public func beginTransaction() {
        journal.removeAll(keepingCapacity: true)
        warmAccounts.removeAll(keepingCapacity: true)
        warmSlots.removeAll(keepingCapacity: true)
        transientStorage.removeAll(keepingCapacity: true)
        originalStorage.removeAll(keepingCapacity: true)
        touched.removeAll(keepingCapacity: true)
        selfdestructs.removeAll(keepingCapacity: true)
        created.removeAll(keepingCapacity: true)
    }

    /// The journal position to revert to.
    @inlinable public var checkpoint: Int { journal.count }

    /// Undoes every change made after `checkpoint`.
    public func revert(to checkpoint: Int) {
        while journal.count > checkpoint {
            switch journal.removeLast() {
            case .balance(let a, let v): accounts[a]?.balance = v
            case .nonce(let a, let v): accounts[a]?.nonce = v
            case .storage(let a, let k, let v):
                if v.isZero { accounts[a]?.storage.removeValue(forKey: k) } else { accounts[a]?.storage[k] = v }
            case .code(let a, let c): accounts[a]?.code = c
            case .account(let a, let old): accounts[a] = old
            case .warmAccount(let a): warmAccounts.remove(a)
            case .warmSlot(let k): warmSlots.remove(k)
            case .transient(let k, let v):
                if v.isZero { transientStorage.removeValue(forKey: k) } else { transientStorage[k] = v }
            case .touched(let a): touched.remove(a)
            case .selfdestruct(let a): selfdestructs.remove(a)
            case .created(let a): created.remove(a)
            }
        }
    }

    // MARK: Reading

    /// Brings account `a` into ``accounts`` from the ``backend`` on its first use.
    @inlinable func load(_ a: Address) {
        if let b = backend, !b.loadedAccounts.contains(a) { b.loadAccount(a, into: self) }
    }

    /// Whether the account exists.
    @inlinable public func exists(_ a: Address) -> Bool {
        load(a)
        return accounts[a] != nil
    }
    /// Whether the account does not exist or is empty (EIP-161 "dead").
    @inlinable public func isDead(_ a: Address) -> Bool {
        load(a)
        return accounts[a]?.isEmpty ?? true
    }
    /// Whether the account exists and is empty.
    @inlinable public func existsAndIsEmpty(_ a: Address) -> Bool {
        load(a)
        return accounts[a]?.isEmpty ?? false
    }
    /// The balance (zero for a missing account).
    @inlinable public func balance(_ a: Address) -> UInt256 {
        load(a)
        return accounts[a]?.balance ?? .zero
    }
    /// The nonce (zero for a missing account).
    @inlinable public func nonce(_ a: Address) -> UInt64 {
        load(a)
        return accounts[a]?.nonce ?? 0
    }
    /// The code (empty for a missing account).
    @inlinable public func code(_ a: Address) -> Code {
        load(a)
        return accounts[a]?.code ?? Code.empty
    }
    /// A storage value (zero when unset).
    @inlinable public func storage(_ a: Address, _ k: UInt256) -> UInt256 {
        if let b = backend { b.loadSlot(a, k, into: self) }
        return accounts[a]?.storage[k] ?? .zero
    }
    /// The value a slot had when the transaction began (zero for accounts created in it).
    @inlinable public func originalStorage(_ a: Address, _ k: UInt256) -> UInt256 {
        if created.contains(a) { return .zero }
        return originalStorage[SlotKey(a, k)] ?? storage(a, k)
    }
    /// A transient-storage value (EIP-1153).
    @inlinable public func transient(_ a: Address, _ k: UInt256) -> UInt256 {
        transientStorage[SlotKey(a, k)] ?? .zero
    }

    // MARK: Writing (journaled)

    @inlinable func ensureAccount(_ a: Address) {
        load(a)
        if accounts[a] == nil {
            journal.append(.account(a, nil))
            accounts[a] = Account()
        }
    }

    /// Sets the balance, creating the account if needed.
    public func setBalance(_ a: Address, _ v: UInt256) {
        ensureAccount(a)
        journal.append(.balance(a, accounts[a]!.balance))
        accounts[a]!.balance = v
    }

    /// Adds to the balance (wrapping is impossible for real ether supplies).
    public func addBalance(_ a: Address, _ v: UInt256) {
        setBalance(a, balance(a) &+ v)
    }

    /// Sets the nonce, creating the account if needed.
    public func setNonce(_ a: Address, _ v: UInt64) {
        ensureAccount(a)
        journal.append(.nonce(a, accounts[a]!.nonce))
        accounts[a]!.nonce = v
    }

    /// Increments the nonce.
    public func incrementNonce(_ a: Address) { setNonce(a, nonce(a) &+ 1) }

    /// Replaces the code, creating the account if needed.
    public func setCode(_ a: Address, _ c: Code) {
        ensureAccount(a)
        journal.append(.code(a, accounts[a]!.code))
        accounts[a]!.code = c
    }

    /// Writes a storage slot (the account must exist).
    public func setStorage(_ a: Address, _ k: UInt256, _ v: UInt256) {
        if let b = backend { b.loadSlot(a, k, into: self) }
        ensureAccount(a)
        let key = SlotKey(a, k)
        let old = accounts[a]!.storage[k] ?? .zero
        if originalStorage[key] == nil { originalStorage[key] = old }
        journal.append(.storage(a, k, old))
        if v.isZero { accounts[a]!.storage.removeValue(forKey: k) } else { accounts[a]!.storage[k] = v }
    }

    /// Writes transient storage.
    public func setTransient(_ a: Address, _ k: UInt256, _ v: UInt256) {
        let key = SlotKey(a, k)
        journal.append(.transient(key, transientStorage[key] ?? .zero))
        if v.isZero { transientStorage.removeValue(forKey: key) } else { transientStorage[key] = v }
    }

    /// Deletes the account (and its storage).
    public func destroyAccount(_ a: Address) {
        load(a)
        guard let old = accounts[a] else { return }
        backend?.wiped.insert(a)
        journal.append(.account(a, old))
        accounts[a] = nil
    }

    /// Clears the account's storage, keeping the rest.
    public func clearStorage(_ a: Address) {
        load(a)
        guard let old = accounts[a], !old.storage.isEmpty else { return }
        backend?.wiped.insert(a)
        journal.append(.account(a, old))
        accounts[a]!.storage = [:]
    }

    /// Marks an account warm; returns whether it already was.
    @inlinable public func warmAccount(_ a: Address) -> Bool {
        if warmAccounts.contains(a) { return true }
        load(a)
        warmAccounts.insert(a)
        journal.append(.warmAccount(a))
        return false
    }

    /// Whether an account is warm.
    @inlinable public func isWarm(_ a: Address) -> Bool { warmAccounts.contains(a) }

    /// Marks a slot warm; returns whether it already was.
    @inlinable public func warmSlot(_ a: Address, _ k: UInt256) -> Bool {
        let key = SlotKey(a, k)
        if warmSlots.contains(key) { return true }
        warmSlots.insert(key)
        journal.append(.warmSlot(key))
        return false
    }

    /// Records a touch (EIP-161).
    public func touch(_ a: Address) {
        load(a)
        if touched.insert(a).inserted { journal.append(.touched(a)) }
    }

    /// Records a `SELFDESTRUCT`.
    public func markSelfdestruct(_ a: Address) {
        if selfdestructs.insert(a).inserted { journal.append(.selfdestruct(a)) }
    }

    /// Records a creation in this transaction.
    public func markCreated(_ a: Address) {
        load(a)
        if created.insert(a).inserted { journal.append(.created(a)) }
    }
}
