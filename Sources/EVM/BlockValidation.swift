import EVMPrimitives

/// Parts of a block's encoding, for ``BlockError/malformedBody(_:_:)``.
public enum BlockPart: Sendable, Equatable {
    /// The outer `[header, transactions, ommers, withdrawals?]` list.
    case block
    case transactions
    case ommers
    case withdrawals
}

/// Why a block (header or body) was refused; each case names the rule it broke.
public enum BlockError: Error, Equatable, Sendable {
    // Decoding.
    /// A header field is malformed (non-canonical RLP, wrong size, missing in the middle, ...).
    case malformedHeader(HeaderField, RLPError)
    /// The block list or one of its parts is malformed.
    case malformedBody(BlockPart, RLPError)
    /// Transaction `index` of the body does not decode.
    case malformedTransaction(index: Int, EVMError)
    /// Bytes follow the block or header.
    case trailingBytes

    // The header's shape for its fork.
    /// The fork requires a field the header lacks.
    case missingField(HeaderField)
    /// The header carries a field its fork does not have.
    case unexpectedField(HeaderField)

    // The header against its parent.
    /// `number != parent.number + 1`.
    case numberNotParentPlusOne
    /// `parentHash != parent.hash`.
    case parentHashMismatch
    /// `timestamp <= parent.timestamp`.
    case timestampNotAfterParent
    /// The gas limit moved by `parent.gasLimit / 1024` or more.
    case gasLimitOutOfBounds
    /// The gas limit is below 5000.
    case gasLimitBelowMinimum
    /// `gasUsed > gasLimit`.
    case gasUsedExceedsGasLimit
    /// `extraData` is longer than 32 bytes.
    case extraDataTooLong
    /// The EIP-1559 base fee is not the one the parent implies.
    case baseFeeMismatch
    /// The EIP-4844 excess blob gas is not the one the parent implies.
    case excessBlobGasMismatch
    /// `blobGasUsed` exceeds the fork's maximum blobs per block.
    case blobGasUsedAboveMaximum
    /// The proof-of-work difficulty is not the one the parent implies.
    case difficultyMismatch
    /// A proof-of-stake header (Paris+) with a nonzero difficulty.
    case nonZeroDifficulty
    /// A proof-of-stake header (Paris+) with a nonzero nonce.
    case nonZeroNonce
    /// A proof-of-stake header (Paris+) whose ommers hash is not that of the empty list.
    case ommersHashNotEmpty

    // The body against its header.
    /// The transactions trie root differs from the header's.
    case transactionsRootMismatch
    /// keccak(rlp(ommers)) differs from the header's ommers hash.
    case ommersHashMismatch
    /// The withdrawals trie root differs from the header's.
    case withdrawalsRootMismatch
    /// The fork has withdrawals (Shanghai+) but the body has none, or the reverse.
    case withdrawalsPresence
    /// `blobGasUsed` is not the body's blob count times ``Transaction/gasPerBlob``.
    case blobGasUsedMismatch
    /// The RLP block exceeds EIP-7934's limit (Osaka+).
    case blockTooLarge

    // Ommers (proof-of-work only; ``Block/validateOmmers(recent:fork:)``).
    /// More than two ommers.
    case tooManyOmmers
    /// The same ommer twice.
    case duplicateOmmer
    /// Ommer `index` is not 1 to 6 generations below the block, or its parent is not a recent
    /// canonical block, or it shares the block's parent.
    case ommerNotRelated(index: Int)
    /// Ommer `index` is the block itself, a canonical block, or an ommer of a recent block.
    case ommerAlreadyIncluded(index: Int)
    /// Ommer `index`'s header breaks a rule against its own parent.
    indirect case invalidOmmer(index: Int, BlockError)

