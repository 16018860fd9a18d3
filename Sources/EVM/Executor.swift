import EVMPrimitives

extension EVM {
    /// Checks a transaction against the block and the current state without changing anything.
    /// Returns the effective gas price, intrinsic gas and calldata floor.
    public func validate(
        _ t: Transaction,
        sender: Address
    ) throws(EVMError) -> (
        price: UInt256, intrinsic: UInt64, floor: UInt64
    ) {
        func fail(_ e: TransactionError) -> EVMError { .invalidTransaction(e) }
        switch t.type {
        case 0: break
        case 1: if fork < .berlin { throw fail(.typeNotSupported) }
        case 2: if fork < .london { throw fail(.typeNotSupported) }
        case 3: if fork < .cancun { throw fail(.typeNotSupported) }
        case 4: if fork < .prague { throw fail(.typeNotSupported) }
        default: throw fail(.typeNotSupported)
        }
        guard t.gasLimit.fitsInUInt64 else { throw fail(.gasLimitExceedsBlock) }
        let gasLimit = t.gasLimit.w0
        let (intrinsic, floor) = t.intrinsicGas(fork: fork)
        if gasLimit < intrinsic { throw fail(.intrinsicGasTooLow) }
        if gasLimit < floor { throw fail(.intrinsicGasBelowFloor) }
        if !t.nonce.fitsInUInt64 || t.nonce.w0 == UInt64.max { throw fail(.nonceMaxValue) }
        if fork >= .shanghai && t.to == nil && t.data.count > EVM.maxInitcodeSize { throw fail(.initcodeSizeExceeded) }
        if fork >= .osaka && gasLimit > EVM.maxTransactionGas { throw fail(.gasLimitExceedsCap) }
        if gasLimit > block.gasLimit { throw fail(.gasLimitExceedsBlock) }
        if let c = t.chainId, t.type != 0 || fork >= .spuriousDragon, c != block.chainId { throw fail(.invalidChainId) }
        var price: UInt256
        if t.type >= 2 {
            if t.maxFeePerGas < block.baseFee { throw fail(.feeCapLessThanBaseFee) }
            if t.maxFeePerGas < t.maxPriorityFeePerGas { throw fail(.priorityFeeGreaterThanMaxFee) }
            let tip = t.maxFeePerGas &- block.baseFee
            price = block.baseFee &+ (t.maxPriorityFeePerGas < tip ? t.maxPriorityFeePerGas : tip)
        } else {
            if fork >= .london && t.gasPrice < block.baseFee { throw fail(.feeCapLessThanBaseFee) }
            price = t.gasPrice
        }
        var maxFee = t.gasLimit.multipliedFullWidth(by: t.feeCap)
        if t.type == 3 {
            if t.to == nil { throw fail(.blobCreate) }
            if t.blobVersionedHashes.isEmpty { throw fail(.noBlobs) }
            let maxBlobs =
                fork >= .osaka ? min(EVM.maxBlobsPerTransaction, block.maxBlobsPerBlock) : block.maxBlobsPerBlock
            if t.blobVersionedHashes.count > maxBlobs { throw fail(.tooManyBlobs) }
            for h in t.blobVersionedHashes where h.w3 >> 56 != 0x01 { throw fail(.invalidBlobVersionedHash) }
            if t.maxFeePerBlobGas < block.blobBaseFee { throw fail(.blobFeeCapTooLow) }
            let blobGas = UInt256(Transaction.gasPerBlob &* UInt64(t.blobVersionedHashes.count))
            let blobFee = blobGas.multipliedFullWidth(by: t.maxFeePerBlobGas)
            let sum = maxFee.low.addingReportingOverflow(blobFee.low)
            if !maxFee.high.isZero || !blobFee.high.isZero || sum.overflow { throw fail(.insufficientFunds) }
            maxFee = (.zero, sum.partialValue)
        }
        if t.type == 4 {
            if t.to == nil { throw fail(.setCodeCreate) }
            if t.authorizations.isEmpty { throw fail(.emptyAuthorizationList) }
        }
        if state.nonce(sender) != t.nonce.w0 { throw fail(.nonceMismatch) }
        let total = maxFee.low.addingReportingOverflow(t.value)
        if !maxFee.high.isZero || total.overflow || state.balance(sender) < total.partialValue {
            throw fail(.insufficientFunds)
        }
        let senderCode = state.code(sender)
        if !senderCode.isEmpty && !(fork >= .prague && senderCode.delegationTarget != nil) {
            throw fail(.senderNotEOA)
        }
        return (price, intrinsic, floor)
    }

