import Foundation
import NetworkCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Watches one job from its own OS thread and acts the moment a condition holds.
///
/// The fault tests must kill a process while it holds a lease, before it finishes its proof. A
/// poll loop on Swift's cooperative pool cannot promise that: when the rest of the suite runs
/// synchronous proving on every pool thread (2 on CI), the loop is not scheduled for minutes while
/// the node, a separate process, proves and submits. This watcher polls over a blocking loopback
/// socket from a dedicated thread, which the kernel schedules however busy the pool is, and sends
/// the signal itself. The test awaits ``result()`` afterwards, when timing no longer matters.
final class JobWatch: Sendable {
    /// What the watcher saw when it acted, or why it stopped.
    enum Outcome: Sendable, Equatable {
        case acted(JobState)
        case timedOut(last: String)
    }

    private let outcome = Mutex<Outcome?>(nil)
    private let lease = Mutex<String?>(nil)

    /// The job's lease id when the watcher acted (nil before, or if the job had none).
    var leaseId: String? { lease.withLock { $0 } }

    /// Starts watching job `jobId` on the coordinator at `127.0.0.1:port`; every 20 ms until
    /// `seconds` have passed, reads the job's state and, once `condition` holds, runs `action` on
    /// the watcher thread and stops.
    init(
        port: Int,
        jobId: String,
        seconds: Double,
        until condition: @escaping @Sendable (JobState) -> Bool,
        then action: @escaping @Sendable () -> Void
    ) {
        let thread = Thread { [self] in
            let end = Date().addingTimeInterval(seconds)
            var last = "no answer"
            while Date() < end {
                switch Self.state(port: port, jobId: jobId) {
                case .success(let seen):
                    if condition(seen.state) {
                        action()
                        self.lease.withLock { $0 = seen.leaseId }
                        self.outcome.withLock { $0 = .acted(seen.state) }
                        return
                    }
                    last = seen.state.rawValue
                case .failure(let error):
                    last = "\(error)"
                }
                usleep(20_000)
            }
            self.outcome.withLock { $0 = .timedOut(last: last) }
        }
        thread.start()
    }

    /// Waits for the watcher to act or give up.
    func result() async -> Outcome {
        while true {
            if let o = outcome.withLock({ $0 }) { return o }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    struct WatchError: Error, CustomStringConvertible {
        let description: String
    }

    /// `GET /v1/jobs/{id}` over a plain blocking socket, with a 2 s receive timeout.
    static func state(port: Int, jobId: String) -> Result<(state: JobState, leaseId: String?), WatchError> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(WatchError(description: "socket: errno \(errno)")) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return .failure(WatchError(description: "connect: errno \(errno)")) }
        let request = Array("GET /v1/jobs/\(jobId) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            return .failure(WatchError(description: "send: errno \(errno)"))
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while response.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { return .failure(WatchError(description: "recv: errno \(errno)")) }
            if n == 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let split = text.range(of: "\r\n\r\n") else {
            return .failure(WatchError(description: "answer: \(text.prefix(80))"))
        }
        struct StateOnly: Decodable {
            let state: JobState
            let leaseId: String?
        }
        guard let job = try? JSONDecoder().decode(StateOnly.self, from: Data(text[split.upperBound...].utf8)) else {
            return .failure(WatchError(description: "body: \(text[split.upperBound...].prefix(80))"))
        }
        return .success((job.state, job.leaseId))
    }
}
