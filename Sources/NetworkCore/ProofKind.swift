/// Why a proof kind refused an input or a proof.
public struct ProofKindError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A kind of proof the network can trade. The network sees proofs only through this protocol:
/// inputs and proofs are opaque byte strings that the kind encodes and checks.
public protocol ProofKind: Sendable {
    /// Stable name used in job requests (for example `stark-fibonacci`).
    var name: String { get }
    /// Checks an input and estimates the work to prove it, in work units: about one millisecond of
    /// proving on one reference core (a node's self-benchmark measures how many units per second it
    /// proves; the critical-path scheduler subtracts a job's work, as milliseconds, from the deadlines
    /// of its dependencies).
    func estimateWork(input: [UInt8]) throws(ProofKindError) -> Double
    /// Proves the statement described by `input` and returns the encoded proof.
    func prove(input: [UInt8]) throws(ProofKindError) -> [UInt8]
    /// Verifies an encoded proof of `input`; throws with the reason when it does not verify.
    func verify(input: [UInt8], proof: [UInt8]) throws(ProofKindError)
    /// A valid input of about `size` (kind-specific scale), for benchmarks and the devnet.
    func sampleInput(size: Int, seed: UInt64) -> [UInt8]
}

/// The proof kinds a coordinator or node knows, by name.
public struct ProofKindRegistry: Sendable {
    private var kinds: [String: any ProofKind] = [:]

    public init(_ kinds: [any ProofKind] = []) {
        for k in kinds { register(k) }
    }

    /// Adds (or replaces) a kind.
    public mutating func register(_ kind: any ProofKind) { kinds[kind.name] = kind }

    /// The kind with this name.
    public subscript(_ name: String) -> (any ProofKind)? { kinds[name] }

    /// Names of all kinds, sorted.
    public var names: [String] { kinds.keys.sorted() }
}
