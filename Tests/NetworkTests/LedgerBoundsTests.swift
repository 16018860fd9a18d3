import Foundation
import Testing

@testable import NetworkCore
@testable import ProverNetwork

/// Ledger arithmetic at the edges of `Int64`, on SQLite and PostgreSQL alike: every amount and sum
/// is checked, an overflow is a typed 409 (never a trap, a float or a storage error), and a refused
/// movement changes nothing. These run in ``StorageTests`` (serialized) because the PostgreSQL
/// runs share one database.
extension StorageTests {
    static let whale = "0x" + String(repeating: "7", count: 40)
    static let minnow = "0x" + String(repeating: "8", count: 40)

    /// The hostile-testing crash: with the faucet limit at Int64.max, a second mint of Int64.max
    /// trapped in `Ledger.balance` (SQLite had turned the overflowing sum into a float).
    @Test(arguments: engines)
    func mintingPastInt64MaxIsRefused(postgres: String?) async throws {
        let f = try await CoreFixture.make(postgres: postgres, faucetLimit: .max)
        defer { Task { await f.close() } }
        #expect(try await f.core.faucet(address: Self.whale, amount: .max) == .max)
        for (address, amount) in [(Self.whale, Int64.max), (Self.minnow, .max), (Self.minnow, 1)] {
            let error = await #expect(throws: NetworkError.self) {
                _ = try await f.core.faucet(address: address, amount: amount)
            }
            #expect(error?.status == 409 && error?.code == "ledger_overflow")
        }
        #expect(try await f.core.balance(Ledger.wallet(Self.whale)) == .max)
        #expect(try await f.core.balance(Ledger.wallet(Self.minnow)) == 0)
        #expect(try await f.core.balance(Ledger.issuer) == -.max)
        try await f.expectBalanced()
    }

    /// A credit that would take one account past Int64.max is refused inside the statement, even
    /// where the issuer's bound would not catch it (an account written directly here).
    @Test(arguments: engines)
    func creditPastInt64MaxIsRefused(postgres: String?) async throws {
        let f = try await CoreFixture.make(postgres: postgres)
        defer { Task { await f.close() } }
        try await f.db.transaction { tx in
            _ = try await tx.query(
                "INSERT INTO accounts (id, balance) VALUES ($1, $2)",
                [.text("full"), .int(.max - 5)]
            )
        }
        let error = await #expect(throws: NetworkError.self) {
            try await f.db.transaction { tx in
                try await Ledger.transfer(tx, from: Ledger.issuer, to: "full", amount: 6, memo: "t", jobId: nil, now: 1)
            }
        }
        #expect(error?.code == "ledger_overflow")
        #expect(try await f.core.balance("full") == .max - 5)
        #expect(try await f.core.balance(Ledger.issuer) == 0)
        try await f.db.transaction { tx in
            try await Ledger.transfer(tx, from: Ledger.issuer, to: "full", amount: 5, memo: "t", jobId: nil, now: 1)
        }
        #expect(try await f.core.balance("full") == .max)
    }

    /// Flows through one account can sum past Int64 over its history (SQLite's SUM failed with
    /// "integer overflow"); the ledger check still balances exactly.
    @Test(arguments: engines)
    func ledgerCheckSumsPastInt64(postgres: String?) async throws {
        let f = try await CoreFixture.make(postgres: postgres, faucetLimit: .max)
        defer { Task { await f.close() } }
        _ = try await f.core.faucet(address: Self.whale, amount: .max)
        let registration = NodeRegistration(kinds: [Proofs.kind.name], workPerSecond: 1e6, slots: 1, stake: .max)
        _ = try await f.core.registerNode(address: Self.whale, registration: registration)
        _ = try await f.core.withdrawStake(address: Self.whale, amount: .max)
        _ = try await f.core.registerNode(address: Self.whale, registration: registration)
        let node = try await f.core.node(Self.whale)
        #expect(node.stake == .max && node.wallet == 0)
        let check = try await f.core.checkLedger()
        #expect(check.problems == [] && check.total == 0 && check.minted == .max && check.entries == 4)
    }

    /// Zero and negative amounts are refused with 400 and move nothing; an amount beyond the
    /// balance is 402.
    @Test(arguments: engines)
    func nonPositiveAmountsAreRefused(postgres: String?) async throws {
        let f = try await CoreFixture.make(postgres: postgres)
        defer { Task { await f.close() } }
        _ = try await f.node(Self.minnow, stake: 100)
        for amount: Int64 in [0, -1, .min] {
            let withdraw = await #expect(throws: NetworkError.self) {
                _ = try await f.core.withdrawStake(address: Self.minnow, amount: amount)
            }
            #expect(withdraw?.status == 400)
            let faucet = await #expect(throws: NetworkError.self) {
                _ = try await f.core.faucet(address: Self.minnow, amount: amount)
            }
            #expect(faucet?.status == 400)
            // Internal transfers of zero (an empty sweep) are no-ops; negative ones are refused.
            guard amount < 0 else { continue }
            let transfer = await #expect(throws: NetworkError.self) {
                try await f.db.transaction { tx in
                    try await Ledger.transfer(
                        tx,
                        from: Ledger.stake(Self.minnow),
                        to: Ledger.wallet(Self.minnow),
                        amount: amount,
                        memo: "t",
                        jobId: nil,
                        now: 1
                    )
                }
            }
            #expect(transfer?.status == 400)
        }
        let tooMuch = await #expect(throws: NetworkError.self) {
            _ = try await f.core.withdrawStake(address: Self.minnow, amount: 101)
        }
        #expect(tooMuch?.status == 402)
        #expect(try await f.core.node(Self.minnow).stake == 100)
        try await f.expectBalanced()
    }

    /// Reading a stored value that is not an Int64 gives nil, never a trap.
    @Test func sqlValueIntNeverTraps() {
        #expect(SQLValue.double(9.3e18).int == nil)
        #expect(SQLValue.double(-9.3e18).int == nil)
        #expect(SQLValue.double(.nan).int == nil)
        #expect(SQLValue.double(1.5).int == nil)
        #expect(SQLValue.double(42).int == 42)
        #expect(SQLValue.text("99999999999999999999").int == nil)
    }
}
