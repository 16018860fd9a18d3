import Foundation

/// What a node offers, as the lease rules read it.
struct NodeCapacity: Sendable {
    var kinds: [String]
    var workPerSecond: Double
    var slots: Int64
}

/// Registered prover nodes (`nodes`).
extension CoordinatorStore {
    // MARK: - Nodes

    /// Inserts node `address` into `nodes` (first seen and registered at `t`, all counters zero), or
    /// updates the kinds, throughput, slots and last-seen time of a registered one.
    static func upsertNode(
        _ tx: any SQLTransaction,
        address: String,
        kinds: [String],
        workPerSecond: Double,
        slots: Int64,
        at t: Int64
    ) async throws {
        _ = try await tx.query(
            """
            INSERT INTO nodes (address, kinds, work_per_second, slots, registered_at, last_seen, proofs_verified,
              proofs_rejected, leases_expired, proving_ms) VALUES ($1, $2, $3, $4, $5, $5, 0, 0, 0, 0)
            ON CONFLICT (address) DO UPDATE SET kinds = excluded.kinds, work_per_second = excluded.work_per_second,
              slots = excluded.slots, last_seen = excluded.last_seen
            """,
            [.text(address), .text(kinds.joined(separator: ",")), .double(workPerSecond), .int(slots), .int(t)]
        )
    }

    /// Sets the last-seen time of node `address` in `nodes` to `t` and reads what it offers; `nil`
    /// when the node is not registered.
    static func nodeCapacity(
        _ tx: any SQLTransaction,
        markingSeen address: String,
        at t: Int64
    ) async throws
        -> NodeCapacity?
    {
        guard
            let row = try await tx.query(
                "UPDATE nodes SET last_seen = $1 WHERE address = $2 RETURNING kinds, work_per_second, slots",
                [.int(t), .text(address)]
            ).first
        else { return nil }
        return NodeCapacity(
            kinds: (row["kinds"].text ?? "").split(separator: ",").map(String.init),
            workPerSecond: row["work_per_second"].double ?? 0,
            slots: row["slots"].int ?? 0
        )
    }

    /// Sets the last-seen time of node `address` in `nodes` to `t`.
    static func markSeen(_ tx: any SQLTransaction, node address: String, at t: Int64) async throws {
        _ = try await tx.query("UPDATE nodes SET last_seen = $1 WHERE address = $2", [.int(t), .text(address)])
    }

    /// Counts a verified proof for node `address` in `nodes`: one more proof, `provingMillis` more
    /// proving time, last seen at `t`.
    static func countVerifiedProof(
        _ tx: any SQLTransaction,
        node address: String,
        provingMillis: Int64,
        at t: Int64
    ) async throws {
        _ = try await tx.query(
            "UPDATE nodes SET proofs_verified = proofs_verified + 1, proving_ms = proving_ms + $1, last_seen = $2 WHERE address = $3",
            [.int(provingMillis), .int(t), .text(address)]
        )
    }

    /// Counts a rejected proof for node `address` in `nodes`.
    static func countRejectedProof(_ tx: any SQLTransaction, node address: String) async throws {
        _ = try await tx.query(
            "UPDATE nodes SET proofs_rejected = proofs_rejected + 1 WHERE address = $1",
            [.text(address)]
        )
    }

    /// Counts an expired lease for node `address` in `nodes`.
    static func countExpiredLease(_ tx: any SQLTransaction, node address: String) async throws {
        _ = try await tx.query(
            "UPDATE nodes SET leases_expired = leases_expired + 1 WHERE address = $1",
            [.text(address)]
        )
    }

    /// Reads one page of `nodes` in address order (or only node `address`, ignoring the page), each
    /// with its active leases and locked collateral (from `leases`) and its stake and wallet balances
    /// (from the ledger).
    static func nodes(_ tx: any SQLTransaction, address: String?, page: Page) async throws -> [NodeInfo] {
        let rows =
            address == nil
            ? try await tx.query("SELECT * FROM nodes ORDER BY address LIMIT $1 OFFSET $2", bounds(page))
            : try await tx.query("SELECT * FROM nodes WHERE address = $1", [.text(address!)])
        var out: [NodeInfo] = []
        for r in rows {
            let a = r["address"].text ?? ""
            let active = try await activeCollateral(tx, node: a)
            out.append(
                NodeInfo(
                    address: a,
                    kinds: (r["kinds"].text ?? "").split(separator: ",").map(String.init),
                    workPerSecond: r["work_per_second"].double ?? 0,
                    slots: r["slots"].int ?? 0,
                    registeredAt: r["registered_at"].int ?? 0,
                    lastSeen: r["last_seen"].int ?? 0,
                    proofsVerified: r["proofs_verified"].int ?? 0,
                    proofsRejected: r["proofs_rejected"].int ?? 0,
                    leasesExpired: r["leases_expired"].int ?? 0,
                    provingMillis: r["proving_ms"].int ?? 0,
                    stake: try await Ledger.balance(tx, Ledger.stake(a)),
                    lockedCollateral: active.collateral,
                    wallet: try await Ledger.balance(tx, Ledger.wallet(a)),
                    activeLeases: active.count
                )
            )
        }
        return out
    }
}
