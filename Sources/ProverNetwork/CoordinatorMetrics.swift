import Foundation
import NetworkCore
import Prometheus
import Synchronization

/// The coordinator's Prometheus metrics.
public final class CoordinatorMetrics: Sendable {
    /// The registry rendered at `/metrics`.
    public let registry: PrometheusCollectorRegistry
    let leaseLatency: DurationHistogram
    let verifyTime: DurationHistogram
    let proofsVerified: Counter
    let proofsRejected: Counter
    let leasesGranted: Counter
    let leasesEmpty: Counter
    let leasesExpired: Counter
    let subscribers: Gauge
    private let stateGauges: [JobState: Gauge]
    /// Per-node gauges, made on first sight of a node.
    private let nodeGauges =
        Mutex<[String: (verified: Gauge, rejected: Gauge, success: Gauge, proving: Gauge, expired: Gauge)]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let latencyBuckets: [Duration] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(1000),
        ]
        leaseLatency = registry.makeDurationHistogram(
            name: "zkprover_lease_latency_seconds",
            buckets: latencyBuckets,
            help: "Time to answer a lease request (including storage)."
        )
        verifyTime = registry.makeDurationHistogram(
            name: "zkprover_proof_verify_seconds",
            buckets: latencyBuckets,
            help: "Time to verify a submitted proof."
        )
        proofsVerified = registry.makeCounter(name: "zkprover_proofs_verified_total", help: "Proofs that verified.")
        proofsRejected = registry.makeCounter(
            name: "zkprover_proofs_rejected_total",
            help: "Proofs that failed verification."
        )
        leasesGranted = registry.makeCounter(name: "zkprover_leases_granted_total", help: "Leases granted.")
        leasesEmpty = registry.makeCounter(
            name: "zkprover_lease_requests_empty_total",
            help: "Lease requests with no job that fits."
        )
        leasesExpired = registry.makeCounter(name: "zkprover_leases_expired_total", help: "Leases expired (slashed).")
        subscribers = registry.makeGauge(name: "zkprover_event_subscribers", help: "Live event-stream subscribers.")
        var stateGauges: [JobState: Gauge] = [:]
        for s in JobState.allCases {
            stateGauges[s] = registry.makeGauge(
                name: "zkprover_jobs",
                labels: [("state", s.rawValue)],
                help: "Jobs by state."
            )
        }
        self.stateGauges = stateGauges
    }

    /// Refreshes gauges from storage (per-node gauges for the first ``Limits/maxPage`` nodes by
    /// address, which bounds the series a scrape returns).
    func refresh(core: CoordinatorCore, subscribers count: Int) async {
        subscribers.set(Double(count))
        if let counts = try? await core.jobCounts() {
            for s in JobState.allCases { stateGauges[s]?.set(Double(counts[s] ?? 0)) }
        }
        guard let nodes = try? await core.nodes(page: Page(limit: Limits.maxPage)) else { return }
        for n in nodes {
            let g = nodeGauges.withLock {
                nodeGauges -> (verified: Gauge, rejected: Gauge, success: Gauge, proving: Gauge, expired: Gauge) in
                if let g = nodeGauges[n.address] { return g }
                let labels = [("node", n.address)]
                let made = (
                    registry.makeGauge(
                        name: "zkprover_node_proofs_verified",
                        labels: labels,
                        help: "Verified proofs per node."
                    ),
                    registry.makeGauge(
                        name: "zkprover_node_proofs_rejected",
                        labels: labels,
                        help: "Rejected proofs per node."
                    ),
                    registry.makeGauge(
                        name: "zkprover_node_success_ratio",
                        labels: labels,
                        help: "Verified proofs over all finished leases (verified, rejected, expired) per node."
                    ),
                    registry.makeGauge(
                        name: "zkprover_node_proving_seconds_avg",
                        labels: labels,
                        help: "Mean time from lease to verified proof per node."
                    ),
                    registry.makeGauge(
                        name: "zkprover_node_leases_expired",
                        labels: labels,
                        help: "Expired leases per node."
                    )
                )
                nodeGauges[n.address] = made
                return made
            }
            g.verified.set(Double(n.proofsVerified))
            g.rejected.set(Double(n.proofsRejected))
            g.expired.set(Double(n.leasesExpired))
            let finished = n.proofsVerified + n.proofsRejected + n.leasesExpired
            g.success.set(finished == 0 ? 1 : Double(n.proofsVerified) / Double(finished))
            g.proving.set(n.proofsVerified == 0 ? 0 : Double(n.provingMillis) / 1000 / Double(n.proofsVerified))
        }
    }
}
