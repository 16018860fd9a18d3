import EVMPrimitives
import Keccak

/// The state behind a ``WorldState`` in stateless execution: accounts and slots come from
/// the parent's state trie through a ``PartialTrie`` the first time the execution uses them
/// (the world state's ``WorldState/accounts`` starts empty and fills lazily), codes from the
/// witness by hash, and the post-state root is recomputed by applying every loaded account
/// and slot to the partial tries.
///
/// Reads cannot throw inside the interpreter, so the first witness failure is kept in
/// ``error`` (the value read is then taken as absent) and the validator reports it instead of
/// the execution's outcome: a missing or altered node is never a wrong answer.
public final class WitnessBackend {
    let store: TrieNodeStore
    let preRoot: Bytes32
    let codes: [Bytes32: [UInt8]]
    /// A whole state in memory to read accounts from instead of the tries (``init(base:)``).
    let base: [Address: Account]?
    /// Accounts loaded so far (every account the execution read or wrote).
    public internal(set) var loadedAccounts: Set<Address> = []
    /// The account ``WorldState`` last asked to load (already in ``loadedAccounts``, which only
    /// grows).
    @usableFromInline var lastLoaded: Address?
    /// Slots loaded so far.
    public internal(set) var loadedSlots: Set<SlotKey> = []
    /// The storage roots of the loaded accounts that exist in the parent state.
    var preStorageRoots: [Address: Bytes32] = [:]
    /// Accounts whose storage was cleared (destroyed or re-created): their slots no longer
    /// come from the parent's storage trie.
    public internal(set) var wiped: Set<Address> = []
    /// Whether computing the post-state root also writes the new nodes of every trie it changes
    /// into ``store`` (a node that keeps the head's tries between blocks; validation does not).
    public var persistsTries = false
    /// Hashes of the codes of the loaded accounts.
    public private(set) var usedCodes: Set<Bytes32> = []
    var codeCache: [Bytes32: Code] = [:]
    /// The ancestors' hashes by number, verified against the witness headers chained from the
    /// parent (``ExecutionWitness/blockHashes(_:parentHash:number:)``).
    var blockHashes: [UInt64: UInt256] = [:]
    /// The oldest block number `BLOCKHASH` read (what the witness must reach back to).
    public private(set) var oldestBlockHashRead: UInt64?
    /// The first witness failure.
    public private(set) var error: WitnessError?
    /// The last post-state root computed.
    public private(set) var lastRoot: Bytes32?

    /// A backend over the state trie with root `root`, its nodes in `store`, codes by hash, and
    /// the ancestors' hashes by number for `BLOCKHASH` (validation sets them from the witness
    /// headers instead).
    public init(root: Bytes32, store: TrieNodeStore, codes: [Bytes32: [UInt8]], blockHashes: [UInt64: UInt256] = [:]) {
        self.store = store
        self.preRoot = root
        self.codes = codes
        self.blockHashes = blockHashes
        self.base = nil
    }

    /// A backend over `base`, a whole state in memory: each account the execution uses is
    /// taken from it (with its storage) on first use, so that an execution on a large state
    /// (a call) copies what it touches instead of the whole state. It has no tries: the state
    /// root is not available from it.
    public init(base: [Address: Account]) {
        self.store = TrieNodeStore()
        self.preRoot = MerklePatriciaTrie.emptyRoot
        self.codes = [:]
        self.base = base
    }

    /// A slot key standing in for the unknown slots of an account that has storage but no
    /// nonce and no code (EIP-7610: creating at such an address must see non-empty storage).
    /// Loading that slot replaces it by its real value.
    static var storageMarker: UInt256 { UInt256.max }

    func fail(_ e: WitnessError) { if error == nil { error = e } }

    func code(_ hash: Bytes32) throws(WitnessError) -> Code {
        if UInt256(hash) == Code.emptyHash { return Code.empty }
        usedCodes.insert(hash)
        if let c = codeCache[hash] { return c }
        guard let bytes = codes[hash] else { throw .missingCode(hash) }
        let c = Code(bytes)
        codeCache[hash] = c
        return c
    }

    /// The hash of ancestor `n` (within `BLOCKHASH`'s window) for `BLOCKHASH`; a number the
    /// witness headers do not reach is ``WitnessError/missingHeader(_:)`` (zero returned).
    @usableFromInline func blockHash(_ n: UInt64) -> UInt256 {
        if oldestBlockHashRead.map({ n < $0 }) ?? true { oldestBlockHashRead = n }
        guard let h = blockHashes[n] else {
            fail(.missingHeader(n))
            return .zero
        }
        return h
    }

