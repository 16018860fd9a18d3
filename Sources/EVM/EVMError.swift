/// Errors raised by the EVM module: invalid transactions, malformed encodings and bad input.
///
/// Execution failures inside the interpreter (out of gas, invalid jump, ...) are not errors:
/// they end a call frame with a failure status. Only problems that make a transaction or
/// an encoding unusable surface as `EVMError`.
public enum EVMError: Error, Equatable, Sendable {
    /// The transaction is invalid for the given block and state; the payload names the rule.
    case invalidTransaction(TransactionError)
    /// An RLP or transaction encoding could not be decoded.
    case malformedEncoding(String)
    /// Some other input (hex, field, state) is malformed.
    case invalidInput(String)
}

/// Why a transaction was rejected before execution.
public enum TransactionError: Error, Equatable, Sendable {
    case intrinsicGasTooLow
    case intrinsicGasBelowFloor
    case nonceMismatch
    case nonceMaxValue
    case senderNotEOA
    case insufficientFunds
    case feeCapLessThanBaseFee
    case priorityFeeGreaterThanMaxFee
    case gasLimitExceedsBlock
    case gasLimitExceedsCap
    case initcodeSizeExceeded
    case typeNotSupported
    case blobCreate
    case noBlobs
    case tooManyBlobs
    case invalidBlobVersionedHash
    case blobFeeCapTooLow
    case setCodeCreate
    case emptyAuthorizationList
    case invalidSignature
    case invalidChainId
    case valueOverflow
}
