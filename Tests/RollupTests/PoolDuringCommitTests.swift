import EVM
import EVMPrimitives
import Foundation
import Logging
import NetworkCore
import Testing

@testable import Rollup

/// A store whose block commits or pool writes take a while, so that transactions arrive while
/// a block is being stored, or a block includes a transaction while its submission waits for the
/// store (the chain actor is reentrant at those awaits).
final class SlowStore: ChainStore {
    let inner: SQLChainStore
    let commitDelay: Duration
    let poolDelay: Duration
    init(_ inner: SQLChainStore, commitDelay: Duration = .zero, poolDelay: Duration = .zero) {
        self.inner = inner
        self.commitDelay = commitDelay
        self.poolDelay = poolDelay
    }
    func load() async throws -> StoredChain? { try await inner.load() }
    func commit(_ block: BuiltBlock, changes: StateChanges, dropFromPool: [Bytes32]) async throws {
        try await Task.sleep(for: commitDelay)
        try await inner.commit(block, changes: changes, dropFromPool: dropFromPool)
    }
    func addToPool(hash: Bytes32, raw: [UInt8], sequence: Int64) async throws {
        try await inner.addToPool(hash: hash, raw: raw, sequence: sequence)
    }
    func pool(hash: Bytes32, raw: [UInt8], sequence: Int64, replacing: Bytes32?) async throws -> Bool {
        try await Task.sleep(for: poolDelay)
        return try await inner.pool(hash: hash, raw: raw, sequence: sequence, replacing: replacing)
    }
    func removeFromPool(_ hashes: [Bytes32]) async throws { try await inner.removeFromPool(hashes) }
    func block(number: UInt64) async throws -> [UInt8]? { try await inner.block(number: number) }
    func blockNumber(hash: Bytes32) async throws -> UInt64? { try await inner.blockNumber(hash: hash) }
    func transaction(hash: Bytes32) async throws -> StoredTransaction? { try await inner.transaction(hash: hash) }
    func transactions(block number: UInt64) async throws -> [StoredTransaction] {
        try await inner.transactions(block: number)
    }
    func logs(_ query: LogQuery, limit: Int) async throws -> [StoredLog] { try await inner.logs(query, limit: limit) }
    func witness(block number: UInt64) async throws -> ExecutionWitness? { try await inner.witness(block: number) }
    func close() async { await inner.close() }
}

@Suite struct PoolDuringCommitTests {
    /// A transaction that a block includes while its submission waits for the store is
    /// acknowledged (it was answered `already known`); sending it again afterwards is refused by
    /// its nonce.
    @Test func transactionIncludedDuringItsSubmissionIsAcknowledged() async throws {
        let dev = try DevChain()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let db = try await openDatabase("sqlite::memory:", logger: logger)
        let chain = try await Chain(
            genesis: dev.genesis,
            store: SlowStore(try await SQLChainStore(db: db), poolDelay: .milliseconds(300)),
            logger: logger
        )
        let raw = try dev.transfer(
            from: 0,
            to: Address(hex: "0x00000000000000000000000000000000000000ee")!,
            value: 1,
            nonce: 0
        )
        let submitting = Task { try await chain.submit(raw) }
        try await Task.sleep(for: .milliseconds(100))
        let block = try #require(try await chain.produceBlock())
        #expect(block.gasUsed == 21_000)
        let hash = try await submitting.value
        #expect(try await chain.transaction(hash: hash)?.blockNumber == 1)
        await #expect(throws: RPCError.server("nonce too low: next nonce 1, tx nonce 0")) {
            try await chain.submit(raw)
        }
    }

    /// A transaction pooled while a block is being committed stays pooled and is mined next
    /// (it was lost when the pool was overwritten by the copy taken before the commit).
    @Test func transactionPooledDuringACommitIsKept() async throws {
        let dev = try DevChain()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let db = try await openDatabase("sqlite::memory:", logger: logger)
        let store = SlowStore(try await SQLChainStore(db: db), commitDelay: .milliseconds(300))
        let chain = try await Chain(genesis: dev.genesis, store: store, logger: logger)
        let to = Address(hex: "0x00000000000000000000000000000000000000ee")!
        _ = try await chain.submit(try dev.transfer(from: 0, to: to, value: 1, nonce: 0))
        let building = Task { try await chain.produceBlock() }
        try await Task.sleep(for: .milliseconds(100))
        _ = try await chain.submit(try dev.transfer(from: 1, to: to, value: 2, nonce: 0))
        let first = try #require(try await building.value)
        #expect(first.number == 1)
        #expect(await chain.pooledCount == 1)
        let second = try #require(try await chain.produceBlock())
        #expect(second.gasUsed == 21_000)
        #expect(await chain.accounts[to]?.balance == UInt256(3))
        #expect(await chain.pooledCount == 0)
    }
}