    /// Loads account `a` into `state` on its first use.
    @usableFromInline func loadAccount(_ a: Address, into state: WorldState) {
        if loadedAccounts.contains(a) { return }
        loadedAccounts.insert(a)
        if let base {
            if let acct = base[a] { state.accounts[a] = acct }
            return
        }
        let hashed = Keccak256.digest(a.bytes)
        do throws(WitnessError) {
            guard let leaf = try PartialTrie(root: preRoot, store: store).value(for: hashed.bytes) else { return }
            var r = RLPReader(leaf)
            let nonce: UInt64
            let balance: UInt256
            let storageRoot: Bytes32
            let codeHash: Bytes32
            do throws(RLPError) {
                var l = try r.readList()
                nonce = try l.readUInt64()
                balance = try l.readUInt256()
                storageRoot = try l.readBytes32()
                codeHash = try l.readBytes32()
                try l.finish()
                try r.finish()
            } catch {
                throw WitnessError.malformedAccount(hashed)
            }
            var acct = Account(nonce: nonce, balance: balance, code: try code(codeHash))
            if storageRoot != MerklePatriciaTrie.emptyRoot && nonce == 0 && acct.code.isEmpty {
                acct.storage[Self.storageMarker] = .one
            }
            preStorageRoots[a] = storageRoot
            state.accounts[a] = acct
        } catch {
            fail(error)
        }
    }

    /// Loads slot `k` of account `a` into `state` on its first use.
    @usableFromInline func loadSlot(_ a: Address, _ k: UInt256, into state: WorldState) {
        state.load(a)
        // An account from the base came with all its storage.
        if base != nil { return }
        let key = SlotKey(a, k)
        if loadedSlots.contains(key) { return }
        loadedSlots.insert(key)
        guard !wiped.contains(a), let root = preStorageRoots[a], root != MerklePatriciaTrie.emptyRoot else { return }
        do throws(WitnessError) {
            let v = try PartialTrie(root: root, store: store).value(for: Keccak256.hash(k.bigEndianBytes))
            var value = UInt256.zero
            if let v {
                var r = RLPReader(v)
                do throws(RLPError) { value = try r.readUInt256() } catch { throw WitnessError.malformedNode(root) }
            }
            if value.isZero {
                state.accounts[a]?.storage.removeValue(forKey: k)
            } else {
                state.accounts[a]?.storage[k] = value
            }
        } catch {
            fail(error)
        }
    }

    /// The state root of `state`: the parent's tries with every loaded account and slot set
    /// to its current value (deleted accounts and zero slots removed), in a fixed order so
    /// that recording and validation look up the same nodes. Zero and ``error`` set when the
    /// witness lacks a node.
    public func stateRoot(_ state: WorldState) -> Bytes32 {
        do {
            let root = try computeRoot(state)
            lastRoot = root
            return root
        } catch {
            fail(error)
            return .zero
        }
    }

    func computeRoot(_ state: WorldState) throws(WitnessError) -> Bytes32 {
        var slots: [Address: [UInt256]] = [:]
        for s in loadedSlots { slots[s.address, default: []].append(s.key) }
        var trie = PartialTrie(root: preRoot, store: store)
        for a in loadedAccounts.sorted() {
            let key = Keccak256.hash(a.bytes)
            guard let acct = state.accounts[a] else {
                try trie.insert(key, [])
                continue
            }
            var storageRoot: Bytes32
            if let pre = preStorageRoots[a], !wiped.contains(a) {
                var t = PartialTrie(root: pre, store: store)
                for k in (slots[a] ?? []).sorted() {
                    let v = acct.storage[k] ?? .zero
                    try t.insert(Keccak256.hash(k.bigEndianBytes), v.isZero ? [] : RLP.encode(v))
                }
                if persistsTries { t.persist() }
                storageRoot = t.rootHash
            } else if persistsTries {
                var t = PartialTrie(root: MerklePatriciaTrie.emptyRoot, store: store)
                for (k, v) in acct.storage where !v.isZero {
                    try t.insert(Keccak256.hash(k.bigEndianBytes), RLP.encode(v))
                }
                t.persist()
                storageRoot = t.rootHash
            } else {
                storageRoot = StateRoot.storageRoot(acct.storage)
            }
            try trie.insert(key, StateRoot.accountLeaf(acct, storageRoot: storageRoot))
        }
        if persistsTries { trie.persist() }
        return trie.rootHash
    }
}

extension WorldState {
    /// The state root: recomputed through the ``backend`` in stateless execution, else from
    /// ``accounts``.
    public func stateRoot() -> Bytes32? {
        if let backend { return backend.stateRoot(self) }
        return StateRoot.compute(accounts)
    }
}

