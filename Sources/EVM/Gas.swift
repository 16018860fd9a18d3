/// The fee schedule: every gas cost, refund and gas divisor the EVM charges, named as in the
/// Yellow Paper (Appendix G, `G_verylow`, `G_coldsload`, ...) or the EIP that introduced it.
///
/// Each constant cites the fork and EIP that set it. Where a later fork repriced something, every
/// value is kept under a name that says the fork it starts in (`sloadTangerineWhistle`,
/// `sloadIstanbul`, ...) and the code picks one by fork; the unqualified name is the price in
/// force today. Gas is a signed 64-bit counter in the interpreter, so the constants are `Int64`.
///
/// Precompile prices are in the `Precompiles` module (`PrecompileGas`).
public enum Gas {
    // MARK: Instruction tiers (Yellow Paper, Frontier)

    /// `G_zero`: `STOP`, `RETURN`, `REVERT`, and instructions priced entirely at run time.
    public static let zero: Int64 = 0
    /// `G_jumpdest`: `JUMPDEST`.
    public static let jumpdest: Int64 = 1
    /// `G_base`: context reads (`ADDRESS`, `CALLER`, `NUMBER`, ...), `POP`, `PC`, `MSIZE`, `GAS`, `PUSH0`.
    public static let base: Int64 = 2
    /// `G_verylow`: `ADD`, `SUB`, comparisons, bitwise logic, `PUSHn`, `DUPn`, `SWAPn`, `MLOAD`,
    /// `MSTORE`, `CALLDATALOAD`, the static part of the copies, `BLOBHASH` (EIP-4844).
    public static let verylow: Int64 = 3
    /// `G_low`: `MUL`, `DIV`, `SDIV`, `MOD`, `SMOD`, `SIGNEXTEND`, `SELFBALANCE` (EIP-1884),
    /// `CLZ` (EIP-7939, Osaka).
    public static let low: Int64 = 5
    /// `G_mid`: `ADDMOD`, `MULMOD`, `JUMP`.
    public static let mid: Int64 = 8
    /// `G_high`: `JUMPI`.
    public static let high: Int64 = 10

    // MARK: Arithmetic, hashing, memory and copying

    /// `G_exp`: the static part of `EXP`.
    public static let exp: Int64 = 10
    /// `G_expbyte` before Spurious Dragon: per byte of the exponent.
    public static let expByteFrontier: Int64 = 10
    /// `G_expbyte` from Spurious Dragon (EIP-160).
    public static let expByteSpuriousDragon: Int64 = 50
    /// `G_keccak256`: the static part of `KECCAK256`.
    public static let keccak256: Int64 = 30
    /// `G_keccak256word`: per word hashed by `KECCAK256`, and by `CREATE2` over the init code
    /// (EIP-1014, Constantinople).
    public static let keccak256Word: Int64 = 6
    /// `G_copy`: per word copied by `CALLDATACOPY`, `CODECOPY`, `EXTCODECOPY`, `RETURNDATACOPY`
    /// (EIP-211) and `MCOPY` (EIP-5656, Cancun).
    public static let copy: Int64 = 3
    /// `G_memory`: per word of memory, the linear part of the expansion cost.
    public static let memory: Int64 = 3
    /// The divisor of the quadratic part of the memory cost, `words² / 512`.
    public static let memoryQuadraticDivisor: Int64 = 512
    /// `G_blockhash`: `BLOCKHASH`.
    public static let blockhash: Int64 = 20
    /// `G_log`: the static part of `LOGn`.
    public static let log: Int64 = 375
    /// `G_logtopic`: per topic of `LOGn`.
    public static let logTopic: Int64 = 375
    /// `G_logdata`: per byte of `LOGn` data.
    public static let logData: Int64 = 8

    // MARK: Account and storage access

