import CSQLite
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// One value bound to, or read from, an SQL statement. The coordinator stores only
/// integers, doubles and text, so the same schema and SQL run on SQLite and PostgreSQL.
public enum SQLValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case text(String)
    case null

    /// Throws 400 when a text value holds U+0000: PostgreSQL cannot store it (its error would be a
    /// 503), so no engine accepts it and both behave alike for a client that sends one.
    static func checkStorable(_ binds: [SQLValue]) throws {
        for case .text(let s) in binds where s.utf8.contains(0) {
            throw NetworkError.badRequest("text must not contain U+0000")
        }
    }

    /// The integer value, or `nil` when the value is not an integer that fits in `Int64` (a
    /// double is converted only when it is integral and in range, never trapping).
    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let d): return Int64(exactly: d)
        case .text(let s): return Int64(s)
        case .null: return nil
        }
    }
    /// The double value, or `nil`.
    public var double: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let d): return d
        case .text(let s): return Double(s)
        case .null: return nil
        }
    }
    /// The text value, or `nil`.
    public var text: String? {
        switch self {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .double(let d): return String(d)
        case .null: return nil
        }
    }
}

/// One result row: column name to value.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]
    /// The value in the named column (`.null` when absent).
    public subscript(_ name: String) -> SQLValue { values[name] ?? .null }
}

/// The storage engine behind a ``SQLDatabase``.
public enum SQLEngine: String, Sendable { case sqlite, postgres }

/// Errors raised by the storage layer.
public enum StorageError: Error, CustomStringConvertible, Sendable {
    case badURL(String)
    case query(String)
    public var description: String {
        switch self {
        case .badURL(let s): return "bad database URL: \(s)"
        case .query(let s): return "database error: \(s)"
        }
    }
}

/// A connection within one transaction. Statements use `$1, $2, …` placeholders on both engines.
public protocol SQLTransaction: Sendable {
    /// Runs one statement and returns its rows (use `RETURNING` to see written rows).
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

/// A database that runs closures inside transactions.
public protocol SQLDatabase: Sendable {
    /// The engine.
    var engine: SQLEngine { get }
    /// Runs `body` inside one transaction; commits when it returns, rolls back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLTransaction) async throws -> T) async throws -> T
    /// Closes the database.
    func close() async
}

/// Opens the database named by a URL: `sqlite:///path/file.db`, a plain file path,
/// `sqlite::memory:`, or `postgres://user:password@host:port/database`.
public func openDatabase(_ url: String, logger: Logger) async throws -> any SQLDatabase {
    if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
        return try await PostgresSQLDatabase(url: url, logger: logger)
    }
    if url == "sqlite::memory:" || url == ":memory:" {
        return try await SQLiteSQLDatabase(path: nil, logger: logger)
    }
    var path = url
    if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) }
    return try await SQLiteSQLDatabase(path: path, logger: logger)
}

/// A FIFO async mutex: one transaction at a time on a shared connection. Taking a free mutex costs
/// one uncontended lock (no actor hop); waiters are resumed in arrival order.
final class AsyncMutex: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }
    private let state = Mutex(State())

    func lock() async {
        if state.withLock({ s in
            if s.locked { return false }
            s.locked = true
            return true
        }) {
            return
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { s in
                if s.locked {
                    s.waiters.append(c)
                    return false
                }
                s.locked = true
                return true
            }
            if acquired { c.resume() }
        }
    }

    func unlock() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            if s.head == s.waiters.count {
                s.locked = false
                s.waiters.removeAll(keepingCapacity: true)
                s.head = 0
                return nil
            }
            // Ownership passes straight to the next waiter (the mutex stays locked).
            s.head += 1
            return s.waiters[s.head - 1]
        }
        next?.resume()
    }
}