/// The steps of stateless validation, in order, for a caller that measures them (the guest
/// marks each in its cycle count).
public enum StatelessPhase: Sendable {
    /// Hashing the witness: trie nodes and codes by hash, the ancestor headers' chain.
    case witness
    /// The header against the parent and the body against the header (roots included).
    case header
    /// Validating every transaction and recovering its sender from the signature.
    case signatures
    /// Executing the block: system calls, transactions, rewards, withdrawals, requests.
    case execution
    /// Recomputing the post-state root from the witness.
    case stateRoot
}

extension Block {
    /// Validates this block statelessly: `parent` and `witness` stand in for the parent's
    /// state. The header is validated against `parent`, the body against the header, the
    /// `BLOCKHASH` ancestors are taken from the witness headers chained by hash from the
    /// parent, and the block is executed with accounts, slots and codes resolved through the
    /// witness from `parent.stateRoot`; the post-state root is recomputed from the witness and
    /// must equal the header's, as gas used, receipts root, bloom and requests hash must.
    ///
    /// - Parameter phase: called as each ``StatelessPhase`` begins.
    /// - Returns: the post-state root and the gas used.
    /// - Throws: ``StatelessError/witness(_:)`` when the witness lacks (or alters) a node, code
    ///   or header the block needs; ``StatelessError/block(_:)`` for a block rule. Proof-of-work
    ///   ommers are refused (the witness has no ommer history).
    public func validateStatelessly(
        parent: BlockHeader,
        witness: ExecutionWitness,
        fork: Fork,
        parentFork: Fork,
        blobSchedule: BlobSchedule?,
        chainId: UInt256,
        phase: (StatelessPhase) -> Void = { _ in }
    ) throws(StatelessError) -> (stateRoot: Bytes32, gasUsed: UInt64) {
        phase(.witness)
        var codes: [Bytes32: [UInt8]] = [:]
        codes.reserveCapacity(witness.codes.count)
        for c in witness.codes { codes[Keccak256.digest(c)] = c }
        let backend = WitnessBackend(
            root: parent.stateRoot,
            store: TrieNodeStore(nodes: witness.state),
            codes: codes
        )
        return try applyStatelessly(
            parent: parent,
            backend: backend,
            headers: witness.headers,
            fork: fork,
            parentFork: parentFork,
            blobSchedule: blobSchedule,
            chainId: chainId,
            phase: phase
        )
    }

    /// ``validateStatelessly(parent:witness:fork:parentFork:blobSchedule:chainId:phase:)``
    /// with the forks, blob parameters and chain id of `config`.
    public func validateStatelessly(
        parent: BlockHeader,
        witness: ExecutionWitness,
        config: ChainConfig,
        phase: (StatelessPhase) -> Void = { _ in }
    ) throws(StatelessError) -> (stateRoot: Bytes32, gasUsed: UInt64) {
        let rules = config.rules(header)
        return try validateStatelessly(
            parent: parent,
            witness: witness,
            fork: rules.fork,
            parentFork: config.rules(parent).fork,
            blobSchedule: rules.blobSchedule,
            chainId: config.chainId,
            phase: phase
        )
    }

    /// Validation and execution on a world state backed by `backend` (shared by recording and
    /// validation, so that both look up the same nodes).
    func applyStatelessly(
        parent: BlockHeader,
        backend: WitnessBackend,
        headers: [[UInt8]],
        fork: Fork,
        parentFork: Fork,
        blobSchedule: BlobSchedule?,
        chainId: UInt256,
        phase: (StatelessPhase) -> Void = { _ in }
    ) throws(StatelessError) -> (stateRoot: Bytes32, gasUsed: UInt64) {
        do {
            backend.blockHashes = try ExecutionWitness.blockHashes(
                headers,
                parentHash: header.parentHash,
                number: header.number
            )
        } catch {
            throw .witness(error)
        }
        phase(.header)
        let senders: [Address]
        do {
            try header.validate(parent: parent, fork: fork, parentFork: parentFork, blobSchedule: blobSchedule)
            try validateBody(fork: fork)
            try validateOmmers(recent: [], fork: fork)
            phase(.signatures)
            senders = try recoverSenders(fork: fork, chainId: chainId)
        } catch {
            throw .block(error)
        }
        phase(.execution)
        let env = BlockEnv(header: header, fork: fork, blobSchedule: blobSchedule, chainId: chainId, blockHashes: [:])
        let state = WorldState()
        state.backend = backend
        let evm = EVM(fork: fork, state: state, block: env)
        let result: BlockExecutionResult
        do {
            result = try execute(on: evm, senders: senders) { phase(.stateRoot) }
        } catch {
            if let e = backend.error { throw .witness(e) }
            throw .block(error)
        }
        if let e = backend.error { throw .witness(e) }
        guard let root = backend.lastRoot else { throw .block(.stateRootMismatch) }
        return (root, result.gasUsed)
    }
}
