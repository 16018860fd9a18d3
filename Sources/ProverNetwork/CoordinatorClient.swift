import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NetworkCore
import Synchronization

/// An error answer from the coordinator, or a transport failure.
public enum ClientError: Error, CustomStringConvertible, Sendable {
    /// The coordinator answered with an error status.
    case status(Int, code: String, message: String)
    /// The request did not get an answer (connection refused, reset, timed out).
    case transport(String)
    /// The answer could not be decoded.
    case decoding(String)

    public var description: String {
        switch self {
        case .status(let s, let code, let m): return "HTTP \(s) \(code): \(m)"
        case .transport(let m): return "transport: \(m)"
        case .decoding(let m): return "decoding: \(m)"
        }
    }
    /// HTTP status, when the coordinator answered.
    public var status: Int? {
        if case .status(let s, _, _) = self { return s }
        return nil
    }
}

/// A JSON client of the coordinator API, logged in with a node key.
public final class CoordinatorClient: Sendable {
    public let baseURL: String
    public let key: NodeKey
    let http: HTTPClient
    /// The session token and the last signed-request nonce.
    private let session: Mutex<(token: String?, nonce: Int64)>

    /// A client for `baseURL` (for example `http://127.0.0.1:8080`) acting as `key`.
    public init(baseURL: String, key: NodeKey, http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
        self.http = http
        self.session = Mutex((nil, Int64(Date().timeIntervalSince1970 * 1_000_000)))
    }

    /// The session token, once logged in.
    public var sessionToken: String? { session.withLock { $0.token } }

    /// Sends one request and returns status and body.
    public func raw(
        _ method: HTTPMethod,
        _ path: String,
        body: [UInt8]? = nil,
        headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(60)
    ) async throws -> (Int, [UInt8]) {
        let r = try await rawResponse(method, path, body: body, headers: headers, timeout: timeout)
        return (r.status, r.body)
    }

