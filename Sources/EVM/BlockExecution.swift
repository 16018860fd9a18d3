import EVMPrimitives
import Keccak

/// The accounts of the block-level system operations (EIP-4788, EIP-2935, EIP-6110, EIP-7002,
/// EIP-7251).
public enum SystemContracts {
    /// The caller of system calls (`0xff…fe`).
    public static var systemAddress: Address { Address(hex: "0xfffffffffffffffffffffffffffffffffffffffe")! }
    /// EIP-4788 beacon block roots.
    public static var beaconRoots: Address { Address(hex: "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02")! }
    /// EIP-2935 historical block hashes.
    public static var historyStorage: Address { Address(hex: "0x0000F90827F1C53a10cb7A02335B175320002935")! }
    /// EIP-7002 withdrawal requests.
    public static var withdrawalRequests: Address { Address(hex: "0x00000961Ef480Eb55e80D19ad83579A64c007002")! }
    /// EIP-7251 consolidation requests.
    public static var consolidationRequests: Address {
        Address(hex: "0x0000BBdDc7CE488642fb579F8B00f3a590007251")!
    }
    /// The mainnet deposit contract (EIP-6110).
    public static var depositContract: Address { Address(hex: "0x00000000219ab540356cBB839Cbe05303d7705Fa")! }
    /// keccak("DepositEvent(bytes,bytes,bytes,bytes,bytes)").
    public static var depositEventTopic: UInt256 {
        UInt256(hex: "0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5")!
    }
    /// Gas a system call gets.
    public static var gas: Int64 { 30_000_000 }
}

/// What executing a block's transactions produced.
public struct BlockExecutionResult: Sendable {
    /// Each receipt's consensus encoding, in order.
    public var receipts: [[UInt8]]
    /// Gas used by the transactions.
    public var gasUsed: UInt64
    /// The bloom of every log.
    public var logsBloom: [UInt8]
    /// The EIP-7685 requests hash (Prague+).
    public var requestsHash: Bytes32?
}

extension EVM {
    /// Runs a system call to `target` with `data`: caller ``SystemContracts/systemAddress``,
    /// 30M gas, no value, not charged. Returns nil when `target` has no code.
    public func systemCall(_ target: Address, data: [UInt8]) -> CallResult? {
        let code = state.code(target)
        if code.isEmpty { return nil }
        state.beginTransaction()
        logs.removeAll()
        refund = 0
        tx = TxEnv(origin: SystemContracts.systemAddress, gasPrice: block.baseFee, blobHashes: [])
        var m = Message(
            caller: SystemContracts.systemAddress,
            target: target,
            codeAddress: target,
            value: .zero,
            input: data,
            gas: SystemContracts.gas,
            depth: 0,
            isStatic: false,
            isCreate: false,
            shouldTransferValue: false,
            disablePrecompiles: false,
            code: code
        )
        let r = callMessage(&m)
        for a in state.touched where state.existsAndIsEmpty(a) { state.destroyAccount(a) }
        return r
    }
}

extension Block {
    /// Validates this block (header against `parent`, body against header) and executes it on
    /// a copy of `parentState`. Returns the post-state; `parentState` is a value, so a refused
    /// block leaves no trace.
    ///
    /// - Parameters:
    ///   - fork: this block's fork; `parentFork` the parent's (they differ at a fork's first block).
    ///   - blobSchedule: this fork's blob parameters (Cancun+).
    ///   - blockHashes: the hashes of up to 256 ancestors by number, for `BLOCKHASH`.
    ///   - recent: the parent and its ancestors, newest first, for the ommer rules (needed only
    ///     by proof-of-work blocks with ommers; see ``validateOmmers(recent:fork:)``).
    public func apply(
        parent: BlockHeader,
        parentState: [Address: Account],
        fork: Fork,
        parentFork: Fork,
        blobSchedule: BlobSchedule?,
        chainId: UInt256,
        blockHashes: [UInt64: UInt256],
        recent: [RecentBlock] = []
    ) throws(BlockError) -> (accounts: [Address: Account], result: BlockExecutionResult) {
        try header.validate(parent: parent, fork: fork, parentFork: parentFork, blobSchedule: blobSchedule)
        try validateBody(fork: fork)
        try validateOmmers(recent: recent, fork: fork)
        let env = BlockEnv(
            header: header,
            fork: fork,
            blobSchedule: blobSchedule,
            chainId: chainId,
            blockHashes: blockHashes
        )
        let evm = EVM(fork: fork, state: WorldState(accounts: parentState), block: env)
        let result = try execute(on: evm)
        return (evm.state.accounts, result)
    }

