import EVMPrimitives
import Foundation
import Logging
import NetworkCore
import Testing

@testable import Rollup

/// Batches, their data and the `safe` / `finalized` marks survive a restart.
@Suite struct BatchRestartTests {
    @Test func batchesAndMarksSurviveARestart() async throws {
        let dev = try DevChain()
        let logger = Logger(label: "test")
        let to = Address(hex: "0x00000000000000000000000000000000000000bb")!
        func batcher(_ chain: Chain, _ store: BatchStore) throws -> Batcher {
            var config = BatcherConfig(
                coordinator: "http://127.0.0.1:1",
                keyFile: dev.dir + "/batcher.key",
                proofs: BatchProofs(blocks: .standIn(StarkFibonacciKind.testing), final: StarkFibonacciKind.testing)
            )
            config.policy = BatchPolicy(maxBlocks: 2, maxGas: 1 << 40, maxAgeSeconds: 3600)
            return try Batcher(chain: chain, store: store, config: config, logger: logger)
        }
        var first: [Batch] = []
        do {
            let (chain, store) = try await RollupNode.open(genesis: dev.genesis, datadir: dev.dir, logger: logger)
            for n in 0..<5 {
                _ = try await chain.submit(try dev.transfer(from: 0, to: to, value: 1, nonce: UInt64(n)))
                _ = try await chain.produceBlock()
            }
            try await batcher(chain, store).sealBatches()
            first = try await store.batches()
            // Blocks 1-2 and 3-4; block 5 waits for a partner (or for its age).
            #expect(first.map { $0.firstBlock...$0.lastBlock } == [1...2, 3...4])
            try await store.markSubmitted(id: 1, attempt: 1, blockJobs: ["a", "b"], finalJob: "f", at: 10)
            try await store.markFinalized(id: 1, at: 20)
            try await store.markSubmitted(id: 2, attempt: 1, blockJobs: ["c", "d"], finalJob: "g", at: 30)
            #expect(try await store.marks() == (safe: 4, finalized: 2))
        }
        // Reopened: the same batches, data intact, the marks where they were.
        let (chain, store) = try await RollupNode.open(genesis: dev.genesis, datadir: dev.dir, logger: logger)
        #expect(await chain.finalizedNumber == 2)
        #expect(await chain.safeNumber == 4)
        let again = try await store.batches()
        #expect(again.count == 2)
        #expect(again[0].state == .finalized && again[0].finalizedAt == 20)
        #expect(again[1].state == .submitted && again[1].blockJobs == ["c", "d"] && again[1].finalJob == "g")
        #expect(again[0].rawBytes == first[0].rawBytes && again[0].compressedBytes == first[0].compressedBytes)
        let data = try #require(try await store.data(id: 2))
        #expect(data.encoded.count == again[1].rawBytes && data.blockInputs.count == 2)
        // The batcher resumes after the last batched block: block 5 and a new block 6.
        _ = try await chain.produceBlock()
        try await batcher(chain, store).sealBatches()
        #expect(try await store.batches().map { $0.firstBlock...$0.lastBlock } == [1...2, 3...4, 5...6])
        // A batch that does not follow the last one is refused.
        await #expect(throws: StorageError.self) {
            _ = try await store.seal(9...9, gasUsed: 0, transactions: 0, data: BatchData(blockInputs: [[1]]), at: 0)
        }
    }
}
