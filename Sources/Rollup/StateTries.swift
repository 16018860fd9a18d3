import EVM
import EVMPrimitives
import Keccak

/// The head state's Merkle-Patricia tries, kept between blocks: every node of the account trie
/// and of each storage trie by hash (``TrieNodeStore``), and every code by hash. A block is
/// built on them as a stateless validator runs it (``WitnessBackend``): accounts and slots are
/// read through the tries on first use, the post-state root is recomputed on the parent's tries
/// from what the block loaded and written back into the store, and the nodes and codes looked up
/// are the block's execution witness. So a block costs O(what it touches × trie depth), not
/// O(state).
///
/// Nodes of older states stay in the store (a state root of a recent head still resolves) until
/// the store holds more than twice the live nodes of its last rebuild plus
/// ``compactionSlack``; it is then rebuilt from the state (O(state), amortized over at least
/// as many new nodes).
final class StateTries {
    /// The nodes of the head's tries (and of recent states' until the next rebuild).
    private(set) var store: TrieNodeStore
    /// Every code of the state, by hash.
    private(set) var codes: [Bytes32: [UInt8]] = [:]
    /// Nodes in the store right after its last rebuild.
    private(set) var liveNodes = 0
    /// Stale nodes tolerated beyond the live ones before a rebuild.
    static let compactionSlack = 200_000

    /// The tries of `accounts`.
    init(accounts: [Address: Account]) {
        store = TrieNodeStore()
        rebuild(accounts)
    }

    /// Rebuilds the store from `accounts` (dropping stale nodes).
    func rebuild(_ accounts: [Address: Account]) {
        store = TrieNodeStore()
        _ = StateRoot.persistTries(accounts, into: store)
        liveNodes = store.nodes.count
        codes = [:]
        for a in accounts.values where !a.code.isEmpty { codes[Bytes32(a.code.hash)] = a.code.bytes }
    }

    /// A backend that runs the block after the state with root `root` on these tries, recording
    /// the nodes it looks up and writing the post-state's new nodes into the store.
    func backend(root: Bytes32, blockHashes: [UInt64: UInt256]) -> WitnessBackend {
        let b = WitnessBackend(root: root, store: store, codes: codes, blockHashes: blockHashes)
        b.persistsTries = true
        store.visited = []
        return b
    }

    /// The witness of the block run on `backend` (which must come from ``backend(root:blockHashes:)``
    /// with nothing run on the tries since): the nodes and codes it looked up, and the ancestor
    /// headers from the parent back to the oldest one `BLOCKHASH` read.
    ///
    /// - Parameter window: the encoded ancestors the block may read, newest first.
    func witness(of backend: WitnessBackend, number: UInt64, window: [[UInt8]]) -> ExecutionWitness {
        defer { store.visited = nil }
        var headers: [[UInt8]] = []
        if let oldest = backend.oldestBlockHashRead { headers = Array(window.prefix(Int(number &- oldest))) }
        return ExecutionWitness(
            state: store.visitedEncodings,
            codes: backend.usedCodes.sorted().compactMap { codes[$0] },
            headers: headers
        )
    }

    /// Takes in a committed block's changes: its new codes; rebuilds the store from the new
    /// head state `accounts` when stale nodes have piled up.
    func advance(_ changes: StateChanges, accounts: [Address: Account]) {
        for (hash, code) in changes.codes { codes[Bytes32(hash)] = code }
        if store.nodes.count > 2 * liveNodes + StateTries.compactionSlack { rebuild(accounts) }
    }

    /// The storage root of `address` in the state with root `root` (empty when it has none).
    func storageRoot(of address: Address, root: Bytes32) -> Bytes32 {
        guard let leaf = try? PartialTrie(root: root, store: store).value(for: Keccak256.hash(address.bytes)) else {
            return MerklePatriciaTrie.emptyRoot
        }
        var r = RLPReader(leaf)
        guard var l = try? r.readList() else { return MerklePatriciaTrie.emptyRoot }
        _ = try? l.readUInt64()
        _ = try? l.readUInt256()
        return (try? l.readBytes32()) ?? MerklePatriciaTrie.emptyRoot
    }
}

extension StateChanges {
    /// The changes a block run on `backend` made to `parent` (its pre-state): only the accounts
    /// and slots the run loaded are compared, O(those), where ``between(_:_:)`` compares whole
    /// states. `post` holds the loaded accounts as the run left them (a missing one was deleted
    /// or never existed); an account the run wiped is compared slot by slot in full.
    static func made(by post: WorldState, backend: WitnessBackend, on parent: [Address: Account]) -> StateChanges {
        var slots: [Address: [UInt256]] = [:]
        for s in backend.loadedSlots { slots[s.address, default: []].append(s.key) }
        var c = StateChanges()
        for address in backend.loadedAccounts.sorted() {
            let old = parent[address]
            guard let n = post.accounts[address] else {
                if old != nil { c.accounts.append((address, nil)) }
                continue
            }
            guard let o = old else {
                c.created(address, n)
                continue
            }
            c.rewrote(address, from: o, to: n)
            if backend.wiped.contains(address) {
                // Its storage is what the run wrote after the wipe.
                c.rewroteStorage(address, from: o.storage, to: n.storage)
            } else {
                for k in slots[address] ?? [] {
                    let v = n.storage[k] ?? .zero
                    if v != (o.storage[k] ?? .zero) { c.storage.append((address, k, v)) }
                }
            }
        }
        return c
    }
}
