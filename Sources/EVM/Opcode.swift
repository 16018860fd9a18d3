/// The EVM instruction set: one named `UInt8` constant per opcode, spelled as the Yellow Paper
/// (Appendix H) and the EIPs that added them spell the mnemonic.
///
/// This is the one representation of opcodes in the EVM: the interpreter's `switch`
/// (`case Opcode.ADD:`), the per-fork ``OpcodeTable``, the `JUMPDEST` analysis in ``Code`` and any
/// tool that reads bytecode match or list opcodes by these names, never by bare hex.
///
/// Why a namespace of `UInt8` constants rather than an `enum Opcode: UInt8`:
/// - Bytecode is a byte string in which every value may occur, including undefined ones (`0x0c`,
///   `0xfe`, ...). The interpreter switches on the raw byte it read, with no conversion, and an
///   undefined byte simply falls to `default`.
/// - `case Opcode.ADD:` on a `UInt8` compiles to exactly the same jump table as `case 0x01:`: the
///   constants are folded in optimised builds (checked on the interpreter's object code). An enum
///   would need a failable `init(rawValue:)` per instruction, a second dispatch.
/// - The opcode table is indexed by the byte, and `PUSHn`, `DUPn`, `SWAPn` and `LOGn` are
///   arithmetic on it (`op - Opcode.PUSH1 + 1` immediate bytes), which constants allow directly.
///
/// Groups and ranges are written with the constants, e.g. `case Opcode.PUSH2...Opcode.PUSH32:`.
public enum Opcode {
    // MARK: 0x00 Stop and arithmetic

    /// Halts execution.
    public static let STOP: UInt8 = 0x00
    public static let ADD: UInt8 = 0x01
    public static let MUL: UInt8 = 0x02
    public static let SUB: UInt8 = 0x03
    public static let DIV: UInt8 = 0x04
    public static let SDIV: UInt8 = 0x05
    public static let MOD: UInt8 = 0x06
    public static let SMOD: UInt8 = 0x07
    public static let ADDMOD: UInt8 = 0x08
    public static let MULMOD: UInt8 = 0x09
    public static let EXP: UInt8 = 0x0a
    public static let SIGNEXTEND: UInt8 = 0x0b

    // MARK: 0x10 Comparison and bitwise logic

    public static let LT: UInt8 = 0x10
    public static let GT: UInt8 = 0x11
    public static let SLT: UInt8 = 0x12
    public static let SGT: UInt8 = 0x13
    public static let EQ: UInt8 = 0x14
    public static let ISZERO: UInt8 = 0x15
    public static let AND: UInt8 = 0x16
    public static let OR: UInt8 = 0x17
    public static let XOR: UInt8 = 0x18
    public static let NOT: UInt8 = 0x19
    public static let BYTE: UInt8 = 0x1a
    /// Shift left (EIP-145, Constantinople).
    public static let SHL: UInt8 = 0x1b
    /// Logical shift right (EIP-145, Constantinople).
    public static let SHR: UInt8 = 0x1c
    /// Arithmetic shift right (EIP-145, Constantinople).
    public static let SAR: UInt8 = 0x1d
    /// Count leading zero bits (EIP-7939, Osaka).
    public static let CLZ: UInt8 = 0x1e

    // MARK: 0x20 Keccak-256

    /// Keccak-256 of a memory range (`SHA3` in older editions of the Yellow Paper).
    public static let KECCAK256: UInt8 = 0x20

    // MARK: 0x30 Environmental information