/// SQLite storage: one file in WAL mode with `synchronous=NORMAL` (a committed transaction survives a
/// crash of the process; only an OS crash or power loss may lose the last transactions before the
/// next checkpoint), one connection, transactions serialised by a FIFO mutex.
///
/// Statements run synchronously through the SQLite C API on the calling task's thread, with
/// prepared statements cached per SQL text: a statement costs microseconds, so a thread-pool hop
/// per statement (several context switches) would cost far more than the statement itself.
public final class SQLiteSQLDatabase: SQLDatabase, @unchecked Sendable {
    public let engine = SQLEngine.sqlite
    let connection: SQLiteHandle
    let mutex = AsyncMutex()
    /// Copies the write-ahead log into the database file off the request path (file databases).
    let checkpointer: SQLiteCheckpointer?

    /// Opens (creating if needed) the SQLite file at `path`, or an in-memory database when `nil`.
    public init(path: String?, logger: Logger) async throws {
        connection = try SQLiteHandle(path: path ?? ":memory:")
        if let path {
            _ = try connection.run("PRAGMA journal_mode=WAL", [], cache: false)
            _ = try connection.run("PRAGMA synchronous=NORMAL", [], cache: false)
            // Commits no longer checkpoint by themselves (a checkpoint inside a commit stalls every
            // request queued behind it); a second connection does it in the background.
            _ = try connection.run("PRAGMA wal_autocheckpoint=0", [], cache: false)
            checkpointer = try SQLiteCheckpointer(path: path, logger: logger)
        } else {
            checkpointer = nil
        }
        _ = try connection.run("PRAGMA busy_timeout=5000", [], cache: false)
        _ = try connection.run("PRAGMA temp_store=MEMORY", [], cache: false)
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLTransaction) async throws -> T) async throws -> T {
        await mutex.lock()
        defer { mutex.unlock() }
        let tx = SQLiteTx(connection: connection)
        _ = try connection.run("BEGIN IMMEDIATE", [])
        let result: T
        do {
            result = try await body(tx)
        } catch {
            _ = try? connection.run("ROLLBACK", [])
            throw error
        }
        do {
            _ = try connection.run("COMMIT", [])
        } catch {
            _ = try? connection.run("ROLLBACK", [])
            throw error
        }
        return result
    }

    deinit { checkpointer?.stop() }

    public func close() async {
        checkpointer?.stop()
        await mutex.lock()
        connection.close()
        mutex.unlock()
    }
}

/// A thread with its own connection that runs a passive checkpoint every 100 ms: it copies
/// committed log frames into the database file without blocking the writer, so the log stays
/// small and no commit pays for a checkpoint. A final checkpoint runs when it stops.
final class SQLiteCheckpointer: @unchecked Sendable {
    private let handle: SQLiteHandle
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(path: String, logger: Logger) throws {
        handle = try SQLiteHandle(path: path)
        _ = try handle.run("PRAGMA busy_timeout=5000", [], cache: false)
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                do {
                    _ = try handle.run("PRAGMA wal_checkpoint(PASSIVE)", [], cache: true)
                } catch {
                    logger.warning("SQLite background checkpoint failed", metadata: ["error": "\(error)"])
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            _ = try? handle.run("PRAGMA wal_checkpoint(PASSIVE)", [], cache: false)
            handle.close()
            done.signal()
        }
        thread.name = "sqlite-checkpoint"
        thread.start()
    }

    /// Stops the thread after its last checkpoint; returns when the connection is closed.
    func stop() {
        if stopped.exchange(true, ordering: .relaxed) { return }
        done.wait()
    }
}

