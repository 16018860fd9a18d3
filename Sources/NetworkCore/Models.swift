import Foundation

/// The states a job moves through (see docs/ARCHITECTURE.md §6). Every move is stored as a ``Transition``.
public enum JobState: String, Codable, Sendable, CaseIterable {
    case created = "CREATED"
    case ready = "READY"
    case open = "OPEN"
    case leased = "LEASED"
    case proving = "PROVING"
    case submitted = "SUBMITTED"
    case verified = "VERIFIED"
    case consumed = "CONSUMED"
    case expired = "EXPIRED"
    case failed = "FAILED"
    case rejectedProof = "REJECTED_PROOF"
    case settling = "SETTLING"
    case settled = "SETTLED"
    case paid = "PAID"

    /// States from which no further work on the job happens.
    public var isTerminal: Bool { self == .consumed || self == .failed || self == .paid }
    /// States in which the job's proof has been verified.
    public var isProven: Bool {
        switch self {
        case .verified, .consumed, .settling, .settled, .paid: return true
        default: return false
        }
    }
}

/// The role of a job in a proof DAG.
public enum JobRole: String, Codable, Sendable {
    case shard, aggregate, final
}

/// The states of a lease.
public enum LeaseState: String, Codable, Sendable {
    case active = "ACTIVE"
    case expired = "EXPIRED"
    case released = "RELEASED"
    case completed = "COMPLETED"
    case rejected = "REJECTED"
    case superseded = "SUPERSEDED"
}

/// A proof request as stored by the coordinator.
public struct Job: Codable, Sendable, Equatable {
    public var id: String
    public var requestKey: String
    public var requester: String
    public var kind: String
    public var role: JobRole
    /// Base64 of the kind's input encoding.
    public var input: String
    public var work: Double
    public var reward: Int64
    public var collateral: Int64
    /// Milliseconds since 1970.
    public var deadline: Int64
    /// Deadline tightened along the critical path through the job's dependents.
    public var effectiveDeadline: Int64
    public var state: JobState
    public var attempts: Int64
    public var maxAttempts: Int64
    public var pendingDependencies: Int64
    public var dependsOn: [String]
    public var leaseId: String?
    public var prover: String?
    public var hasProof: Bool
    public var createdAt: Int64
    public var updatedAt: Int64
}

/// One stored state change of a job.
public struct Transition: Codable, Sendable, Equatable {
    public var jobId: String
    public var seq: Int64
    public var from: String?
    public var to: String
    /// Milliseconds since 1970.
    public var at: Int64
    public var reason: String
    public var actor: String
}

/// A node's claim on a job, backed by collateral.
public struct Lease: Codable, Sendable, Equatable {
    public var id: String
    public var jobId: String
    public var node: String
    public var requestId: String?
    public var collateral: Int64
    public var state: LeaseState
    public var rescue: Bool
    public var progress: Double
    public var createdAt: Int64
    public var expiresAt: Int64
    public var updatedAt: Int64
    public var reason: String
}

/// A registered prover node.
public struct NodeInfo: Codable, Sendable, Equatable {
    public var address: String
    public var kinds: [String]
    /// Work units per second, from the node's self-benchmark.
    public var workPerSecond: Double
    /// Maximum concurrent leases.
    public var slots: Int64
    public var registeredAt: Int64
    public var lastSeen: Int64
    public var proofsVerified: Int64
    public var proofsRejected: Int64
    public var leasesExpired: Int64
    public var provingMillis: Int64
    /// Free stake (not locked as collateral).
    public var stake: Int64
    /// Collateral locked in active leases.
    public var lockedCollateral: Int64
    /// Spendable balance, where rewards go.
    public var wallet: Int64
    public var activeLeases: Int64
}

/// One double-entry ledger posting: `amount` moves from `debit` to `credit`.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public var id: String
    public var at: Int64
    public var debit: String
    public var credit: String
    public var amount: Int64
    public var memo: String
    public var jobId: String?
}

