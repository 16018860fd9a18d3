import AsyncHTTPClient
import EVM
import EVMGuestInput
import EVMPrimitives
import Foundation
import Logging
import NetworkCore
import ProverNetwork
import ServiceLifecycle

/// What the prover network is asked to prove for a batch: one job per block, and a final job
/// that depends on all of them.
public struct BatchProofs: Sendable, CustomStringConvertible {
    /// The proof of each block.
    public enum BlockJobs: Sendable {
        /// The block guest's zkVM proof: the job's input is the block's `StatelessBlockInput`
        /// (parent header, block, execution witness) and the kind is named `kind`
        /// (`evm-block`, defined outside the server modules, in `BlockProofKind`).
        case zkvm(kind: String)
        /// A stand-in while block proofs are too slow for the setting: a proof of `kind`'s
        /// sample input seeded by the block's hash. It says nothing about the block.
        case standIn(any ProofKind)
    }

    /// The block jobs.
    public var blocks: BlockJobs
    /// The final job's kind: its sample input seeded by the batch's last block hash. It stands for
    /// the aggregation of the block proofs until recursive aggregation exists; the network's DAG
    /// opens it only once every block job's proof has verified.
    public var final: any ProofKind

    /// Jobs of `blocks` with a final job of `final`.
    public init(blocks: BlockJobs, final: any ProofKind) {
        self.blocks = blocks
        self.final = final
    }

    /// The kind of a block job.
    public var blockKind: String {
        switch blocks {
        case .zkvm(let kind): return kind
        case .standIn(let k): return k.name
        }
    }

    /// The input of block `hash`'s job, given the block's `StatelessBlockInput` encoding.
    public func blockInput(_ stateless: [UInt8], blockHash: Bytes32) -> [UInt8] {
        switch blocks {
        case .zkvm: return stateless
        case .standIn(let k): return k.sampleInput(size: 0, seed: Self.seed(blockHash))
        }
    }

    /// The input of the final job of a batch ending with block `hash`.
    public func finalInput(lastBlockHash hash: Bytes32) -> [UInt8] {
        final.sampleInput(size: 0, seed: Self.seed(hash))
    }

    static func seed(_ h: Bytes32) -> UInt64 {
        // Every byte counts: rotate by a byte and fold the next one in.
        h.bytes.reduce(UInt64(0)) { ($0 << 8 | $0 >> 56) ^ UInt64($1) }
    }

    /// One line naming what is proven.
    public var description: String {
        switch blocks {
        case .zkvm(let kind):
            return
                "\(kind) (zkVM proof of the block guest on each block's witness), final job \(final.name) (stand-in for aggregation)"
        case .standIn(let k):
            return
                "\(k.name) STAND-IN per block (proves a seeded sample statement, not the block: zkVM block proofs take minutes each), final job \(final.name)"
        }
    }
}

/// Settings of the node's batcher.
public struct BatcherConfig: Sendable {
    /// The coordinator's URL.
    public var coordinator: String
    /// The node's key as a requester (created when missing).
    public var keyFile: String
    /// When blocks close into a batch.
    public var policy = BatchPolicy()
    /// What each batch's jobs prove.
    public var proofs: BatchProofs
    /// Tokens asked from the coordinator's faucet after logging in (devnets); 0 for none.
    public var faucet: Int64 = 0
    /// Reward (and collateral: half) of each block job and of each final job.
    public var blockReward: Int64 = 100
    public var finalReward: Int64 = 200
    /// Seconds the network has to prove a batch.
    public var deadlineSeconds: Double = 3600
    /// How often new blocks are looked at and submitted batches' jobs polled.
    public var pollInterval: Duration = .milliseconds(500)

    /// Settings for `coordinator`, with the requester key in `keyFile`.
    public init(coordinator: String, keyFile: String, proofs: BatchProofs) {
        self.coordinator = coordinator
        self.keyFile = keyFile
        self.proofs = proofs
    }
}

/// Something the batcher did.
public enum BatchEvent: Sendable {
    /// A batch closed and was stored.
    case sealed(Batch)
    /// A batch's jobs were requested.
    case submitted(Batch)
    /// A batch's final job failed and its jobs were requested again.
    case resubmitted(Batch, reason: String)
    /// A batch's final proof verified: its blocks are finalized.
    case finalized(Batch)
}