/// One SQLite connection with a cache of prepared statements. Not thread-safe by itself: the
/// owner (``SQLiteSQLDatabase``) serialises every use.
final class SQLiteHandle: @unchecked Sendable {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// Most statements kept prepared; beyond it the cache is emptied (statement texts are a small
    /// fixed set in practice).
    static let maxCached = 512

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            var message = "code \(rc)"
            if let handle, let m = sqlite3_errmsg(handle) { message = String(cString: m) }
            sqlite3_close_v2(handle)
            throw StorageError.query("cannot open SQLite database at \(path): \(message)")
        }
        db = handle
    }

    deinit { close() }

    func close() {
        for (_, s) in statements { sqlite3_finalize(s) }
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    private func error(_ what: String) -> StorageError {
        guard let db else { return StorageError.query("\(what): database is closed") }
        let code = sqlite3_extended_errcode(db)
        let message = sqlite3_errmsg(db).map { String(cString: $0) } ?? ""
        return StorageError.query("\(what): SQLite error \(code): \(message)")
    }

    private func prepare(_ sql: String, cache: Bool) throws -> OpaquePointer {
        if cache, let s = statements[sql] { return s }
        guard let db else { throw StorageError.query("database is closed") }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(
            db,
            SQLiteTx.rewrite(sql),
            -1,
            cache ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0,
            &stmt,
            nil
        )
        guard rc == SQLITE_OK, let stmt else { throw error("prepare") }
        if cache {
            if statements.count >= Self.maxCached {
                for (_, s) in statements { sqlite3_finalize(s) }
                statements.removeAll()
            }
            statements[sql] = stmt
        }
        return stmt
    }

    /// Runs one statement (`$n` placeholders, rewritten to SQLite's `?n` once, when prepared) and
    /// returns its rows.
    func run(_ sql: String, _ binds: [SQLValue], cache: Bool = true) throws -> [SQLRow] {
        try SQLValue.checkStorable(binds)
        let stmt = try prepare(sql, cache: cache)
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
            if !cache { sqlite3_finalize(stmt) }
        }
        for (i, b) in binds.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch b {
            case .int(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .double(let d): rc = sqlite3_bind_double(stmt, index, d)
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .text(let s):
                var s = s
                rc = s.withUTF8 { u in
                    guard let base = u.baseAddress, !u.isEmpty else {
                        return sqlite3_bind_text64(
                            stmt,
                            index,
                            "",
                            0,
                            SQLITE_TRANSIENT_DESTRUCTOR,
                            UInt8(SQLITE_UTF8)
                        )
                    }
                    return UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: u.count) {
                        sqlite3_bind_text64(
                            stmt,
                            index,
                            $0,
                            UInt64(u.count),
                            SQLITE_TRANSIENT_DESTRUCTOR,
                            UInt8(SQLITE_UTF8)
                        )
                    }
                }
            }
            guard rc == SQLITE_OK else { throw error("bind") }
        }
        var names: [String] = []
        var rows: [SQLRow] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error("step") }
            let n = sqlite3_column_count(stmt)
            if names.isEmpty && n > 0 {
                names = (0..<n).map { sqlite3_column_name(stmt, $0).map { String(cString: $0) } ?? "" }
            }
            var values: [String: SQLValue] = Dictionary(minimumCapacity: Int(n))
            for c in 0..<n {
                let value: SQLValue
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: value = .int(sqlite3_column_int64(stmt, c))
                case SQLITE_FLOAT: value = .double(sqlite3_column_double(stmt, c))
                case SQLITE_NULL: value = .null
                default:
                    // TEXT (and BLOB, read as UTF-8 text).
                    let bytes = Int(sqlite3_column_bytes(stmt, c))
                    if let p = sqlite3_column_blob(stmt, c), bytes > 0 {
                        value = .text(
                            String(
                                decoding: UnsafeRawBufferPointer(start: p, count: bytes).bindMemory(to: UInt8.self),
                                as: UTF8.self
                            )
                        )
                    } else {
                        value = .text("")
                    }
                }
                values[names[Int(c)]] = value
            }
            rows.append(SQLRow(values: values))
        }
        return rows
    }
}

/// SQLite's `SQLITE_TRANSIENT`: bound values are copied before the bind call returns.
let SQLITE_TRANSIENT_DESTRUCTOR = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

struct SQLiteTx: SQLTransaction {
    let connection: SQLiteHandle