/// The result of a ledger consistency check.
public struct LedgerCheck: Codable, Sendable, Equatable {
    public var token: String
    /// Sum of all balances (zero when balanced: the issuer account carries the negative of all minted tokens).
    public var total: Int64
    public var minted: Int64
    public var burned: Int64
    public var accounts: Int64
    public var entries: Int64
    /// Human-readable problems; empty when the ledger is consistent.
    public var problems: [String]
    public var balanced: Bool { total == 0 && problems.isEmpty }
}

/// A request to prove something.
public struct JobRequest: Codable, Sendable {
    /// Client-chosen key: the same requester and key always give the same job.
    public var requestKey: String
    public var kind: String
    /// Base64 input for the proof kind.
    public var input: String
    public var reward: Int64
    /// Collateral a node must lock to lease the job (default: half the reward).
    public var collateral: Int64?
    /// Seconds from now.
    public var deadlineSeconds: Double
    public var dependsOn: [String]?
    public var role: JobRole?
    public var maxAttempts: Int64?

    public init(
        requestKey: String,
        kind: String,
        input: String,
        reward: Int64,
        collateral: Int64? = nil,
        deadlineSeconds: Double,
        dependsOn: [String]? = nil,
        role: JobRole? = nil,
        maxAttempts: Int64? = nil
    ) {
        self.requestKey = requestKey
        self.kind = kind
        self.input = input
        self.reward = reward
        self.collateral = collateral
        self.deadlineSeconds = deadlineSeconds
        self.dependsOn = dependsOn
        self.role = role
        self.maxAttempts = maxAttempts
    }
}

/// What a node sends to register.
public struct NodeRegistration: Codable, Sendable {
    public var kinds: [String]
    public var workPerSecond: Double
    public var slots: Int64
    /// Tokens moved from the node's wallet to its stake.
    public var stake: Int64
    public init(kinds: [String], workPerSecond: Double, slots: Int64, stake: Int64) {
        self.kinds = kinds
        self.workPerSecond = workPerSecond
        self.slots = slots
        self.stake = stake
    }
}

/// A lease together with what the node needs to prove it.
public struct LeaseGrant: Codable, Sendable, Equatable {
    public var lease: Lease
    public var job: Job
    public init(lease: Lease, job: Job) {
        self.lease = lease
        self.job = job
    }
}

/// The outcome of a proof submission.
public struct SubmitResult: Codable, Sendable, Equatable {
    public var jobId: String
    public var leaseId: String
    public var accepted: Bool
    public var state: JobState
    public var reward: Int64
    public var bounty: Int64
    public var slashed: Int64
    public var verifyMillis: Double
    public var reason: String
}

/// Something that happened, broadcast to subscribers.
/// What an event reports, as the event stream (`GET /v1/events`) names it.
public enum NetworkEventType: String, Codable, Sendable, CaseIterable {
    /// A job is open for leasing (new, reopened, or its dependencies are proven).
    case jobOpen = "job.open"
    /// A job was leased to a node.
    case jobLeased = "job.leased"
    /// A job's proof verified.
    case jobVerified = "job.verified"
    /// A job failed (no attempts left, or a dependency failed).
    case jobFailed = "job.failed"
    /// A lease expired without a heartbeat and was slashed.
    case leaseExpired = "lease.expired"
    /// A submitted proof failed verification and was slashed.
    case proofRejected = "proof.rejected"
}

public struct NetworkEvent: Codable, Sendable, Equatable {
    public var type: NetworkEventType
    public var jobId: String?
    public var kind: String?
    public var state: JobState?
    public var work: Double?
    public var effectiveDeadline: Int64?
    public var node: String?
    public var at: Int64
    public init(
        type: NetworkEventType,
        jobId: String? = nil,
        kind: String? = nil,
        state: JobState? = nil,
        work: Double? = nil,
        effectiveDeadline: Int64? = nil,
        node: String? = nil,
        at: Int64
    ) {
        self.type = type
        self.jobId = jobId
        self.kind = kind
        self.state = state
        self.work = work
        self.effectiveDeadline = effectiveDeadline
        self.node = node
        self.at = at
    }
}
