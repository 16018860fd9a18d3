import Foundation
import NetworkCore

/// JSON bodies of the API.
public enum API {
    public struct ErrorBody: Codable, Sendable {
        public var error: String
        public var message: String
    }
    public struct ChallengeResponse: Codable, Sendable {
        public var address: String
        public var challenge: String
        public var message: String
        public var expiresAt: Int64
    }
    public struct LoginRequest: Codable, Sendable {
        public var address: String
        public var challenge: String
        public var signature: String
    }
    public struct LoginResponse: Codable, Sendable {
        public var token: String
        public var address: String
        public var expiresAt: Int64
    }
    public struct AmountRequest: Codable, Sendable {
        public var amount: Int64
    }
    public struct BalanceResponse: Codable, Sendable {
        public var account: String
        public var balance: Int64
        public var token: String
    }
    public struct JobResponse: Codable, Sendable {
        public var job: Job
        public var created: Bool
    }
    public struct LeaseRequest: Codable, Sendable {
        public var requestId: String?
        public var jobId: String?
    }
    public struct HeartbeatRequest: Codable, Sendable {
        public var progress: Double
    }
    public struct ReleaseRequest: Codable, Sendable {
        public var reason: String?
    }
    public struct ProofRequest: Codable, Sendable {
        /// Base64 of the encoded proof.
        public var proof: String
    }
    public struct ProofResponse: Codable, Sendable {
        public var jobId: String
        public var kind: String
        public var proof: String
    }
    public struct LedgerResponse: Codable, Sendable {
        public var check: LedgerCheck
        public var accounts: [String: Int64]
    }
    public struct Health: Codable, Sendable {
        public var status: String
        public var engine: String
        public var token: String
        public var kinds: [String]
    }
}
