import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLiteNIO

/// One value bound to, or read from, an SQL statement. The coordinator stores only
/// integers, doubles and text, so the same schema and SQL run on SQLite and PostgreSQL.
public enum SQLValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case text(String)
    case null

    /// The integer value, or `nil`.
    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let d): return Int64(d)
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

/// A FIFO async mutex: one transaction at a time on a shared connection.
actor AsyncMutex {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }
    func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// SQLite storage (one file in WAL mode, one connection, transactions serialised).
public final class SQLiteSQLDatabase: SQLDatabase, @unchecked Sendable {
    public let engine = SQLEngine.sqlite
    let connection: SQLiteConnection
    let mutex = AsyncMutex()

    /// Opens (creating if needed) the SQLite file at `path`, or an in-memory database when `nil`.
    public init(path: String?, logger: Logger) async throws {
        let storage: SQLiteConnection.Storage = path.map { .file(path: $0) } ?? .memory
        connection = try await SQLiteConnection.open(storage: storage, logger: logger)
        let tx = SQLiteTx(connection: connection)
        if path != nil {
            _ = try await tx.query("PRAGMA journal_mode=WAL", [])
            _ = try await tx.query("PRAGMA synchronous=NORMAL", [])
        }
        _ = try await tx.query("PRAGMA busy_timeout=5000", [])
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLTransaction) async throws -> T) async throws -> T {
        await mutex.lock()
        let tx = SQLiteTx(connection: connection)
        do {
            _ = try await tx.query("BEGIN IMMEDIATE", [])
            let result: T
            do {
                result = try await body(tx)
            } catch {
                _ = try? await tx.query("ROLLBACK", [])
                throw error
            }
            _ = try await tx.query("COMMIT", [])
            await mutex.unlock()
            return result
        } catch {
            await mutex.unlock()
            throw error
        }
    }

    public func close() async { try? await connection.close() }
}

struct SQLiteTx: SQLTransaction {
    let connection: SQLiteConnection

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
        let data: [SQLiteData] = binds.map {
            switch $0 {
            case .int(let v): return .integer(SQLiteInt64(v))
            case .double(let d): return .float(d)
            case .text(let s): return .text(s)
            case .null: return .null
            }
        }
        do {
            let rows = try await connection.query(Self.rewrite(sql), data)
            return rows.map { row in
                var values: [String: SQLValue] = [:]
                for column in row.columns {
                    switch column.data {
                    case .integer(let v): values[column.name] = .int(Int64(v))
                    case .float(let d): values[column.name] = .double(d)
                    case .text(let s): values[column.name] = .text(s)
                    case .blob(let b): values[column.name] = .text(String(buffer: b))
                    case .null: values[column.name] = .null
                    }
                }
                return SQLRow(values: values)
            }
        } catch {
            throw StorageError.query("\(error)")
        }
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
        // Fail fast when the server is unreachable.
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await client.query("SELECT 1", logger: logger).collect() }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
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
                        values[cell.columnName] = .int(Int64(try cell.decode(String.self)) ?? 0)
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
