import EVM
import EVMPrimitives
import Testing

/// The copies of slot values in the state's per-transaction slot table (what a warm `SLOAD`
/// reads with one lookup) stay equal to the accounts' storage across writes, reverts,
/// clearing and destruction, and warmth is still journaled.
@Suite struct SlotCacheTests {
    static let a = Address(truncating: UInt256(0xaa))
    static let b = Address(truncating: UInt256(0xbb))

    /// A state with slot 1 of `a` at 5, in a transaction.
    static func state() -> WorldState {
        let state = WorldState(accounts: [a: Account(nonce: 1, storage: [.one: UInt256(5)])])
        state.beginTransaction()
        return state
    }

    /// What `SLOAD` would read, checked against the account's storage.
    static func read(_ state: WorldState, _ a: Address, _ k: UInt256 = .one) -> UInt256 {
        let v = state.slotForRead(a, k, warming: true).value
        #expect(v == state.storage(a, k))
        return v
    }

    @Test func readsFollowWritesAndTheirReverts() {
        let state = Self.state()
        let first = state.slotForRead(Self.a, .one, warming: true)
        #expect(first.value == UInt256(5) && !first.wasWarm)
        let cp = state.checkpoint
        #expect(state.writeSlot(Self.a, .one, UInt256(7), warming: true) { _, _, _ in true })
        #expect(Self.read(state, Self.a) == UInt256(7))
        state.setStorage(Self.a, .one, .zero)
        #expect(Self.read(state, Self.a) == .zero)
        state.writeStorage(Self.a, .one, old: .zero, UInt256(9))
        #expect(Self.read(state, Self.a) == UInt256(9))
        state.revert(to: cp)
        #expect(Self.read(state, Self.a) == UInt256(5))
        // The slot was warmed before the checkpoint, so it stays warm.
        #expect(state.slotForRead(Self.a, .one, warming: true).wasWarm)
        state.revert(to: 0)
        let cold = state.slotForRead(Self.a, .one, warming: true)
        #expect(cold.value == UInt256(5) && !cold.wasWarm)
    }

    @Test func refusedWriteChangesNothingButWarmth() {
        let state = Self.state()
        var seen: (UInt256, UInt256, Bool)?
        let ok = state.writeSlot(Self.a, .one, UInt256(8), warming: true) { current, original, wasWarm in
            seen = (current, original, wasWarm)
            return false
        }
        #expect(!ok)
        #expect(seen.map { $0.0 == UInt256(5) && $0.1 == UInt256(5) && !$0.2 } == true)
        #expect(Self.read(state, Self.a) == UInt256(5))
        #expect(state.slotForRead(Self.a, .one, warming: true).wasWarm)
        // Original values survive writes: the second write sees 6 as current and 5 as original.
        _ = state.writeSlot(Self.a, .one, UInt256(6), warming: true) { _, _, _ in true }
        _ = state.writeSlot(Self.a, .one, UInt256(4), warming: true) { current, original, wasWarm in
            seen = (current, original, wasWarm)
            return true
        }
        #expect(seen.map { $0.0 == UInt256(6) && $0.1 == UInt256(5) && $0.2 } == true)
        #expect(state.originalStorage(Self.a, .one) == UInt256(5))
    }

    @Test func clearingAndDestructionDropTheCopies() {
        let state = Self.state()
        #expect(Self.read(state, Self.a) == UInt256(5))
        let cp = state.checkpoint
        state.clearStorage(Self.a)
        #expect(Self.read(state, Self.a) == .zero)
        state.revert(to: cp)
        #expect(Self.read(state, Self.a) == UInt256(5))
        state.destroyAccount(Self.a)
        #expect(Self.read(state, Self.a) == .zero)
        state.revert(to: cp)
        #expect(Self.read(state, Self.a) == UInt256(5))
    }

    @Test func writesToMissingAccountsAndTheirReverts() {
        let state = Self.state()
        #expect(Self.read(state, Self.b) == .zero)
        let cp = state.checkpoint
        _ = state.writeSlot(Self.b, .one, UInt256(3), warming: true) { _, _, _ in true }
        #expect(state.exists(Self.b))
        #expect(Self.read(state, Self.b) == UInt256(3))
        state.revert(to: cp)
        #expect(!state.exists(Self.b))
        #expect(Self.read(state, Self.b) == .zero)
    }

    /// A new transaction starts from the accounts' storage, not from the last one's copies.
    @Test func transactionsStartAfresh() {
        let state = Self.state()
        #expect(Self.read(state, Self.a) == UInt256(5))
        state.accounts[Self.a]?.storage[.one] = UInt256(11)
        state.beginTransaction()
        let r = state.slotForRead(Self.a, .one, warming: true)
        #expect(r.value == UInt256(11) && !r.wasWarm)
    }
}
