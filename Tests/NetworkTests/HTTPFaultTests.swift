import Foundation
import Logging
import NIOHTTP1
import NetworkCore
import Testing

@testable import ProverNetwork

/// A coordinator served over loopback with a test clock, plus logged-in clients.
struct ServedFixture {
    let f: CoreFixture
    let running: RunningCoordinator
    let node: CoordinatorClient
    let other: CoordinatorClient
    let requester: CoordinatorClient

    static func make(leaseMillis: Int64 = 10_000, faucetLimit: Int64 = 1_000_000) async throws -> ServedFixture {
        let f = try await CoreFixture.make(leaseMillis: leaseMillis, faucetLimit: faucetLimit)
        var sc = CoordinatorServerConfig()
        sc.port = 0
        sc.maxBodyBytes = 1 << 20
        sc.sweepInterval = .milliseconds(50)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = CoordinatorServer(core: f.core, config: sc, metrics: CoordinatorMetrics(), logger: logger)
        let running = try await server.start()
        let node = CoordinatorClient(baseURL: running.url, key: try NodeKey.generate())
        let other = CoordinatorClient(baseURL: running.url, key: try NodeKey.generate())
        let requester = CoordinatorClient(baseURL: running.url, key: try NodeKey.generate())
        for c in [node, other, requester] {
            try await c.login()
            _ = try await c.faucet(5000)
        }
        for c in [node, other] {
            _ = try await c.register(
                NodeRegistration(kinds: [Proofs.kind.name], workPerSecond: 1e9, slots: 4, stake: 1000)
            )
        }
        return ServedFixture(f: f, running: running, node: node, other: other, requester: requester)
    }

    func stop() async {
        await running.stop()
        await f.close()
    }

    /// Everything observable: balances, jobs with their states and transitions, leases, entries.
    func snapshot() async throws -> String {
        var parts: [String] = []
        let accounts = try await f.core.accounts(page: Page(limit: 1000))
        parts.append(accounts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        for j in try await f.core.jobs(page: Page(limit: 1000)).sorted(by: { $0.id < $1.id }) {
            parts.append("\(j.id):\(j.state.rawValue):\(j.attempts):\(try await f.core.transitions(j.id).count)")
            for l in try await f.core.leases(jobId: j.id) { parts.append("\(l.id):\(l.state.rawValue)") }
        }
        parts.append("entries=\(try await f.core.checkLedger().entries)")
        return parts.joined(separator: "\n")
    }

    func submitJob(_ key: String, seed: UInt64 = 1) async throws -> Job {
        try await requester.submit(
            JobRequest(
                requestKey: key,
                kind: Proofs.kind.name,
                input: Proofs.base64(seed),
                reward: 100,
                collateral: 40,
                deadlineSeconds: 600
            )
        ).job
    }
}

/// Bad input over HTTP: each gets the right status and changes nothing else.
@Suite(.serialized) struct HTTPFaultTests {
    @Test func badRequestsChangeNothing() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        let job = try await s.submitJob("j1")
        let grant = try #require(try await s.node.lease(requestId: "a"))
        #expect(grant.job.id == job.id)
        let before = try await s.snapshot()
        let auth = [("Authorization", "Bearer " + s.node.sessionToken!)]

