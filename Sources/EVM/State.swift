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

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(key.mixedHash(seed: address.mixedHash(seed: 0))) }

    /// The key's limbs mixed under the address's (see `KeyHashing.swift`).
    @inlinable @inline(__always)
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: key.mixedHash(seed: address.mixedHash(seed: UInt64(truncatingIfNeeded: seed))))
    }
}

/// What a transaction has learnt of a storage slot: whether it is warm (EIP-2929), once
/// `SSTORE` has looked at it its value when the transaction began (EIP-2200's "original"),
/// and once `SLOAD` or `SSTORE` has read it its current value (a copy of the account's
/// storage entry, so that a warm `SLOAD` is one lookup here instead of three: this table,
/// the accounts, the account's storage).
///
/// The copy is kept equal to the storage: every write of a slot (``WorldState/writeStorage(_:_:old:_:)``
/// and its revert) updates it, and whatever replaces a non-empty storage wholesale
/// (destruction, clearing, the revert of either) drops the copies of every slot (`hasValue`).
/// (An account created and removed again had, and has, no storage: its slots read zero
/// throughout.)
@usableFromInline
struct SlotState {
    @usableFromInline var original: UInt256 = .zero
    @usableFromInline var value: UInt256 = .zero
    @usableFromInline var hasOriginal = false
    @usableFromInline var hasValue = false
    @usableFromInline var warm = false
    @inlinable init() {}
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
    /// Warmth and original values of the slots used in the transaction, in one table so that
    /// `SSTORE` finds both with one lookup.
    @usableFromInline var slots: [SlotKey: SlotState] = [:]
    @usableFromInline var transientStorage: [SlotKey: UInt256] = [:]
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
    ///
    /// The warm set and the journal start with room for a transaction's usual entries (the
    /// precompiles alone warm 10 to 18 accounts): grown from empty, each would be reallocated
    /// and rehashed at every power of two.
    public init(accounts: [Address: Account] = [:]) {
        self.accounts = accounts
        warmAccounts.reserveCapacity(32)
        journal.reserveCapacity(64)
    }

    /// A copy (accounts only; the journal and transaction sets start empty).
    public func copy() -> WorldState { WorldState(accounts: accounts) }

    // MARK: Transaction scope