    // Execution (``Block/execute(on:)``).
    /// Transaction `index` is invalid (signature, nonce, balance, fee, type for the fork, ...).
    case invalidTransaction(index: Int, EVMError)
    /// Transaction `index` asks for more gas than the block has left.
    case gasAllowanceExceeded(index: Int)
    /// Transaction `index` asks for more blob gas than the block has left.
    case blobGasAllowanceExceeded(index: Int)
    /// The header's gas used is not the transactions' total.
    case gasUsedMismatch
    /// The receipts trie root differs from the header's.
    case receiptsRootMismatch
    /// The bloom of the logs differs from the header's.
    case logsBloomMismatch
    /// The post-state root differs from the header's.
    case stateRootMismatch
    /// The EIP-7685 requests hash differs from the header's.
    case requestsHashMismatch
    /// A deposit contract log has the wrong layout (EIP-6110).
    case invalidDepositEventLayout
    /// A checked system contract (EIP-7002, EIP-7251) has no code.
    case systemContractEmpty
    /// A checked system call failed.
    case systemContractCallFailed
}

/// A fork's EIP-4844 blob parameters (the fixtures' `blobSchedule` entry).
public struct BlobSchedule: Sendable, Equatable {
    /// Target blobs per block.
    public var target: UInt64
    /// Maximum blobs per block.
    public var max: UInt64
    /// The blob base fee's update fraction.
    public var baseFeeUpdateFraction: UInt64

    /// A schedule from its three parameters.
    public init(target: UInt64, max: UInt64, baseFeeUpdateFraction: UInt64) {
        self.target = target
        self.max = max
        self.baseFeeUpdateFraction = baseFeeUpdateFraction
    }

    /// The mainnet parameters of `fork` (Cancun: 3/6, Prague and Osaka: 6/9); nil before Cancun.
    public static func mainnet(_ fork: Fork) -> BlobSchedule? {
        if fork >= .prague { return BlobSchedule(target: 6, max: 9, baseFeeUpdateFraction: 5_007_716) }
        if fork >= .cancun { return BlobSchedule(target: 3, max: 6, baseFeeUpdateFraction: 3_338_477) }
        return nil
    }

    /// The blob base fee for an excess of `excessBlobGas`.
    public func blobBaseFee(excessBlobGas: UInt64) -> UInt256 {
        BlockEnv.fakeExponential(
            factor: .one,
            numerator: UInt256(excessBlobGas),
            denominator: UInt256(baseFeeUpdateFraction)
        )
    }
}

/// Consensus constants of header validation.
public enum BlockRules {
    /// EIP-1559 elasticity multiplier.
    public static var elasticityMultiplier: UInt64 { 2 }
    /// EIP-1559 base fee change denominator.
    public static var baseFeeChangeDenominator: UInt64 { 8 }
    /// EIP-1559 base fee of the London fork block (1 Gwei).
    public static var initialBaseFee: UInt64 { 1_000_000_000 }
    /// The gas limit may move by less than `parent.gasLimit / gasLimitBoundDivisor` per block.
    public static var gasLimitBoundDivisor: UInt64 { 1024 }
    /// The lowest gas limit.
    public static var minimumGasLimit: UInt64 { 5000 }
    /// The longest `extraData`.
    public static var maximumExtraDataSize: Int { 32 }
    /// EIP-7918's `BLOB_BASE_COST`.
    public static var blobBaseCost: UInt64 { 1 << 13 }
    /// EIP-7934's `MAX_RLP_BLOCK_SIZE` (10 MiB less a 2 MiB margin).
    public static var maximumBlockSize: Int { 8_388_608 }
    /// The lowest proof-of-work difficulty.
    public static var minimumDifficulty: UInt64 { 131_072 }