    /// Rewrites `$n` placeholders to SQLite's `?n`.
    static func rewrite(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count)
        var previousDollar = false
        for c in sql {
            if previousDollar {
                out.append(c.isNumber ? "?" : "$")
                previousDollar = false
            }
            if c == "$" {
                previousDollar = true
                continue
            }
            out.append(c)
        }
        if previousDollar { out.append("$") }
        return out
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try connection.run(sql, binds)
    }
}

/// PostgreSQL storage through a connection pool; several coordinators may share one database.
public final class PostgresSQLDatabase: SQLDatabase, @unchecked Sendable {
    public let engine = SQLEngine.postgres
    let client: PostgresClient
    let runTask: Task<Void, Never>
    let logger: Logger

    /// Connects to `postgres://user:password@host:port/database`.
    public init(url: String, logger: Logger) async throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw StorageError.badURL(url)
        }
        let database = components.path.isEmpty ? nil : String(components.path.dropFirst())
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: database,
            tls: .disable
        )
        configuration.options.maximumConnections = 8
        configuration.options.minimumConnections = 0
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runTask = Task { await client.run() }
        // Fail fast when the server is unreachable (a refused connection fails at once; the
        // timeout covers a silent host). It is generous because both children resume on the
        // cooperative pool: when other work holds every pool thread (the test suite proves on
        // them), the answer and the timer can become ready together after a long stall, and a
        // short timer then wins against a connection that had long succeeded.
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await client.query("SELECT 1", logger: logger).collect() }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    throw StorageError.query("timed out connecting to \(host)")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            runTask.cancel()
            throw StorageError.query("cannot reach PostgreSQL at \(host): \(error)")
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLTransaction) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    let tx = PostgresTx(connection: connection, logger: logger)
                    _ = try await tx.query("BEGIN", [])
                    do {
                        let result = try await body(tx)
                        _ = try await tx.query("COMMIT", [])
                        return result
                    } catch {
                        _ = try? await tx.query("ROLLBACK", [])
                        throw error
                    }
                }
            } catch let error as StorageError {
                // Retry serialisation failures and deadlocks.
                if attempt < 5, case .query(let message) = error,
                    message.contains("40001") || message.contains("40P01") || message.contains("23505")
                {
                    continue
                }
                throw error
            }
        }
    }

    public func close() async { runTask.cancel() }
}

struct PostgresTx: SQLTransaction, @unchecked Sendable {
    let connection: PostgresConnection
    let logger: Logger

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try SQLValue.checkStorable(binds)
        var bindings = PostgresBindings(capacity: binds.count)
        for b in binds {
            switch b {
            case .int(let v): bindings.append(v)
            case .double(let d): bindings.append(d)
            case .text(let s): bindings.append(s)
            case .null: bindings.appendNull()
            }
        }
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            var out: [SQLRow] = []
            for try await row in rows {
                var values: [String: SQLValue] = [:]
                for cell in row {
                    guard cell.bytes != nil else {
                        values[cell.columnName] = .null
                        continue
                    }
                    switch cell.dataType {
                    case .int8: values[cell.columnName] = .int(try cell.decode(Int64.self))
                    case .int4: values[cell.columnName] = .int(Int64(try cell.decode(Int32.self)))
                    case .int2: values[cell.columnName] = .int(Int64(try cell.decode(Int16.self)))
                    case .float8: values[cell.columnName] = .double(try cell.decode(Double.self))
                    case .float4: values[cell.columnName] = .double(Double(try cell.decode(Float.self)))
                    case .numeric:
                        // A NUMERIC outside Int64 stays text, so `.int` reads it as nil instead of 0.
                        let text = try cell.decode(String.self)
                        values[cell.columnName] = Int64(text).map { .int($0) } ?? .text(text)
                    case .bool: values[cell.columnName] = .int(try cell.decode(Bool.self) ? 1 : 0)
                    default: values[cell.columnName] = .text(try cell.decode(String.self))
                    }
                }
                out.append(SQLRow(values: values))
            }
            return out
        } catch let error as PSQLError {
            let code = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error)"
            throw StorageError.query("\(code) \(message)")
        } catch {
            throw StorageError.query("\(error)")
        }
    }
}
