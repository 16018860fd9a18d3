/// Bounds on everything a client sends or reads, so that no request can make the coordinator
/// store or return an unbounded amount of data. `openapi.yaml` declares the same numbers.
public enum Limits {
    /// Longest client-chosen identifier, in characters: `requestKey`, a lease's `requestId`, and
    /// any job id a client names.
    public static let maxKeyLength = 200
    /// Longest free-text `reason` a node gives when it releases a lease, in characters.
    public static let maxReasonLength = 500
    /// Most proof kinds one node may register.
    public static let maxKinds = 32
    /// Longest proof-kind name, in characters.
    public static let maxKindLength = 64
    /// Highest `workPerSecond` a node may claim: far above any machine, low enough that every
    /// capacity computation stays finite.
    public static let maxWorkPerSecond = 1e12
    /// Most work units one job may be estimated at.
    public static let maxWork = 1e15
    /// Rows a list endpoint returns when the request names no `limit`.
    public static let defaultPage = 100
    /// Most rows any list endpoint returns in one response.
    public static let maxPage = 1000

    /// Throws 400 unless `value` has between `min` and `max` characters (Unicode code points, as
    /// JSON Schema's `maxLength` counts them) and no control character (U+0000–U+001F, U+007F).
    public static func check(_ value: String, _ name: String, min: Int = 1, max: Int) throws {
        var n = 0
        for scalar in value.unicodeScalars {
            n += 1
            guard n <= max else { throw NetworkError.badRequest("\(name) must be \(min)...\(max) characters long") }
            guard scalar.value >= 0x20, scalar.value != 0x7F else {
                throw NetworkError.badRequest("\(name) must not contain control characters")
            }
        }
        guard n >= min else { throw NetworkError.badRequest("\(name) must be \(min)...\(max) characters long") }
    }
}

/// One page of a list: at most ``Limits/maxPage`` rows from `offset`.
public struct Page: Sendable, Equatable {
    public var limit: Int
    public var offset: Int

    /// A page; throws 400 for a limit outside 1...``Limits/maxPage`` or a negative offset.
    public init(limit: Int? = nil, offset: Int? = nil) throws {
        let limit = limit ?? Limits.defaultPage
        let offset = offset ?? 0
        guard (1...Limits.maxPage).contains(limit) else {
            throw NetworkError.badRequest("limit must be 1...\(Limits.maxPage)")
        }
        guard offset >= 0, offset <= Int(Int32.max) else {
            throw NetworkError.badRequest("offset must be 0...\(Int32.max)")
        }
        self.limit = limit
        self.offset = offset
    }

    /// The first page of the default size.
    public static let first = try! Page()
}
