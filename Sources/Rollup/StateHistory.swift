import EVM
import EVMPrimitives

extension StateChanges {
    /// The changes that undo `self` when `self` turns `old` into a new state: applied to the new
    /// state they give `old` back. Costs O(size of `self`), plus the storage of accounts `self`
    /// deletes.
    public func undo(from old: [Address: Account]) -> StateChanges {
        var u = StateChanges()
        var created: Set<Address> = []
        for (address, new) in accounts {
            guard let o = old[address] else {
                // Created by the block: undone by deleting it, with its storage.
                u.accounts.append((address, nil))
                created.insert(address)
                continue
            }
            u.accounts.append((address, o))
            if new == nil {
                // Deleted by the block: restored whole.
                u.clearedStorage.append(address)
                for (k, v) in o.storage { u.storage.append((address, k, v)) }
                created.insert(address)
            }
        }
        for (address, slot, _) in storage where !created.contains(address) {
            u.storage.append((address, slot, old[address]?.storage[slot] ?? .zero))
        }
        return u
    }

    /// Applies the changes to `state` in the order a store applies them: accounts (nonce, balance,
    /// code; nil deletes the account), then cleared storage, then slots (zero deletes a slot).
    public func apply(to state: inout [Address: Account]) {
        for (address, account) in accounts {
            guard let account else {
                state[address] = nil
                continue
            }
            var a = state[address] ?? Account()
            a.nonce = account.nonce
            a.balance = account.balance
            a.code = account.code
            state[address] = a
        }
        for address in clearedStorage { state[address]?.storage = [:] }
        for (address, slot, value) in storage {
            state[address, default: Account()].storage[slot] = value.isZero ? nil : value
        }
    }
}

/// The post-states of the newest blocks, kept as one undo diff per block (what turns the state
/// after block n back into the state after block n − 1), so that calls and state reads can name
/// a recent block (`eth_call` at a block number or hash). At most ``limit`` blocks back from the
/// head (128, geth's default for a full node). The diffs are also stored with their blocks (the
/// store keeps as many), so a restarted chain reloads them. Memory is bounded by the changes of
/// ``limit`` blocks.
struct StateHistory {
    /// How many blocks below the head keep their state.
    var limit: Int
    /// Undo diffs, newest last: `undos[i]` undoes block `newest - (undos.count - 1 - i)`.
    private var undos: [StateChanges] = []
    /// The block the newest undo diff belongs to (the head).
    private var newest: UInt64 = 0

    init(limit: Int) { self.limit = limit }

    /// Records the undo diff of block `number`, the new head.
    mutating func record(block number: UInt64, undo: StateChanges) {
        if !undos.isEmpty && number != newest &+ 1 { undos = [] }
        undos.append(undo)
        newest = number
        if undos.count > limit { undos.removeFirst(undos.count - limit) }
    }

    /// The oldest block whose post-state can be derived when the head is `head`.
    func oldestAvailable(head: UInt64) -> UInt64 {
        guard !undos.isEmpty, newest == head else { return head }
        return head - UInt64(undos.count)
    }

    /// The state after block `number`, from `headState` (the state after `head`); nil when
    /// `number` is older than the history reaches.
    func state(after number: UInt64, head: UInt64, headState: [Address: Account]) -> [Address: Account]? {
        if number == head { return headState }
        guard number < head, number >= oldestAvailable(head: head) else { return nil }
        var state = headState
        // Undo the head, then each block down to number + 1.
        for undo in undos.suffix(Int(head - number)).reversed() { undo.apply(to: &state) }
        return state
    }
}