    /// `BALANCE` before Tangerine Whistle.
    public static let balanceFrontier: Int64 = 20
    /// `BALANCE` from Tangerine Whistle (EIP-150).
    public static let balanceTangerineWhistle: Int64 = 400
    /// `BALANCE` from Istanbul (EIP-1884).
    public static let balanceIstanbul: Int64 = 700
    /// `EXTCODESIZE` and `EXTCODECOPY` before Tangerine Whistle.
    public static let extcodeFrontier: Int64 = 20
    /// `EXTCODESIZE` and `EXTCODECOPY` from Tangerine Whistle (EIP-150).
    public static let extcodeTangerineWhistle: Int64 = 700
    /// `EXTCODEHASH` when introduced in Constantinople (EIP-1052).
    public static let extcodehashConstantinople: Int64 = 400
    /// `EXTCODEHASH` from Istanbul (EIP-1884).
    public static let extcodehashIstanbul: Int64 = 700
    /// `SLOAD` before Tangerine Whistle.
    public static let sloadFrontier: Int64 = 50
    /// `SLOAD` from Tangerine Whistle (EIP-150).
    public static let sloadTangerineWhistle: Int64 = 200
    /// `SLOAD` from Istanbul (EIP-1884); also EIP-2200's `SLOAD_GAS`, what an `SSTORE` that
    /// changes nothing or writes a dirty slot costs in Istanbul.
    public static let sloadIstanbul: Int64 = 800
    /// `G_coldaccountaccess`: the first access to an account in a transaction (EIP-2929, Berlin):
    /// `BALANCE`, `EXTCODE*`, the `CALL` family, a `SELFDESTRUCT` beneficiary, a delegation target
    /// (EIP-7702).
    public static let coldAccountAccess: Int64 = 2600
    /// `G_coldsload`: the first access to a storage slot in a transaction (EIP-2929, Berlin).
    public static let coldSload: Int64 = 2100
    /// `G_warmaccess` (EIP-2929's `WARM_STORAGE_READ_COST`, Berlin): any later access to an account
    /// or slot; also `TLOAD` and `TSTORE` (EIP-1153, Cancun).
    public static let warmAccess: Int64 = 100

    // MARK: SSTORE (EIP-2200 net metering, repriced by EIP-2929 and EIP-3529)

    /// `G_sset`: `SSTORE` turning a zero slot non-zero (Frontier; kept by EIP-1283 and EIP-2200
    /// for a clean slot whose original value is zero).
    public static let sset: Int64 = 20000
    /// `G_sreset`: any other `SSTORE` before Berlin (Frontier; EIP-1283/EIP-2200 for a clean slot).
    public static let sreset: Int64 = 5000
    /// `G_sreset` from Berlin: `SSTORE_RESET_GAS - COLD_SLOAD_COST` (EIP-2929), the cold charge
    /// being separate.
    public static let sresetBerlin: Int64 = 2900
    /// `SSTORE` that changes nothing or writes a dirty slot in Constantinople (EIP-1283; Petersburg
    /// reverted it, Istanbul brought it back as EIP-2200 at `sloadIstanbul`).
    public static let sstoreNoopConstantinople: Int64 = 200
    /// EIP-2200 (Istanbul): `SSTORE` fails when no more than the call stipend is left.
    public static let sstoreSentry: Int64 = 2300
    /// `R_sclear`: refund for clearing a slot, Frontier to Berlin.
    public static let sclearRefund: Int64 = 15000
    /// `R_sclear` from London: `SSTORE_RESET_GAS + ACCESS_LIST_STORAGE_KEY_COST` (EIP-3529).
    public static let sclearRefundLondon: Int64 = 4800

    // MARK: Calls, creation and self-destruction

