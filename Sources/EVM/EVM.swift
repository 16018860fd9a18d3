import EVMPrimitives
import Keccak
import Precompiles

/// The Ethereum Virtual Machine for one fork: message calls, contract creation and the
/// interpreter, over a journaled ``WorldState``.
public final class EVM {
    /// The protocol rules in force.
    public let fork: Fork
    /// The world state (mutated in place). A constant, so the interpreter reaches it without
    /// retaining and releasing it at every `SLOAD`, `SSTORE` or `BALANCE` (a `var` could be
    /// replaced during the call, so each access of one holds its own reference).
    public let state: WorldState
    /// Block context.
    public var block: BlockEnv
    /// Transaction context.
    public var tx: TxEnv
    /// Logs emitted so far in the current transaction.
    public var logs: [Log] = []
    /// Gas refund counter of the current transaction (may dip below zero within a call).
    public var refund: Int64 = 0

    @usableFromInline let opTable: OpcodeTable
    @usableFromInline let sloadGas: Int64
    @usableFromInline let accountAccessGas: Int64
    @usableFromInline let extcodeGas: Int64
    @usableFromInline let expByteGas: Int64

    /// An EVM for `fork` over `state`.
    public init(fork: Fork, state: WorldState, block: BlockEnv, tx: TxEnv = TxEnv()) {
        self.fork = fork
        self.state = state
        self.block = block
        self.tx = tx
        self.opTable = OpcodeTable(fork: fork)
        // Access prices before Berlin; from Berlin EIP-2929's warm/cold prices apply instead.
        switch fork {
        case .frontier, .homestead:
            sloadGas = Gas.sloadFrontier
            accountAccessGas = Gas.balanceFrontier
            extcodeGas = Gas.extcodeFrontier
        case .tangerineWhistle, .spuriousDragon, .byzantium, .constantinople, .petersburg:
            sloadGas = Gas.sloadTangerineWhistle
            accountAccessGas = Gas.balanceTangerineWhistle
            extcodeGas = Gas.extcodeTangerineWhistle
        default:
            sloadGas = Gas.sloadIstanbul
            accountAccessGas = Gas.balanceIstanbul
            extcodeGas = Gas.extcodeTangerineWhistle
        }
        expByteGas = fork >= .spuriousDragon ? Gas.expByteSpuriousDragon : Gas.expByteFrontier
    }

    deinit { opTable.free() }

    // MARK: Protocol limits

    /// The maximum number of items on the stack (Yellow Paper).
    public static let stackLimit = 1024
    /// The maximum depth of nested calls and creations (Yellow Paper).
    public static let maxCallDepth = 1024
    /// `BLOCKHASH` sees only this many most recent blocks (Yellow Paper).
    public static let blockhashWindow: UInt64 = 256
    /// The maximum size of deployed code, from Spurious Dragon (EIP-170).
    public static let maxCodeSize = 24576
    /// The maximum size of init code, `2 × maxCodeSize`, from Shanghai (EIP-3860).
    public static let maxInitcodeSize = 49152
    /// The maximum gas limit of a transaction, `2^24`, from Osaka (EIP-7825).
    public static let maxTransactionGas: UInt64 = 16_777_216
    /// The maximum number of blobs in one transaction, from Osaka (EIP-7594).
    public static let maxBlobsPerTransaction = 6

    // MARK: Precompiles

    /// The precompile number at `address` in this fork, or nil.
    @inlinable
    public func precompileID(_ address: Address) -> Int? {
        let v = UInt256(address)
        guard (v.w1 | v.w2 | v.w3) == 0, v.w0 != 0 else { return nil }
        let n = v.w0
        switch fork {
        case .frontier, .homestead, .tangerineWhistle, .spuriousDragon:
            return n <= 4 ? Int(n) : nil
        case .byzantium, .constantinople, .petersburg:
            return n <= 8 ? Int(n) : nil
        case .istanbul, .berlin, .london, .paris, .shanghai:
            return n <= 9 ? Int(n) : nil
        case .cancun:
            return n <= 0x0a ? Int(n) : nil
        case .prague:
            return n <= 0x11 ? Int(n) : nil
        case .osaka:
            return n <= 0x11 || n == 0x100 ? Int(n) : nil
        }
    }