    /// The EIP-1559 base fee of a child of `parent`; `isForkBlock` for the first London block.
    public static func baseFee(parent: BlockHeader, isForkBlock: Bool) -> UInt256 {
        if isForkBlock { return UInt256(initialBaseFee) }
        let parentBaseFee = parent.baseFeePerGas ?? .zero
        let target = parent.gasLimit / elasticityMultiplier
        if parent.gasUsed == target || target == 0 { return parentBaseFee }
        let denominator = UInt256(target) &* UInt256(baseFeeChangeDenominator)
        if parent.gasUsed > target {
            let delta = parentBaseFee &* UInt256(parent.gasUsed &- target) / denominator
            return parentBaseFee &+ (delta.isZero ? .one : delta)
        }
        let delta = parentBaseFee &* UInt256(target &- parent.gasUsed) / denominator
        return parentBaseFee &- delta
    }

    /// The EIP-4844 excess blob gas of a child of `parent` under `schedule` (the child's fork's
    /// parameters); `reservePrice` applies EIP-7918 (Osaka+).
    public static func excessBlobGas(parent: BlockHeader, schedule: BlobSchedule, reservePrice: Bool) -> UInt64 {
        let perBlob = Transaction.gasPerBlob
        let parentExcess = parent.excessBlobGas ?? 0
        let parentUsed = parent.blobGasUsed ?? 0
        let targetGas = schedule.target &* perBlob
        if parentExcess &+ parentUsed < targetGas { return 0 }
        if reservePrice {
            let reserve = UInt256(blobBaseCost) &* (parent.baseFeePerGas ?? .zero)
            let blobFee = UInt256(perBlob) &* schedule.blobBaseFee(excessBlobGas: parentExcess)
            if reserve > blobFee {
                guard schedule.max > 0 else { return parentExcess }
                return parentExcess &+ parentUsed &* (schedule.max &- schedule.target) / schedule.max
            }
        }
        return parentExcess &+ parentUsed &- targetGas
    }

    /// The proof-of-work difficulty of a child of `parent` at `timestamp` and `number` under `fork`
    /// (Frontier, Homestead and Byzantium formulas with the fork's difficulty-bomb delay).
    public static func difficulty(parent: BlockHeader, timestamp: UInt64, number: UInt64, fork: Fork) -> UInt256 {
        let parentDifficulty = parent.difficulty
        let step = parentDifficulty / UInt256(2048)
        let elapsed = timestamp &- parent.timestamp
        var factor: Int64
        if fork >= .byzantium {
            let base: Int64 = parent.ommersHash == BlockHeader.emptyOmmersHash ? 1 : 2
            factor = base &- Int64(min(elapsed / 9, 1 << 20))
        } else if fork >= .homestead {
            factor = 1 &- Int64(min(elapsed / 10, 1 << 20))
        } else {
            factor = timestamp < parent.timestamp &+ 13 ? 1 : -1
        }
        if factor < -99 { factor = -99 }
        var d: UInt256
        if factor >= 0 {
            d = parentDifficulty &+ step &* UInt256(UInt64(factor))
        } else {
            d = parentDifficulty &- step &* UInt256(UInt64(-factor))
        }
        let delay = bombDelay(fork)
        if number >= delay {
            let periods = Int64((number &- delay) / 100_000) &- 2
            if periods >= 0 { d = d &+ (UInt256.one << Int(periods)) }
        }
        let minimum = UInt256(minimumDifficulty)
        return d < minimum ? minimum : d
    }

    /// Blocks by which `fork` delays the difficulty bomb.
    static func bombDelay(_ fork: Fork) -> UInt64 {
        switch fork {
        case .frontier, .homestead, .tangerineWhistle, .spuriousDragon: return 0
        case .byzantium: return 3_000_000
        case .constantinople, .petersburg, .istanbul: return 5_000_000
        case .berlin: return 9_000_000
        default: return 9_700_000
        }
    }

    /// The number of header fields `fork` has (15 before London, 21 from Prague).
    public static func headerFieldCount(_ fork: Fork) -> Int {
        if fork >= .prague { return 21 }
        if fork >= .cancun { return 20 }
        if fork >= .shanghai { return 17 }
        if fork >= .london { return 16 }
        return 15
    }
}

