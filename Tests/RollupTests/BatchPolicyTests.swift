import Testing

@testable import Rollup

/// Batch formation: by count, by gas, by age.
@Suite struct BatchPolicyTests {
    func blocks(_ gas: [UInt64], seenAt: Double = 100) -> [BlockSummary] {
        gas.enumerated().map { BlockSummary(number: UInt64($0.offset + 1), gasUsed: $0.element, seenAt: seenAt) }
    }

    @Test func closesFullBatchesByCount() {
        let p = BatchPolicy(maxBlocks: 3, maxGas: 1_000_000, maxAgeSeconds: 60)
        // Seven young blocks: two full batches, the seventh waits.
        #expect(p.close(blocks([1, 1, 1, 1, 1, 1, 1]), now: 101) == [1...3, 4...6])
        #expect(p.close(blocks([1, 1]), now: 101) == [])
    }

    @Test func closesByGas() {
        let p = BatchPolicy(maxBlocks: 10, maxGas: 100, maxAgeSeconds: 60)
        // 40 + 50 fit; + 30 would exceed 100, so the batch closes before it.
        #expect(p.close(blocks([40, 50, 30, 10]), now: 101) == [1...2])
        // Exactly at the limit closes at once.
        #expect(p.close(blocks([60, 40]), now: 101) == [1...2])
        // A lone block above the limit is a batch of its own.
        #expect(p.close(blocks([500, 10]), now: 101) == [1...1])
        #expect(p.close(blocks([10, 500]), now: 101) == [1...1, 2...2])
    }

    @Test func closesByAge() {
        let p = BatchPolicy(maxBlocks: 10, maxGas: 1_000_000, maxAgeSeconds: 5)
        #expect(p.close(blocks([1, 1], seenAt: 100), now: 104.9) == [])
        #expect(p.close(blocks([1, 1], seenAt: 100), now: 105) == [1...2])
        // Full batches close first; an old remainder follows.
        let q = BatchPolicy(maxBlocks: 2, maxGas: 1_000_000, maxAgeSeconds: 5)
        #expect(q.close(blocks([1, 1, 1], seenAt: 100), now: 200) == [1...2, 3...3])
        #expect(q.close(blocks([1, 1, 1], seenAt: 100), now: 101) == [1...2])
    }

    @Test func nothingPendingNothingClosed() {
        #expect(BatchPolicy().close([], now: 1e12) == [])
        // At least one block per batch, whatever the setting.
        #expect(BatchPolicy(maxBlocks: 0).maxBlocks == 1)
    }
}
