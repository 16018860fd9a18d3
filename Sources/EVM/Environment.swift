import EVMPrimitives

/// Block-level context visible to the EVM (`COINBASE`, `NUMBER`, `BASEFEE`, ...).
public struct BlockEnv: Sendable {
    public var coinbase: Address
    public var number: UInt64
    public var timestamp: UInt64
    public var gasLimit: UInt64
    public var baseFee: UInt256
    /// `PREVRANDAO` (Paris+) or the value `DIFFICULTY` returns before.
    public var prevRandao: UInt256
    public var difficulty: UInt256
    public var excessBlobGas: UInt64
    /// `BLOBBASEFEE` (EIP-7516), derived from the excess blob gas.
    public var blobBaseFee: UInt256
    /// Maximum blobs per block for this fork (from the fixture's blob schedule).
    public var maxBlobsPerBlock: Int
    public var chainId: UInt256
    /// Known block hashes by number (for `BLOCKHASH`).
    public var blockHashes: [UInt64: UInt256]

    public init(
        coinbase: Address = .zero,
        number: UInt64 = 0,
        timestamp: UInt64 = 0,
        gasLimit: UInt64 = 30_000_000,
        baseFee: UInt256 = .zero,
        prevRandao: UInt256 = .zero,
        difficulty: UInt256 = .zero,
        excessBlobGas: UInt64 = 0,
        blobBaseFee: UInt256 = .one,
        maxBlobsPerBlock: Int = 6,
        chainId: UInt256 = .one,
        blockHashes: [UInt64: UInt256] = [:]
    ) {
        self.coinbase = coinbase
        self.number = number
        self.timestamp = timestamp
        self.gasLimit = gasLimit
        self.baseFee = baseFee
        self.prevRandao = prevRandao
        self.difficulty = difficulty
        self.excessBlobGas = excessBlobGas
        self.blobBaseFee = blobBaseFee
        self.maxBlobsPerBlock = maxBlobsPerBlock
        self.chainId = chainId
        self.blockHashes = blockHashes
    }

    /// EIP-4844 `fake_exponential(factor, numerator, denominator)`.
    public static func fakeExponential(factor: UInt256, numerator: UInt256, denominator: UInt256) -> UInt256 {
        if denominator.isZero { return .zero }
        var i = UInt256.one
        var output = UInt256.zero
        var acc = factor &* denominator
        var guardCount = 0
        while !acc.isZero && guardCount < 10_000 {
            output = output &+ acc
            acc = (acc &* numerator) / (denominator &* i)
            i = i &+ .one
            guardCount &+= 1
        }
        return output / denominator
    }
}

/// Transaction-level context (`ORIGIN`, `GASPRICE`, `BLOBHASH`).
public struct TxEnv: Sendable {
    public var origin: Address
    public var gasPrice: UInt256
    public var blobHashes: [UInt256]
    public init(origin: Address = .zero, gasPrice: UInt256 = .zero, blobHashes: [UInt256] = []) {
        self.origin = origin
        self.gasPrice = gasPrice
        self.blobHashes = blobHashes
    }
}

/// How a call frame ended.
public enum CallStatus: Sendable, Equatable {
    case success
    case revert
    /// Exceptional halt: all gas of the frame is consumed.
    case failure
}

/// The outcome of a message call or creation.
public struct CallResult: Sendable {
    public var status: CallStatus
    public var gasLeft: Int64
    public var output: [UInt8]
    public var createdAddress: Address?
}

/// A message: one call frame's inputs.
@usableFromInline
struct Message {
    @usableFromInline var caller: Address
    @usableFromInline var target: Address
    @usableFromInline var codeAddress: Address
    @usableFromInline var value: UInt256
    @usableFromInline var input: [UInt8]
    @usableFromInline var gas: Int64
    @usableFromInline var depth: Int
    @usableFromInline var isStatic: Bool
    @usableFromInline var isCreate: Bool
    @usableFromInline var shouldTransferValue: Bool
    @usableFromInline var disablePrecompiles: Bool
    @usableFromInline var code: Code
}
