import EVM
import EVMPrimitives

extension Block {
    /// The block RLP `[header, transactions, ommers, withdrawals]` of a post-merge block with
    /// `header` and the signed `transactions` (no ommers, no withdrawals).
    public static func encode(header: BlockHeader, transactionEncodings: [[UInt8]]) -> [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            header.append(to: &w)
            w.appendList { w in
                for e in transactionEncodings {
                    // Legacy transactions are lists; typed ones are byte strings of `type ‖ rlp`.
                    if let first = e.first, first >= 0xc0 { w.append(raw: e) } else { w.append(bytes: e) }
                }
            }
            w.appendList { _ in }
            w.appendList { _ in }
        }
        return w.bytes
    }

    /// The block of `header` and `transactions`, through its own encoding (so every field a
    /// decoded block has is set).
    static func assemble(header: BlockHeader, transactions: [Transaction]) -> Block {
        let bytes = encode(header: header, transactionEncodings: transactions.map(\.encoded))
        // The encoding was just produced from valid parts; decoding it cannot fail.
        return try! Block.decode(bytes)
    }
}

/// One included transaction's outcome, as the JSON-RPC receipt reports it.
public struct IncludedTransaction: Sendable {
    /// The transaction.
    public var transaction: Transaction
    /// Its hash.
    public var hash: Bytes32
    /// Who signed it.
    public var sender: Address
    /// Its receipt's consensus encoding.
    public var receipt: [UInt8]
    /// Whether the top-level call succeeded.
    public var success: Bool
    /// Gas it used.
    public var gasUsed: UInt64
    /// Gas used by the block up to and including it.
    public var cumulativeGasUsed: UInt64
    /// The price per gas it paid.
    public var effectiveGasPrice: UInt256
    /// Its logs.
    public var logs: [Log]
    /// The contract it created, if any.
    public var contractAddress: Address?
}

/// A block built by ``BlockBuilder``: the block and what each transaction did.
public struct BuiltBlock: Sendable {
    /// The sealed block.
    public var block: Block
    /// Its RLP encoding.
    public var encoded: [UInt8]
    /// The included transactions, in order.
    public var included: [IncludedTransaction]
    /// What a stateless validator needs to check the block on its parent (recorded by the chain
    /// before the block is stored; nil for the genesis block).
    public var witness: ExecutionWitness? = nil
    /// What turns the state after it back into its parent's (``StateChanges/undo(from:)``; set by
    /// the chain before the block is stored, nil for the genesis block).
    public var undo: StateChanges? = nil
}

/// A transaction waiting for a block: the decoded transaction, its hash and its sender.
public struct PendingTransaction: Sendable {
    /// The transaction.
    public var transaction: Transaction
    /// Its hash.
    public var hash: Bytes32
    /// Its recovered sender.
    public var sender: Address
    /// When it entered the pool (order of arrival).
    public var sequence: Int64
}

/// Builds the next block on a parent: the system calls of the block rules, then candidate
/// transactions in order while they fit the block's gas, each executed by the EVM (a candidate
/// the EVM refuses is returned as refused and leaves no trace), then EIP-7685 requests, and
/// seals the header with the resulting roots, bloom and gas. The result is a block that
/// `Block.apply` accepts on the same parent and state.
public struct BlockBuilder: Sendable {
    /// The chain's rules.
    public var config: ChainConfig
    /// Who receives the priority fees.
    public var coinbase: Address

    /// A builder for `config` paying `coinbase`.
    public init(config: ChainConfig, coinbase: Address) {
        self.config = config
        self.coinbase = coinbase
    }

    /// The header fields of the block after `parent` at `timestamp` that do not depend on its
    /// transactions (base fee, excess blob gas, empty withdrawals, zero beacon root).
    public func draftHeader(parent: BlockHeader, timestamp: UInt64) -> BlockHeader {
        var h = BlockHeader()
        h.parentHash = parent.hash
        h.ommersHash = BlockHeader.emptyOmmersHash
        h.coinbase = coinbase
        h.number = parent.number &+ 1
        h.gasLimit = parent.gasLimit
        h.timestamp = timestamp
        let (fork, schedule) = config.rules(number: h.number, timestamp: timestamp)
        let parentFork = config.rules(parent).fork
        if fork >= .london { h.baseFeePerGas = BlockRules.baseFee(parent: parent, isForkBlock: parentFork < .london) }
        if fork >= .shanghai { h.withdrawalsRoot = MerklePatriciaTrie.emptyRoot }
        if fork >= .cancun {
            h.blobGasUsed = 0
            if let schedule = schedule ?? BlobSchedule.mainnet(fork) {
                h.excessBlobGas = BlockRules.excessBlobGas(
                    parent: parent,
                    schedule: schedule,
                    reservePrice: fork >= .osaka
                )
            } else {
                h.excessBlobGas = 0
            }
            h.parentBeaconBlockRoot = .zero
        }
        return h
    }