/// Groups the chain's blocks into batches (``BatchPolicy``), stores each with its deflated data
/// (every block's `StatelessBlockInput`), requests its proofs from the coordinator (a job per
/// block, a final job depending on them), and when the final job and every block job are proven
/// marks the batch finalized, moving the chain's `safe` and `finalized` blocks. Every step is
/// stored first and requests are idempotent (request keys name batch, attempt and block), so a
/// restart resumes where the node stopped.
public actor Batcher {
    /// The chain batched.
    public let chain: Chain
    /// Where batches are kept.
    public let store: BatchStore
    /// The settings.
    public let config: BatcherConfig
    let client: CoordinatorClient
    let logger: Logger
    let onEvent: @Sendable (BatchEvent) -> Void
    var loggedIn = false
    /// The first block not in a batch, and when each pending block was first seen.
    var next: UInt64 = 1
    var pending: [UInt64: (summary: BlockSummary, transactions: Int)] = [:]

    /// A batcher of `chain` storing into `store` (the chain's database), logged in to the
    /// coordinator as the key in `config.keyFile`.
    public init(
        chain: Chain,
        store: BatchStore,
        config: BatcherConfig,
        logger: Logger,
        http: HTTPClient = .shared,
        onEvent: @escaping @Sendable (BatchEvent) -> Void = { _ in }
    ) throws {
        self.chain = chain
        self.store = store
        self.config = config
        self.logger = logger
        self.onEvent = onEvent
        client = CoordinatorClient(
            baseURL: config.coordinator,
            key: try NodeKey.loadOrCreate(path: config.keyFile),
            http: http
        )
    }

    /// The requester address the node's jobs are paid from.
    public nonisolated var address: String { client.key.address }

    /// Runs ``step()`` every poll interval until cancelled; a failed step is logged and retried.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await step()
            } catch {
                if let e = error as? ClientError, e.status == 401 { loggedIn = false }
                logger.warning("batcher step failed", metadata: ["error": .string("\(error)")])
            }
            do { try await Task.sleep(for: config.pollInterval) } catch { return }
        }
    }

    /// One pass: closes the batches the policy allows, requests the jobs of sealed batches, and
    /// finalizes submitted batches whose proofs verified.
    public func step() async throws {
        try await sealBatches()
        if !loggedIn {
            try await client.login()
            if config.faucet > 0 { _ = try await client.faucet(config.faucet) }
            loggedIn = true
        }
        for batch in try await store.batches(state: .sealed) { try await submit(batch, attempt: batch.attempt + 1) }
        for batch in try await store.batches(state: .submitted) { try await watch(batch) }
        let marks = try await store.marks()
        await chain.advanceMarks(safe: marks.safe, finalized: marks.finalized)
    }

    /// Closes and stores the batches the policy allows now.
    func sealBatches() async throws {
        next = max(next, try await store.lastBatchedBlock() + 1)
        let head = await chain.head.number
        guard head >= next else { return }
        let now = Date().timeIntervalSince1970
        for n in next...head where pending[n] == nil {
            guard let block = try await chain.block(number: n) else { throw BatcherError("block \(n) is missing") }
            let seen = min(Double(block.header.timestamp), now)
            pending[n] = (
                BlockSummary(number: n, gasUsed: block.header.gasUsed, seenAt: seen), block.transactions.count
            )
        }
        let summaries = (next...head).compactMap { pending[$0]?.summary }
        for range in config.policy.close(summaries, now: now) {
            var inputs: [[UInt8]] = []
            for n in range { inputs.append(try await statelessInput(block: n)) }
            let batch = try await store.seal(
                range,
                gasUsed: range.reduce(0) { $0 + (pending[$1]?.summary.gasUsed ?? 0) },
                transactions: range.reduce(0) { $0 + (pending[$1]?.transactions ?? 0) },
                data: BatchData(blockInputs: inputs),
                at: Self.millis()
            )
            for n in range { pending[n] = nil }
            next = range.upperBound + 1
            logger.info(
                "batch sealed",
                metadata: [
                    "batch": .stringConvertible(batch.id), "blocks": .string("\(range)"),
                    "ratio": .string(String(format: "%.2f", batch.compressionRatio)),
                ]
            )
            onEvent(.sealed(batch))
        }
    }

    /// The block guest's input for block `n`: chain rules, parent header, block, witness.
    func statelessInput(block n: UInt64) async throws -> [UInt8] {
        guard let input = try await chain.statelessInput(block: n) else {
            throw BatcherError("block \(n), its parent or its execution witness is missing")
        }
        return input
    }

    /// Requests batch `b`'s jobs (attempt `attempt`) and records them.
    func submit(_ b: Batch, attempt: Int) async throws {
        guard let data = try await store.data(id: b.id) else { throw BatcherError("batch \(b.id) has no data") }
        let proofs = config.proofs
        var ids: [String] = []
        var lastHash = Bytes32.zero
        for (i, input) in data.blockInputs.enumerated() {
            let n = b.firstBlock + UInt64(i)
            guard let header = try await chain.block(number: n)?.header else {
                throw BatcherError("block \(n) missing")
            }
            lastHash = header.hash
            let r = try await client.submit(
                JobRequest(
                    requestKey: "batch-\(b.id)-try-\(attempt)-block-\(n)",
                    kind: proofs.blockKind,
                    input: Data(proofs.blockInput(input, blockHash: header.hash)).base64EncodedString(),
                    reward: config.blockReward,
                    collateral: max(1, config.blockReward / 2),
                    deadlineSeconds: config.deadlineSeconds,
                    role: .shard
                )
            )
            ids.append(r.job.id)
        }
        let final = try await client.submit(
            JobRequest(
                requestKey: "batch-\(b.id)-try-\(attempt)-final",
                kind: proofs.final.name,
                input: Data(proofs.finalInput(lastBlockHash: lastHash)).base64EncodedString(),
                reward: config.finalReward,
                collateral: max(1, config.finalReward / 2),
                deadlineSeconds: config.deadlineSeconds,
                dependsOn: ids,
                role: .final
            )
        )
        let at = Self.millis()
        try await store.markSubmitted(id: b.id, attempt: attempt, blockJobs: ids, finalJob: final.job.id, at: at)
        var submitted = b
        submitted.state = .submitted
        submitted.attempt = attempt
        submitted.blockJobs = ids
        submitted.finalJob = final.job.id
        submitted.submittedAt = at
        logger.info(
            "batch submitted",
            metadata: [
                "batch": .stringConvertible(b.id), "final": .string(final.job.id),
                "attempt": .stringConvertible(attempt),
            ]
        )
        onEvent(attempt == 1 ? .submitted(submitted) : .resubmitted(submitted, reason: "attempt \(attempt)"))
    }

    /// Finalizes `b` once its final job and every block job are proven; requests its jobs again
    /// when one has failed for good.
    func watch(_ b: Batch) async throws {
        guard let finalId = b.finalJob else { return }
        let final = try await client.job(finalId)
        if final.state == .failed {
            logger.warning("batch's final job failed; requesting again", metadata: ["batch": .stringConvertible(b.id)])
            try await submit(b, attempt: b.attempt + 1)
            return
        }
        guard final.state.isProven else { return }
        for id in b.blockJobs {
            let job = try await client.job(id)
            guard job.state.isProven else {
                throw BatcherError("batch \(b.id)'s final job is proven but block job \(id) is \(job.state.rawValue)")
            }
        }
        let at = Self.millis()
        try await store.markFinalized(id: b.id, at: at)
        var done = b
        done.state = .finalized
        done.finalizedAt = at
        logger.info(
            "batch finalized",
            metadata: ["batch": .stringConvertible(b.id), "last": .stringConvertible(b.lastBlock)]
        )
        onEvent(.finalized(done))
    }

    static func millis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Why the batcher could not go on.
public struct BatcherError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The batcher as a service of the node's service group.
struct BatcherService: Service {
    let batcher: Batcher

    func run() async throws {
        await cancelWhenGracefulShutdown { await batcher.run() }
    }
}
