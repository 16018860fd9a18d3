/// A refusal by the coordinator, carrying the HTTP status it maps to.
public struct NetworkError: Error, Sendable, CustomStringConvertible, Equatable {
    /// HTTP status code.
    public var status: Int
    /// Stable machine-readable code.
    public var code: String
    /// Human-readable detail.
    public var message: String

    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func badRequest(_ m: String) -> Self { .init(400, "bad_request", m) }
    public static func unauthorized(_ m: String) -> Self { .init(401, "unauthorized", m) }
    public static func insufficientFunds(_ m: String) -> Self { .init(402, "insufficient_funds", m) }
    public static func forbidden(_ m: String) -> Self { .init(403, "forbidden", m) }
    public static func notFound(_ m: String) -> Self { .init(404, "not_found", m) }
    public static func conflict(_ m: String) -> Self { .init(409, "conflict", m) }
    public static func invalidProof(_ m: String) -> Self { .init(422, "invalid_proof", m) }
    /// A ledger amount or sum would leave the range of `Int64`.
    public static func ledgerOverflow(_ m: String) -> Self { .init(409, "ledger_overflow", m) }
    public static func capacity(_ m: String) -> Self { .init(429, "over_capacity", m) }
}