    /// `CALL`, `CALLCODE`, `DELEGATECALL` before Tangerine Whistle.
    public static let callFrontier: Int64 = 40
    /// The `CALL` family from Tangerine Whistle to Istanbul (EIP-150); Berlin replaced it by the
    /// EIP-2929 access cost.
    public static let callTangerineWhistle: Int64 = 700
    /// `G_callvalue`: a call that transfers value.
    public static let callValue: Int64 = 9000
    /// `G_callstipend`: gas given free to the callee of a value-bearing call.
    public static let callStipend: Int64 = 2300
    /// `G_newaccount`: a `CALL` (and, from Tangerine Whistle, EIP-150, a `SELFDESTRUCT`) to an
    /// account that does not exist; from Spurious Dragon only when it sends value to an empty
    /// account (EIP-161).
    public static let newAccount: Int64 = 25000
    /// EIP-150 (Tangerine Whistle): a call or creation may pass on all but one 64th of the gas left.
    public static let callGasRetentionDivisor: Int64 = 64
    /// `G_create`: `CREATE` and `CREATE2`.
    public static let create: Int64 = 32000
    /// `G_codedeposit`: per byte of code a creation deploys.
    public static let codeDeposit: Int64 = 200
    /// `G_initcodeword`: per word of init code, for `CREATE`, `CREATE2` and creation transactions
    /// (EIP-3860, Shanghai).
    public static let initcodeWord: Int64 = 2
    /// `G_selfdestruct` from Tangerine Whistle (EIP-150); free before.
    public static let selfdestructTangerineWhistle: Int64 = 5000
    /// `R_selfdestruct`: refund for a first `SELFDESTRUCT`, removed in London (EIP-3529).
    public static let selfdestructRefund: Int64 = 24000

    // MARK: Transactions

    /// `G_transaction`: every transaction.
    public static let transaction: Int64 = 21000
    /// `G_txcreate`: a contract-creation transaction, from Homestead (EIP-2).
    public static let txCreate: Int64 = 32000
    /// `G_txdatazero`: per zero byte of calldata.
    public static let txDataZero: Int64 = 4
    /// `G_txdatanonzero` before Istanbul.
    public static let txDataNonZeroFrontier: Int64 = 68
    /// `G_txdatanonzero` from Istanbul (EIP-2028).
    public static let txDataNonZeroIstanbul: Int64 = 16
    /// `G_accesslistaddress`: per access-list address (EIP-2930, Berlin).
    public static let accessListAddress: Int64 = 2400
    /// `G_accessliststorage`: per access-list storage key (EIP-2930, Berlin).
    public static let accessListStorageKey: Int64 = 1900
    /// `PER_EMPTY_ACCOUNT_COST`: intrinsic gas per EIP-7702 authorisation (Prague).
    public static let perEmptyAccount: Int64 = 25000
    /// `PER_AUTH_BASE_COST`: what an EIP-7702 authorisation of an existing account really costs;
    /// the rest of `perEmptyAccount` is refunded (Prague).
    public static let perAuthBase: Int64 = 12500
    /// `TOTAL_COST_FLOOR_PER_TOKEN`: the calldata floor price per token (EIP-7623, Prague).
    public static let floorPerToken: Int64 = 10
    /// Calldata tokens per non-zero byte (a zero byte is one token) (EIP-7623, Prague).
    public static let tokensPerNonZeroByte: Int64 = 4
    /// `GAS_PER_BLOB`: blob gas per blob (EIP-4844, Cancun).
    public static let perBlob: Int64 = 131_072
    /// At most `gasUsed / maxRefundQuotient` is refunded, Frontier to Berlin.
    public static let maxRefundQuotient: Int64 = 2
    /// `MAX_REFUND_QUOTIENT` from London (EIP-3529).
    public static let maxRefundQuotientLondon: Int64 = 5

    // MARK: Formulas

    /// The gas a call or creation may forward out of `available`: all but one 64th (EIP-150).
    @inlinable @inline(__always)
    public static func allButOne64th(_ available: Int64) -> Int64 {
        available &- available / callGasRetentionDivisor
    }

    /// The number of 32-byte words covering `bytes` bytes (what per-word prices multiply).
    @inlinable @inline(__always)
    public static func words(_ bytes: Int) -> Int64 {
        Int64((bytes &+ 31) >> 5)
    }
}