    /// Sends one request and returns status, headers and body.
    public func rawResponse(
        _ method: HTTPMethod,
        _ path: String,
        body: [UInt8]? = nil,
        headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(60)
    ) async throws -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw ClientError.transport("\(method) \(path): \(error)")
        }
        let buffer: ByteBuffer
        do { buffer = try await response.body.collect(upTo: 64 << 20) } catch {
            throw ClientError.transport("\(method) \(path) body: \(error)")
        }
        return (Int(response.status.code), response.headers, [UInt8](buffer.readableBytesView))
    }

    /// Request encoder. Slashes stay unescaped: base64 proofs are full of them, and `\/` escapes make
    /// bodies larger and push the server's decoder onto its slow path for escaped strings.
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }

    /// Sends a JSON request with the session token and decodes the answer.
    public func call<R: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        _ body: (some Encodable)? = nil as String?,
        as type: R.Type,
        signed: Bool = false
    ) async throws -> (Int, R?) {
        let bytes = try body.map { [UInt8](try Self.encoder.encode($0)) }
        var headers: [(String, String)] = []
        if signed {
            let n = nextNonce()
            headers = [
                ("X-ZK-Address", key.address), ("X-ZK-Nonce", String(n)),
                (
                    "X-ZK-Signature",
                    key.sign(
                        message: Identity.requestMessage(
                            method: method.rawValue,
                            path: path,
                            nonce: n,
                            body: bytes ?? []
                        )
                    )
                ),
            ]
        } else if let t = sessionToken {
            headers = [("Authorization", "Bearer " + t)]
        }
        let (status, data) = try await raw(method, path, body: bytes ?? (method == .POST ? [] : nil), headers: headers)
        if status >= 400 && status != 422 {
            let e = try? JSONDecoder().decode(API.ErrorBody.self, from: Data(data))
            throw ClientError.status(
                status,
                code: e?.error ?? "",
                message: e?.message ?? String(decoding: data, as: UTF8.self)
            )
        }
        if status == 204 || data.isEmpty { return (status, nil) }
        do { return (status, try JSONDecoder().decode(R.self, from: Data(data))) } catch {
            throw ClientError.decoding("\(path): \(error)")
        }
    }

    func nextNonce() -> Int64 {
        session.withLock {
            $0.nonce += 1
            return $0.nonce
        }
    }

    /// Logs in by signing the coordinator's challenge; keeps the session token.
    @discardableResult
    public func login() async throws -> String {
        let (_, c) = try await call(
            .GET,
            "/v1/auth/challenge?address=\(key.address)",
            nil as String?,
            as: API.ChallengeResponse.self
        )
        guard let c else { throw ClientError.decoding("empty challenge") }
        let login = API.LoginRequest(
            address: key.address,
            challenge: c.challenge,
            signature: key.sign(message: c.message)
        )
        let (_, s) = try await call(.POST, "/v1/auth/login", login, as: API.LoginResponse.self)
        guard let s else { throw ClientError.decoding("empty login") }
        session.withLock { $0.token = s.token }
        return s.token
    }

    /// Asks the faucet for tokens (devnet only).
    public func faucet(_ amount: Int64) async throws -> Int64 {
        try await call(.POST, "/v1/faucet", API.AmountRequest(amount: amount), as: API.BalanceResponse.self).1!.balance
    }

    /// Registers as a node.
    public func register(_ r: NodeRegistration) async throws -> NodeInfo {
        try await call(.POST, "/v1/nodes", r, as: NodeInfo.self).1!
    }

    /// Submits a proof request.
    public func submit(_ r: JobRequest) async throws -> API.JobResponse {
        try await call(.POST, "/v1/jobs", r, as: API.JobResponse.self).1!
    }

    /// Asks for a lease; `nil` when no job fits.
    public func lease(requestId: String?, jobId: String? = nil) async throws -> LeaseGrant? {
        try await call(.POST, "/v1/leases", API.LeaseRequest(requestId: requestId, jobId: jobId), as: LeaseGrant.self).1
    }

    /// Reports progress on a lease.
    public func heartbeat(_ leaseId: String, progress: Double) async throws -> Lease {
        try await call(
            .POST,
            "/v1/leases/\(leaseId)/heartbeat",
            API.HeartbeatRequest(progress: progress),
            as: Lease.self
        ).1!
    }

    /// Gives a lease back.
    public func release(_ leaseId: String, reason: String) async throws -> Lease {
        try await call(.POST, "/v1/leases/\(leaseId)/release", API.ReleaseRequest(reason: reason), as: Lease.self).1!
    }

    /// Submits a proof; returns the result (accepted or rejected with 422).
    public func submitProof(_ leaseId: String, proof: [UInt8]) async throws -> (Int, SubmitResult) {
        let (s, r) = try await call(
            .POST,
            "/v1/leases/\(leaseId)/proof",
            API.ProofRequest(proof: Data(proof).base64EncodedString()),
            as: SubmitResult.self
        )
        guard let r else { throw ClientError.decoding("empty submit result") }
        return (s, r)
    }

    /// One lease.
    public func getLease(_ id: String) async throws -> Lease {
        try await call(.GET, "/v1/leases/\(id)", nil as String?, as: Lease.self).1!
    }

    /// One job.
    public func job(_ id: String) async throws -> Job {
        try await call(.GET, "/v1/jobs/\(id)", nil as String?, as: Job.self).1!
    }

    /// One page of jobs, newest first (at most ``Limits/maxPage``).
    public func jobs(state: JobState? = nil, limit: Int = Limits.maxPage, offset: Int = 0) async throws -> [Job] {
        let q = state.map { "&state=\($0.rawValue)" } ?? ""
        return try await call(.GET, "/v1/jobs?limit=\(limit)&offset=\(offset)\(q)", nil as String?, as: [Job].self).1!
    }

    /// A job's stored transitions.
    public func transitions(_ id: String) async throws -> [Transition] {
        try await call(.GET, "/v1/jobs/\(id)/transitions", nil as String?, as: [Transition].self).1!
    }

    /// A proven job's proof.
    public func proof(_ id: String) async throws -> [UInt8] {
        let r = try await call(.GET, "/v1/jobs/\(id)/proof", nil as String?, as: API.ProofResponse.self).1!
        return [UInt8](Data(base64Encoded: r.proof) ?? Data())
    }

    /// One page of nodes in address order (at most ``Limits/maxPage``).
    public func nodes(limit: Int = Limits.maxPage, offset: Int = 0) async throws -> [NodeInfo] {
        try await call(.GET, "/v1/nodes?limit=\(limit)&offset=\(offset)", nil as String?, as: [NodeInfo].self).1!
    }

    /// The ledger check, with one page of balances in account order (at most ``Limits/maxPage``).
    public func ledger(limit: Int = Limits.maxPage, offset: Int = 0) async throws -> API.LedgerResponse {
        try await call(
            .GET,
            "/v1/ledger?limit=\(limit)&offset=\(offset)",
            nil as String?,
            as: API.LedgerResponse.self
        ).1!
    }

    /// Health.
    public func health() async throws -> API.Health {
        try await call(.GET, "/v1/health", nil as String?, as: API.Health.self).1!
    }

    /// Subscribes to server-sent events; calls `onEvent` for each until the stream ends or fails.
    public func events(_ onEvent: @Sendable (NetworkEvent) async -> Void) async throws {
        var request = HTTPClientRequest(url: baseURL + "/v1/events")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await http.execute(request, timeout: .hours(24))
        guard response.status == .ok else {
            throw ClientError.status(Int(response.status.code), code: "", message: "events")
        }
        var pending = ""
        for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let range = pending.range(of: "\n\n") {
                let block = pending[..<range.lowerBound]
                pending.removeSubrange(..<range.upperBound)
                for line in block.split(separator: "\n") where line.hasPrefix("data: ") {
                    if let e = try? JSONDecoder().decode(NetworkEvent.self, from: Data(line.dropFirst(6).utf8)) {
                        await onEvent(e)
                    }
                }
            }
        }
    }
}

/// Retries `body` on transport errors (and 5xx answers) with exponential backoff, up to `attempts` times.
public func withRetry<T>(
    attempts: Int = 8,
    initialDelay: Duration = .milliseconds(100),
    logger: Logger? = nil,
    _ what: String,
    _ body: () async throws -> T
) async throws -> T {
    var delay = initialDelay
    var attempt = 0
    while true {
        attempt += 1
        do {
            return try await body()
        } catch let e as ClientError {
            let retriable: Bool
            switch e {
            case .transport: retriable = true
            case .status(let s, _, _): retriable = s >= 500
            case .decoding: retriable = false
            }
            guard retriable, attempt < attempts else { throw e }
            logger?.warning("retrying", metadata: ["what": .string(what), "error": .string(e.description)])
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(3))
        }
    }
}