    /// Clears the per-transaction sets (journal, warmth, transient storage, originals).
    public func beginTransaction() {
        journal.removeAll(keepingCapacity: true)
        warmAccounts.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        transientStorage.removeAll(keepingCapacity: true)
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
                let exists: Bool =
                    withAccount(a) { acct in
                        if v.isZero { acct.storage.removeValue(forKey: k) } else { acct.storage[k] = v }
                        return true
                    } ?? false
                if let i = slots.index(forKey: SlotKey(a, k)) {
                    if exists { WorldState.cache(&slots.values[i], v) } else { slots.values[i].hasValue = false }
                }
            case .code(let a, let c): accounts[a]?.code = c
            case .account(let a, let old):
                let hadStorage = withAccount(a) { !$0.storage.isEmpty } ?? false
                accounts[a] = old
                if hadStorage || !(old?.storage.isEmpty ?? true) { dropSlotValues() }
            case .warmAccount(let a): warmAccounts.remove(a)
            case .warmSlot(let k): slots[k]?.warm = false
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
    /// The last address asked for is remembered: runs of accesses to one account (the sender's
    /// balance and nonce, a contract's code and storage) then skip the set lookup.
    @inlinable func load(_ a: Address) {
        guard let b = backend, b.lastLoaded != a else { return }
        b.lastLoaded = a
        if !b.loadedAccounts.contains(a) { b.loadAccount(a, into: self) }
    }

    /// Calls `body` on account `a` where it lies in ``accounts`` (nil when it does not exist;
    /// nothing is loaded from the backend). The account is reached through the table's
    /// in-place accessor: its getter would copy the account out, retaining and releasing the
    /// code and the storage table, which cost more than the lookup itself. (Like any in-place
    /// access, it first makes ``accounts`` unique if its buffer is shared, as a write would.)
    @inlinable @inline(__always)
    func withAccount<R>(_ a: Address, _ body: (inout Account) -> R) -> R? {
        guard let i = accounts.index(forKey: a) else { return nil }
        return body(&accounts.values[i])
    }

    /// Whether the account exists.
    @inlinable public func exists(_ a: Address) -> Bool {
        load(a)
        return accounts.index(forKey: a) != nil
    }
    /// Whether the account does not exist or is empty (EIP-161 "dead").
    @inlinable public func isDead(_ a: Address) -> Bool {
        load(a)
        return withAccount(a) { $0.isEmpty } ?? true
    }
    /// Whether the account exists and is empty.
    @inlinable public func existsAndIsEmpty(_ a: Address) -> Bool {
        load(a)
        return withAccount(a) { $0.isEmpty } ?? false
    }
    /// The balance (zero for a missing account).
    @inlinable public func balance(_ a: Address) -> UInt256 {
        load(a)
        return withAccount(a) { $0.balance } ?? .zero
    }
    /// The nonce (zero for a missing account).
    @inlinable public func nonce(_ a: Address) -> UInt64 {
        load(a)
        return withAccount(a) { $0.nonce } ?? 0
    }
    /// The code (empty for a missing account).
    @inlinable public func code(_ a: Address) -> Code {
        load(a)
        return withAccount(a) { $0.code } ?? Code.empty
    }
    /// A storage value (zero when unset).
    @inlinable public func storage(_ a: Address, _ k: UInt256) -> UInt256 {
        if let b = backend { b.loadSlot(a, k, into: self) }
        return withAccount(a) { $0.storage[k] ?? .zero } ?? .zero
    }
    /// The value a slot had when the transaction began (zero for accounts created in it).
    @inlinable public func originalStorage(_ a: Address, _ k: UInt256) -> UInt256 {
        if !created.isEmpty && created.contains(a) { return .zero }
        if let s = slots[SlotKey(a, k)], s.hasOriginal { return s.original }
        return storage(a, k)
    }
    /// What `SSTORE` reads of a slot, with one lookup of its transaction state: the current
    /// value, the value when the transaction began (zero for accounts created in it), and
    /// whether the slot was warm. With `warming` (Berlin on) the slot is warm afterwards.
    /// (``writeSlot(_:_:_:warming:charge:)`` refused before the write.)
    @inlinable
    public func slotForWrite(
        _ a: Address,
        _ k: UInt256,
        warming: Bool
    ) -> (current: UInt256, original: UInt256, wasWarm: Bool) {
        var r = (current: UInt256.zero, original: UInt256.zero, wasWarm: false)
        _ = writeSlot(a, k, .zero, warming: warming) { current, original, wasWarm in
            r = (current, original, wasWarm)
            return false
        }
        return r
    }

    /// `SSTORE` with one lookup of the slot's transaction state: reads the current value
    /// (from the copy there when the slot was read before in the transaction), records the
    /// original value, warms the slot when `warming` (journaled), then asks `charge` with the
    /// current value, the original (zero for accounts created in the transaction) and whether
    /// the slot was warm. When `charge` returns true and `v` differs from the current value,
    /// writes `v` (journaled). Returns what `charge` returned.
    @inlinable
    public func writeSlot(
        _ a: Address,
        _ k: UInt256,
        _ v: UInt256,
        warming: Bool,
        charge: (_ current: UInt256, _ original: UInt256, _ wasWarm: Bool) -> Bool
    ) -> Bool {
        let isCreated = !created.isEmpty && created.contains(a)
        return writeSlot(&slots[SlotKey(a, k), default: SlotState()], a, k, v, warming, isCreated, charge)
    }

    /// ``writeSlot(_:_:_:warming:charge:)`` on the slot's entry `s` (an element of ``slots``,
    /// which nothing called here touches).
    @inlinable @inline(__always)
    func writeSlot(
        _ s: inout SlotState,
        _ a: Address,
        _ k: UInt256,
        _ v: UInt256,
        _ warming: Bool,
        _ isCreated: Bool,
        _ charge: (UInt256, UInt256, Bool) -> Bool
    ) -> Bool {
        if !s.hasValue { WorldState.cache(&s, storage(a, k)) }
        let current = s.value
        let (original, wasWarm) = WorldState.touchSlot(&s, current, warming)
        if warming && !wasWarm { journal.append(.warmSlot(SlotKey(a, k))) }
        if !charge(current, isCreated ? .zero : original, wasWarm) { return false }
        if current != v {
            s.value = v
            modifyAccount(a) { acct in
                if v.isZero { acct.storage.removeValue(forKey: k) } else { acct.storage[k] = v }
            }
            journal.append(.storage(a, k, current))
        }
        return true
    }

    /// `SLOAD`: the current value of a slot and whether it was warm; with `warming` (Berlin
    /// on) it is warm afterwards (journaled). A slot read before in the transaction costs one
    /// lookup of its transaction state; the first read also copies the value there.
    @inlinable
    public func slotForRead(_ a: Address, _ k: UInt256, warming: Bool) -> (value: UInt256, wasWarm: Bool) {
        let key = SlotKey(a, k)
        var (value, wasWarm, known) = WorldState.readSlot(&slots[key, default: SlotState()], warming)
        if !known {
            value = storage(a, k)
            WorldState.cache(&slots[key, default: SlotState()], value)
        }
        if warming && !wasWarm { journal.append(.warmSlot(key)) }
        return (value, wasWarm)
    }

    /// Warms the slot when `warming`; returns its copied value (if `known`) and whether it was warm.
    @inlinable @inline(__always)
    static func readSlot(_ s: inout SlotState, _ warming: Bool) -> (value: UInt256, wasWarm: Bool, known: Bool) {
        let wasWarm = s.warm
        if warming { s.warm = true }
        return (s.value, wasWarm, s.hasValue)
    }

    /// Records `v` as the slot's current value.
    @inlinable @inline(__always)
    static func cache(_ s: inout SlotState, _ v: UInt256) {
        s.value = v
        s.hasValue = true
    }

    /// Forgets every copied slot value (an account's storage was replaced as a whole); the
    /// next read of each slot goes to the account's storage.
    @usableFromInline
    func dropSlotValues() {
        var i = slots.startIndex
        while i != slots.endIndex {
            slots.values[i].hasValue = false
            i = slots.index(after: i)
        }
    }

    /// Records `current` as the original value if the slot has none yet (nothing wrote it in
    /// this transaction, so its current value is the one it began with) and warms it when
    /// `warming`; returns the original value and whether the slot was warm.
    @inlinable @inline(__always)
    static func touchSlot(_ s: inout SlotState, _ current: UInt256, _ warming: Bool) -> (UInt256, Bool) {
        if !s.hasOriginal {
            s.original = current
            s.hasOriginal = true
        }
        let wasWarm = s.warm
        if warming { s.warm = true }
        return (s.original, wasWarm)
    }
    /// A transient-storage value (EIP-1153).
    @inlinable public func transient(_ a: Address, _ k: UInt256) -> UInt256 {
        transientStorage[SlotKey(a, k)] ?? .zero
    }

    // MARK: Writing (journaled)

    @inlinable func ensureAccount(_ a: Address) {
        load(a)
        if accounts.index(forKey: a) == nil {
            journal.append(.account(a, nil))
            accounts[a] = Account()
        }
    }

    /// Calls `body` on account `a` in place, creating the account (journaled) if needed.
    @inlinable @inline(__always)
    func modifyAccount<R>(_ a: Address, _ body: (inout Account) -> R) -> R {
        load(a)
        if let i = accounts.index(forKey: a) { return body(&accounts.values[i]) }
        journal.append(.account(a, nil))
        var acct = Account()
        let r = body(&acct)
        accounts[a] = acct
        return r
    }

    /// Sets the balance, creating the account if needed.
    public func setBalance(_ a: Address, _ v: UInt256) {
        let old = modifyAccount(a) { acct in
            let old = acct.balance
            acct.balance = v
            return old
        }
        journal.append(.balance(a, old))
    }

    /// Adds to the balance (wrapping is impossible for real ether supplies).
    public func addBalance(_ a: Address, _ v: UInt256) {
        setBalance(a, balance(a) &+ v)
    }

    /// Sets the nonce, creating the account if needed.
    public func setNonce(_ a: Address, _ v: UInt64) {
        let old = modifyAccount(a) { acct in
            let old = acct.nonce
            acct.nonce = v
            return old
        }
        journal.append(.nonce(a, old))
    }

    /// Increments the nonce.
    public func incrementNonce(_ a: Address) { setNonce(a, nonce(a) &+ 1) }

    /// Replaces the code, creating the account if needed.
    public func setCode(_ a: Address, _ c: Code) {
        let old = modifyAccount(a) { acct in
            let old = acct.code
            acct.code = c
            return old
        }
        journal.append(.code(a, old))
    }

    /// Writes a storage slot (the account must exist).
    public func setStorage(_ a: Address, _ k: UInt256, _ v: UInt256) {
        let old = storage(a, k)
        _ = WorldState.touchSlot(&slots[SlotKey(a, k), default: SlotState()], old, false)
        writeStorage(a, k, old: old, v)
    }

    /// Writes a slot whose original value is already recorded (by ``slotForWrite(_:_:warming:)``);
    /// `old` is its current value.
    @inlinable
    public func writeStorage(_ a: Address, _ k: UInt256, old: UInt256, _ v: UInt256) {
        modifyAccount(a) { acct in
            if v.isZero { acct.storage.removeValue(forKey: k) } else { acct.storage[k] = v }
        }
        if let i = slots.index(forKey: SlotKey(a, k)) { WorldState.cache(&slots.values[i], v) }
        journal.append(.storage(a, k, old))
    }

    /// Writes transient storage.
    public func setTransient(_ a: Address, _ k: UInt256, _ v: UInt256) {
        let key = SlotKey(a, k)
        let old = v.isZero ? transientStorage.removeValue(forKey: key) : transientStorage.updateValue(v, forKey: key)
        journal.append(.transient(key, old ?? .zero))
    }

    /// Deletes the account (and its storage).
    public func destroyAccount(_ a: Address) {
        load(a)
        guard let old = accounts[a] else { return }
        backend?.wiped.insert(a)
        journal.append(.account(a, old))
        accounts[a] = nil
        if !old.storage.isEmpty { dropSlotValues() }
    }

    /// Clears the account's storage, keeping the rest.
    public func clearStorage(_ a: Address) {
        load(a)
        guard let old = accounts[a], !old.storage.isEmpty else { return }
        backend?.wiped.insert(a)
        journal.append(.account(a, old))
        accounts[a]!.storage = [:]
        dropSlotValues()
    }

    /// Marks an account warm; returns whether it already was.
    @inlinable public func warmAccount(_ a: Address) -> Bool {
        if !warmAccounts.insert(a).inserted { return true }
        load(a)
        journal.append(.warmAccount(a))
        return false
    }

    /// Whether an account is warm.
    @inlinable public func isWarm(_ a: Address) -> Bool { warmAccounts.contains(a) }

    /// Marks a slot warm; returns whether it already was.
    @inlinable public func warmSlot(_ a: Address, _ k: UInt256) -> Bool {
        let key = SlotKey(a, k)
        if WorldState.warm(&slots[key, default: SlotState()]) { return true }
        journal.append(.warmSlot(key))
        return false
    }

    /// Warms a slot; returns whether it already was.
    @inlinable @inline(__always)
    static func warm(_ s: inout SlotState) -> Bool {
        if s.warm { return true }
        s.warm = true
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