extension BlockHeader {
    /// Checks the header's shape for `fork`: the optional fields it must have and must not have.
    public func validateFields(fork: Fork) throws(BlockError) {
        let want = BlockRules.headerFieldCount(fork)
        let fields = HeaderField.allCases
        func has(_ f: HeaderField) -> Bool {
            switch f {
            case .baseFeePerGas: return baseFeePerGas != nil
            case .withdrawalsRoot: return withdrawalsRoot != nil
            case .blobGasUsed: return blobGasUsed != nil
            case .excessBlobGas: return excessBlobGas != nil
            case .parentBeaconBlockRoot: return parentBeaconBlockRoot != nil
            case .requestsHash: return requestsHash != nil
            default: return true
            }
        }
        for i in 15..<fields.count {
            let f = fields[i]
            if i < want && !has(f) { throw .missingField(f) }
            if i >= want && has(f) { throw .unexpectedField(f) }
        }
    }

    /// Checks every header rule against `parent`: the fork's fields, number, parent hash,
    /// timestamp, gas limit bounds, gas used, extra data, difficulty (proof-of-work) or the
    /// proof-of-stake constants (Paris+), the EIP-1559 base fee (London+) and the EIP-4844
    /// blob gas (Cancun+).
    ///
    /// - Parameters:
    ///   - fork: the fork of this header.
    ///   - parentFork: the fork of the parent (differs at a fork's first block).
    ///   - blobSchedule: this fork's blob parameters (Cancun+; ``BlobSchedule/mainnet(_:)`` when nil).
    public func validate(
        parent: BlockHeader,
        fork: Fork,
        parentFork: Fork,
        blobSchedule: BlobSchedule? = nil
    ) throws(BlockError) {
        try validateFields(fork: fork)
        if gasUsed > gasLimit { throw .gasUsedExceedsGasLimit }
        let isLondonForkBlock = fork >= .london && parentFork < .london
        let parentGasLimit =
            isLondonForkBlock ? parent.gasLimit &* BlockRules.elasticityMultiplier : parent.gasLimit
        let bound = parentGasLimit / BlockRules.gasLimitBoundDivisor
        if gasLimit >= parentGasLimit &+ bound { throw .gasLimitOutOfBounds }
        if gasLimit &+ bound <= parentGasLimit { throw .gasLimitOutOfBounds }
        if gasLimit < BlockRules.minimumGasLimit { throw .gasLimitBelowMinimum }
        if parent.number == UInt64.max || number != parent.number &+ 1 { throw .numberNotParentPlusOne }
        if timestamp <= parent.timestamp { throw .timestampNotAfterParent }
        if extraData.count > BlockRules.maximumExtraDataSize { throw .extraDataTooLong }
        if fork >= .paris {
            if !difficulty.isZero { throw .nonZeroDifficulty }
            if nonce != 0 { throw .nonZeroNonce }
            if ommersHash != BlockHeader.emptyOmmersHash { throw .ommersHashNotEmpty }
        } else {
            let want = BlockRules.difficulty(parent: parent, timestamp: timestamp, number: number, fork: fork)
            if difficulty != want { throw .difficultyMismatch }
        }
        if fork >= .london {
            if baseFeePerGas != BlockRules.baseFee(parent: parent, isForkBlock: isLondonForkBlock) {
                throw .baseFeeMismatch
            }
        }
        if fork >= .cancun, let schedule = blobSchedule ?? BlobSchedule.mainnet(fork) {
            if (blobGasUsed ?? 0) > schedule.max &* Transaction.gasPerBlob { throw .blobGasUsedAboveMaximum }
            let want = BlockRules.excessBlobGas(parent: parent, schedule: schedule, reservePrice: fork >= .osaka)
            if excessBlobGas != want { throw .excessBlobGasMismatch }
        }
        if parentHash != parent.hash { throw .parentHashMismatch }
    }
}