    public static let ADDRESS: UInt8 = 0x30
    public static let BALANCE: UInt8 = 0x31
    public static let ORIGIN: UInt8 = 0x32
    public static let CALLER: UInt8 = 0x33
    public static let CALLVALUE: UInt8 = 0x34
    public static let CALLDATALOAD: UInt8 = 0x35
    public static let CALLDATASIZE: UInt8 = 0x36
    public static let CALLDATACOPY: UInt8 = 0x37
    public static let CODESIZE: UInt8 = 0x38
    public static let CODECOPY: UInt8 = 0x39
    public static let GASPRICE: UInt8 = 0x3a
    public static let EXTCODESIZE: UInt8 = 0x3b
    public static let EXTCODECOPY: UInt8 = 0x3c
    /// EIP-211, Byzantium.
    public static let RETURNDATASIZE: UInt8 = 0x3d
    /// EIP-211, Byzantium.
    public static let RETURNDATACOPY: UInt8 = 0x3e
    /// EIP-1052, Constantinople.
    public static let EXTCODEHASH: UInt8 = 0x3f

    // MARK: 0x40 Block information

    public static let BLOCKHASH: UInt8 = 0x40
    public static let COINBASE: UInt8 = 0x41
    public static let TIMESTAMP: UInt8 = 0x42
    public static let NUMBER: UInt8 = 0x43
    /// `DIFFICULTY` before Paris; the beacon chain's randomness after (EIP-4399).
    public static let PREVRANDAO: UInt8 = 0x44
    public static let GASLIMIT: UInt8 = 0x45
    /// EIP-1344, Istanbul.
    public static let CHAINID: UInt8 = 0x46
    /// EIP-1884, Istanbul.
    public static let SELFBALANCE: UInt8 = 0x47
    /// EIP-3198, London.
    public static let BASEFEE: UInt8 = 0x48
    /// EIP-4844, Cancun.
    public static let BLOBHASH: UInt8 = 0x49
    /// EIP-7516, Cancun.
    public static let BLOBBASEFEE: UInt8 = 0x4a

    // MARK: 0x50 Stack, memory, storage and flow

    public static let POP: UInt8 = 0x50
    public static let MLOAD: UInt8 = 0x51
    public static let MSTORE: UInt8 = 0x52
    public static let MSTORE8: UInt8 = 0x53
    public static let SLOAD: UInt8 = 0x54
    public static let SSTORE: UInt8 = 0x55
    public static let JUMP: UInt8 = 0x56
    public static let JUMPI: UInt8 = 0x57
    public static let PC: UInt8 = 0x58
    public static let MSIZE: UInt8 = 0x59
    public static let GAS: UInt8 = 0x5a
    /// The only valid target of `JUMP`/`JUMPI` (outside push data).
    public static let JUMPDEST: UInt8 = 0x5b
    /// Transient storage load (EIP-1153, Cancun).
    public static let TLOAD: UInt8 = 0x5c
    /// Transient storage store (EIP-1153, Cancun).
    public static let TSTORE: UInt8 = 0x5d
    /// Memory copy (EIP-5656, Cancun).
    public static let MCOPY: UInt8 = 0x5e
    /// Pushes zero (EIP-3855, Shanghai).
    public static let PUSH0: UInt8 = 0x5f

    // MARK: 0x60 Push: PUSHn is followed by n immediate bytes (PUSH1 + n - 1)

    public static let PUSH1: UInt8 = 0x60
    public static let PUSH2: UInt8 = 0x61
    public static let PUSH3: UInt8 = 0x62
    public static let PUSH4: UInt8 = 0x63
    public static let PUSH5: UInt8 = 0x64
    public static let PUSH6: UInt8 = 0x65
    public static let PUSH7: UInt8 = 0x66
    public static let PUSH8: UInt8 = 0x67
    public static let PUSH9: UInt8 = 0x68
    public static let PUSH10: UInt8 = 0x69
    public static let PUSH11: UInt8 = 0x6a
    public static let PUSH12: UInt8 = 0x6b
    public static let PUSH13: UInt8 = 0x6c
    public static let PUSH14: UInt8 = 0x6d
    public static let PUSH15: UInt8 = 0x6e
    public static let PUSH16: UInt8 = 0x6f
    public static let PUSH17: UInt8 = 0x70
    public static let PUSH18: UInt8 = 0x71
    public static let PUSH19: UInt8 = 0x72
    public static let PUSH20: UInt8 = 0x73
    public static let PUSH21: UInt8 = 0x74
    public static let PUSH22: UInt8 = 0x75
    public static let PUSH23: UInt8 = 0x76
    public static let PUSH24: UInt8 = 0x77
    public static let PUSH25: UInt8 = 0x78
    public static let PUSH26: UInt8 = 0x79
    public static let PUSH27: UInt8 = 0x7a
    public static let PUSH28: UInt8 = 0x7b
    public static let PUSH29: UInt8 = 0x7c
    public static let PUSH30: UInt8 = 0x7d
    public static let PUSH31: UInt8 = 0x7e
    public static let PUSH32: UInt8 = 0x7f