    /// The block reward of proof-of-work `fork` (5, 3 then 2 ether; none from Paris on).
    public static func blockReward(_ fork: Fork) -> UInt256 {
        let ether = UInt256(1_000_000_000_000_000_000 as UInt64)
        if fork >= .paris { return .zero }
        if fork >= .constantinople { return ether &* UInt256(2) }
        if fork >= .byzantium { return ether &* UInt256(3) }
        return ether &* UInt256(5)
    }

    /// Executes the block on `evm` (whose state is the parent's post-state and whose block
    /// environment is this header's): system calls, transactions, rewards, withdrawals and
    /// requests; then checks gas used, receipts root, logs bloom, requests hash and state root
    /// against the header. On error the state is partly changed: run it on a copy.
    ///
    /// - Parameters:
    ///   - senders: the transactions' senders when already recovered (see
    ///     ``recoverSenders(fork:chainId:)``); nil recovers each before it runs.
    ///   - beforeStateRoot: called once, just before the final state root is computed.
    public func execute(
        on evm: EVM,
        senders: [Address]? = nil,
        beforeStateRoot: () -> Void = {}
    ) throws(BlockError) -> BlockExecutionResult {
        let fork = evm.fork
        if fork >= .cancun, let root = header.parentBeaconBlockRoot {
            _ = evm.systemCall(SystemContracts.beaconRoots, data: root.bytes)
        }
        if fork >= .prague { _ = evm.systemCall(SystemContracts.historyStorage, data: header.parentHash.bytes) }
        var receipts: [[UInt8]] = []
        var allLogs: [Log] = []
        var gasUsed: UInt64 = 0
        var blobGasUsed: UInt64 = 0
        let maxBlobGas = UInt64(evm.block.maxBlobsPerBlock) &* Transaction.gasPerBlob
        for (i, t) in transactions.enumerated() {
            let sender: Address
            if let senders {
                sender = senders[i]
            } else {
                do {
                    sender = try t.validateStatelessly(fork: fork, chainId: evm.block.chainId).sender
                } catch {
                    throw .invalidTransaction(index: i, error)
                }
            }
            guard t.gasLimit.fitsInUInt64, t.gasLimit.w0 <= header.gasLimit &- gasUsed else {
                throw .gasAllowanceExceeded(index: i)
            }
            let blobGas = UInt64(t.blobVersionedHashes.count) &* Transaction.gasPerBlob
            if blobGasUsed &+ blobGas > maxBlobGas { throw .blobGasAllowanceExceeded(index: i) }
            let r: TransactionResult
            do {
                r = try evm.execute(t, sender: sender)
            } catch {
                throw .invalidTransaction(index: i, error)
            }
            gasUsed &+= r.gasUsed
            blobGasUsed &+= blobGas
            allLogs += r.logs
            if fork >= .byzantium {
                receipts.append(
                    Receipt(type: t.type, success: r.success, cumulativeGasUsed: gasUsed, logs: r.logs).encoded
                )
            } else {
                let root = evm.state.stateRoot() ?? MerklePatriciaTrie.emptyRoot
                var w = RLPWriter()
                w.appendList { w in
                    w.append(root)
                    w.append(uint: gasUsed)
                    w.append(bytes: Log.bloom(r.logs))
                    Log.append(r.logs, to: &w)
                }
                receipts.append(w.bytes)
            }
        }
        payRewards(evm)
        for w in withdrawals ?? [] {
            evm.state.addBalance(w.address, UInt256(w.amount) &* UInt256(1_000_000_000 as UInt64))
            if evm.state.existsAndIsEmpty(w.address) { evm.state.destroyAccount(w.address) }
        }
        var requestsHash: Bytes32? = nil
        if fork >= .prague { requestsHash = try Block.requests(evm, logs: allLogs) }
        let bloom = Log.bloom(allLogs)
        if gasUsed != header.gasUsed { throw .gasUsedMismatch }
        if Block.orderedTrieRoot(receipts) != header.receiptsRoot { throw .receiptsRootMismatch }
        if bloom != header.logsBloom { throw .logsBloomMismatch }
        if requestsHash != header.requestsHash { throw .requestsHashMismatch }
        beforeStateRoot()
        if evm.state.stateRoot() != header.stateRoot { throw .stateRootMismatch }
        return BlockExecutionResult(receipts: receipts, gasUsed: gasUsed, logsBloom: bloom, requestsHash: requestsHash)
    }

