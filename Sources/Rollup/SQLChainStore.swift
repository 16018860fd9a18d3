import EVM
import EVMPrimitives
import NetworkCore

/// ``ChainStore`` on NetworkCore's SQL layer (SQLite in WAL mode by default; the statements are
/// plain SQL that PostgreSQL runs too). Bytes are stored as lowercase `0x` hex text, since the
/// layer binds integers, doubles and text; nonces and numbers as integers (bit patterns).
public final class SQLChainStore: ChainStore {
    let db: any SQLDatabase

    static let schema = [
        "CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, rlp TEXT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS transactions (hash TEXT PRIMARY KEY, block_number INTEGER NOT NULL, \
        idx INTEGER NOT NULL, sender TEXT NOT NULL, raw TEXT NOT NULL, receipt TEXT NOT NULL, \
        gas_used INTEGER NOT NULL, effective_gas_price TEXT NOT NULL, contract_address TEXT, \
        first_log_index INTEGER NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS transactions_block ON transactions (block_number, idx)",
        """
        CREATE TABLE IF NOT EXISTS accounts (address TEXT PRIMARY KEY, nonce INTEGER NOT NULL, \
        balance TEXT NOT NULL, code_hash TEXT NOT NULL)
        """,
        "CREATE TABLE IF NOT EXISTS codes (hash TEXT PRIMARY KEY, code TEXT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS storage (address TEXT NOT NULL, slot TEXT NOT NULL, value TEXT NOT NULL, \
        PRIMARY KEY (address, slot))
        """,
        "CREATE TABLE IF NOT EXISTS pool (hash TEXT PRIMARY KEY, raw TEXT NOT NULL, seq INTEGER NOT NULL)",
    ]

    /// A store over `db`, creating its tables when missing.
    public init(db: any SQLDatabase) async throws {
        self.db = db
        try await db.transaction { tx in
            for s in SQLChainStore.schema + SQLChainStore.logSchema + SQLChainStore.historySchema {
                _ = try await tx.query(s, [])
            }
            try await SQLChainStore.backfillLogs(tx)
        }
    }

    static func hex(_ b: [UInt8]) -> SQLValue { .text(Hex.encode(b)) }
    static func bytes(_ v: SQLValue) throws -> [UInt8] {
        guard let t = v.text, let b = Hex.decode(t) else { throw StorageError.query("corrupt hex column") }
        return b
    }
    static func word(_ v: SQLValue) throws -> UInt256 {
        guard let t = v.text, let w = UInt256(hex: t) else { throw StorageError.query("corrupt number column") }
        return w
    }
    static func address(_ v: SQLValue) throws -> Address {
        guard let t = v.text, let a = Address(hex: t) else { throw StorageError.query("corrupt address column") }
        return a
    }
    static func int(_ v: UInt64) -> SQLValue { .int(Int64(bitPattern: v)) }
    static func uint(_ v: SQLValue) throws -> UInt64 {
        guard let i = v.int else { throw StorageError.query("corrupt integer column") }
        return UInt64(bitPattern: i)
    }

    public func load() async throws -> StoredChain? {
        try await db.transaction { tx in
            guard let top = try await tx.query("SELECT number, rlp FROM blocks ORDER BY number DESC LIMIT 1", []).first
            else { return nil }
            let head = try Block.decode(try SQLChainStore.bytes(top["rlp"])).header
            var recent: [UInt64: UInt256] = [:]
            let from = head.number >= 256 ? head.number - 256 : 0
            for r in try await tx.query("SELECT number, hash FROM blocks WHERE number >= $1", [SQLChainStore.int(from)])
            {
                recent[try SQLChainStore.uint(r["number"])] = try SQLChainStore.word(r["hash"])
            }
            var codes: [String: Code] = [:]
            for r in try await tx.query("SELECT hash, code FROM codes", []) {
                codes[r["hash"].text ?? ""] = Code(try SQLChainStore.bytes(r["code"]))
            }
            var accounts: [Address: Account] = [:]
            for r in try await tx.query("SELECT address, nonce, balance, code_hash FROM accounts", []) {
                let a = try SQLChainStore.address(r["address"])
                let codeHash = r["code_hash"].text ?? ""
                var account = Account(
                    nonce: try SQLChainStore.uint(r["nonce"]),
                    balance: try SQLChainStore.word(r["balance"])
                )
                if codeHash != Code.empty.hash.hexString {
                    guard let code = codes[codeHash] else { throw StorageError.query("missing code \(codeHash)") }
                    account.code = code
                }
                accounts[a] = account
            }
            for r in try await tx.query("SELECT address, slot, value FROM storage", []) {
                let a = try SQLChainStore.address(r["address"])
                accounts[a, default: Account()].storage[try SQLChainStore.word(r["slot"])] = try SQLChainStore.word(
                    r["value"]
                )
            }
            var pool: [(raw: [UInt8], sequence: Int64)] = []
            for r in try await tx.query("SELECT raw, seq FROM pool ORDER BY seq", []) {
                pool.append((try SQLChainStore.bytes(r["raw"]), r["seq"].int ?? 0))
            }
            return StoredChain(head: head, recentHashes: recent, accounts: accounts, pool: pool)
        }
    }

    public func commit(_ block: BuiltBlock, changes: StateChanges, dropFromPool: [Bytes32]) async throws {
        let number = block.block.header.number
        try await db.transaction { tx in
            _ = try await tx.query(
                "INSERT INTO blocks (number, hash, rlp) VALUES ($1, $2, $3)",
                [
                    SQLChainStore.int(number), .text(block.block.header.hash.description),
                    SQLChainStore.hex(block.encoded),
                ]
            )
            var logIndex = 0
            for (i, t) in block.included.enumerated() {
                _ = try await tx.query(
                    """
                    INSERT INTO transactions (hash, block_number, idx, sender, raw, receipt, gas_used, \
                    effective_gas_price, contract_address, first_log_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    """,
                    [
                        .text(t.hash.description), SQLChainStore.int(number), .int(Int64(i)),
                        .text(t.sender.description),
                        SQLChainStore.hex(t.transaction.encoded), SQLChainStore.hex(t.receipt),
                        SQLChainStore.int(t.gasUsed),
                        .text(t.effectiveGasPrice.hexString), t.contractAddress.map { .text($0.description) } ?? .null,
                        .int(Int64(logIndex)),
                    ]
                )
                try await SQLChainStore.insertLogs(
                    tx,
                    t.logs,
                    block: number,
                    blockHash: block.block.header.hash,
                    transaction: t.hash,
                    transactionIndex: i,
                    firstLogIndex: logIndex
                )
                logIndex += t.logs.count
                _ = try await tx.query("DELETE FROM pool WHERE hash = $1", [.text(t.hash.description)])
            }
            if let w = block.witness { try await SQLChainStore.insertWitness(tx, block: number, w) }
            if let u = block.undo { try await SQLChainStore.insertUndo(tx, block: number, u) }
            for h in dropFromPool { _ = try await tx.query("DELETE FROM pool WHERE hash = $1", [.text(h.description)]) }
            for (hash, code) in changes.codes {
                _ = try await tx.query(
                    "INSERT INTO codes (hash, code) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
                    [.text(hash.hexString), SQLChainStore.hex(code)]
                )
            }
            for a in changes.clearedStorage {
                _ = try await tx.query("DELETE FROM storage WHERE address = $1", [.text(a.description)])
            }
            for (address, account) in changes.accounts {
                let key = SQLValue.text(address.description)
                guard let account else {
                    _ = try await tx.query("DELETE FROM accounts WHERE address = $1", [key])
                    _ = try await tx.query("DELETE FROM storage WHERE address = $1", [key])
                    continue
                }
                _ = try await tx.query(
                    """
                    INSERT INTO accounts (address, nonce, balance, code_hash) VALUES ($1, $2, $3, $4) \
                    ON CONFLICT (address) DO UPDATE SET nonce = $2, balance = $3, code_hash = $4
                    """,
                    [
                        key, SQLChainStore.int(account.nonce), .text(account.balance.hexString),
                        .text(account.code.hash.hexString),
                    ]
                )
            }
            for (address, slot, value) in changes.storage {
                if value.isZero {
                    _ = try await tx.query(
                        "DELETE FROM storage WHERE address = $1 AND slot = $2",
                        [.text(address.description), .text(slot.hexString)]
                    )
                } else {
                    _ = try await tx.query(
                        """
                        INSERT INTO storage (address, slot, value) VALUES ($1, $2, $3) \
                        ON CONFLICT (address, slot) DO UPDATE SET value = $3
                        """,
                        [.text(address.description), .text(slot.hexString), .text(value.hexString)]
                    )
                }
            }
        }
    }

    public func addToPool(hash: Bytes32, raw: [UInt8], sequence: Int64) async throws {
        try await db.transaction { tx in
            _ = try await tx.query(
                "INSERT INTO pool (hash, raw, seq) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
                [.text(hash.description), SQLChainStore.hex(raw), .int(sequence)]
            )
        }
    }

    public func pool(hash: Bytes32, raw: [UInt8], sequence: Int64, replacing: Bytes32?) async throws -> Bool {
        try await db.transaction { tx in
            let key = SQLValue.text(hash.description)
            if try await tx.query("SELECT 1 FROM transactions WHERE hash = $1", [key]).first != nil { return false }
            _ = try await tx.query(
                "INSERT INTO pool (hash, raw, seq) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
                [key, SQLChainStore.hex(raw), .int(sequence)]
            )
            if let replacing {
                _ = try await tx.query("DELETE FROM pool WHERE hash = $1", [.text(replacing.description)])
            }
            return true
        }
    }

    public func removeFromPool(_ hashes: [Bytes32]) async throws {
        if hashes.isEmpty { return }
        try await db.transaction { tx in
            for h in hashes { _ = try await tx.query("DELETE FROM pool WHERE hash = $1", [.text(h.description)]) }
        }
    }

    public func block(number: UInt64) async throws -> [UInt8]? {
        try await db.transaction { tx in
            guard
                let r = try await tx.query("SELECT rlp FROM blocks WHERE number = $1", [SQLChainStore.int(number)])
                    .first
            else { return nil }
            return try SQLChainStore.bytes(r["rlp"])
        }
    }

    public func blockNumber(hash: Bytes32) async throws -> UInt64? {
        try await db.transaction { tx in
            guard
                let r = try await tx.query("SELECT number FROM blocks WHERE hash = $1", [.text(hash.description)]).first
            else { return nil }
            return try SQLChainStore.uint(r["number"])
        }
    }

    static let transactionColumns =
        "block_number, idx, sender, raw, receipt, gas_used, effective_gas_price, contract_address, first_log_index"

    static func storedTransaction(_ r: SQLRow) throws -> StoredTransaction {
        StoredTransaction(
            blockNumber: try uint(r["block_number"]),
            index: Int(r["idx"].int ?? 0),
            sender: try address(r["sender"]),
            raw: try bytes(r["raw"]),
            receipt: try bytes(r["receipt"]),
            gasUsed: try uint(r["gas_used"]),
            effectiveGasPrice: try word(r["effective_gas_price"]),
            contractAddress: r["contract_address"] == .null ? nil : try address(r["contract_address"]),
            firstLogIndex: Int(r["first_log_index"].int ?? 0)
        )
    }

    public func transaction(hash: Bytes32) async throws -> StoredTransaction? {
        try await db.transaction { tx in
            guard
                let r = try await tx.query(
                    "SELECT \(SQLChainStore.transactionColumns) FROM transactions WHERE hash = $1",
                    [.text(hash.description)]
                ).first
            else { return nil }
            return try SQLChainStore.storedTransaction(r)
        }
    }

    public func transactions(block number: UInt64) async throws -> [StoredTransaction] {
        try await db.transaction { tx in
            try await tx.query(
                "SELECT \(SQLChainStore.transactionColumns) FROM transactions WHERE block_number = $1 ORDER BY idx",
                [SQLChainStore.int(number)]
            ).map(SQLChainStore.storedTransaction)
        }
    }

    public func close() async { await db.close() }
}