    // MARK: 0x80 Duplication: DUPn copies the n-th stack item (DUP1 + n - 1)

    public static let DUP1: UInt8 = 0x80
    public static let DUP2: UInt8 = 0x81
    public static let DUP3: UInt8 = 0x82
    public static let DUP4: UInt8 = 0x83
    public static let DUP5: UInt8 = 0x84
    public static let DUP6: UInt8 = 0x85
    public static let DUP7: UInt8 = 0x86
    public static let DUP8: UInt8 = 0x87
    public static let DUP9: UInt8 = 0x88
    public static let DUP10: UInt8 = 0x89
    public static let DUP11: UInt8 = 0x8a
    public static let DUP12: UInt8 = 0x8b
    public static let DUP13: UInt8 = 0x8c
    public static let DUP14: UInt8 = 0x8d
    public static let DUP15: UInt8 = 0x8e
    public static let DUP16: UInt8 = 0x8f

    // MARK: 0x90 Exchange: SWAPn swaps the top with the (n+1)-th stack item (SWAP1 + n - 1)

    public static let SWAP1: UInt8 = 0x90
    public static let SWAP2: UInt8 = 0x91
    public static let SWAP3: UInt8 = 0x92
    public static let SWAP4: UInt8 = 0x93
    public static let SWAP5: UInt8 = 0x94
    public static let SWAP6: UInt8 = 0x95
    public static let SWAP7: UInt8 = 0x96
    public static let SWAP8: UInt8 = 0x97
    public static let SWAP9: UInt8 = 0x98
    public static let SWAP10: UInt8 = 0x99
    public static let SWAP11: UInt8 = 0x9a
    public static let SWAP12: UInt8 = 0x9b
    public static let SWAP13: UInt8 = 0x9c
    public static let SWAP14: UInt8 = 0x9d
    public static let SWAP15: UInt8 = 0x9e
    public static let SWAP16: UInt8 = 0x9f

    // MARK: 0xa0 Logging: LOGn has n topics (LOG0 + n)

    public static let LOG0: UInt8 = 0xa0
    public static let LOG1: UInt8 = 0xa1
    public static let LOG2: UInt8 = 0xa2
    public static let LOG3: UInt8 = 0xa3
    public static let LOG4: UInt8 = 0xa4

    // MARK: 0xf0 System operations

    public static let CREATE: UInt8 = 0xf0
    public static let CALL: UInt8 = 0xf1
    public static let CALLCODE: UInt8 = 0xf2
    public static let RETURN: UInt8 = 0xf3
    /// EIP-7, Homestead.
    public static let DELEGATECALL: UInt8 = 0xf4
    /// EIP-1014, Constantinople.
    public static let CREATE2: UInt8 = 0xf5
    /// EIP-214, Byzantium.
    public static let STATICCALL: UInt8 = 0xfa
    /// EIP-140, Byzantium.
    public static let REVERT: UInt8 = 0xfd
    /// The designated invalid instruction (EIP-141): always an exceptional halt.
    public static let INVALID: UInt8 = 0xfe
    public static let SELFDESTRUCT: UInt8 = 0xff
}
