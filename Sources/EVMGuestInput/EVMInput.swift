// The EVM guest's input: a fork, a block environment, one transaction with its sender and
// the pre-state, RLP-encoded. Portable (Embedded Swift): compiled into the guest, and on the
// host into the `EVMGuestInput` module that writes it.
import EVM
import EVMPrimitives

/// Everything the EVM guest needs to execute one transaction.
public struct EVMGuestInput {
    public var fork: Fork
    public var block: BlockEnv
    public var transaction: Transaction
    public var sender: Address
    public var preState: [Address: Account]

    public init(fork: Fork, block: BlockEnv, transaction: Transaction, sender: Address, preState: [Address: Account]) {
        self.fork = fork
        self.block = block
        self.transaction = transaction
        self.sender = sender
        self.preState = preState
    }

    /// What the guest commits: post-state root, gas used, whether the transaction was valid.
    public struct Outcome: Equatable {
        public var stateRoot: Bytes32
        public var gasUsed: UInt64
        public var accepted: Bool

        public init(stateRoot: Bytes32, gasUsed: UInt64, accepted: Bool) {
            self.stateRoot = stateRoot
            self.gasUsed = gasUsed
            self.accepted = accepted
        }

        /// 32-byte root, 8-byte little-endian gas used, 1 status byte.
        public var encoded: [UInt8] {
            var out = stateRoot.bytes
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: gasUsed >> (8 * UInt64(i)))) }
            out.append(accepted ? 1 : 0)
            return out
        }
    }

    /// Executes the transaction on the pre-state (the same code natively and in the guest).
    public func execute() -> Outcome {
        let state = WorldState(accounts: preState)
        let evm = EVM(fork: fork, state: state, block: block)
        var gasUsed: UInt64 = 0
        var accepted = true
        do {
            let r = try evm.execute(transaction, sender: sender)
            gasUsed = r.gasUsed
        } catch {
            accepted = false
        }
        let root = StateRoot.compute(evm.state.accounts) ?? Bytes32.zero
        return Outcome(stateRoot: root, gasUsed: gasUsed, accepted: accepted)
    }

    // MARK: encoding

    static func list(_ items: [[UInt8]]) -> [UInt8] {
        var payload: [UInt8] = []
        for i in items { payload += i }
        var w = RLPWriter()
        w.appendHeader(length: payload.count, offset: 0xC0)
        w.bytes += payload
        return w.bytes
    }
    static func bytes(_ b: [UInt8]) -> [UInt8] {
        var w = RLPWriter()
        w.append(bytes: b)
        return w.bytes
    }
    static func uint(_ v: UInt64) -> [UInt8] {
        var w = RLPWriter()
        w.append(uint: v)
        return w.bytes
    }
    static func u256(_ v: UInt256) -> [UInt8] {
        var w = RLPWriter()
        w.append(v)
        return w.bytes
    }
    static func address(_ a: Address) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: 20)
        raw.withUnsafeMutableBytes { a.store(to: $0.baseAddress!) }
        return bytes(raw)
    }

    /// The RLP encoding read by ``decode(_:)``.
    public func encode() -> [UInt8] {
        let b = block
        let blockItem = Self.list([
            Self.address(b.coinbase), Self.uint(b.number), Self.uint(b.timestamp), Self.uint(b.gasLimit),
            Self.u256(b.baseFee), Self.u256(b.prevRandao), Self.u256(b.difficulty), Self.uint(b.excessBlobGas),
            Self.u256(b.blobBaseFee), Self.uint(UInt64(b.maxBlobsPerBlock)), Self.u256(b.chainId),
            Self.list(b.blockHashes.keys.sorted().map { Self.list([Self.uint($0), Self.u256(b.blockHashes[$0]!)]) }),
        ])
        let t = transaction
        let txItem = Self.list([
            Self.uint(UInt64(t.type)), t.chainId.map { Self.list([Self.u256($0)]) } ?? Self.list([]),
            Self.u256(t.nonce),
            Self.u256(t.gasPrice), Self.u256(t.maxPriorityFeePerGas), Self.u256(t.maxFeePerGas), Self.u256(t.gasLimit),
            t.to.map { Self.list([Self.address($0)]) } ?? Self.list([]), Self.u256(t.value), Self.bytes(t.data),
            Self.list(
                t.accessList.map { Self.list([Self.address($0.address), Self.list($0.storageKeys.map(Self.u256))]) }
            ),
            Self.u256(t.maxFeePerBlobGas), Self.list(t.blobVersionedHashes.map(Self.u256)),
            Self.list(
                t.authorizations.map {
                    Self.list([
                        Self.u256($0.chainId), Self.address($0.address), Self.u256($0.nonce), Self.u256($0.yParity),
                        Self.u256($0.r), Self.u256($0.s),
                    ])
                }
            ), Self.u256(t.v), Self.u256(t.r), Self.u256(t.s),
        ])
        let pre = Self.list(
            preState.keys.sorted().map { a in
                let acct = preState[a]!
                return Self.list([
                    Self.address(a), Self.uint(acct.nonce), Self.u256(acct.balance), Self.bytes(acct.code.bytes),
                    Self.list(
                        acct.storage.keys.sorted().map { Self.list([Self.u256($0), Self.u256(acct.storage[$0]!)]) }
                    ),
                ])
            }
        )
        return Self.list([Self.uint(UInt64(fork.rawValue)), blockItem, txItem, Self.address(sender), pre])
    }

    /// Parses ``encode()``'s output.
    public static func decode(_ data: [UInt8]) throws(RLPError) -> EVMGuestInput {
        var top = RLPReader(data)
        var r = try top.readList()
        guard let fork = Fork(rawValue: Int(try r.readUInt64())) else { throw .wrongSize }
        var b = try r.readList()
        var block = BlockEnv()
        block.coinbase = try b.readAddress()
        block.number = try b.readUInt64()
        block.timestamp = try b.readUInt64()
        block.gasLimit = try b.readUInt64()
        block.baseFee = try b.readUInt256()
        block.prevRandao = try b.readUInt256()
        block.difficulty = try b.readUInt256()
        block.excessBlobGas = try b.readUInt64()
        block.blobBaseFee = try b.readUInt256()
        block.maxBlobsPerBlock = Int(try b.readUInt64())
        block.chainId = try b.readUInt256()
        var hashes = try b.readList()
        while !hashes.isAtEnd {
            var h = try hashes.readList()
            let n = try h.readUInt64()
            block.blockHashes[n] = try h.readUInt256()
        }
        var t = try r.readList()
        var tx = Transaction()
        tx.type = UInt8(truncatingIfNeeded: try t.readUInt64())
        var chain = try t.readList()
        if !chain.isAtEnd { tx.chainId = try chain.readUInt256() }
        tx.nonce = try t.readUInt256()
        tx.gasPrice = try t.readUInt256()
        tx.maxPriorityFeePerGas = try t.readUInt256()
        tx.maxFeePerGas = try t.readUInt256()
        tx.gasLimit = try t.readUInt256()
        var to = try t.readList()
        if !to.isAtEnd { tx.to = try to.readAddress() }
        tx.value = try t.readUInt256()
        tx.data = try t.readBytes()
        var access = try t.readList()
        while !access.isAtEnd {
            var e = try access.readList()
            let a = try e.readAddress()
            var keys = try e.readList()
            var ks: [UInt256] = []
            while !keys.isAtEnd { ks.append(try keys.readUInt256()) }
            tx.accessList.append(AccessListEntry(address: a, storageKeys: ks))
        }
        tx.maxFeePerBlobGas = try t.readUInt256()
        var blobs = try t.readList()
        while !blobs.isAtEnd { tx.blobVersionedHashes.append(try blobs.readUInt256()) }
        var auths = try t.readList()
        while !auths.isAtEnd {
            var a = try auths.readList()
            tx.authorizations.append(
                Authorization(
                    chainId: try a.readUInt256(),
                    address: try a.readAddress(),
                    nonce: try a.readUInt256(),
                    yParity: try a.readUInt256(),
                    r: try a.readUInt256(),
                    s: try a.readUInt256()
                )
            )
        }
        tx.v = try t.readUInt256()
        tx.r = try t.readUInt256()
        tx.s = try t.readUInt256()
        let sender = try r.readAddress()
        var pre: [Address: Account] = [:]
        var accounts = try r.readList()
        while !accounts.isAtEnd {
            var a = try accounts.readList()
            let address = try a.readAddress()
            var acct = Account()
            acct.nonce = try a.readUInt64()
            acct.balance = try a.readUInt256()
            acct.code = Code(try a.readBytes())
            var slots = try a.readList()
            while !slots.isAtEnd {
                var s = try slots.readList()
                let k = try s.readUInt256()
                acct.storage[k] = try s.readUInt256()
            }
            pre[address] = acct
        }
        return EVMGuestInput(fork: fork, block: block, transaction: tx, sender: sender, preState: pre)
    }
}
