import EVMPrimitives
import Keccak

extension EVM {
    /// Reads `n` (1...32) big-endian immediate bytes at `p`.
    @inlinable @inline(__always)
    static func readPush(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt256 {
        if n <= 8 {
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(p[i]) }
            return UInt256(v)
        }
        var buf = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buf) { raw in
            let b = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            (b + (32 &- n)).update(from: p, count: n)
            return UInt256(loadingBigEndian: raw.baseAddress!)
        }
    }

    /// Copies `length` bytes of `src` starting at `offset` (zero past the end) into memory.
    @inlinable @inline(__always)
    static func copyPadded(
        to dst: UnsafeMutablePointer<UInt8>,
        from src: UnsafePointer<UInt8>?,
        srcCount: Int,
        offset: UInt256,
        length: Int
    ) {
        var avail = 0
        var start = 0
        if let o = offset.memoryInt, o < srcCount {
            start = o
            avail = srcCount &- o
            if avail > length { avail = length }
        }
        if avail > 0, let src { dst.update(from: src + start, count: avail) }
        if length > avail { (dst + avail).update(repeating: 0, count: length &- avail) }
    }

    /// Writes a stack word with one 32-byte store, so a following 32-byte load of the same
    /// slot is forwarded from the store buffer instead of stalling.
    @inlinable @inline(__always)
    static func put(_ stack: UnsafeMutablePointer<UInt256>, _ i: Int, _ v: UInt256) {
        UnsafeMutableRawPointer(stack + i).storeBytes(of: SIMD4<UInt64>(v.w0, v.w1, v.w2, v.w3), as: SIMD4<UInt64>.self)
    }

    /// Keccak-256 of `len` bytes at `p` as a word.
    @inline(never) @usableFromInline
    static func keccakWord(_ p: UnsafeMutablePointer<UInt8>, _ len: Int) -> UInt256 {
        var d = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &d) { raw in
            Keccak256.hash(UnsafeRawBufferPointer(start: p, count: len), into: raw.baseAddress!)
            return UInt256(loadingBigEndian: raw.baseAddress!)
        }
    }

    /// `CALLDATALOAD`: 32 bytes of `input` at `offset`, zero-padded.
    @inline(never) @usableFromInline
    static func calldataWord(_ input: [UInt8], _ offset: UInt256) -> UInt256 {
        var buf = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buf) { raw in
            copyPadded(
                to: raw.baseAddress!.assumingMemoryBound(to: UInt8.self),
                from: input,
                offset: offset,
                length: 32
            )
            return UInt256(loadingBigEndian: raw.baseAddress!)
        }
    }

    /// Copies from an array, zero-padded.
    @inline(never) @usableFromInline
    static func copyPadded(to dst: UnsafeMutablePointer<UInt8>, from src: [UInt8], offset: UInt256, length: Int) {
        src.withUnsafeBufferPointer { b in
            copyPadded(to: dst, from: b.baseAddress, srcCount: b.count, offset: offset, length: length)
        }
    }

    /// Runs the frame's code. The heart of the EVM: one dispatch per opcode over the padded
    /// bytecode, the stack in an unsafe buffer, gas in a signed 64-bit counter.
    ///
    /// Each `case` is one instruction of the Yellow Paper's Appendix H, named by ``Opcode``. Its
    /// static gas and stack bounds come from the ``OpcodeTable`` and are checked before the
    /// `switch`; what depends on operands or state is charged in the case, at ``Gas`` prices.
    @usableFromInline
    func interpret(_ msg: inout Message) -> CallResult {
        let code = msg.code
        let codeBase = UnsafePointer(code.padded)
        let codeLen = code.count
        var jumpMap: UnsafeMutablePointer<UInt8>? = nil
        let table = UnsafePointer(opTable.entries)
        let stack = UnsafeMutablePointer<UInt256>.allocate(capacity: EVM.stackLimit)
        defer { stack.deallocate() }
        var mem = Memory()
        defer { mem.free() }
        var sp = 0
        var pc = 0
        var gas = msg.gas
        var returnData: [UInt8] = []
        var status = CallStatus.success
        var output: [UInt8] = []
        let fork = self.fork
        let berlin = fork >= .berlin

        loop: while true {
            let op = codeBase[pc]
            let info = table[Int(op)]
            gas &-= Int64(truncatingIfNeeded: info & 0xffff_ffff)
            if gas < 0 || sp < Int(truncatingIfNeeded: (info >> 32) & 0xffff)
                || sp > Int(truncatingIfNeeded: info >> 48)
            {
                status = .failure
                break loop
            }
            switch op {
            case Opcode.STOP:
                break loop
            case Opcode.ADD:
                EVM.put(stack, sp &- 2, stack[sp &- 1] &+ stack[sp &- 2])
                sp &-= 1
            case Opcode.MUL:
                EVM.put(stack, sp &- 2, stack[sp &- 1] &* stack[sp &- 2])
                sp &-= 1
            case Opcode.SUB:
                EVM.put(stack, sp &- 2, stack[sp &- 1] &- stack[sp &- 2])
                sp &-= 1
            case Opcode.DIV:
                EVM.put(stack, sp &- 2, stack[sp &- 1] / stack[sp &- 2])
                sp &-= 1
            case Opcode.SDIV:
                EVM.put(stack, sp &- 2, stack[sp &- 1].sdiv(stack[sp &- 2]))
                sp &-= 1
            case Opcode.MOD:
                EVM.put(stack, sp &- 2, stack[sp &- 1] % stack[sp &- 2])
                sp &-= 1
            case Opcode.SMOD:
                EVM.put(stack, sp &- 2, stack[sp &- 1].smod(stack[sp &- 2]))
                sp &-= 1
            case Opcode.ADDMOD:
                EVM.put(stack, sp &- 3, UInt256.addMod(stack[sp &- 1], stack[sp &- 2], stack[sp &- 3]))
                sp &-= 2
            case Opcode.MULMOD:
                EVM.put(stack, sp &- 3, UInt256.mulMod(stack[sp &- 1], stack[sp &- 2], stack[sp &- 3]))
                sp &-= 2
            case Opcode.EXP:
                let e = stack[sp &- 2]
                gas &-= Int64(e.byteWidth) &* expByteGas
                if gas < 0 {
                    status = .failure
                    break loop
                }
                EVM.put(stack, sp &- 2, UInt256.exp(stack[sp &- 1], e))
                sp &-= 1
            case Opcode.SIGNEXTEND:
                EVM.put(stack, sp &- 2, UInt256.signExtend(byteIndex: stack[sp &- 1], value: stack[sp &- 2]))
                sp &-= 1
            case Opcode.LT:
                EVM.put(stack, sp &- 2, stack[sp &- 1] < stack[sp &- 2] ? .one : .zero)
                sp &-= 1
            case Opcode.GT:
                EVM.put(stack, sp &- 2, stack[sp &- 2] < stack[sp &- 1] ? .one : .zero)
                sp &-= 1
            case Opcode.SLT:
                EVM.put(stack, sp &- 2, stack[sp &- 1].slt(stack[sp &- 2]) ? .one : .zero)
                sp &-= 1
            case Opcode.SGT:
                EVM.put(stack, sp &- 2, stack[sp &- 1].sgt(stack[sp &- 2]) ? .one : .zero)
                sp &-= 1
            case Opcode.EQ:
                EVM.put(stack, sp &- 2, stack[sp &- 1] == stack[sp &- 2] ? .one : .zero)
                sp &-= 1
            case Opcode.ISZERO:
                EVM.put(stack, sp &- 1, stack[sp &- 1].isZero ? .one : .zero)
            case Opcode.AND:
                EVM.put(stack, sp &- 2, stack[sp &- 1] & stack[sp &- 2])
                sp &-= 1
            case Opcode.OR:
                EVM.put(stack, sp &- 2, stack[sp &- 1] | stack[sp &- 2])
                sp &-= 1
            case Opcode.XOR:
                EVM.put(stack, sp &- 2, stack[sp &- 1] ^ stack[sp &- 2])
                sp &-= 1
            case Opcode.NOT:
                EVM.put(stack, sp &- 1, ~stack[sp &- 1])
            case Opcode.BYTE:
                EVM.put(stack, sp &- 2, stack[sp &- 2].byte(stack[sp &- 1]))
                sp &-= 1
            case Opcode.SHL:
                EVM.put(stack, sp &- 2, stack[sp &- 2] << stack[sp &- 1])
                sp &-= 1
            case Opcode.SHR:
                EVM.put(stack, sp &- 2, stack[sp &- 2] >> stack[sp &- 1])
                sp &-= 1
            case Opcode.SAR:
                EVM.put(stack, sp &- 2, stack[sp &- 2].sar(stack[sp &- 1]))
                sp &-= 1
            case Opcode.CLZ:
                EVM.put(stack, sp &- 1, UInt256(UInt64(stack[sp &- 1].leadingZeroBitCount)))
            case Opcode.KECCAK256:
                guard let len = stack[sp &- 2].memoryInt else {
                    status = .failure
                    break loop
                }
                var h = Code.emptyHash
                if len > 0 {
                    guard let off = stack[sp &- 1].memoryInt else {
                        status = .failure
                        break loop
                    }
                    gas &-= Gas.words(len) &* Gas.keccak256Word
                    if gas < 0 || !mem.expand(offset: off, length: len, gas: &gas) {
                        status = .failure
                        break loop
                    }
                    h = EVM.keccakWord(mem.base + off, len)
                }
                EVM.put(stack, sp &- 2, h)
                sp &-= 1
            case Opcode.ADDRESS:
                EVM.put(stack, sp, UInt256(msg.target))
                sp &+= 1
            case Opcode.BALANCE:
                let a = Address(truncating: stack[sp &- 1])
                gas &-= berlin ? (state.warmAccount(a) ? Gas.warmAccess : Gas.coldAccountAccess) : accountAccessGas
                if gas < 0 {
                    status = .failure
                    break loop
                }
                EVM.put(stack, sp &- 1, state.balance(a))
            case Opcode.ORIGIN:
                EVM.put(stack, sp, UInt256(tx.origin))
                sp &+= 1
            case Opcode.CALLER:
                EVM.put(stack, sp, UInt256(msg.caller))
                sp &+= 1
            case Opcode.CALLVALUE:
                EVM.put(stack, sp, msg.value)
                sp &+= 1
            case Opcode.CALLDATALOAD:
                EVM.put(stack, sp &- 1, EVM.calldataWord(msg.input, stack[sp &- 1]))
            case Opcode.CALLDATASIZE:
                EVM.put(stack, sp, UInt256(UInt64(msg.input.count)))
                sp &+= 1
            case Opcode.CALLDATACOPY, Opcode.CODECOPY, Opcode.RETURNDATACOPY:
                let dst = stack[sp &- 1]
                let src = stack[sp &- 2]
                guard let len = stack[sp &- 3].memoryInt else {
                    status = .failure
                    break loop
                }
                sp &-= 3
                if op == Opcode.RETURNDATACOPY {
                    guard let s = src.memoryInt, s &+ len <= returnData.count else {
                        status = .failure
                        break loop
                    }
                }
                gas &-= Gas.words(len) &* Gas.copy
                if gas < 0 {
                    status = .failure
                    break loop
                }
                if len > 0 {
                    guard let d = dst.memoryInt, mem.expand(offset: d, length: len, gas: &gas) else {
                        status = .failure
                        break loop
                    }
                    let dstPtr = mem.base + d
                    switch op {
                    case Opcode.CALLDATACOPY:
                        EVM.copyPadded(to: dstPtr, from: msg.input, offset: src, length: len)
                    case Opcode.CODECOPY:
                        EVM.copyPadded(to: dstPtr, from: codeBase, srcCount: codeLen, offset: src, length: len)
                    default:
                        EVM.copyPadded(to: dstPtr, from: returnData, offset: src, length: len)
                    }
                }
            case Opcode.CODESIZE:
                EVM.put(stack, sp, UInt256(UInt64(codeLen)))
                sp &+= 1
            case Opcode.GASPRICE:
                EVM.put(stack, sp, tx.gasPrice)
                sp &+= 1
            case Opcode.EXTCODESIZE:
                let a = Address(truncating: stack[sp &- 1])
                gas &-= berlin ? (state.warmAccount(a) ? Gas.warmAccess : Gas.coldAccountAccess) : extcodeGas
                if gas < 0 {
                    status = .failure
                    break loop
                }
                EVM.put(stack, sp &- 1, UInt256(UInt64(state.code(a).count)))
            case Opcode.EXTCODECOPY:
                let a = Address(truncating: stack[sp &- 1])
                let dst = stack[sp &- 2]
                let src = stack[sp &- 3]
                guard let len = stack[sp &- 4].memoryInt else {
                    status = .failure
                    break loop
                }
                sp &-= 4
                gas &-= Gas.words(len) &* Gas.copy
                gas &-= berlin ? (state.warmAccount(a) ? Gas.warmAccess : Gas.coldAccountAccess) : extcodeGas
                if gas < 0 {
                    status = .failure
                    break loop
                }
                if len > 0 {
                    guard let d = dst.memoryInt, mem.expand(offset: d, length: len, gas: &gas) else {
                        status = .failure
                        break loop
                    }
                    let c = state.code(a)
                    EVM.copyPadded(
                        to: mem.base + d,
                        from: UnsafePointer(c.padded),
                        srcCount: c.count,
                        offset: src,
                        length: len
                    )
                }
            case Opcode.RETURNDATASIZE:
                EVM.put(stack, sp, UInt256(UInt64(returnData.count)))
                sp &+= 1
            case Opcode.EXTCODEHASH:
                let a = Address(truncating: stack[sp &- 1])
                // EIP-2929 from Berlin; EIP-1052 (Constantinople), repriced by EIP-1884 (Istanbul), before.
                gas &-=
                    berlin
                    ? (state.warmAccount(a) ? Gas.warmAccess : Gas.coldAccountAccess)
                    : (fork >= .istanbul ? Gas.extcodehashIstanbul : Gas.extcodehashConstantinople)
                if gas < 0 {
                    status = .failure
                    break loop
                }
                // `exists` loads the account in stateless execution before it is read.
                if state.exists(a), let acct = state.accounts[a], !acct.isEmpty {
                    EVM.put(stack, sp &- 1, acct.code.hash)
                } else {
                    EVM.put(stack, sp &- 1, .zero)
                }
            case Opcode.BLOCKHASH:
                let n = stack[sp &- 1]
                var r = UInt256.zero
                if (n.w1 | n.w2 | n.w3) == 0 && n.w0 < block.number && block.number &- n.w0 <= EVM.blockhashWindow {
                    r = block.blockHashes[n.w0] ?? state.backend?.blockHash(n.w0) ?? .zero
                }
                EVM.put(stack, sp &- 1, r)
            case Opcode.COINBASE:
                EVM.put(stack, sp, UInt256(block.coinbase))
                sp &+= 1
            case Opcode.TIMESTAMP:
                EVM.put(stack, sp, UInt256(block.timestamp))
                sp &+= 1
            case Opcode.NUMBER:
                EVM.put(stack, sp, UInt256(block.number))
                sp &+= 1
            case Opcode.PREVRANDAO:
                EVM.put(stack, sp, fork >= .paris ? block.prevRandao : block.difficulty)
                sp &+= 1
            case Opcode.GASLIMIT:
                EVM.put(stack, sp, UInt256(block.gasLimit))
                sp &+= 1
            case Opcode.CHAINID:
                EVM.put(stack, sp, block.chainId)
                sp &+= 1
            case Opcode.SELFBALANCE:
                EVM.put(stack, sp, state.balance(msg.target))
                sp &+= 1
            case Opcode.BASEFEE:
                EVM.put(stack, sp, block.baseFee)
                sp &+= 1
            case Opcode.BLOBHASH:
                let i = stack[sp &- 1]
                if (i.w1 | i.w2 | i.w3) == 0 && i.w0 < UInt64(tx.blobHashes.count) {
                    EVM.put(stack, sp &- 1, tx.blobHashes[Int(i.w0)])
                } else {
                    EVM.put(stack, sp &- 1, .zero)
                }
            case Opcode.BLOBBASEFEE:
                EVM.put(stack, sp, block.blobBaseFee)
                sp &+= 1
            case Opcode.POP:
                sp &-= 1
            case Opcode.MLOAD:
                guard let off = stack[sp &- 1].memoryInt, mem.expand(offset: off, length: 32, gas: &gas) else {
                    status = .failure
                    break loop
                }
                EVM.put(stack, sp &- 1, UInt256(loadingBigEndian: mem.base + off))
            case Opcode.MSTORE:
                guard let off = stack[sp &- 1].memoryInt, mem.expand(offset: off, length: 32, gas: &gas) else {
                    status = .failure
                    break loop
                }
                stack[sp &- 2].storeBigEndian(to: mem.base + off)
                sp &-= 2
            case Opcode.MSTORE8:
                guard let off = stack[sp &- 1].memoryInt, mem.expand(offset: off, length: 1, gas: &gas) else {
                    status = .failure
                    break loop
                }
                mem.base[off] = UInt8(truncatingIfNeeded: stack[sp &- 2].w0)
                sp &-= 2
            case Opcode.SLOAD:
                let (value, wasWarm) = state.slotForRead(msg.target, stack[sp &- 1], warming: berlin)
                if berlin {
                    gas &-= wasWarm ? Gas.warmAccess : Gas.coldSload
                } else {
                    gas &-= sloadGas
                }
                if gas < 0 {
                    status = .failure
                    break loop
                }
                EVM.put(stack, sp &- 1, value)
            case Opcode.SSTORE:
                if msg.isStatic {
                    status = .failure
                    break loop
                }
                let k = stack[sp &- 1]
                let v = stack[sp &- 2]
                sp &-= 2
                var g2 = gas
                let ok = sstore(msg.target, k, v, &g2)
                gas = g2
                if !ok {
                    status = .failure
                    break loop
                }
            case Opcode.JUMP:
                let d = stack[sp &- 1]
                sp &-= 1
                if jumpMap == nil { jumpMap = code.jumpdests() }
                guard (d.w1 | d.w2 | d.w3) == 0, d.w0 < UInt64(codeLen) else {
                    status = .failure
                    break loop
                }
                let t = Int(d.w0)
                if jumpMap![t >> 3] & (1 << UInt8(t & 7)) == 0 {
                    status = .failure
                    break loop
                }
                pc = t
                continue loop
            case Opcode.JUMPI:
                let d = stack[sp &- 1]
                let c = stack[sp &- 2]
                sp &-= 2
                if !c.isZero {
                    if jumpMap == nil { jumpMap = code.jumpdests() }
                    guard (d.w1 | d.w2 | d.w3) == 0, d.w0 < UInt64(codeLen) else {
                        status = .failure
                        break loop
                    }
                    let t = Int(d.w0)
                    if jumpMap![t >> 3] & (1 << UInt8(t & 7)) == 0 {
                        status = .failure
                        break loop
                    }
                    pc = t
                    continue loop
                }
            case Opcode.PC:
                EVM.put(stack, sp, UInt256(UInt64(pc)))
                sp &+= 1
            case Opcode.MSIZE:
                EVM.put(stack, sp, UInt256(UInt64(mem.size)))
                sp &+= 1
            case Opcode.GAS:
                EVM.put(stack, sp, UInt256(UInt64(gas)))
                sp &+= 1
            case Opcode.JUMPDEST:
                break
            case Opcode.TLOAD:
                EVM.put(stack, sp &- 1, state.transient(msg.target, stack[sp &- 1]))
            case Opcode.TSTORE:
                if msg.isStatic {
                    status = .failure
                    break loop
                }
                state.setTransient(msg.target, stack[sp &- 1], stack[sp &- 2])
                sp &-= 2
            case Opcode.MCOPY:
                let dst = stack[sp &- 1]
                let src = stack[sp &- 2]
                guard let len = stack[sp &- 3].memoryInt else {
                    status = .failure
                    break loop
                }
                sp &-= 3
                gas &-= Gas.words(len) &* Gas.copy
                if gas < 0 {
                    status = .failure
                    break loop
                }
                if len > 0 {
                    guard let d = dst.memoryInt, let s = src.memoryInt,
                        mem.expand(offset: d > s ? d : s, length: len, gas: &gas)
                    else {
                        status = .failure
                        break loop
                    }
                    (mem.base + d).update(from: mem.base + s, count: len)
                }
            case Opcode.PUSH0:
                EVM.put(stack, sp, .zero)
                sp &+= 1
            case Opcode.PUSH1:
                EVM.put(stack, sp, UInt256(UInt64(codeBase[pc &+ 1])))
                sp &+= 1
                pc &+= 2
                continue loop
            case Opcode.PUSH2...Opcode.PUSH32:
                let n = Int(op) &- Int(Opcode.PUSH1) &+ 1
                EVM.put(stack, sp, EVM.readPush(codeBase + (pc &+ 1), n))
                sp &+= 1
                pc &+= n &+ 1
                continue loop
            case Opcode.DUP1...Opcode.DUP16:
                EVM.put(stack, sp, stack[sp &- (Int(op) &- Int(Opcode.DUP1) &+ 1)])
                sp &+= 1
            case Opcode.SWAP1...Opcode.SWAP16:
                let j = sp &- 2 &- (Int(op) &- Int(Opcode.SWAP1))
                let t = stack[sp &- 1]
                EVM.put(stack, sp &- 1, stack[j])
                EVM.put(stack, j, t)
            case Opcode.LOG0...Opcode.LOG4:
                if msg.isStatic {
                    status = .failure
                    break loop
                }
                let n = Int(op) &- Int(Opcode.LOG0)
                guard let len = stack[sp &- 2].memoryInt else {
                    status = .failure
                    break loop
                }
                gas &-= Int64(len) &* Gas.logData &+ Int64(n) &* Gas.logTopic
                if gas < 0 {
                    status = .failure
                    break loop
                }
                var data: [UInt8] = []
                if len > 0 {
                    guard let off = stack[sp &- 1].memoryInt, mem.expand(offset: off, length: len, gas: &gas) else {
                        status = .failure
                        break loop
                    }
                    data = Array(UnsafeBufferPointer(start: mem.base + off, count: len))
                }
                var topics: [UInt256] = []
                topics.reserveCapacity(n)
                for i in 0..<n { topics.append(stack[sp &- 3 &- i]) }
                sp &-= 2 &+ n
                logs.append(Log(address: msg.target, topics: topics, data: data))
            case Opcode.CREATE, Opcode.CREATE2:
                if msg.isStatic {
                    status = .failure
                    break loop
                }
                let value = stack[sp &- 1]
                guard let len = stack[sp &- 3].memoryInt else {
                    status = .failure
                    break loop
                }
                let isCreate2 = op == Opcode.CREATE2
                let salt: UInt256? = isCreate2 ? stack[sp &- 4] : nil
                let offWord = stack[sp &- 2]
                sp &-= isCreate2 ? 4 : 3
                let words = Gas.words(len)
                if fork >= .shanghai {
                    if len > EVM.maxInitcodeSize {
                        status = .failure
                        break loop
                    }
                    gas &-= words &* Gas.initcodeWord
                }
                if isCreate2 { gas &-= words &* Gas.keccak256Word }
                if gas < 0 {
                    status = .failure
                    break loop
                }
                var initcode: [UInt8] = []
                if len > 0 {
                    guard let off = offWord.memoryInt, mem.expand(offset: off, length: len, gas: &gas) else {
                        status = .failure
                        break loop
                    }
                    initcode = Array(UnsafeBufferPointer(start: mem.base + off, count: len))
                }
                var g2 = gas
                var rd = returnData
                let r = create(
                    caller: msg.target,
                    value: value,
                    initcode: initcode,
                    salt: salt,
                    gas: &g2,
                    depth: msg.depth,
                    returnData: &rd
                )
                gas = g2
                returnData = rd
                EVM.put(stack, sp, r)
                sp &+= 1
            case Opcode.CALL, Opcode.CALLCODE, Opcode.DELEGATECALL, Opcode.STATICCALL:
                var g2 = gas
                var s2 = sp
                var m2 = mem
                var rd = returnData
                let ok = call(op: op, stack: stack, sp: &s2, mem: &m2, gas: &g2, returnData: &rd, msg: &msg)
                gas = g2
                sp = s2
                mem = m2
                returnData = rd
                if !ok {
                    status = .failure
                    break loop
                }
            case Opcode.RETURN, Opcode.REVERT:
                guard let len = stack[sp &- 2].memoryInt else {
                    status = .failure
                    break loop
                }
                if len > 0 {
                    guard let off = stack[sp &- 1].memoryInt, mem.expand(offset: off, length: len, gas: &gas) else {
                        status = .failure
                        break loop
                    }
                    output = Array(UnsafeBufferPointer(start: mem.base + off, count: len))
                }
                if op == Opcode.REVERT { status = .revert }
                break loop
            case Opcode.SELFDESTRUCT:
                if msg.isStatic {
                    status = .failure
                    break loop
                }
                var g2 = gas
                let ok = selfdestruct(msg.target, Address(truncating: stack[sp &- 1]), &g2)
                gas = g2
                if !ok {
                    status = .failure
                    break loop
                }
                break loop
            default:
                status = .failure
                break loop
            }
            pc &+= 1
        }
        if status == .failure {
            return CallResult(status: .failure, gasLeft: 0, output: [], createdAddress: nil)
        }
        return CallResult(status: status, gasLeft: gas, output: output, createdAddress: nil)
    }

    /// `SSTORE` gas, refunds and the write. Returns false on out-of-gas.
    @usableFromInline
    func sstore(_ a: Address, _ k: UInt256, _ v: UInt256, _ gas: inout Int64) -> Bool {
        if fork >= .istanbul || fork == .constantinople {
            // Net gas metering: EIP-1283 (Constantinople), EIP-2200 (Istanbul), repriced by
            // EIP-2929 (Berlin) and EIP-3529 (London).
            // The pricing closure captures locals only: capturing `self` would retain and
            // release the EVM around every call.
            let fork = self.fork
            let berlin = fork >= .berlin
            var refundChange: Int64 = 0
            let written = state.writeSlot(a, k, v, warming: berlin) { current, original, wasWarm in
                if fork >= .istanbul && gas <= Gas.sstoreSentry { return false }
                var cost: Int64 = 0
                let warmRead: Int64
                let update: Int64
                if berlin {
                    if !wasWarm { cost &+= Gas.coldSload }
                    warmRead = Gas.warmAccess
                    update = Gas.sresetBerlin
                } else {
                    warmRead = fork == .constantinople ? Gas.sstoreNoopConstantinople : Gas.sloadIstanbul
                    update = Gas.sreset
                }
                if original == current && current != v {
                    cost &+= original.isZero ? Gas.sset : update
                } else {
                    cost &+= warmRead
                }
                gas &-= cost
                if gas < 0 { return false }
                let clearRefund = fork >= .london ? Gas.sclearRefundLondon : Gas.sclearRefund
                if current != v {
                    if !original.isZero && !current.isZero && v.isZero { refundChange &+= clearRefund }
                    if !original.isZero && current.isZero { refundChange &-= clearRefund }
                    if original == v {
                        refundChange &+= original.isZero ? Gas.sset &- warmRead : update &- warmRead
                    }
                }
                return true
            }
            refund &+= refundChange
            return written
        }
        // Frontier to Byzantium, and Petersburg (which reverted EIP-1283).
        let current = state.storage(a, k)
        let cost = (!v.isZero && current.isZero) ? Gas.sset : Gas.sreset
        gas &-= cost
        if gas < 0 { return false }
        if !current.isZero && v.isZero { refund &+= Gas.sclearRefund }
        if current != v { state.writeStorage(a, k, old: current, v) }
        return true
    }

    /// `SELFDESTRUCT`. Returns false on out-of-gas.
    @usableFromInline
    func selfdestruct(_ me: Address, _ beneficiary: Address, _ gas: inout Int64) -> Bool {
        var cost: Int64 = 0
        if fork >= .berlin && !state.warmAccount(beneficiary) { cost &+= Gas.coldAccountAccess }
        let bal = state.balance(me)
        if fork >= .spuriousDragon {
            if !bal.isZero && state.isDead(beneficiary) { cost &+= Gas.newAccount }
        } else if fork >= .tangerineWhistle {
            if !state.exists(beneficiary) { cost &+= Gas.newAccount }
        }
        gas &-= cost
        if gas < 0 { return false }
        if fork < .london && !state.selfdestructs.contains(me) { refund &+= Gas.selfdestructRefund }
        if fork >= .cancun {
            if beneficiary != me {
                state.setBalance(me, .zero)
                state.setBalance(beneficiary, state.balance(beneficiary) &+ bal)
            }
            if state.created.contains(me) {
                state.setBalance(me, .zero)
                state.markSelfdestruct(me)
            }
        } else {
            state.setBalance(beneficiary, state.balance(beneficiary) &+ bal)
            state.setBalance(me, .zero)
            state.markSelfdestruct(me)
        }
        touch(beneficiary)
        return true
    }

    /// The `CALL` family. Returns false on an exceptional halt of the calling frame.
    @usableFromInline
    func call(
        op: UInt8,
        stack: UnsafeMutablePointer<UInt256>,
        sp: inout Int,
        mem: inout Memory,
        gas: inout Int64,
        returnData: inout [UInt8],
        msg: inout Message
    ) -> Bool {
        let gasArg = stack[sp &- 1]
        let to = Address(truncating: stack[sp &- 2])
        let hasValue = op == Opcode.CALL || op == Opcode.CALLCODE
        let value = hasValue ? stack[sp &- 3] : .zero
        let i = hasValue ? sp &- 4 : sp &- 3
        let inOffW = stack[i]
        let inLenW = stack[i &- 1]
        let outOffW = stack[i &- 2]
        let outLenW = stack[i &- 3]
        sp = i &- 3
        // Memory for the input and output regions.
        guard let inLen = inLenW.memoryInt, let outLen = outLenW.memoryInt else { return false }
        var inOff = 0
        var outOff = 0
        if inLen > 0 {
            guard let o = inOffW.memoryInt, mem.expand(offset: o, length: inLen, gas: &gas) else { return false }
            inOff = o
        }
        if outLen > 0 {
            guard let o = outOffW.memoryInt, mem.expand(offset: o, length: outLen, gas: &gas) else { return false }
            outOff = o
        }
        var extra: Int64
        if fork >= .berlin {
            extra = state.warmAccount(to) ? Gas.warmAccess : Gas.coldAccountAccess
        } else {
            extra = fork >= .tangerineWhistle ? Gas.callTangerineWhistle : Gas.callFrontier
        }
        var codeAddress = to
        var code = state.code(to)
        var disablePrecompiles = false
        if fork >= .prague, let d = code.delegationTarget {
            extra &+= state.warmAccount(d) ? Gas.warmAccess : Gas.coldAccountAccess
            codeAddress = d
            code = state.code(d)
            disablePrecompiles = true
        }
        if op == Opcode.CALL {
            if fork >= .spuriousDragon {
                if !value.isZero && state.isDead(to) { extra &+= Gas.newAccount }
            } else if !state.exists(to) {
                extra &+= Gas.newAccount
            }
        }
        if !value.isZero { extra &+= Gas.callValue }
        var childGas: Int64
        if fork >= .tangerineWhistle {
            if gas < extra { return false }
            let avail = gas &- extra
            let cap = Gas.allButOne64th(avail)
            let req = gasArg.clampedInt64
            childGas = req < cap ? req : cap
        } else {
            childGas = gasArg.clampedInt64
            if childGas > gas &- extra { return false }
        }
        gas &-= extra &+ childGas
        if gas < 0 { return false }
        if msg.isStatic && op == Opcode.CALL && !value.isZero { return false }
        if !value.isZero { childGas &+= Gas.callStipend }
        returnData = []
        if hasValue && state.balance(msg.target) < value {
            gas &+= childGas
            stack[sp] = .zero
            sp &+= 1
            return true
        }
        if msg.depth &+ 1 > EVM.maxCallDepth {
            gas &+= childGas
            stack[sp] = .zero
            sp &+= 1
            return true
        }
        let input = inLen > 0 ? Array(UnsafeBufferPointer(start: mem.base + inOff, count: inLen)) : []
        var child: Message
        switch op {
        case Opcode.CALL:
            child = Message(
                caller: msg.target,
                target: to,
                codeAddress: codeAddress,
                value: value,
                input: input,
                gas: childGas,
                depth: msg.depth &+ 1,
                isStatic: msg.isStatic,
                isCreate: false,
                shouldTransferValue: true,
                disablePrecompiles: disablePrecompiles,
                code: code
            )
        case Opcode.CALLCODE:
            child = Message(
                caller: msg.target,
                target: msg.target,
                codeAddress: codeAddress,
                value: value,
                input: input,
                gas: childGas,
                depth: msg.depth &+ 1,
                isStatic: msg.isStatic,
                isCreate: false,
                shouldTransferValue: true,
                disablePrecompiles: disablePrecompiles,
                code: code
            )
        case Opcode.DELEGATECALL:
            child = Message(
                caller: msg.caller,
                target: msg.target,
                codeAddress: codeAddress,
                value: msg.value,
                input: input,
                gas: childGas,
                depth: msg.depth &+ 1,
                isStatic: msg.isStatic,
                isCreate: false,
                shouldTransferValue: false,
                disablePrecompiles: disablePrecompiles,
                code: code
            )
        default:
            child = Message(
                caller: msg.target,
                target: to,
                codeAddress: codeAddress,
                value: .zero,
                input: input,
                gas: childGas,
                depth: msg.depth &+ 1,
                isStatic: true,
                isCreate: false,
                shouldTransferValue: true,
                disablePrecompiles: disablePrecompiles,
                code: code
            )
        }
        let r = callMessage(&child)
        gas &+= r.gasLeft
        returnData = r.output
        stack[sp] = r.status == .success ? .one : .zero
        sp &+= 1
        let n = outLen < r.output.count ? outLen : r.output.count
        if n > 0 {
            r.output.withUnsafeBufferPointer { (mem.base + outOff).update(from: $0.baseAddress!, count: n) }
        }
        return true
    }
}
