import EVMPrimitives

/// The result of a successful precompile call.
public struct PrecompileOutput: Sendable, Equatable {
    /// Gas charged by the precompile (never more than the gas limit it was given).
    public var gasUsed: UInt64
    /// The returned bytes.
    public var output: [UInt8]

    /// Creates an output.
    @inlinable
    public init(gasUsed: UInt64, output: [UInt8]) {
        self.gasUsed = gasUsed
        self.output = output
    }
}

/// Why a precompile call failed. In the EVM both cases consume all the gas given to the call.
public enum PrecompileError: Error, Sendable, Equatable {
    /// The call's gas limit is below the precompile's price.
    case outOfGas
    /// The input is malformed (bad length, point not on the curve, value out of range, ...).
    case invalidInput
}

/// The precompiled contracts, addressed by the integer value of their address.
public enum Precompiles {
    /// ecrecover (0x01).
    public static let ecrecover = 0x01
    /// SHA-256 (0x02).
    public static let sha256 = 0x02
    /// RIPEMD-160 (0x03).
    public static let ripemd160 = 0x03
    /// identity (0x04).
    public static let identity = 0x04
    /// modexp (0x05, EIP-198).
    public static let modexp = 0x05
    /// bn254 point addition (0x06, EIP-196).
    public static let bn254Add = 0x06
    /// bn254 scalar multiplication (0x07, EIP-196).
    public static let bn254Mul = 0x07
    /// bn254 pairing check (0x08, EIP-197).
    public static let bn254Pairing = 0x08
    /// BLAKE2 compression function F (0x09, EIP-152).
    public static let blake2f = 0x09
    /// KZG point evaluation (0x0a, EIP-4844).
    public static let pointEvaluation = 0x0a
    /// BLS12-381 G1 addition (0x0b, EIP-2537).
    public static let blsG1Add = 0x0b
    /// BLS12-381 G1 multi-scalar multiplication (0x0c, EIP-2537).
    public static let blsG1MSM = 0x0c
    /// BLS12-381 G2 addition (0x0d, EIP-2537).
    public static let blsG2Add = 0x0d
    /// BLS12-381 G2 multi-scalar multiplication (0x0e, EIP-2537).
    public static let blsG2MSM = 0x0e
    /// BLS12-381 pairing check (0x0f, EIP-2537).
    public static let blsPairing = 0x0f
    /// BLS12-381 map field element to G1 (0x10, EIP-2537).
    public static let blsMapFpToG1 = 0x10
    /// BLS12-381 map Fp2 element to G2 (0x11, EIP-2537).
    public static let blsMapFp2ToG2 = 0x11
    /// secp256r1 signature verification (0x100, EIP-7951).
    public static let p256Verify = 0x100

    /// Whether the precompile with address `id` exists in `fork`.
    public static func isActive(id: Int, fork: Fork) -> Bool {
        switch id {
        case 0x01...0x04: return true
        case 0x05...0x08: return fork >= .byzantium
        case 0x09: return fork >= .istanbul
        case 0x0a: return fork >= .cancun
        case 0x0b...0x11: return fork >= .prague
        case 0x100: return fork >= .osaka
        default: return false
        }
    }

    /// The addresses (as integers) of every precompile active in `fork`, ascending.
    public static func activeIDs(fork: Fork) -> [Int] {
        var ids: [Int] = []
        for id in 0x01...0x11 where isActive(id: id, fork: fork) { ids.append(id) }
        if isActive(id: 0x100, fork: fork) { ids.append(0x100) }
        return ids
    }

    /// Runs the precompile at address `id` on `input` with at most `gasLimit` gas under `fork`'s rules.
    ///
    /// Returns `.failure(.outOfGas)` when the price exceeds `gasLimit` and `.failure(.invalidInput)` when
    /// the precompile rejects its input; an `id` that is not active in `fork` is `.invalidInput` too
    /// (callers are expected to check `isActive` first: calling an inactive address is a plain call to
    /// an empty account).
    public static func run(
        id: Int,
        input: [UInt8],
        gasLimit: UInt64,
        fork: Fork
    ) -> Result<
        PrecompileOutput, PrecompileError
    > {
        guard isActive(id: id, fork: fork) else { return .failure(.invalidInput) }
        switch id {
        case 0x01: return ECRecover.run(input: input, gasLimit: gasLimit)
        case 0x02: return SHA256Precompile.run(input: input, gasLimit: gasLimit)
        case 0x03: return RIPEMD160.run(input: input, gasLimit: gasLimit)
        case 0x0a: return PointEvaluation.run(input: input, gasLimit: gasLimit)
        case 0x04: return Identity.run(input: input, gasLimit: gasLimit)
        case 0x05: return ModExp.run(input: input, gasLimit: gasLimit, fork: fork)
        case 0x06: return BN254.add(input: input, gasLimit: gasLimit, fork: fork)
        case 0x07: return BN254.mul(input: input, gasLimit: gasLimit, fork: fork)
        case 0x08: return BN254.pairing(input: input, gasLimit: gasLimit, fork: fork)
        case 0x09: return Blake2F.run(input: input, gasLimit: gasLimit)
        case 0x100: return P256.run(input: input, gasLimit: gasLimit)
        case 0x0b: return BLS12.g1Add(input: input, gasLimit: gasLimit)
        case 0x0c: return BLS12.g1MSM(input: input, gasLimit: gasLimit)
        case 0x0d: return BLS12.g2Add(input: input, gasLimit: gasLimit)
        case 0x0e: return BLS12.g2MSM(input: input, gasLimit: gasLimit)
        case 0x0f: return BLS12.pairingCheck(input: input, gasLimit: gasLimit)
        case 0x10: return BLS12.mapFpToG1(input: input, gasLimit: gasLimit)
        case 0x11: return BLS12.mapFp2ToG2(input: input, gasLimit: gasLimit)
        default: return .failure(.invalidInput)
        }
    }
}