        // Malformed JSON.
        let (malformed, _) = try await s.node.raw(
            .POST,
            "/v1/jobs",
            body: Array("{\"requestKey\": ".utf8),
            headers: auth
        )
        #expect(malformed == 400)
        // Wrong types.
        let (wrongType, _) = try await s.node.raw(
            .POST,
            "/v1/leases",
            body: Array("{\"requestId\": 5}".utf8),
            headers: auth
        )
        #expect(wrongType == 400)
        // Oversized body.
        let big = [UInt8](repeating: 0x20, count: 2 << 20)
        let (tooBig, _) = try await s.node.raw(.POST, "/v1/jobs", body: big, headers: auth)
        #expect(tooBig == 413)
        // No credentials, unknown token.
        let (noAuth, _) = try await s.node.raw(.POST, "/v1/leases", body: Array("{}".utf8))
        #expect(noAuth == 401)
        let (badToken, _) = try await s.node.raw(
            .POST,
            "/v1/leases",
            body: Array("{}".utf8),
            headers: [("Authorization", "Bearer 00")]
        )
        #expect(badToken == 401)
        // Forged signature: claims to be the node, signed by another key.
        let mallory = try NodeKey.generate()
        let body = Array("{}".utf8)
        let message = Identity.requestMessage(method: "POST", path: "/v1/leases", nonce: 99, body: body)
        let (forged, _) = try await s.node.raw(
            .POST,
            "/v1/leases",
            body: body,
            headers: [
                ("X-ZK-Address", s.node.key.address), ("X-ZK-Nonce", "99"),
                ("X-ZK-Signature", mallory.sign(message: message)),
            ]
        )
        #expect(forged == 401)
        // Garbage signature.
        let (garbage, _) = try await s.node.raw(
            .POST,
            "/v1/leases",
            body: body,
            headers: [("X-ZK-Address", s.node.key.address), ("X-ZK-Nonce", "100"), ("X-ZK-Signature", "0xzz")]
        )
        #expect(garbage == 401)
        // Proof for another node's lease (a job this node does not hold).
        let otherJob = try await s.submitJob("j2", seed: 2)
        let otherGrant = try #require(try await s.other.lease(requestId: "b"))
        #expect(otherGrant.job.id == otherJob.id)
        let mid = try await s.snapshot()
        do {
            _ = try await s.node.submitProof(otherGrant.lease.id, proof: Proofs.sample(2).proof)
            Issue.record("proof for another node's lease accepted")
        } catch let e as ClientError { #expect(e.status == 403) }
        // Unknown lease.
        do {
            _ = try await s.node.submitProof("lease-none", proof: Proofs.sample(1).proof)
            Issue.record("proof for unknown lease accepted")
        } catch let e as ClientError { #expect(e.status == 404) }
        // Not base64.
        let (notB64, _) = try await s.node.raw(
            .POST,
            "/v1/leases/\(grant.lease.id)/proof",
            body: Array("{\"proof\": \"***\"}".utf8),
            headers: auth
        )
        #expect(notB64 == 400)
        #expect(try await s.snapshot() == mid)
        _ = before
        // Unknown route.
        let (missing, _) = try await s.node.raw(.GET, "/v1/nothing")
        #expect(missing == 404)
        try await s.f.expectBalanced()
    }

    @Test func replayedSignedRequestIsRefused() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        let key = s.requester.key
        let request = JobRequest(
            requestKey: "signed",
            kind: Proofs.kind.name,
            input: Proofs.base64(1),
            reward: 100,
            deadlineSeconds: 600
        )
        let body = [UInt8](try JSONEncoder().encode(request))
        let nonce: Int64 = 7
        let headers = [
            ("X-ZK-Address", key.address), ("X-ZK-Nonce", String(nonce)),
            (
                "X-ZK-Signature",
                key.sign(message: Identity.requestMessage(method: "POST", path: "/v1/jobs", nonce: nonce, body: body))
            ),
        ]
        let (first, _) = try await s.requester.raw(.POST, "/v1/jobs", body: body, headers: headers)
        #expect(first == 201)
        let after = try await s.snapshot()
        let (replay, _) = try await s.requester.raw(.POST, "/v1/jobs", body: body, headers: headers)
        #expect(replay == 401)
        // A signature over one body does not cover another.
        var other = request
        other.requestKey = "signed-2"
        let otherBody = [UInt8](try JSONEncoder().encode(other))
        let swapped = [headers[0], ("X-ZK-Nonce", "8"), headers[2]]
        let (tampered, _) = try await s.requester.raw(.POST, "/v1/jobs", body: otherBody, headers: swapped)
        #expect(tampered == 401)
        #expect(try await s.snapshot() == after)
        try await s.f.expectBalanced()
    }

