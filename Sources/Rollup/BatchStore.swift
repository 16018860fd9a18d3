import EVMPrimitives
import NetworkCore

/// The node's batches in its own database (the chain's SQLite file), one row per batch with
/// its deflated data: what survives a restart so that sealed batches are still submitted,
/// submitted ones still watched, and the `safe` and `finalized` blocks resume where they were.
public final class BatchStore: Sendable {
    let db: any SQLDatabase

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY, first_block INTEGER NOT NULL, \
        last_block INTEGER NOT NULL, gas_used INTEGER NOT NULL, transactions INTEGER NOT NULL, \
        raw_bytes INTEGER NOT NULL, compressed_bytes INTEGER NOT NULL, data TEXT NOT NULL, state TEXT NOT NULL, \
        attempt INTEGER NOT NULL, block_jobs TEXT NOT NULL, final_job TEXT, sealed_at INTEGER NOT NULL, \
        submitted_at INTEGER, finalized_at INTEGER)
        """,
        "CREATE INDEX IF NOT EXISTS batches_state ON batches (state, id)",
    ]

    /// A store over `db` (the chain's database), creating its table when missing.
    public init(db: any SQLDatabase) async throws {
        self.db = db
        try await db.transaction { tx in
            for s in BatchStore.schema { _ = try await tx.query(s, []) }
        }
    }

    static let columns = """
        id, first_block, last_block, gas_used, transactions, raw_bytes, compressed_bytes, state, attempt, \
        block_jobs, final_job, sealed_at, submitted_at, finalized_at
        """

    static func batch(_ r: SQLRow) throws -> Batch {
        guard let id = r["id"].int, let state = r["state"].text.flatMap(BatchState.init(rawValue:)) else {
            throw StorageError.query("corrupt batch row")
        }
        let jobs = r["block_jobs"].text ?? ""
        return Batch(
            id: id,
            firstBlock: try SQLChainStore.uint(r["first_block"]),
            lastBlock: try SQLChainStore.uint(r["last_block"]),
            gasUsed: try SQLChainStore.uint(r["gas_used"]),
            transactions: Int(r["transactions"].int ?? 0),
            rawBytes: Int(r["raw_bytes"].int ?? 0),
            compressedBytes: Int(r["compressed_bytes"].int ?? 0),
            state: state,
            attempt: Int(r["attempt"].int ?? 0),
            blockJobs: jobs.isEmpty ? [] : jobs.split(separator: ",").map(String.init),
            finalJob: r["final_job"].text,
            sealedAt: r["sealed_at"].int ?? 0,
            submittedAt: r["submitted_at"].int,
            finalizedAt: r["finalized_at"].int
        )
    }

    /// Stores a new batch of blocks `range` with its data, sealed; returns it. Its id follows the
    /// newest batch's, and its first block must follow that batch's last block.
    public func seal(
        _ range: ClosedRange<UInt64>,
        gasUsed: UInt64,
        transactions: Int,
        data: BatchData,
        at millis: Int64
    ) async throws -> Batch {
        let (compressed, rawSize) = data.compressed()
        guard data.blockInputs.count == range.count else {
            throw StorageError.query("batch \(range) has \(data.blockInputs.count) block inputs")
        }
        return try await db.transaction { tx in
            let last = try await tx.query("SELECT id, last_block FROM batches ORDER BY id DESC LIMIT 1", []).first
            let id = (last?["id"].int ?? 0) + 1
            let expected = try last.map { try SQLChainStore.uint($0["last_block"]) + 1 } ?? 1
            guard range.lowerBound == expected else {
                throw StorageError.query("batch \(id) would start at block \(range.lowerBound), not \(expected)")
            }
            let batch = Batch(
                id: id,
                firstBlock: range.lowerBound,
                lastBlock: range.upperBound,
                gasUsed: gasUsed,
                transactions: transactions,
                rawBytes: rawSize,
                compressedBytes: compressed.count,
                state: .sealed,
                attempt: 0,
                blockJobs: [],
                finalJob: nil,
                sealedAt: millis
            )
            _ = try await tx.query(
                """
                INSERT INTO batches (id, first_block, last_block, gas_used, transactions, raw_bytes, compressed_bytes, \
                data, state, attempt, block_jobs, sealed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, '', $10)
                """,
                [
                    .int(id), SQLChainStore.int(range.lowerBound), SQLChainStore.int(range.upperBound),
                    SQLChainStore.int(gasUsed), .int(Int64(transactions)), .int(Int64(rawSize)),
                    .int(Int64(compressed.count)), SQLChainStore.hex(compressed), .text(BatchState.sealed.rawValue),
                    .int(millis),
                ]
            )
            return batch
        }
    }

    /// All batches in id order, or those in `state`.
    public func batches(state: BatchState? = nil) async throws -> [Batch] {
        try await db.transaction { tx in
            let filter = state.map { "WHERE state = '\($0.rawValue)' " } ?? ""
            let rows = try await tx.query("SELECT \(BatchStore.columns) FROM batches \(filter)ORDER BY id", [])
            return try rows.map(BatchStore.batch)
        }
    }

    /// One batch.
    public func batch(id: Int64) async throws -> Batch? {
        try await db.transaction { tx in
            try await tx.query("SELECT \(BatchStore.columns) FROM batches WHERE id = $1", [.int(id)]).first.map(
                BatchStore.batch
            )
        }
    }

    /// A batch's data, inflated.
    public func data(id: Int64) async throws -> BatchData? {
        let row = try await db.transaction { tx in
            try await tx.query("SELECT data, raw_bytes FROM batches WHERE id = $1", [.int(id)]).first
        }
        guard let row else { return nil }
        do {
            return try BatchData(
                compressed: try SQLChainStore.bytes(row["data"]),
                rawSize: Int(row["raw_bytes"].int ?? -1)
            )
        } catch {
            throw StorageError.query("corrupt data of batch \(id): \(error)")
        }
    }

    /// The newest block in a batch (0 when none is).
    public func lastBatchedBlock() async throws -> UInt64 {
        try await db.transaction { tx in
            guard let r = try await tx.query("SELECT MAX(last_block) AS b FROM batches", []).first, r["b"] != .null
            else { return 0 }
            return try SQLChainStore.uint(r["b"])
        }
    }

    /// Records the jobs of a submission of batch `id` (attempt `attempt`).
    public func markSubmitted(
        id: Int64,
        attempt: Int,
        blockJobs: [String],
        finalJob: String,
        at millis: Int64
    )
        async throws
    {
        try await db.transaction { tx in
            _ = try await tx.query(
                """
                UPDATE batches SET state = $2, attempt = $3, block_jobs = $4, final_job = $5, submitted_at = $6 \
                WHERE id = $1 AND state != $7
                """,
                [
                    .int(id), .text(BatchState.submitted.rawValue), .int(Int64(attempt)),
                    .text(blockJobs.joined(separator: ",")), .text(finalJob), .int(millis),
                    .text(BatchState.finalized.rawValue),
                ]
            )
        }
    }

    /// Marks batch `id` finalized.
    public func markFinalized(id: Int64, at millis: Int64) async throws {
        try await db.transaction { tx in
            _ = try await tx.query(
                "UPDATE batches SET state = $2, finalized_at = $3 WHERE id = $1",
                [.int(id), .text(BatchState.finalized.rawValue), .int(millis)]
            )
        }
    }

    /// The newest block of a submitted or finalized batch (`safe`) and of a finalized batch
    /// whose predecessors are all finalized (`finalized`); 0 when none.
    public func marks() async throws -> (safe: UInt64, finalized: UInt64) {
        var safe: UInt64 = 0
        var finalized: UInt64 = 0
        var safePrefix = true
        var finalizedPrefix = true
        for b in try await batches() {
            if b.state == .sealed { safePrefix = false }
            if safePrefix { safe = b.lastBlock }
            if b.state != .finalized { finalizedPrefix = false }
            if finalizedPrefix { finalized = b.lastBlock }
        }
        return (safe, finalized)
    }
}
