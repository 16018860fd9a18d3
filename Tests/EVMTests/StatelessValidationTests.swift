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
    static let sampleStride = 6

    static var files: [String] {
        let all = BlockchainFixtures.all
        if ProcessInfo.processInfo.environment["ZKPROVER_FULL_BLOCKTESTS"] == "1" { return all }
        return all.enumerated().filter { $0.offset % sampleStride == 0 }.map(\.element)
    }

    @Test func witnessesValidateAndMutationsAreRefused() {
        let files = Self.files
        #expect(!files.isEmpty)
        var total = StatelessCheckCounts()
        for f in files {
            let start = ContinuousClock.now
            total.add(StatelessBlockchainRunner.run(file: BlockchainFixtures.base + "/" + f))
            let elapsed = ContinuousClock.now - start
            if elapsed > .seconds(2) { print("stateless: \(f) took \(elapsed)") }
        }
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

/// Every single-entry removal is refused (not a sample) on the blocks of files whose blocks
/// delete accounts, clear storage, re-create self-destructed contracts, collide with existing
/// storage (EIP-7610) or read ancestor hashes.
@Test(
    "Stateless validation: every removal refused",
    arguments: [
        "paris/eip7610_create_collision/test_init_collision_create_tx.json",
        "paris/security/test_tx_selfdestruct_balance_bug.json",
        "cancun/eip6780_selfdestruct/test_recreate_self_destructed_contract_different_txs.json",
        "cancun/eip6780_selfdestruct/test_dynamic_create2_selfdestruct_collision_multi_tx.json",
        "frontier/touch/test_zero_gas_price_and_touching.json",
        "prague/eip2935_historical_block_hashes_from_state/test_block_hashes_call_opcodes.json",
    ]
)
func statelessExhaustiveRemovals(_ file: String) {
    let c = StatelessBlockchainRunner.run(file: BlockchainFixtures.base + "/" + file, mutations: Int.max)
    print(
        "stateless \(file): \(c.validated)/\(c.blocks) blocks, \(c.nodes) nodes, removals refused "
            + "\(c.removalsRefused)/\(c.removals)"
    )
    #expect(c.blocks > 0)
    #expect(c.validated == c.blocks)
    #expect(c.removals >= c.nodes)
    #expect(c.removalsRefused == c.removals)
    #expect(c.failures.isEmpty, "\(c.failures.prefix(5))")
}

/// Stateless validation checks the block like ``Block/apply``: a witness recorded for a real
/// block (the first of each EIP-6110 extra-logs test) does not validate a forged copy, and
/// over-inclusion (an extra node, a duplicated entry) is harmless.
@Suite struct StatelessForgeryTests {
    typealias FirstBlock = BlockchainTestRunner.FirstBlock

    static func witness(_ f: FirstBlock) throws -> ExecutionWitness {
        try f.block.recordWitness(
            parent: f.parent,
            parentState: f.parentState,
            ancestors: [f.parent],
            fork: f.fork,
            parentFork: f.fork,
            blobSchedule: f.blobSchedule,
            chainId: f.chainId
        )
    }

    static func validate(_ f: FirstBlock, _ block: Block, _ w: ExecutionWitness) -> Result<Bytes32, StatelessError> {
        do {
            return .success(
                try block.validateStatelessly(
                    parent: f.parent,
                    witness: w,
                    fork: f.fork,
                    parentFork: f.fork,
                    blobSchedule: f.blobSchedule,
                    chainId: f.chainId
                ).stateRoot
            )
        } catch {
            return .failure(error)
        }
    }

    @Test func forgedBlocksAreRefused() throws {
        let blocks = BlockExecutionForgeryTests.blocks.prefix(5)
        #expect(blocks.count == 5)
        for f in blocks {
            let w = try Self.witness(f)
            #expect(Self.validate(f, f.block, w) == .success(f.block.header.stateRoot))
            var forged = f.block
            forged.header.stateRoot = .zero
            #expect(Self.validate(f, forged, w) == .failure(.block(.stateRootMismatch)))
            forged = f.block
            forged.header.gasUsed -= 1
            #expect(Self.validate(f, forged, w) == .failure(.block(.gasUsedMismatch)))
            var extra = w
            extra.state.append(RLP.encodeList([RLP.encode(bytes: [0x20]), RLP.encode(bytes: [1, 2, 3])]))
            extra.codes += w.codes
            extra.headers += w.headers
            #expect(Self.validate(f, f.block, extra) == .success(f.block.header.stateRoot))
            if !w.headers.isEmpty {
                var noParent = w
                noParent.headers = []
                let window = (f.parent.number + 1 - UInt64(w.headers.count))...f.parent.number
                guard case .failure(.witness(.missingHeader(let n))) = Self.validate(f, f.block, noParent) else {
                    Issue.record("a witness without its headers was not refused with missingHeader")
                    continue
                }
                #expect(window.contains(n))
            }
            #expect(
                Self.validate(f, f.block, ExecutionWitness(state: [], codes: [], headers: w.headers))
                    == .failure(.witness(.missingNode(f.parent.stateRoot)))
            )
        }
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

/// The EIP-8025 zkEVM fixtures' externally produced witnesses (Amsterdam, a format reference)
/// read through ``PartialTrie``: every `pre` account and slot a witness reaches equals the
/// fixture's; the one deliberately unused non-node entry (EIP-8025's extra-unused-node test)
/// is the only entry that does not decode.
@Test func externalWitnessesRead() {
    let base = FixturePaths.fixtures + "/eest/blockchain_tests_zkevm"
    let files = FixtureFiles.json(base)
    var total = ExternalWitnessCounts()
    for f in files {
        let c = StatelessBlockchainRunner.readExternalWitnesses(file: f)
        total.blocks += c.blocks
        total.nodes += c.nodes
        total.undecodable += c.undecodable
        total.accountsProven += c.accountsProven
        total.slotsProven += c.slotsProven
        total.failures += c.failures
    }
    print(
        "external witnesses: \(files.count) files, \(total.blocks) blocks, \(total.nodes) nodes decoded, "
            + "\(total.undecodable) not nodes, \(total.accountsProven) accounts and \(total.slotsProven) slots proven"
    )
    #expect(total.blocks > 0)
    #expect(total.accountsProven > 0)
    #expect(total.undecodable == 1)
    #expect(total.failures.isEmpty, "\(total.failures.count) failures: \(total.failures.prefix(5))")
}
