/// Why a proof kind refused an input or a proof.
public struct ProofKindError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The verified proof of one of a job's dependencies, as a dependent job's kind reads it.
///
/// A job's `dependsOn` is a set: the coordinator keeps it sorted by job id and deduplicated, so a
/// kind must not rely on the order of its dependencies (a kind that pairs children orders them by
/// what their proofs state).
public struct ProofDependency: Sendable, Equatable {
    /// The dependency's job id.
    public var jobId: String
    /// The dependency's proof kind (its proof verified under that kind).
    public var kind: String
    /// The dependency's input.
    public var input: [UInt8]
    /// The dependency's verified proof.
    public var proof: [UInt8]

    public init(jobId: String, kind: String, input: [UInt8], proof: [UInt8]) {
        self.jobId = jobId
        self.kind = kind
        self.input = input
        self.proof = proof
    }
}

/// A kind of proof the network can trade. The network sees proofs only through this protocol:
/// inputs and proofs are opaque byte strings that the kind encodes and checks.
///
/// A kind whose proofs build on the proofs of the job's dependencies (an aggregation, say)
/// declares how many it reads in ``dependencyProofs`` and implements
/// ``prove(input:dependencies:)`` and ``verify(input:proof:dependencies:)``: the node that leases
/// such a job fetches its dependencies' verified proofs before proving, and the coordinator hands
/// the stored ones to the verifier. Other kinds keep the defaults and never see them.
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

    /// How many dependency proofs a job of this kind reads: `nil` (the default) when it reads none
    /// (its jobs may still depend on others, for ordering alone); otherwise the coordinator refuses
    /// a job whose number of dependencies is outside the range, nodes fetch the dependencies'
    /// proofs before proving, and the coordinator passes them to the verifier.
    var dependencyProofs: ClosedRange<Int>? { get }
    /// Proves `input` given the verified proofs of the job's dependencies (in no particular
    /// order). The default ignores them and calls ``prove(input:)``.
    func prove(input: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) -> [UInt8]
    /// Verifies `proof` of `input` given the verified proofs of the job's dependencies (in no
    /// particular order). The default ignores them and calls ``verify(input:proof:)``.
    func verify(input: [UInt8], proof: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError)
}

extension ProofKind {
    public var dependencyProofs: ClosedRange<Int>? { nil }

    public func prove(input: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) -> [UInt8] {
        try prove(input: input)
    }

    public func verify(input: [UInt8], proof: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) {
        try verify(input: input, proof: proof)
    }
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

/// One job of a DAG a requester plans before submitting it: a name (unique within the DAG, a
/// suffix of its request key), the kind, role and input, and the earlier jobs of the plan it
/// depends on (indices into the plan, which lists children before parents).
public struct PlannedJob: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var role: JobRole
    public var input: [UInt8]
    public var dependsOn: [Int]

    public init(name: String, kind: String, role: JobRole, input: [UInt8], dependsOn: [Int] = []) {
        self.name = name
        self.kind = kind
        self.role = role
        self.input = input
        self.dependsOn = dependsOn
    }
}
