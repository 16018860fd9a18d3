import EVM
import EVMFixtures
import EVMPrimitives
import Foundation
import Keccak
import Testing

/// Stateless validation over the EEST blockchain tests: every valid block's witness, recorded
/// from the parent's full state, validates statelessly to the header's state root; removing a
/// witness entry (state node, code, header) or altering a node's byte is refused with a
/// witness error. A deterministic sample of the files runs by default (every
/// ``sampleStride``-th file); `ZKPROVER_FULL_BLOCKTESTS=1` runs them all.
@Suite struct StatelessValidationTests {
    static let sampleStride = 4

    static var files: [String] {
        let all = BlockchainFixtures.all
        if ProcessInfo.processInfo.environment["ZKPROVER_FULL_BLOCKTESTS"] == "1" { return all }
        return all.enumerated().filter { $0.offset % sampleStride == 0 }.map(\.element)
    }

    @Test func witnessesValidateAndMutationsAreRefused() {
        let files = Self.files
        #expect(!files.isEmpty)
        var total = StatelessCheckCounts()
        for f in files { total.add(StatelessBlockchainRunner.run(file: BlockchainFixtures.base + "/" + f)) }
        print(
            "stateless: \(files.count) files, \(total.validated)/\(total.blocks) blocks validated; witness entries: "
                + "\(total.nodes) nodes, \(total.codes) codes, \(total.headers) headers; removals refused "
                + "\(total.removalsRefused)/\(total.removals), alterations refused "
                + "\(total.alterationsRefused)/\(total.alterations)"
        )
        #expect(total.blocks > 0)
        #expect(total.validated == total.blocks)
        #expect(total.removalsRefused == total.removals)
        #expect(total.alterationsRefused == total.alterations)
        #expect(total.failures.isEmpty, "\(total.failures.count) failures: \(total.failures.prefix(5))")
    }
}

/// The partial trie agrees with the full trie: reads, inserts and deletions (with the
/// collapse of a branch left with one child) through a store of the full trie's nodes give the
/// full trie's values and roots; a store without a node needed is refused with `missingNode`.
@Suite struct PartialTrieTests {
    /// Deterministic keys (hashes of indices) with values, for a trie of `n` entries.
    static func entries(_ n: Int) -> [([UInt8], [UInt8])] {
        var out: [([UInt8], [UInt8])] = []
        for i in 0..<n {
            let low = UInt8(i & 0xFF)
            let key: [UInt8] = Keccak256.hash([low, UInt8(i >> 8)])
            out.append((key, [low, 1, 2]))
        }
        return out
    }

    static func stored(_ entries: [([UInt8], [UInt8])]) -> (TrieNodeStore, Bytes32) {
        let store = TrieNodeStore()
        var t = PartialTrie(root: MerklePatriciaTrie.emptyRoot, store: store)
        for (k, v) in entries { try? t.insert(k, v) }
        t.persist()
        return (store, t.rootHash)
    }

    @Test func matchesFullTrie() throws {
        let e = Self.entries(300)
        var full = MerklePatriciaTrie()
        for (k, v) in e { full.insert(k, v) }
        let (store, root) = Self.stored(e)
        #expect(root == full.rootHash)
        var partial = PartialTrie(root: root, store: TrieNodeStore(nodes: Array(store.nodes.values)))
        for (k, v) in e { #expect(try partial.value(for: k) == v) }
        #expect(try partial.value(for: [UInt8](repeating: 7, count: 32)) == nil)
        for (i, (k, _)) in e.enumerated() where i % 3 == 0 {
            full.remove(k)
            try partial.insert(k, [])
        }
        try partial.insert([UInt8](repeating: 9, count: 32), [1])
        full.insert([UInt8](repeating: 9, count: 32), [1])
        #expect(partial.rootHash == full.rootHash)
    }

    @Test func deletionNeedsTheCollapsingSibling() throws {
        // Two keys under one branch: deleting one merges the other into the parent.
        let a = [UInt8](repeating: 0x11, count: 32)
        let b = [UInt8](repeating: 0x12, count: 32)
        let (store, root) = Self.stored([(a, [UInt8](repeating: 1, count: 40)), (b, [UInt8](repeating: 2, count: 40))])
        var full = MerklePatriciaTrie()
        full.insert(b, [UInt8](repeating: 2, count: 40))
        var t = PartialTrie(root: root, store: store)
        try t.insert(a, [])
        #expect(t.rootHash == full.rootHash)
        // Without b's leaf the deletion cannot be computed.
        let bLeafHashes = store.nodes.filter { $0.value.count > 40 && $0.value.contains(2) && !$0.value.contains(1) }
        #expect(bLeafHashes.count == 1)
        let without = TrieNodeStore(nodes: store.nodes.filter { $0.key != bLeafHashes.first!.key }.map(\.value))
        var p = PartialTrie(root: root, store: without)
        #expect(try p.value(for: a) != nil)
        #expect(throws: WitnessError.missingNode(bLeafHashes.first!.key)) { try p.insert(a, []) }
    }
}
