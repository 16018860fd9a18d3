/// A refusal or failure of a coordinator operation, by kind. The kinds are the network's
/// vocabulary, not HTTP's: `ProverNetwork` maps each one to its HTTP status
/// (`NetworkError: HTTPResponseError`), and its `code` is the `error` field of the JSON body.
public struct NetworkError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong; the raw value is the stable machine-readable code clients see.
    public enum Kind: String, Sendable, CaseIterable {
        /// Malformed request, or a value out of range.
        case badRequest = "bad_request"
        /// No, unknown or expired credentials.
        case unauthorized
        /// The paying account lacks the funds.
        case insufficientFunds = "insufficient_funds"
        /// Authenticated, but not allowed to do this.
        case forbidden
        /// No such job, lease, node or route.
        case notFound = "not_found"
        /// A known path asked with a method it does not serve.
        case methodNotAllowed = "method_not_allowed"
        /// The request contradicts the current state (a reused key, a job in another state).
        case conflict
        /// A ledger amount or sum would leave the range of `Int64`.
        case ledgerOverflow = "ledger_overflow"
        /// A body or proof above the configured limit.
        case tooLarge = "too_large"
        /// A proof that does not verify.
        case invalidProof = "invalid_proof"
        /// The node's stake, slots or throughput cannot take the job.
        case overCapacity = "over_capacity"
        /// The database failed; the request changed nothing and may be retried.
        case storage
        /// A failure of the process itself (a file it cannot write, a port it cannot bind).
        case `internal`
    }

    /// What went wrong.
    public var kind: Kind
    /// Human-readable detail.
    public var message: String

    /// An error of `kind` saying `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The stable machine-readable code (`kind`'s raw value).
    public var code: String { kind.rawValue }

    public var description: String { "\(code): \(message)" }

    public static func badRequest(_ m: String) -> Self { .init(.badRequest, m) }
    public static func unauthorized(_ m: String) -> Self { .init(.unauthorized, m) }
    public static func insufficientFunds(_ m: String) -> Self { .init(.insufficientFunds, m) }
    public static func forbidden(_ m: String) -> Self { .init(.forbidden, m) }
    public static func notFound(_ m: String) -> Self { .init(.notFound, m) }
    public static func conflict(_ m: String) -> Self { .init(.conflict, m) }
    public static func invalidProof(_ m: String) -> Self { .init(.invalidProof, m) }
    public static func ledgerOverflow(_ m: String) -> Self { .init(.ledgerOverflow, m) }
    public static func capacity(_ m: String) -> Self { .init(.overCapacity, m) }
    public static func tooLarge(_ m: String) -> Self { .init(.tooLarge, m) }
}