    /// The senders of the transactions, each validated against `fork` and `chainId` (type,
    /// nonce and gas bounds, signature) and recovered from its signature.
    public func recoverSenders(fork: Fork, chainId: UInt256) throws(BlockError) -> [Address] {
        var senders: [Address] = []
        senders.reserveCapacity(transactions.count)
        for (i, t) in transactions.enumerated() {
            do {
                senders.append(try t.validateStatelessly(fork: fork, chainId: chainId).sender)
            } catch {
                throw .invalidTransaction(index: i, error)
            }
        }
        return senders
    }

    /// Proof-of-work rewards: the block reward and 1/32 of it per ommer to the coinbase, and
    /// `(8 − depth)/8` of it to each ommer's coinbase.
    func payRewards(_ evm: EVM) {
        let reward = Block.blockReward(evm.fork)
        if reward.isZero { return }
        let minerReward = reward &+ reward / UInt256(32) &* UInt256(UInt64(ommers.count))
        evm.state.addBalance(header.coinbase, minerReward)
        for o in ommers {
            let depth = header.number &- o.number
            evm.state.addBalance(o.coinbase, reward &* UInt256(8 &- depth) / UInt256(8))
        }
    }

    /// EIP-7685: deposits from the logs (EIP-6110), then the withdrawal (EIP-7002) and
    /// consolidation (EIP-7251) system calls; returns the requests hash. Block builders call it
    /// after the last transaction, as ``execute(on:senders:beforeStateRoot:)`` does.
    public static func requests(_ evm: EVM, logs: [Log]) throws(BlockError) -> Bytes32 {
        var deposits: [UInt8] = []
        for l in logs where l.address == SystemContracts.depositContract {
            guard let topic = l.topics.first, topic == SystemContracts.depositEventTopic else { continue }
            deposits += try Block.depositData(l.data)
        }
        var outer = SHA256.Hasher()
        func add(_ type: UInt8, _ data: [UInt8]) {
            if data.isEmpty { return }
            outer.update(SHA256.hash([type] + data).bytes)
        }
        add(0, deposits)
        for (type, address) in [
            (UInt8(1), SystemContracts.withdrawalRequests), (UInt8(2), SystemContracts.consolidationRequests),
        ] {
            guard let r = evm.systemCall(address, data: []) else { throw .systemContractEmpty }
            if r.status != .success { throw .systemContractCallFailed }
            add(type, r.output)
        }
        return outer.finalize()
    }

    /// The 192-byte request of a deposit log (pubkey, withdrawal credentials, amount,
    /// signature, index), checking EIP-6110's ABI layout.
    static func depositData(_ d: [UInt8]) throws(BlockError) -> [UInt8] {
        guard d.count == 576 else { throw .invalidDepositEventLayout }
        func word(_ at: Int) -> UInt256 { UInt256(Bytes32(Array(d[at..<at + 32]))!) }
        let layout: [(offset: Int, size: Int)] = [(160, 48), (256, 32), (320, 8), (384, 96), (512, 8)]
        var out: [UInt8] = []
        for (i, f) in layout.enumerated() {
            guard word(i * 32) == UInt256(UInt64(f.offset)), word(f.offset) == UInt256(UInt64(f.size)) else {
                throw .invalidDepositEventLayout
            }
            out += d[f.offset + 32..<f.offset + 32 + f.size]
        }
        return out
    }
}

extension BlockEnv {
    /// The environment of a block with `header` under `fork`: base fee, `PREVRANDAO` (Paris+)
    /// or difficulty, blob base fee and maximum from `blobSchedule`, and the ancestors' hashes
    /// `BLOCKHASH` may read.
    public init(
        header: BlockHeader,
        fork: Fork,
        blobSchedule: BlobSchedule?,
        chainId: UInt256,
        blockHashes: [UInt64: UInt256]
    ) {
        self.init(
            coinbase: header.coinbase,
            number: header.number,
            timestamp: header.timestamp,
            gasLimit: header.gasLimit,
            baseFee: header.baseFeePerGas ?? .zero,
            prevRandao: fork >= .paris ? UInt256(header.mixHash) : header.difficulty,
            difficulty: header.difficulty,
            excessBlobGas: header.excessBlobGas ?? 0,
            blobBaseFee: blobSchedule?.blobBaseFee(excessBlobGas: header.excessBlobGas ?? 0) ?? .one,
            maxBlobsPerBlock: Int(blobSchedule?.max ?? 0),
            chainId: chainId,
            blockHashes: blockHashes
        )
    }
}
