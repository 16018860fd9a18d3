/// The coordinator's tables. The same statements run on SQLite and PostgreSQL: only `TEXT`,
/// `BIGINT` and `DOUBLE PRECISION` columns, application-generated keys, `ON CONFLICT` and `RETURNING`.
public enum Schema {
    /// Statements that create the tables and indexes when missing.
    public static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS jobs (
          id TEXT PRIMARY KEY,
          request_key TEXT NOT NULL UNIQUE,
          requester TEXT NOT NULL,
          kind TEXT NOT NULL,
          role TEXT NOT NULL,
          input TEXT NOT NULL,
          work DOUBLE PRECISION NOT NULL,
          reward BIGINT NOT NULL,
          collateral BIGINT NOT NULL,
          deadline BIGINT NOT NULL,
          effective_deadline BIGINT NOT NULL,
          state TEXT NOT NULL,
          seq BIGINT NOT NULL,
          attempts BIGINT NOT NULL,
          max_attempts BIGINT NOT NULL,
          pending_deps BIGINT NOT NULL,
          depends_on TEXT NOT NULL,
          lease_id TEXT,
          prover TEXT,
          proof TEXT,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, effective_deadline, created_at)",
        """
        CREATE TABLE IF NOT EXISTS job_deps (
          job_id TEXT NOT NULL,
          dep_id TEXT NOT NULL,
          PRIMARY KEY (job_id, dep_id)
        )
        """,
        "CREATE INDEX IF NOT EXISTS job_deps_by_dep ON job_deps (dep_id)",
        """
        CREATE TABLE IF NOT EXISTS transitions (
          job_id TEXT NOT NULL,
          seq BIGINT NOT NULL,
          from_state TEXT,
          to_state TEXT NOT NULL,
          at BIGINT NOT NULL,
          reason TEXT NOT NULL,
          actor TEXT NOT NULL,
          PRIMARY KEY (job_id, seq)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS leases (
          id TEXT PRIMARY KEY,
          job_id TEXT NOT NULL,
          node TEXT NOT NULL,
          request_id TEXT,
          collateral BIGINT NOT NULL,
          state TEXT NOT NULL,
          rescue BIGINT NOT NULL,
          progress DOUBLE PRECISION NOT NULL,
          work DOUBLE PRECISION NOT NULL,
          created_at BIGINT NOT NULL,
          expires_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          reason TEXT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS leases_by_request ON leases (node, request_id)",
        "CREATE INDEX IF NOT EXISTS leases_by_state ON leases (state, expires_at)",
        "CREATE INDEX IF NOT EXISTS leases_by_node ON leases (node, state)",
        "CREATE INDEX IF NOT EXISTS leases_by_job ON leases (job_id)",
        """
        CREATE TABLE IF NOT EXISTS nodes (
          address TEXT PRIMARY KEY,
          kinds TEXT NOT NULL,
          work_per_second DOUBLE PRECISION NOT NULL,
          slots BIGINT NOT NULL,
          registered_at BIGINT NOT NULL,
          last_seen BIGINT NOT NULL,
          proofs_verified BIGINT NOT NULL,
          proofs_rejected BIGINT NOT NULL,
          leases_expired BIGINT NOT NULL,
          proving_ms BIGINT NOT NULL
        )
        """,
        "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS entries (
          id TEXT PRIMARY KEY,
          at BIGINT NOT NULL,
          debit TEXT NOT NULL,
          credit TEXT NOT NULL,
          amount BIGINT NOT NULL,
          memo TEXT NOT NULL,
          job_id TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS entries_by_job ON entries (job_id)",
        "CREATE TABLE IF NOT EXISTS challenges (challenge TEXT PRIMARY KEY, address TEXT NOT NULL, expires_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, address TEXT NOT NULL, expires_at BIGINT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS nonces (address TEXT PRIMARY KEY, last_nonce BIGINT NOT NULL)",
        // Coordinator bookkeeping; `alive` is the last time the serving coordinator was seen alive.
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    ]

    /// Creates the tables (idempotent).
    public static func migrate(_ db: any SQLDatabase) async throws {
        try await db.transaction { tx in
            for s in statements { _ = try await tx.query(s, []) }
        }
    }

    /// Drops every coordinator table (benchmarks and tests only: all data is lost).
    public static func reset(_ db: any SQLDatabase) async throws {
        try await db.transaction { tx in
            for t in [
                "jobs", "job_deps", "transitions", "leases", "nodes", "accounts", "entries", "challenges", "sessions",
                "nonces", "meta",
            ] {
                _ = try await tx.query("DROP TABLE IF EXISTS \(t)", [])
            }
        }
        try await migrate(db)
    }
}
