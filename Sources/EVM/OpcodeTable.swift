import EVMPrimitives

/// Per-fork opcode metadata packed in one word: static gas (bits 0–31), minimum stack
/// height (bits 32–47) and maximum stack height before the opcode runs (bits 48–63).
/// Opcodes undefined in a fork get an impossible minimum stack height, so the generic
/// stack check rejects them.
///
/// The entries follow the Yellow Paper's Appendix H: for each instruction its static gas (the
/// tier of Appendix G; what depends on operands or state is charged by the interpreter), the
/// number of items it removes from the stack (δ) and the number it adds (α).
@usableFromInline
struct OpcodeTable {
    @usableFromInline let entries: UnsafeMutablePointer<UInt64>

    init(fork: Fork) {
        entries = .allocate(capacity: 256)
        entries.initialize(repeating: OpcodeTable.pack(gas: 0, min: 0x7fff, max: 0), count: 256)
        func set(_ op: UInt8, _ gas: Int64, pops: Int, pushes: Int) {
            let growth = pushes - pops
            let maxBefore = growth > 0 ? EVM.stackLimit - growth : EVM.stackLimit
            entries[Int(op)] = OpcodeTable.pack(gas: UInt64(gas), min: pops, max: maxBefore)
        }

        // 0x00: stop and arithmetic
        set(Opcode.STOP, Gas.zero, pops: 0, pushes: 0)
        set(Opcode.ADD, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.MUL, Gas.low, pops: 2, pushes: 1)
        set(Opcode.SUB, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.DIV, Gas.low, pops: 2, pushes: 1)
        set(Opcode.SDIV, Gas.low, pops: 2, pushes: 1)
        set(Opcode.MOD, Gas.low, pops: 2, pushes: 1)
        set(Opcode.SMOD, Gas.low, pops: 2, pushes: 1)
        set(Opcode.ADDMOD, Gas.mid, pops: 3, pushes: 1)
        set(Opcode.MULMOD, Gas.mid, pops: 3, pushes: 1)
        set(Opcode.EXP, Gas.exp, pops: 2, pushes: 1)
        set(Opcode.SIGNEXTEND, Gas.low, pops: 2, pushes: 1)

        // 0x10: comparison and bitwise logic
        set(Opcode.LT, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.GT, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.SLT, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.SGT, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.EQ, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.ISZERO, Gas.verylow, pops: 1, pushes: 1)
        set(Opcode.AND, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.OR, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.XOR, Gas.verylow, pops: 2, pushes: 1)
        set(Opcode.NOT, Gas.verylow, pops: 1, pushes: 1)
        set(Opcode.BYTE, Gas.verylow, pops: 2, pushes: 1)
        if fork >= .constantinople {
            set(Opcode.SHL, Gas.verylow, pops: 2, pushes: 1)
            set(Opcode.SHR, Gas.verylow, pops: 2, pushes: 1)
            set(Opcode.SAR, Gas.verylow, pops: 2, pushes: 1)
        }
        if fork >= .osaka { set(Opcode.CLZ, Gas.low, pops: 1, pushes: 1) }

        // 0x20: Keccak-256 (plus Gas.keccak256Word per word, in the interpreter)
        set(Opcode.KECCAK256, Gas.keccak256, pops: 2, pushes: 1)

        // 0x30: environmental information (account access is charged in the interpreter)
        set(Opcode.ADDRESS, Gas.base, pops: 0, pushes: 1)
        set(Opcode.BALANCE, Gas.zero, pops: 1, pushes: 1)
        set(Opcode.ORIGIN, Gas.base, pops: 0, pushes: 1)
        set(Opcode.CALLER, Gas.base, pops: 0, pushes: 1)
        set(Opcode.CALLVALUE, Gas.base, pops: 0, pushes: 1)
        set(Opcode.CALLDATALOAD, Gas.verylow, pops: 1, pushes: 1)
        set(Opcode.CALLDATASIZE, Gas.base, pops: 0, pushes: 1)
        set(Opcode.CALLDATACOPY, Gas.verylow, pops: 3, pushes: 0)
        set(Opcode.CODESIZE, Gas.base, pops: 0, pushes: 1)
        set(Opcode.CODECOPY, Gas.verylow, pops: 3, pushes: 0)
        set(Opcode.GASPRICE, Gas.base, pops: 0, pushes: 1)
        set(Opcode.EXTCODESIZE, Gas.zero, pops: 1, pushes: 1)
        set(Opcode.EXTCODECOPY, Gas.zero, pops: 4, pushes: 0)
        if fork >= .byzantium {
            set(Opcode.RETURNDATASIZE, Gas.base, pops: 0, pushes: 1)
            set(Opcode.RETURNDATACOPY, Gas.verylow, pops: 3, pushes: 0)
        }
        if fork >= .constantinople { set(Opcode.EXTCODEHASH, Gas.zero, pops: 1, pushes: 1) }

        // 0x40: block information
        set(Opcode.BLOCKHASH, Gas.blockhash, pops: 1, pushes: 1)
        set(Opcode.COINBASE, Gas.base, pops: 0, pushes: 1)
        set(Opcode.TIMESTAMP, Gas.base, pops: 0, pushes: 1)
        set(Opcode.NUMBER, Gas.base, pops: 0, pushes: 1)
        set(Opcode.PREVRANDAO, Gas.base, pops: 0, pushes: 1)
        set(Opcode.GASLIMIT, Gas.base, pops: 0, pushes: 1)
        if fork >= .istanbul {
            set(Opcode.CHAINID, Gas.base, pops: 0, pushes: 1)
            set(Opcode.SELFBALANCE, Gas.low, pops: 0, pushes: 1)
        }
        if fork >= .london { set(Opcode.BASEFEE, Gas.base, pops: 0, pushes: 1) }
        if fork >= .cancun {
            set(Opcode.BLOBHASH, Gas.verylow, pops: 1, pushes: 1)
            set(Opcode.BLOBBASEFEE, Gas.base, pops: 0, pushes: 1)
        }

        // 0x50: stack, memory, storage and flow
        set(Opcode.POP, Gas.base, pops: 1, pushes: 0)
        set(Opcode.MLOAD, Gas.verylow, pops: 1, pushes: 1)
        set(Opcode.MSTORE, Gas.verylow, pops: 2, pushes: 0)
        set(Opcode.MSTORE8, Gas.verylow, pops: 2, pushes: 0)
        set(Opcode.SLOAD, Gas.zero, pops: 1, pushes: 1)
        set(Opcode.SSTORE, Gas.zero, pops: 2, pushes: 0)
        set(Opcode.JUMP, Gas.mid, pops: 1, pushes: 0)
        set(Opcode.JUMPI, Gas.high, pops: 2, pushes: 0)
        set(Opcode.PC, Gas.base, pops: 0, pushes: 1)
        set(Opcode.MSIZE, Gas.base, pops: 0, pushes: 1)
        set(Opcode.GAS, Gas.base, pops: 0, pushes: 1)
        set(Opcode.JUMPDEST, Gas.jumpdest, pops: 0, pushes: 0)
        if fork >= .cancun {
            set(Opcode.TLOAD, Gas.warmAccess, pops: 1, pushes: 1)
            set(Opcode.TSTORE, Gas.warmAccess, pops: 2, pushes: 0)
            set(Opcode.MCOPY, Gas.verylow, pops: 3, pushes: 0)
        }
        if fork >= .shanghai { set(Opcode.PUSH0, Gas.base, pops: 0, pushes: 1) }

        // 0x60–0xa4: PUSH1–PUSH32, DUP1–DUP16, SWAP1–SWAP16, LOG0–LOG4
        for op in Opcode.PUSH1...Opcode.PUSH32 { set(op, Gas.verylow, pops: 0, pushes: 1) }
        for n in 1...16 {
            set(Opcode.DUP1 + UInt8(n - 1), Gas.verylow, pops: n, pushes: n + 1)
            set(Opcode.SWAP1 + UInt8(n - 1), Gas.verylow, pops: n + 1, pushes: n + 1)
        }
        for n in 0...4 { set(Opcode.LOG0 + UInt8(n), Gas.log, pops: n + 2, pushes: 0) }

        // 0xf0: system operations (call and creation costs are charged in the interpreter)
        set(Opcode.CREATE, Gas.create, pops: 3, pushes: 1)
        set(Opcode.CALL, Gas.zero, pops: 7, pushes: 1)
        set(Opcode.CALLCODE, Gas.zero, pops: 7, pushes: 1)
        set(Opcode.RETURN, Gas.zero, pops: 2, pushes: 0)
        if fork >= .homestead { set(Opcode.DELEGATECALL, Gas.zero, pops: 6, pushes: 1) }
        if fork >= .constantinople { set(Opcode.CREATE2, Gas.create, pops: 4, pushes: 1) }
        if fork >= .byzantium {
            set(Opcode.STATICCALL, Gas.zero, pops: 6, pushes: 1)
            set(Opcode.REVERT, Gas.zero, pops: 2, pushes: 0)
        }
        let selfdestruct = fork >= .tangerineWhistle ? Gas.selfdestructTangerineWhistle : Gas.zero
        set(Opcode.SELFDESTRUCT, selfdestruct, pops: 1, pushes: 0)
        // Opcode.INVALID and every unassigned byte keep the undefined entry.
    }

    @inline(__always)
    static func pack(gas: UInt64, min: Int, max: Int) -> UInt64 {
        gas | UInt64(min) << 32 | UInt64(max) << 48
    }

    func free() { entries.deallocate() }
}
