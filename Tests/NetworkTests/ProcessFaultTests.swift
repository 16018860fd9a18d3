import Foundation
import NIOHTTP1
import NetworkCore
import TestSupport
import Testing

@testable import ProverNetwork

/// The built `zkprover` executable, when present next to the test bundle or in `.build/debug`.
enum ZKBinary {
    static let path: String? = {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("zkprover").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("zkprover").path,
        ]
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? PackagePaths.zkproverBinary
        if found == nil { print("process fault tests skipped: no zkprover executable built (run swift build first)") }
        return found
    }()
}

/// A child process with its output in a log file.
final class Child: @unchecked Sendable {
    let process = Process()
    let log: String

    init(_ arguments: [String], log: String) throws {
        self.log = log
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: ZKBinary.path!)
        process.arguments = arguments
        let handle = FileHandle(forWritingAtPath: log)!
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func kill(_ signal: Int32) { Foundation.kill(process.processIdentifier, signal) }

    /// Waits for exit up to `seconds`; returns the exit status or `nil`.
    func wait(seconds: Double) async -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Crash safety with real processes on loopback: a node killed mid-proof, a coordinator killed and
/// restarted. Each test is bounded in time (generously: in the whole suite on 2 cores a test's
/// awaits queue behind the proving tests for minutes).
@Suite(.serialized, .enabled(if: ZKBinary.path != nil), .timeLimit(.minutes(15)))
struct ProcessFaultTests {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "zkprover-faults-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func startCoordinator(
        port: Int = 0,
        leaseSeconds: Double = 2,
        faucet: Int64 = 1_000_000,
        name: String = "coordinator"
    ) async throws -> (Child, Int) {
        let portFile = dir + "/\(name).port"
        try? FileManager.default.removeItem(atPath: portFile)
        let c = try Child(
            [
                "coordinator", "--database", dir + "/c.sqlite", "--port", String(port), "--port-file", portFile,
                "--lease-seconds", String(leaseSeconds), "--faucet", String(faucet), "--sweep-millis", "100",
                "--log-level",
                "warning",
            ],
            log: dir + "/\(name).log"
        )
        for _ in 0..<400 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) { return (c, p) }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("coordinator did not start: \(c.output)")
        throw CancellationError()
    }

    func startNode(_ name: String, port: Int) throws -> Child {
        try Child(
            [
                "node", "--coordinator", "http://127.0.0.1:\(port)", "--key", dir + "/\(name).key", "--stake", "1000",
                "--faucet", "2000", "--slots", "1", "--work-per-second", "1000000", "--heartbeat-millis", "300",
                "--log-level", "info",
            ],
            log: dir + "/\(name).log"
        )
    }

    func requester(port: Int) async throws -> CoordinatorClient {
        let c = CoordinatorClient(baseURL: "http://127.0.0.1:\(port)", key: try NodeKey.generate())
        try await c.login()
        _ = try await c.faucet(10_000)
        return c
    }

    /// Submits a job (reward 100, collateral 40) of the given instance size.
    func submit(_ r: CoordinatorClient, _ key: String, size: Int, seed: UInt64) async throws -> Job {
        let input = Proofs.kind.sampleInput(size: size, seed: seed)
        return try await r.submit(
            JobRequest(
                requestKey: key,
                kind: Proofs.kind.name,
                input: Data(input).base64EncodedString(),
                reward: 100,
                collateral: 40,
                deadlineSeconds: 600
            )
        ).job
    }

    /// A job some node holds: leased, or proving under the lease.
    @Sendable static func holdsLease(_ state: JobState) -> Bool { state == .leased || state == .proving }

    /// Polls `condition` until it holds. It is checked once more after the deadline, so a task
    /// the busy pool did not schedule for the whole wait still sees the state it waited for.
    func waitFor(_ seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let end = Date().addingTimeInterval(seconds)
        while true {
            if (try? await condition()) == true { return }
            if Date() >= end { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    @Test func nodeKilledMidProofIsSlashedAndRescued() async throws {
        let (coordinator, port) = try await startCoordinator()
        let r = try await requester(port: port)
        // A larger instance so the proof takes a while.
        let job = try await submit(r, "kill-me", size: StarkFibonacciKind.slowTestSize, seed: 5)
        let a = try startNode("a", port: port)
        // Killed from the watcher's own thread the moment it holds the lease (see JobWatch).
        let watch = JobWatch(port: port, jobId: job.id, seconds: 120, until: Self.holdsLease) {
            a.kill(SIGKILL)
        }
        let seen = await watch.result()
        try #require(
            seen == .acted(.leased) || seen == .acted(.proving),
            "node a never held the lease: \(seen)\n\(a.output)"
        )
        // The lease id as the watcher saw it at the kill: by the time this task runs again on a
        // busy pool the 2 s lease may already have expired and the job reopened.
        let aLease = try #require(watch.leaseId, "the job showed no lease id while held")
        _ = await a.wait(seconds: 5)
        let afterKill = try await r.job(job.id).state
        try #require(
            [.leased, .proving, .open].contains(afterKill),
            "node a finished before it was killed (\(afterKill))"
        )
        // The lease expires (2 s without heartbeat), the job reopens; node b rescues it.
        try await waitFor(20, "lease expiry") { try await r.job(job.id).state == .open }
        let b = try startNode("b", port: port)
        try await waitFor(120, "rescue by node b") { try await r.job(job.id).state == .verified }
        let final = try await r.job(job.id)
        let nodes = try await r.nodes()
        let nodeA = try #require(nodes.first { $0.leasesExpired == 1 })
        let nodeB = try #require(nodes.first { $0.address == final.prover })
        #expect(nodeA.address != nodeB.address)
        #expect(try await r.getLease(aLease).state == .expired)
        // Slash split: 20 burned, 20 to the rescuer with the reward.
        let ledger = try await r.ledger()
        #expect(ledger.check.balanced)
        #expect(ledger.accounts[Ledger.burn] == 20)
        let walletB: Int64 = ledger.accounts[Ledger.wallet(nodeB.address)] ?? -1
        let stakeA: Int64 = ledger.accounts[Ledger.stake(nodeA.address)] ?? -1
        #expect(walletB == 1120)  // 2000 from the faucet − 1000 staked + reward 100 + bounty 20
        #expect(stakeA == 960)  // 1000 staked − collateral 40 lost
        let transitions = try await r.transitions(job.id).map(\.to)
        #expect(transitions.contains("EXPIRED"))
        b.kill(SIGTERM)
        _ = await b.wait(seconds: 10)
        coordinator.kill(SIGTERM)
        #expect(await coordinator.wait(seconds: 10) == 0)
    }

    @Test func coordinatorKilledAndRestartedLosesNothing() async throws {
        var (coordinator, port) = try await startCoordinator(leaseSeconds: 10)
        let r = try await requester(port: port)
        var ids: [String] = []
        for i in 0..<4 {
            ids.append(try await submit(r, "restart-\(i)", size: 0, seed: UInt64(i + 1)).id)
        }
        let node = try startNode("n", port: port)
        try await waitFor(90, "a first verified proof") {
            try await r.jobs().contains { $0.state.isProven }
        }
        // What was accepted before the crash.
        let jobsBefore = try await r.jobs()
        let provenBefore = Set(jobsBefore.filter { $0.state.isProven }.map(\.id))
        let entriesBefore = try await r.ledger().check.entries
        coordinator.kill(SIGKILL)
        _ = await coordinator.wait(seconds: 5)
        try await Task.sleep(for: .milliseconds(500))
        (coordinator, port) = try await startCoordinator(port: port, leaseSeconds: 10, name: "coordinator2")
        try await r.login()
        for id in provenBefore { #expect(try await r.job(id).state.isProven) }
        #expect(try await r.ledger().check.entries >= entriesBefore)
        #expect(try await r.jobs().count == 4)
        // The node reconnects and carries on.
        try await waitFor(120, "all jobs verified after restart") {
            try await ids.asyncMap { try await r.job($0).state.isProven }.allSatisfy { $0 }
        }
        let check = try await r.ledger().check
        #expect(check.balanced)
        node.kill(SIGTERM)
        #expect(await node.wait(seconds: 30) != nil)
        // Clean shutdown on SIGTERM.
        coordinator.kill(SIGTERM)
        #expect(await coordinator.wait(seconds: 10) == 0)
    }

    /// The hostile-testing crash, as found: `--faucet 9223372036854775807`, then two mints of
    /// Int64.max. The second used to kill the process (SIGILL in `Ledger.balance`); now it is a 409
    /// and the coordinator serves on with a balanced ledger.
    @Test func faucetOverflowLeavesTheCoordinatorAlive() async throws {
        let (coordinator, port) = try await startCoordinator(faucet: .max)
        let client = CoordinatorClient(baseURL: "http://127.0.0.1:\(port)", key: try NodeKey.generate())
        try await client.login()
        let body = Array("{\"amount\":9223372036854775807}".utf8)
        let auth = [("Authorization", "Bearer " + client.sessionToken!)]
        let (first, _) = try await client.raw(.POST, "/v1/faucet", body: body, headers: auth)
        #expect(first == 200)
        let (second, text) = try await client.raw(.POST, "/v1/faucet", body: body, headers: auth)
        #expect(second == 409 && String(decoding: text, as: UTF8.self).contains("ledger_overflow"))
        #expect(try await client.health().status == "ok")
        let ledger = try await client.ledger()
        #expect(ledger.check.balanced && ledger.check.minted == .max)
        coordinator.kill(SIGTERM)
        #expect(await coordinator.wait(seconds: 10) == 0)
    }

    /// The coordinator is killed (`kill -9`) while a node proves, and stays down longer than a
    /// lease. Before the fix, the first sweep after the restart expired the working node's lease
    /// and burned its collateral although its proof then verified. Now the restarted coordinator
    /// forgives its own downtime: no one is slashed, the proof is accepted on its lease.
    @Test func coordinatorOutageLongerThanLeaseSlashesNoOne() async throws {
        var (coordinator, port) = try await startCoordinator(leaseSeconds: 3)
        let r = try await requester(port: port)
        let job = try await submit(r, "outage", size: StarkFibonacciKind.slowTestSize, seed: 7)
        let node = try startNode("o", port: port)
        let first = coordinator
        let seen = await JobWatch(port: port, jobId: job.id, seconds: 120, until: { $0 == .proving }) {
            first.kill(SIGKILL)
        }.result()
        try #require(seen == .acted(.proving), "the node never started proving: \(seen)\n\(node.output)")
        _ = await coordinator.wait(seconds: 5)
        try await Task.sleep(for: .seconds(5))  // down for longer than the 3 s lease
        (coordinator, port) = try await startCoordinator(port: port, leaseSeconds: 3, name: "coordinator2")
        try await waitFor(120, "the proof verified after the outage") {
            try await r.job(job.id).state == .verified
        }
        let leaseId = try #require(try await r.job(job.id).leaseId)
        let lease = try await r.getLease(leaseId)
        #expect(lease.state == .completed)
        let prover = try #require(try await r.nodes().first)
        #expect(prover.leasesExpired == 0)
        let ledger = try await r.ledger()
        #expect(ledger.check.balanced)
        #expect((ledger.accounts[Ledger.burn] ?? 0) == 0)
        #expect(ledger.accounts[Ledger.stake(prover.address)] == 1000)
        #expect(!(try await r.transitions(job.id).map(\.to).contains("EXPIRED")))
        node.kill(SIGTERM)
        _ = await node.wait(seconds: 10)
        coordinator.kill(SIGTERM)
        #expect(await coordinator.wait(seconds: 10) == 0)
    }

    @Test func restartedNodeResumesItsLease() async throws {
        // A long lease, so that the restarted node finds it alive however slowly this test is scheduled.
        let (coordinator, port) = try await startCoordinator(leaseSeconds: 120)
        let r = try await requester(port: port)
        let job = try await submit(r, "resume", size: StarkFibonacciKind.slowTestSize, seed: 6)
        let a = try startNode("r", port: port)
        let seen = await JobWatch(port: port, jobId: job.id, seconds: 120, until: Self.holdsLease) {
            a.kill(SIGKILL)
        }.result()
        try #require(
            seen == .acted(.leased) || seen == .acted(.proving),
            "node never held the lease: \(seen)\n\(a.output)"
        )
        _ = await a.wait(seconds: 5)
        // The premise: the node died holding its lease, before it submitted a proof.
        let atKill = try await r.job(job.id)
        let leaseId = try #require(atKill.leaseId)
        try #require(Self.holdsLease(atKill.state), "node killed after submitting (state \(atKill.state))")
        // Same key and state file: it picks its lease up again before it expires.
        let again = try startNode("r", port: port)
        try await waitFor(120, "resumed proof") { try await r.job(job.id).state == .verified }
        #expect(try await r.getLease(leaseId).state == .completed)
        let ledger = try await r.ledger()
        #expect(ledger.check.balanced && (ledger.accounts[Ledger.burn] ?? 0) == 0)
        #expect(again.output.contains("resuming lease"))
        again.kill(SIGTERM)
        _ = await again.wait(seconds: 10)
        coordinator.kill(SIGTERM)
        #expect(await coordinator.wait(seconds: 10) == 0)
    }
}