    /// Builds the block after `parent` on `state` (the parent's post-state: whole, or read
    /// through its ``WorldState/backend`` as ``StateTries`` sets it up, which also recomputes
    /// the root and records the witness) from `candidates`, taking at most `maxTransactions`.
    /// Returns the block and the candidates the EVM refused, with why; `state` is left as the
    /// block leaves it.
    ///
    /// - Parameter blockHashes: the ancestors' hashes by number, for `BLOCKHASH` (with a
    ///   backend, the backend's are read instead, so that the witness records the reads).
    public func build(
        parent: BlockHeader,
        state: WorldState,
        candidates: [PendingTransaction],
        timestamp: UInt64,
        blockHashes: [UInt64: UInt256],
        maxTransactions: Int = .max
    ) throws -> (block: BuiltBlock, refused: [(hash: Bytes32, error: EVMError)]) {
        var header = draftHeader(parent: parent, timestamp: timestamp)
        let (fork, schedule) = config.rules(header)
        let env = BlockEnv(
            header: header,
            fork: fork,
            blobSchedule: schedule,
            chainId: config.chainId,
            blockHashes: state.backend == nil ? blockHashes : [:]
        )
        let evm = EVM(fork: fork, state: state, block: env)
        if fork >= .cancun, let root = header.parentBeaconBlockRoot {
            _ = evm.systemCall(SystemContracts.beaconRoots, data: root.bytes)
        }
        if fork >= .prague { _ = evm.systemCall(SystemContracts.historyStorage, data: header.parentHash.bytes) }
        var included: [IncludedTransaction] = []
        var refused: [(hash: Bytes32, error: EVMError)] = []
        var receipts: [[UInt8]] = []
        var allLogs: [Log] = []
        var gasUsed: UInt64 = 0
        for c in candidates {
            if included.count >= maxTransactions { break }
            let t = c.transaction
            guard t.gasLimit.fitsInUInt64, t.gasLimit.w0 <= header.gasLimit &- gasUsed else { continue }
            let r: TransactionResult
            do {
                r = try evm.execute(t, sender: c.sender)
            } catch {
                refused.append((c.hash, error))
                continue
            }
            gasUsed &+= r.gasUsed
            allLogs += r.logs
            let receipt = Receipt(type: t.type, success: r.success, cumulativeGasUsed: gasUsed, logs: r.logs).encoded
            receipts.append(receipt)
            let price = evm.tx.gasPrice
            included.append(
                IncludedTransaction(
                    transaction: t,
                    hash: c.hash,
                    sender: c.sender,
                    receipt: receipt,
                    success: r.success,
                    gasUsed: r.gasUsed,
                    cumulativeGasUsed: gasUsed,
                    effectiveGasPrice: price,
                    logs: r.logs,
                    contractAddress: t.to == nil ? EVM.createAddress(sender: c.sender, nonce: t.nonce.w0) : nil
                )
            )
        }
        if fork >= .prague { header.requestsHash = try Block.requests(evm, logs: allLogs) }
        header.gasUsed = gasUsed
        header.transactionsRoot = Block.orderedTrieRoot(included.map { $0.transaction.encoded })
        header.receiptsRoot = Block.orderedTrieRoot(receipts)
        header.logsBloom = Log.bloom(allLogs)
        header.stateRoot = evm.state.stateRoot() ?? MerklePatriciaTrie.emptyRoot
        let encoded = Block.encode(header: header, transactionEncodings: included.map { $0.transaction.encoded })
        let block = try Block.decode(encoded)
        // The tries hold every node of the parent state: a lookup that fails is a bug, never a block.
        if let e = state.backend?.error { throw RPCError.internal("the head state's tries cannot answer: \(e)") }
        return (BuiltBlock(block: block, encoded: encoded, included: included), refused)
    }
}
