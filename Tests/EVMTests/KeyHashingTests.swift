import EVM
import EVMPrimitives
import Testing

/// The state's key hashes (`KeyHashing.swift`): consistent with `==`, spread over buckets, and
/// the tables built on them behave as before.
@Suite struct KeyHashingTests {
    /// Distinct low-bit buckets among `values`, for a table of 4096 buckets.
    static func buckets(_ values: [Int]) -> Int { Set(values.map { $0 & 4095 }).count }

    @Test func equalKeysHashEqually() {
        let a = UInt256(1, 2, 3, 4)
        let b = UInt256(1, 2, 3, 4)
        #expect(a.hashValue == b.hashValue)
        #expect(a._rawHashValue(seed: 7) == b._rawHashValue(seed: 7))
        let x = Address(truncating: UInt256(0xdead, 0xbeef, 0x1234, 0))
        let y = Address(truncating: UInt256(0xdead, 0xbeef, 0x1234, 0))
        #expect(x.hashValue == y.hashValue)
        #expect(SlotKey(x, a).hashValue == SlotKey(y, b).hashValue)
    }

    @Test func structuredKeysSpreadOverBuckets() {
        // 4096 keys into 4096 buckets: a random function fills about 63% of them.
        let n: UInt64 = 4096
        for seed in [0, 1, -1, 0x1234_5678] {
            let sequential = (0..<n).map { UInt256($0)._rawHashValue(seed: seed) }
            let highLimb = (0..<n).map { UInt256(0, 0, 0, $0 << 40)._rawHashValue(seed: seed) }
            let addresses = (0..<n).map { Address(truncating: UInt256(0, $0, 0, 0))._rawHashValue(seed: seed) }
            let slots = (0..<n).map {
                SlotKey(Address(truncating: UInt256($0)), UInt256($0))._rawHashValue(seed: seed)
            }
            for values in [sequential, highLimb, addresses, slots] {
                #expect(Self.buckets(values) > 2400)
            }
        }
    }

    @Test func seedChangesTheHash() {
        let differing = (0..<1000).filter { i in
            let k = UInt256(UInt64(i))
            return k._rawHashValue(seed: 1) != k._rawHashValue(seed: 2)
        }
        #expect(differing.count > 990)
    }

    @Test func tablesOfStructuredKeys() {
        var d: [UInt256: Int] = [:]
        for i in 0..<20000 { d[UInt256(UInt64(i / 4), 0, UInt64(i % 4), 0)] = i }
        #expect(d.count == 20000)
        for i in stride(from: 0, to: 20000, by: 7) { #expect(d[UInt256(UInt64(i / 4), 0, UInt64(i % 4), 0)] == i) }
        var s: Set<SlotKey> = []
        for i in 0..<5000 { s.insert(SlotKey(Address(truncating: UInt256(UInt64(i % 10))), UInt256(UInt64(i / 10)))) }
        #expect(s.count == 5000)
    }

    /// Original values and warmth of slots across writes and reverts (EIP-2200, EIP-2929).
    @Test func originalValueAndWarmthAcrossReverts() {
        let a = Address(truncating: UInt256(0xaa))
        let state = WorldState(accounts: [a: Account(nonce: 1, storage: [.one: UInt256(5)])])
        state.beginTransaction()
        let first = state.slotForWrite(a, .one, warming: true)
        #expect(first.current == UInt256(5) && first.original == UInt256(5) && !first.wasWarm)
        state.writeStorage(a, .one, old: first.current, UInt256(7))
        let cp = state.checkpoint
        state.setStorage(a, .one, UInt256(9))
        #expect(state.storage(a, .one) == UInt256(9))
        state.revert(to: cp)
        let second = state.slotForWrite(a, .one, warming: true)
        #expect(second.current == UInt256(7) && second.original == UInt256(5) && second.wasWarm)
        #expect(state.originalStorage(a, .one) == UInt256(5))
        state.revert(to: 0)
        #expect(state.storage(a, .one) == UInt256(5))
        #expect(!state.warmSlot(a, .one))
        #expect(state.warmSlot(a, .one))
        // A zero write removes the slot; its revert restores it.
        let cp2 = state.checkpoint
        state.setStorage(a, .one, .zero)
        #expect(state.accounts[a]?.storage[.one] == nil)
        state.revert(to: cp2)
        #expect(state.accounts[a]?.storage[.one] == UInt256(5))
        // A slot written in an account missing from the state creates it (journaled).
        let b = Address(truncating: UInt256(0xbb))
        state.setStorage(b, .one, UInt256(3))
        #expect(state.storage(b, .one) == UInt256(3))
        state.revert(to: cp2)
        #expect(!state.exists(b))
    }

    @Test func transientStorageAcrossReverts() {
        let a = Address(truncating: UInt256(0xaa))
        let state = WorldState()
        state.beginTransaction()
        state.setTransient(a, .one, UInt256(4))
        let cp = state.checkpoint
        state.setTransient(a, .one, UInt256(6))
        state.setTransient(a, UInt256(2), UInt256(8))
        #expect(state.transient(a, .one) == UInt256(6))
        state.revert(to: cp)
        #expect(state.transient(a, .one) == UInt256(4))
        #expect(state.transient(a, UInt256(2)) == .zero)
        state.setTransient(a, .one, .zero)
        #expect(state.transient(a, .one) == .zero)
        state.revert(to: cp)
        #expect(state.transient(a, .one) == UInt256(4))
    }
}