    @Test func duplicateAndInvalidProofs() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        let job = try await s.submitJob("p1", seed: 1)
        let grant = try #require(try await s.node.lease(requestId: "x"))
        // Invalid: a real proof of a different statement. Rejected with 422 and slashed; nothing else changes.
        let requesterWallet = try await s.f.core.balance(Ledger.wallet(s.requester.key.address))
        let entriesBefore = try await s.f.core.checkLedger().entries
        let (status, result) = try await s.node.submitProof(grant.lease.id, proof: Proofs.sample(2).proof)
        #expect(status == 422 && !result.accepted && result.slashed == 40)
        #expect(try await s.f.core.checkLedger().entries == entriesBefore + 2)
        #expect(try await s.f.core.balance(Ledger.wallet(s.requester.key.address)) == requesterWallet)
        #expect(try await s.f.core.job(job.id).state == .open)
        // Truncated bytes are rejected the same way (on a fresh lease).
        let g2 = try #require(try await s.node.lease(requestId: "y"))
        let (s2, r2) = try await s.node.submitProof(g2.lease.id, proof: Array(Proofs.sample(1).proof.prefix(10)))
        #expect(s2 == 422 && !r2.accepted)
        // Valid proof on a third lease, then a duplicate.
        let g3 = try #require(try await s.node.lease(requestId: "z"))
        let (s3, r3) = try await s.node.submitProof(g3.lease.id, proof: Proofs.sample(1).proof)
        #expect(s3 == 200 && r3.accepted)
        let after = try await s.snapshot()
        do {
            _ = try await s.node.submitProof(g3.lease.id, proof: Proofs.sample(1).proof)
            Issue.record("duplicate accepted")
        } catch let e as ClientError { #expect(e.status == 409) }
        #expect(try await s.snapshot() == after)
        try await s.f.expectBalanced()
    }

    @Test func expiredSessionTokenIsRefused() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        #expect(try await s.node.lease(requestId: nil) == nil)
        s.f.clock.advance(millis: s.f.core.config.sessionMillis + 1)
        do {
            _ = try await s.node.lease(requestId: nil)
            Issue.record("expired token accepted")
        } catch let e as ClientError { #expect(e.status == 401) }
        try await s.node.login()
        #expect(try await s.node.lease(requestId: nil) == nil)
    }

    @Test func servesOpenAPIDashboardMetricsAndEvents() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        let (o, openapi) = try await s.node.raw(.GET, "/openapi.yaml")
        #expect(o == 200 && String(decoding: openapi, as: UTF8.self).contains("/v1/leases/{id}/proof:"))
        let (d, dash) = try await s.node.raw(.GET, "/")
        #expect(d == 200 && String(decoding: dash, as: UTF8.self).contains("EventSource"))
        // Events arrive for new work.
        let received = EventBox()
        let listener = Task { try? await s.node.events { e in received.add(e) } }
        try await Task.sleep(for: .milliseconds(200))
        let job = try await s.submitJob("ev")
        for _ in 0..<50 where !received.contains(job.id) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(received.contains(job.id))
        listener.cancel()
        let g = try #require(try await s.node.lease(requestId: nil))
        _ = try await s.node.submitProof(g.lease.id, proof: Proofs.sample(1).proof)
        let (m, metrics) = try await s.node.raw(.GET, "/metrics")
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(m == 200)
        #expect(text.contains("zkprover_proofs_verified_total 1"))
        #expect(text.contains("zkprover_lease_latency_seconds_bucket"))
        #expect(text.contains(#"zkprover_jobs{state="VERIFIED"} 1"#))
        #expect(text.contains("zkprover_node_success_ratio"))
    }
}

final class EventBox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [NetworkEvent] = []
    func add(_ e: NetworkEvent) {
        lock.lock()
        events.append(e)
        lock.unlock()
    }
    func contains(_ job: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return events.contains { $0.jobId == job && $0.type == .jobOpen }
    }
}
