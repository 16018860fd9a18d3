import EVM
import EVMPrimitives
import NetworkCore

/// The log index and the execution witnesses of ``SQLChainStore``.
///
/// Logs are rows of `logs` keyed by (block, block-wide index), with the address and each topic
/// position in its own indexed column, so that `eth_getLogs` selects by block range, address and
/// topics in SQL. A store opened from before the log index existed is backfilled once from its
/// receipts (marked in `meta`).
extension SQLChainStore {
    static let logSchema = [
        """
        CREATE TABLE IF NOT EXISTS logs (block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, \
        block_hash TEXT NOT NULL, tx_hash TEXT NOT NULL, tx_index INTEGER NOT NULL, address TEXT NOT NULL, \
        topic_count INTEGER NOT NULL, topic0 TEXT, topic1 TEXT, topic2 TEXT, topic3 TEXT, data TEXT NOT NULL, \
        PRIMARY KEY (block_number, log_index))
        """,
        "CREATE INDEX IF NOT EXISTS logs_address ON logs (address, block_number)",
        "CREATE INDEX IF NOT EXISTS logs_topic0 ON logs (topic0, block_number)",
        "CREATE INDEX IF NOT EXISTS logs_topic1 ON logs (topic1, block_number)",
        "CREATE INDEX IF NOT EXISTS logs_topic2 ON logs (topic2, block_number)",
        "CREATE INDEX IF NOT EXISTS logs_topic3 ON logs (topic3, block_number)",
        "CREATE TABLE IF NOT EXISTS witnesses (block_number INTEGER PRIMARY KEY, witness TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]

    /// Indexes the logs of every stored transaction, once (stores written before the index).
    static func backfillLogs(_ tx: any SQLTransaction) async throws {
        if try await tx.query("SELECT value FROM meta WHERE key = 'logs_indexed'", []).first != nil { return }
        let rows = try await tx.query(
            """
            SELECT t.hash, t.block_number, t.idx, t.receipt, t.first_log_index, b.hash AS block_hash \
            FROM transactions t JOIN blocks b ON b.number = t.block_number
            """,
            []
        )
        for r in rows {
            let receipt: DecodedReceipt
            do { receipt = try DecodedReceipt(try bytes(r["receipt"])) } catch {
                throw StorageError.query("corrupt receipt")
            }
            try await insertLogs(
                tx,
                receipt.logs,
                block: try uint(r["block_number"]),
                blockHash: Bytes32(try word(r["block_hash"])),
                transaction: Bytes32(try word(r["hash"])),
                transactionIndex: Int(r["idx"].int ?? 0),
                firstLogIndex: Int(r["first_log_index"].int ?? 0)
            )
        }
        _ = try await tx.query("INSERT INTO meta (key, value) VALUES ('logs_indexed', '1')", [])
    }

    /// Writes one transaction's logs.
    static func insertLogs(
        _ tx: any SQLTransaction,
        _ logs: [Log],
        block: UInt64,
        blockHash: Bytes32,
        transaction: Bytes32,
        transactionIndex: Int,
        firstLogIndex: Int
    ) async throws {
        for (i, l) in logs.enumerated() {
            var binds: [SQLValue] = [
                int(block), .int(Int64(firstLogIndex + i)), .text(blockHash.description),
                .text(transaction.description),
                .int(Int64(transactionIndex)), .text(l.address.description), .int(Int64(l.topics.count)),
            ]
            for p in 0..<LogQuery.maxTopics {
                binds.append(p < l.topics.count ? .text(Bytes32(l.topics[p]).description) : .null)
            }
            binds.append(hex(l.data))
            _ = try await tx.query(
                """
                INSERT INTO logs (block_number, log_index, block_hash, tx_hash, tx_index, address, topic_count, \
                topic0, topic1, topic2, topic3, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                """,
                binds
            )
        }
    }

    /// Stores a block's execution witness.
    static func insertWitness(_ tx: any SQLTransaction, block: UInt64, _ w: ExecutionWitness) async throws {
        _ = try await tx.query(
            "INSERT INTO witnesses (block_number, witness) VALUES ($1, $2)",
            [int(block), hex(w.rlp)]
        )
    }

    public func logs(_ query: LogQuery, limit: Int) async throws -> [StoredLog] {
        var sql = """
            SELECT block_number, log_index, block_hash, tx_hash, tx_index, address, topic_count, \
            topic0, topic1, topic2, topic3, data FROM logs WHERE block_number >= $1 AND block_number <= $2
            """
        var binds: [SQLValue] = [SQLChainStore.int(query.fromBlock), SQLChainStore.int(query.toBlock)]
        func oneOf(_ column: String, _ values: [String]) {
            let first = binds.count + 1
            sql += " AND \(column) IN (" + (0..<values.count).map { "$\(first + $0)" }.joined(separator: ", ") + ")"
            binds += values.map { .text($0) }
        }
        if !query.addresses.isEmpty { oneOf("address", query.addresses.map(\.description)) }
        if !query.topics.isEmpty {
            binds.append(.int(Int64(query.topics.count)))
            sql += " AND topic_count >= $\(binds.count)"
        }
        for (i, alternatives) in query.topics.enumerated() {
            guard let alternatives, !alternatives.isEmpty else { continue }
            oneOf("topic\(i)", alternatives.map(\.description))
        }
        binds.append(.int(Int64(limit)))
        sql += " ORDER BY block_number, log_index LIMIT $\(binds.count)"
        let rows = try await db.transaction { [sql, binds] tx in try await tx.query(sql, binds) }
        return try rows.map { r in
            var topics: [Bytes32] = []
            for p in 0..<min(Int(r["topic_count"].int ?? 0), LogQuery.maxTopics) {
                topics.append(Bytes32(try SQLChainStore.word(r["topic\(p)"])))
            }
            return StoredLog(
                blockNumber: try SQLChainStore.uint(r["block_number"]),
                blockHash: Bytes32(try SQLChainStore.word(r["block_hash"])),
                transactionHash: Bytes32(try SQLChainStore.word(r["tx_hash"])),
                transactionIndex: Int(r["tx_index"].int ?? 0),
                logIndex: Int(r["log_index"].int ?? 0),
                address: try SQLChainStore.address(r["address"]),
                topics: topics,
                data: try SQLChainStore.bytes(r["data"])
            )
        }
    }

    public func witness(block number: UInt64) async throws -> ExecutionWitness? {
        try await db.transaction { tx in
            guard
                let r = try await tx.query(
                    "SELECT witness FROM witnesses WHERE block_number = $1",
                    [SQLChainStore.int(number)]
                ).first
            else { return nil }
            do { return try ExecutionWitness(rlp: try SQLChainStore.bytes(r["witness"])) } catch {
                throw StorageError.query("corrupt witness of block \(number)")
            }
        }
    }
}

extension ExecutionWitness {
    /// The witness as `rlp([state, codes, headers])`, each a list of byte strings (its stored form).
    var rlp: [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            for list in [state, codes, headers] {
                w.appendList { w in for item in list { w.append(bytes: item) } }
            }
        }
        return w.bytes
    }

    /// Decodes ``rlp``.
    init(rlp: [UInt8]) throws(RLPError) {
        var r = RLPReader(rlp)
        var outer = try r.readList()
        var lists: [[[UInt8]]] = []
        for _ in 0..<3 {
            var l = try outer.readList()
            var items: [[UInt8]] = []
            while !l.isAtEnd { items.append(try l.readBytes()) }
            lists.append(items)
        }
        self.init(state: lists[0], codes: lists[1], headers: lists[2])
    }
}