    /// Every precompile address of this fork (warm from the start since Berlin).
    public var precompileAddresses: [Address] {
        var out: [Address] = []
        for n in [UInt64(1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0x100] {
            let a = Address(truncating: UInt256(n))
            if precompileID(a) != nil { out.append(a) }
        }
        return out
    }

    func runPrecompile(id: Int, input: [UInt8], gas: Int64) -> CallResult {
        let r = PrecompileBridge.run(id: id, input: input, gasLimit: gas, fork: fork)
        return r
    }

    // MARK: Touch and transfer

    /// Touches an account: before Spurious Dragon this creates it; after, it is recorded so
    /// that it is deleted at the end of the transaction if empty (EIP-161).
    @inlinable
    func touch(_ a: Address) {
        if fork >= .spuriousDragon { state.touch(a) } else { state.ensureAccount(a) }
    }

    @inlinable
    func transfer(from: Address, to: Address, value: UInt256) {
        state.setBalance(from, state.balance(from) &- value)
        state.setBalance(to, state.balance(to) &+ value)
    }

    // MARK: Message calls

    /// Runs a message call frame (the caller has checked depth and balance).
    @usableFromInline
    func callMessage(_ m: inout Message) -> CallResult {
        let cp = state.checkpoint
        let logMark = logs.count
        let refundMark = refund
        touch(m.target)
        if m.shouldTransferValue && !m.value.isZero {
            transfer(from: m.caller, to: m.target, value: m.value)
        }
        var result: CallResult
        if !m.disablePrecompiles, let id = precompileID(m.codeAddress) {
            result = runPrecompile(id: id, input: m.input, gas: m.gas)
        } else if m.code.isEmpty {
            result = CallResult(status: .success, gasLeft: m.gas, output: [], createdAddress: nil)
        } else {
            result = interpret(&m)
        }
        if result.status != .success {
            state.revert(to: cp)
            if logs.count > logMark { logs.removeSubrange(logMark...) }
            refund = refundMark
            // The RIPEMD-160 touch survives a failed call (mainnet block 2675119).
            if fork >= .spuriousDragon, m.target == EVM.ripemdAddress, state.existsAndIsEmpty(m.target) {
                state.touch(m.target)
            }
        }
        return result
    }

    @usableFromInline static var ripemdAddress: Address {
        Address(truncating: UInt256(UInt64(Precompiles.ripemd160)))
    }

    /// Runs the init code of a creation and deploys the returned code.
    @usableFromInline
    func createMessage(_ m: inout Message) -> CallResult {
        let cp = state.checkpoint
        let logMark = logs.count
        let refundMark = refund
        state.clearStorage(m.target)
        state.markCreated(m.target)
        if fork >= .spuriousDragon {
            state.setNonce(m.target, 1)
        }
        touch(m.target)
        if !m.value.isZero { transfer(from: m.caller, to: m.target, value: m.value) }
        var result = interpret(&m)
        if result.status == .success {
            let out = result.output
            var ok = true
            if fork >= .london, let first = out.first, first == Code.reservedFirstByte { ok = false }
            let deposit = Int64(out.count) &* Gas.codeDeposit
            if ok && result.gasLeft < deposit {
                if fork >= .homestead {
                    ok = false
                } else {
                    result.output = []
                    result.createdAddress = m.target
                    return result
                }
            }
            if ok && fork >= .spuriousDragon && out.count > EVM.maxCodeSize { ok = false }
            if ok {
                result.gasLeft &-= deposit
                if !out.isEmpty { state.setCode(m.target, Code(out)) }
                result.createdAddress = m.target
                result.output = []
                return result
            }
            result = CallResult(status: .failure, gasLeft: 0, output: [], createdAddress: nil)
        }
        state.revert(to: cp)
        if logs.count > logMark { logs.removeSubrange(logMark...) }
        refund = refundMark
        return result
    }

    /// The address of a `CREATE` by `sender` with `nonce`: keccak(rlp([sender, nonce]))[12...].
    public static func createAddress(sender: Address, nonce: UInt64) -> Address {
        var w = RLPWriter(capacity: 32)
        w.appendList { w in
            w.append(sender)
            w.append(uint: nonce)
        }
        return Address(lastBytesOf: Keccak256.digest(w.bytes))
    }

    /// The address of a `CREATE2`: keccak(0xff ‖ sender ‖ salt ‖ keccak(initcode))[12...].
    public static func create2Address(sender: Address, salt: UInt256, initcodeHash: Bytes32) -> Address {
        var buf = [UInt8](repeating: 0, count: 85)
        buf[0] = 0xff
        buf.withUnsafeMutableBytes { raw in
            sender.store(to: raw.baseAddress! + 1)
            salt.storeBigEndian(to: raw.baseAddress! + 21)
            initcodeHash.store(to: raw.baseAddress! + 53)
        }
        return Address(lastBytesOf: Keccak256.digest(buf))
    }

    /// `CREATE`/`CREATE2` from a running frame. Returns the word to push.
    @usableFromInline
    func create(
        caller: Address,
        value: UInt256,
        initcode: [UInt8],
        salt: UInt256?,
        gas: inout Int64,
        depth: Int,
        returnData: inout [UInt8]
    ) -> UInt256 {
        let addr: Address
        if let salt {
            addr = EVM.create2Address(sender: caller, salt: salt, initcodeHash: Keccak256.digest(initcode))
        } else {
            addr = EVM.createAddress(sender: caller, nonce: state.nonce(caller))
        }
        if fork >= .berlin { _ = state.warmAccount(addr) }
        let childGas = fork >= .tangerineWhistle ? Gas.allButOne64th(gas) : gas
        gas &-= childGas
        returnData = []
        let callerNonce = state.nonce(caller)
        if state.balance(caller) < value || callerNonce == UInt64.max || depth &+ 1 > EVM.maxCallDepth {
            gas &+= childGas
            return .zero
        }
        // `exists` loads the account in stateless execution before it is read.
        if state.exists(addr), let acct = state.accounts[addr],
            acct.nonce != 0 || !acct.code.isEmpty || !acct.storage.isEmpty
        {
            state.setNonce(caller, callerNonce &+ 1)
            return .zero
        }
        state.setNonce(caller, callerNonce &+ 1)
        var m = Message(
            caller: caller,
            target: addr,
            codeAddress: addr,
            value: value,
            input: [],
            gas: childGas,
            depth: depth &+ 1,
            isStatic: false,
            isCreate: true,
            shouldTransferValue: true,
            disablePrecompiles: false,
            code: Code(initcode)
        )
        let r = createMessage(&m)
        gas &+= r.gasLeft
        if r.status == .success {
            return UInt256(addr)
        }
        returnData = r.output
        return .zero
    }
}
