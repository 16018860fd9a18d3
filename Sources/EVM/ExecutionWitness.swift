import EVMPrimitives
import Keccak

/// What a stateless validator needs besides the parent header and the block, in the shape of
/// `debug_executionWitness` (EIP-8025): the RLP of every account-trie and storage-trie node the
/// block reads or needs to recompute the post-state root, the bytecodes of the accounts it
/// loads, and the RLP of the ancestor headers from the parent back to the oldest one that
/// `BLOCKHASH` reads.
public struct ExecutionWitness: Sendable, Equatable {
    /// RLP-encoded trie nodes (account trie and storage tries together), any order.
    public var state: [[UInt8]]
    /// Contract bytecodes, any order.
    public var codes: [[UInt8]]
    /// RLP-encoded ancestor headers.
    public var headers: [[UInt8]]

    /// A witness from its three lists.
    public init(state: [[UInt8]], codes: [[UInt8]], headers: [[UInt8]]) {
        self.state = state
        self.codes = codes
        self.headers = headers
    }

    /// How many ancestors a block numbered `number` may read with `BLOCKHASH` (up to 256).
    public static func headerCount(blockNumber number: UInt64) -> Int { Int(min(256, number)) }

    /// The ancestors' hashes by number, from `headers` chained by hash from `parentHash` (the
    /// parent of block `number`) back as far as the headers go, within the
    /// ``headerCount(blockNumber:)`` ancestors `BLOCKHASH` may read. The witness carries the
    /// headers from the parent back to the oldest one the block reads; a read past the chain is
    /// ``WitnessError/missingHeader(_:)`` at the read (``WitnessBackend/blockHash(_:)``), so a
    /// missing or altered header (it then hashes differently) is refused. Headers off the chain
    /// are ignored.
    public static func blockHashes(
        _ headers: [[UInt8]],
        parentHash: Bytes32,
        number: UInt64
    ) throws(WitnessError) -> [UInt64: UInt256] {
        var byHash: [Bytes32: BlockHeader] = [:]
        for raw in headers {
            do { byHash[Keccak256.digest(raw)] = try BlockHeader.decode(raw) } catch { throw .malformedHeader }
        }
        var hashes: [UInt64: UInt256] = [:]
        var hash = parentHash
        for i in 0..<UInt64(headerCount(blockNumber: number)) {
            let n = number &- 1 &- i
            guard let h = byHash[hash], h.number == n else { break }
            hashes[n] = UInt256(hash)
            hash = h.parentHash
        }
        return hashes
    }
}

/// Why stateless validation refused a block: the witness could not answer, or the block broke
/// a rule (a wrong state root included).
public enum StatelessError: Error, Equatable, Sendable {
    case witness(WitnessError)
    case block(BlockError)
}

extension Block {
    /// ``recordWitness(parent:parentState:ancestors:fork:parentFork:blobSchedule:chainId:)``
    /// with the forks, blob parameters and chain id of `config`.
    public func recordWitness(
        parent: BlockHeader,
        parentState: [Address: Account],
        ancestors: [BlockHeader],
        config: ChainConfig
    ) throws(StatelessError) -> ExecutionWitness {
        let rules = config.rules(header)
        return try recordWitness(
            parent: parent,
            parentState: parentState,
            ancestors: ancestors,
            fork: rules.fork,
            parentFork: config.rules(parent).fork,
            blobSchedule: rules.blobSchedule,
            chainId: config.chainId
        )
    }

    /// Records the witness that ``validateStatelessly(parent:witness:fork:parentFork:blobSchedule:chainId:)``
    /// needs for this block on the full `parentState`: the block is executed statelessly
    /// over a store of every node of the parent's tries, and the witness keeps the nodes and
    /// codes that execution and the root recomputation looked up (account and slot paths,
    /// the siblings that deletions collapse) and the ancestor headers from the parent back to
    /// the oldest one `BLOCKHASH` read (none when it read none).
    ///
    /// - Parameter ancestors: the parent and its ancestors, newest first (at least
    ///   ``ExecutionWitness/headerCount(blockNumber:)`` of them).
    public func recordWitness(
        parent: BlockHeader,
        parentState: [Address: Account],
        ancestors: [BlockHeader],
        fork: Fork,
        parentFork: Fork,
        blobSchedule: BlobSchedule?,
        chainId: UInt256
    ) throws(StatelessError) -> ExecutionWitness {
        let store = TrieNodeStore()
        var codes: [Bytes32: [UInt8]] = [:]
        for acct in parentState.values where !acct.code.isEmpty { codes[Bytes32(acct.code.hash)] = acct.code.bytes }
        _ = StateRoot.persistTries(parentState, into: store)
        store.visited = []
        let window = ancestors.prefix(ExecutionWitness.headerCount(blockNumber: header.number)).map { $0.encoded }
        let backend = WitnessBackend(root: parent.stateRoot, store: store, codes: codes)
        _ = try applyStatelessly(
            parent: parent,
            backend: backend,
            headers: window,
            fork: fork,
            parentFork: parentFork,
            blobSchedule: blobSchedule,
            chainId: chainId
        )
        var headers: [[UInt8]] = []
        if let oldest = backend.oldestBlockHashRead { headers = Array(window.prefix(Int(header.number &- oldest))) }
        return ExecutionWitness(
            state: store.visitedEncodings,
            codes: backend.usedCodes.sorted().compactMap { codes[$0] },
            headers: headers
        )
    }
}