    /// Validates and executes one transaction from `sender`, updating the state, paying the
    /// coinbase and refunding the sender. A rejected transaction throws and changes nothing.
    public func execute(_ t: Transaction, sender: Address) throws(EVMError) -> TransactionResult {
        let (price, intrinsic, floor) = try validate(t, sender: sender)
        let gasLimit = t.gasLimit.w0
        state.beginTransaction()
        logs.removeAll()
        refund = 0
        tx = TxEnv(origin: sender, gasPrice: price, blobHashes: t.blobVersionedHashes)

        let senderNonce = state.nonce(sender)
        state.setNonce(sender, senderNonce &+ 1)
        var cost = UInt256(gasLimit) &* price
        if t.type == 3 {
            cost = cost &+ UInt256(Transaction.gasPerBlob &* UInt64(t.blobVersionedHashes.count)) &* block.blobBaseFee
        }
        state.setBalance(sender, state.balance(sender) &- cost)

        let target = t.to ?? EVM.createAddress(sender: sender, nonce: senderNonce)
        if fork >= .berlin {
            _ = state.warmAccount(sender)
            _ = state.warmAccount(target)
            for p in precompileAddresses { _ = state.warmAccount(p) }
            for e in t.accessList {
                _ = state.warmAccount(e.address)
                for k in e.storageKeys { _ = state.warmSlot(e.address, k) }
            }
            if fork >= .shanghai { _ = state.warmAccount(block.coinbase) }
        }
        if t.type == 4 { applyAuthorizations(t.authorizations) }

        let gas = Int64(gasLimit &- intrinsic)
        var result: CallResult
        if t.to == nil {
            // `exists` loads the account in stateless execution before it is read.
            if state.exists(target), let acct = state.accounts[target],
                acct.nonce != 0 || !acct.code.isEmpty || !acct.storage.isEmpty
            {
                result = CallResult(status: .failure, gasLeft: 0, output: [], createdAddress: nil)
            } else {
                var m = Message(
                    caller: sender,
                    target: target,
                    codeAddress: target,
                    value: t.value,
                    input: [],
                    gas: gas,
                    depth: 0,
                    isStatic: false,
                    isCreate: true,
                    shouldTransferValue: true,
                    disablePrecompiles: false,
                    code: Code(t.data)
                )
                result = createMessage(&m)
            }
        } else {
            var code = state.code(target)
            var codeAddress = target
            var disable = false
            if fork >= .prague, let d = code.delegationTarget {
                _ = state.warmAccount(d)
                code = state.code(d)
                codeAddress = d
                disable = true
            }
            var m = Message(
                caller: sender,
                target: target,
                codeAddress: codeAddress,
                value: t.value,
                input: t.data,
                gas: gas,
                depth: 0,
                isStatic: false,
                isCreate: false,
                shouldTransferValue: true,
                disablePrecompiles: disable,
                code: code
            )
            result = callMessage(&m)
        }

        var gasUsed = gasLimit &- UInt64(result.gasLeft)
        let maxRefund = gasUsed / UInt64(fork >= .london ? Gas.maxRefundQuotientLondon : Gas.maxRefundQuotient)
        let r = refund > 0 ? UInt64(refund) : 0
        gasUsed &-= r < maxRefund ? r : maxRefund
        if gasUsed < floor { gasUsed = floor }
        state.setBalance(sender, state.balance(sender) &+ UInt256(gasLimit &- gasUsed) &* price)
        let tip = fork >= .london ? price &- block.baseFee : price
        let fee = UInt256(gasUsed) &* tip
        let coinbaseBalance = state.balance(block.coinbase) &+ fee
        if fork < .spuriousDragon || !coinbaseBalance.isZero {
            state.setBalance(block.coinbase, coinbaseBalance)
        } else if state.existsAndIsEmpty(block.coinbase) {
            state.destroyAccount(block.coinbase)
        }
        for a in state.selfdestructs { state.destroyAccount(a) }
        if fork >= .spuriousDragon {
            for a in state.touched where state.existsAndIsEmpty(a) { state.destroyAccount(a) }
        }
        let success = result.status == .success
        return TransactionResult(
            success: success,
            gasUsed: gasUsed,
            logs: success ? logs : [],
            output: result.output,
            createdAddress: success && t.to == nil ? target : nil
        )
    }

    /// EIP-7702: writes the delegation designators of valid authorisations.
    func applyAuthorizations(_ auths: [Authorization]) {
        for a in auths {
            if !a.chainId.isZero && a.chainId != block.chainId { continue }
            if !a.nonce.fitsInUInt64 || a.nonce.w0 == UInt64.max { continue }
            guard let authority = EVM.recoverAuthority(a) else { continue }
            _ = state.warmAccount(authority)
            let code = state.code(authority)
            if !code.isEmpty && code.delegationTarget == nil { continue }
            if state.nonce(authority) != a.nonce.w0 { continue }
            if state.exists(authority) { refund &+= Gas.perEmptyAccount &- Gas.perAuthBase }
            if a.address.isZero {
                state.setCode(authority, Code.empty)
            } else {
                state.setCode(authority, Code.delegation(to: a.address))
            }
            state.incrementNonce(authority)
        }
    }
}
