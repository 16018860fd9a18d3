import EVM
import EVMPrimitives
import NetworkCore

/// The state history of ``SQLChainStore``: each block's undo diff (``StateChanges/undo(from:)``)
/// in `state_undo`, written in the block's SQL transaction and pruned to the newest
/// ``storedUndoBlocks``, so that a restarted node serves calls at recent blocks again. Codes are
/// stored by hash (the `codes` table keeps every code the chain has held).
extension SQLChainStore {
    static let historySchema = [
        "CREATE TABLE IF NOT EXISTS state_undo (block_number INTEGER PRIMARY KEY, diff TEXT NOT NULL)"
    ]

    /// How many blocks' undo diffs the store keeps (the chain's default history).
    public static let storedUndoBlocks: UInt64 = 128

    /// Stores the undo diff of block `number` and drops those past the horizon.
    static func insertUndo(_ tx: any SQLTransaction, block number: UInt64, _ undo: StateChanges) async throws {
        _ = try await tx.query(
            "INSERT INTO state_undo (block_number, diff) VALUES ($1, $2)",
            [int(number), hex(UndoRecord(undo).rlp)]
        )
        if number >= storedUndoBlocks {
            _ = try await tx.query(
                "DELETE FROM state_undo WHERE block_number <= $1",
                [int(number - storedUndoBlocks)]
            )
        }
    }

    public func stateUndos(newest count: Int) async throws -> [(number: UInt64, undo: StateChanges)] {
        try await db.transaction { tx in
            let rows = try await tx.query(
                "SELECT block_number, diff FROM state_undo ORDER BY block_number DESC LIMIT $1",
                [.int(Int64(max(0, count)))]
            )
            var records: [(UInt64, UndoRecord)] = []
            for r in rows.reversed() {
                let number = try SQLChainStore.uint(r["block_number"])
                do {
                    records.append((number, try UndoRecord(rlp: try SQLChainStore.bytes(r["diff"]))))
                } catch {
                    throw StorageError.query("corrupt state undo of block \(number)")
                }
            }
            var codes: [UInt256: Code] = [Code.empty.hash: .empty]
            for (_, record) in records {
                for a in record.accounts where codes[a.codeHash] == nil {
                    guard
                        let c = try await tx.query(
                            "SELECT code FROM codes WHERE hash = $1",
                            [.text(a.codeHash.hexString)]
                        )
                        .first
                    else { throw StorageError.query("missing code \(a.codeHash.hexString)") }
                    codes[a.codeHash] = Code(try SQLChainStore.bytes(c["code"]))
                }
            }
            return records.map { ($0.0, $0.1.changes(codes: codes)) }
        }
    }
}

/// An undo diff's stored form: accounts by code hash, `rlp([accounts, cleared, slots])` with
/// accounts `[address, present, nonce, balance, codeHash]` and slots `[address, slot, value]`.
struct UndoRecord {
    var accounts: [(address: Address, present: Bool, nonce: UInt64, balance: UInt256, codeHash: UInt256)] = []
    var cleared: [Address] = []
    var storage: [(address: Address, slot: UInt256, value: UInt256)] = []

    init(_ c: StateChanges) {
        for (address, account) in c.accounts {
            accounts.append(
                (
                    address, account != nil, account?.nonce ?? 0, account?.balance ?? .zero,
                    account?.code.hash ?? Code.empty.hash
                )
            )
        }
        cleared = c.clearedStorage
        storage = c.storage
    }

    init(rlp: [UInt8]) throws(RLPError) {
        var r = RLPReader(rlp)
        var top = try r.readList()
        var list = try top.readList()
        while !list.isAtEnd {
            var a = try list.readList()
            accounts.append(
                (
                    try a.readAddress(), try a.readUInt64() == 1, try a.readUInt64(), try a.readUInt256(),
                    try a.readUInt256()
                )
            )
        }
        list = try top.readList()
        while !list.isAtEnd { cleared.append(try list.readAddress()) }
        list = try top.readList()
        while !list.isAtEnd {
            var s = try list.readList()
            storage.append((try s.readAddress(), try s.readUInt256(), try s.readUInt256()))
        }
    }

    var rlp: [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            w.appendList { w in
                for a in accounts {
                    w.appendList { w in
                        w.append(a.address)
                        w.append(uint: a.present ? 1 : 0)
                        w.append(uint: a.nonce)
                        w.append(a.balance)
                        w.append(a.codeHash)
                    }
                }
            }
            w.appendList { w in for a in cleared { w.append(a) } }
            w.appendList { w in
                for s in storage {
                    w.appendList { w in
                        w.append(s.address)
                        w.append(s.slot)
                        w.append(s.value)
                    }
                }
            }
        }
        return w.bytes
    }

    /// The diff, with each code looked up in `codes` (every hash the record names).
    func changes(codes: [UInt256: Code]) -> StateChanges {
        var c = StateChanges()
        for a in accounts {
            c.accounts.append(
                (
                    a.address,
                    a.present
                        ? Account(nonce: a.nonce, balance: a.balance, code: codes[a.codeHash] ?? .empty) : nil
                )
            )
        }
        c.clearedStorage = cleared
        c.storage = storage
        return c
    }
}
