import EVMPrimitives

/// One entry of an EIP-2930 access list.
public struct AccessListEntry: Sendable, Equatable {
    public var address: Address
    public var storageKeys: [UInt256]
    public init(address: Address, storageKeys: [UInt256]) {
        self.address = address
        self.storageKeys = storageKeys
    }
}

/// An EIP-7702 authorisation tuple.
public struct Authorization: Sendable, Equatable {
    public var chainId: UInt256
    public var address: Address
    public var nonce: UInt256
    public var yParity: UInt256
    public var r: UInt256
    public var s: UInt256
    public init(chainId: UInt256, address: Address, nonce: UInt256, yParity: UInt256, r: UInt256, s: UInt256) {
        self.chainId = chainId
        self.address = address
        self.nonce = nonce
        self.yParity = yParity
        self.r = r
        self.s = s
    }
}

/// A transaction of type 0 (legacy), 1 (EIP-2930), 2 (EIP-1559), 3 (EIP-4844 blob) or
/// 4 (EIP-7702 set-code).
public struct Transaction: Sendable, Equatable {
    public var type: UInt8
    /// Chain id (nil for a pre-EIP-155 legacy transaction).
    public var chainId: UInt256?
    public var nonce: UInt256
    /// Gas price for types 0 and 1.
    public var gasPrice: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt256
    /// Recipient, nil for contract creation.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]
    public var maxFeePerBlobGas: UInt256
    public var blobVersionedHashes: [UInt256]
    public var authorizations: [Authorization]
    /// Signature: `v` as encoded (legacy: 27/28 or EIP-155 value; typed: y parity).
    public var v: UInt256
    public var r: UInt256
    public var s: UInt256

    public init(
        type: UInt8 = 0,
        chainId: UInt256? = nil,
        nonce: UInt256 = .zero,
        gasPrice: UInt256 = .zero,
        maxPriorityFeePerGas: UInt256 = .zero,
        maxFeePerGas: UInt256 = .zero,
        gasLimit: UInt256 = .zero,
        to: Address? = nil,
        value: UInt256 = .zero,
        data: [UInt8] = [],
        accessList: [AccessListEntry] = [],
        maxFeePerBlobGas: UInt256 = .zero,
        blobVersionedHashes: [UInt256] = [],
        authorizations: [Authorization] = [],
        v: UInt256 = .zero,
        r: UInt256 = .zero,
        s: UInt256 = .zero
    ) {
        self.type = type
        self.chainId = chainId
        self.nonce = nonce
        self.gasPrice = gasPrice
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
        self.maxFeePerBlobGas = maxFeePerBlobGas
        self.blobVersionedHashes = blobVersionedHashes
        self.authorizations = authorizations
        self.v = v
        self.r = r
        self.s = s
    }

    /// The fee cap per gas: `gasPrice` for types 0–1, `maxFeePerGas` otherwise.
    public var feeCap: UInt256 { type >= 2 ? maxFeePerGas : gasPrice }

    /// Blob gas per blob (EIP-4844's `GAS_PER_BLOB`, ``Gas/perBlob``).
    public static var gasPerBlob: UInt64 { UInt64(Gas.perBlob) }

    /// The intrinsic gas and the EIP-7623 calldata floor of this transaction under `fork`.
    public func intrinsicGas(fork: Fork) -> (intrinsic: UInt64, floor: UInt64) {
        var zeros: UInt64 = 0
        for b in data where b == 0 { zeros &+= 1 }
        let nonZeros = UInt64(data.count) &- zeros
        let nonZeroByte = fork >= .istanbul ? Gas.txDataNonZeroIstanbul : Gas.txDataNonZeroFrontier
        var gas = UInt64(Gas.transaction)
        gas &+= zeros &* UInt64(Gas.txDataZero) &+ nonZeros &* UInt64(nonZeroByte)
        if to == nil {
            if fork >= .homestead { gas &+= UInt64(Gas.txCreate) }
            if fork >= .shanghai { gas &+= UInt64(Gas.initcodeWord) &* ((UInt64(data.count) &+ 31) / 32) }
        }
        for e in accessList {
            gas &+= UInt64(Gas.accessListAddress) &+ UInt64(Gas.accessListStorageKey) &* UInt64(e.storageKeys.count)
        }
        gas &+= UInt64(Gas.perEmptyAccount) &* UInt64(authorizations.count)
        var floor: UInt64 = 0
        if fork >= .prague {
            let tokens = zeros &+ nonZeros &* UInt64(Gas.tokensPerNonZeroByte)
            floor = UInt64(Gas.transaction) &+ UInt64(Gas.floorPerToken) &* tokens
        }
        return (gas, floor)
    }
}

/// The outcome of an executed transaction.
public struct TransactionResult: Sendable {
    /// Whether the top-level call succeeded.
    public var success: Bool
    /// Gas charged to the sender (after refunds and the calldata floor).
    public var gasUsed: UInt64
    /// The logs (empty when the call failed).
    public var logs: [Log]
    /// Returned (or revert) data.
    public var output: [UInt8]
    /// The created contract, for a successful creation.
    public var createdAddress: Address?
}