/// The precompiles' prices, each with the EIP and fork that set it, and helpers shared by them.
/// (The EVM's own fee schedule is `Gas` in the `EVM` module.)
@usableFromInline
enum PrecompileGas {
    // MARK: Frontier (Yellow Paper, Appendix E)

    /// 0x01 ecrecover.
    static let ecrecover: UInt64 = 3000
    /// 0x02 SHA-256: base price.
    static let sha256Base: UInt64 = 60
    /// 0x02 SHA-256: per word of input.
    static let sha256Word: UInt64 = 12
    /// 0x03 RIPEMD-160: base price.
    static let ripemd160Base: UInt64 = 600
    /// 0x03 RIPEMD-160: per word of input.
    static let ripemd160Word: UInt64 = 120
    /// 0x04 identity: base price.
    static let identityBase: UInt64 = 15
    /// 0x04 identity: per word of input.
    static let identityWord: UInt64 = 3

    // MARK: 0x05 modexp

    /// `GQUADDIVISOR` (EIP-198, Byzantium): the complexity × iterations product is divided by it.
    static let modexpDivisorByzantium: UInt64 = 20
    /// The divisor from Berlin (EIP-2565).
    static let modexpDivisorBerlin: UInt64 = 3
    /// The minimum price from Berlin (EIP-2565).
    static let modexpMinimumBerlin: UInt64 = 200
    /// The minimum price from Osaka (EIP-7883).
    static let modexpMinimumOsaka: UInt64 = 500
    /// Iterations per exponent byte past the first 32, before Osaka (EIP-198).
    static let modexpIterationsPerByte: UInt64 = 8
    /// Iterations per exponent byte past the first 32, from Osaka (EIP-7883).
    static let modexpIterationsPerByteOsaka: UInt64 = 16

    // MARK: 0x06–0x08 bn254 (EIP-196, EIP-197 in Byzantium; repriced by EIP-1108 in Istanbul)

    /// 0x06 ECADD before Istanbul.
    static let bn254AddByzantium: UInt64 = 500
    /// 0x06 ECADD from Istanbul (EIP-1108).
    static let bn254AddIstanbul: UInt64 = 150
    /// 0x07 ECMUL before Istanbul.
    static let bn254MulByzantium: UInt64 = 40000
    /// 0x07 ECMUL from Istanbul (EIP-1108).
    static let bn254MulIstanbul: UInt64 = 6000
    /// 0x08 pairing check: base price before Istanbul.
    static let bn254PairingBaseByzantium: UInt64 = 100_000
    /// 0x08 pairing check: per pair before Istanbul.
    static let bn254PairingPerPairByzantium: UInt64 = 80000
    /// 0x08 pairing check: base price from Istanbul (EIP-1108).
    static let bn254PairingBaseIstanbul: UInt64 = 45000
    /// 0x08 pairing check: per pair from Istanbul (EIP-1108).
    static let bn254PairingPerPairIstanbul: UInt64 = 34000

    // MARK: 0x09–0x0a, 0x100

    /// 0x09 BLAKE2 F: per round (EIP-152, Istanbul).
    static let blake2fRound: UInt64 = 1
    /// 0x0a KZG point evaluation (EIP-4844, Cancun).
    static let pointEvaluation: UInt64 = 50000
    /// 0x100 P256VERIFY (EIP-7951, Osaka).
    static let p256Verify: UInt64 = 6900

    // MARK: 0x0b–0x11 BLS12-381 (EIP-2537, Prague)

    /// 0x0b G1ADD.
    static let blsG1Add: UInt64 = 375
    /// 0x0d G2ADD.
    static let blsG2Add: UInt64 = 600
    /// 0x0c G1MSM: price per point before the discount.
    static let blsG1MSMBase: UInt64 = 12000
    /// 0x0c G1MSM: the discount (per mille) beyond the table's last entry.
    static let blsG1MSMMaxDiscount: UInt64 = 519
    /// 0x0e G2MSM: price per point before the discount.
    static let blsG2MSMBase: UInt64 = 22500
    /// 0x0e G2MSM: the discount (per mille) beyond the table's last entry.
    static let blsG2MSMMaxDiscount: UInt64 = 524
    /// MSM discounts are per mille.
    static let blsMSMDiscountMultiplier: UInt64 = 1000
    /// 0x0f PAIRING_CHECK: base price.
    static let blsPairingBase: UInt64 = 37700
    /// 0x0f PAIRING_CHECK: per pair.
    static let blsPairingPerPair: UInt64 = 32600
    /// 0x10 MAP_FP_TO_G1.
    static let blsMapFpToG1: UInt64 = 5500
    /// 0x11 MAP_FP2_TO_G2.
    static let blsMapFp2ToG2: UInt64 = 23800

    // MARK: Helpers

    /// Number of 32-byte words covering `length` bytes.
    @inlinable
    static func words(_ length: Int) -> UInt64 { (UInt64(length) + 31) / 32 }

    /// `base + perWord * words(length)`.
    @inlinable
    static func linear(base: UInt64, perWord: UInt64, length: Int) -> UInt64 {
        base + perWord * words(length)
    }
}
