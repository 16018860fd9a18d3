import Algebra
import Synchronization
import Testing

@Suite("Parallel loops", .serialized)
struct ParallelTests {
    @Test("every index is visited exactly once", arguments: [0, 1, 2, 3, 7, 100, 1001])
    func coversEveryIndexOnce(count: Int) {
        for threads in [1, 2, 3, 8] {
            let saved = Parallel.maxThreads
            Parallel.maxThreads = threads
            defer { Parallel.maxThreads = saved }
            let hits = Mutex([Int](repeating: 0, count: count))
            let chunks = Atomic<Int>(0)
            Parallel.forEachChunk(count: count) { range in
                chunks.add(1, ordering: .relaxed)
                hits.withLock { h in for i in range { h[i] += 1 } }
            }
            #expect(hits.withLock { $0.allSatisfy { $0 == 1 } })
            #expect(chunks.load(ordering: .relaxed) <= max(threads, 1))
        }
    }

    @Test func maxThreadsDefaultsAndClamps() {
        let saved = Parallel.maxThreads
        defer { Parallel.maxThreads = saved }
        Parallel.maxThreads = 0
        #expect(Parallel.maxThreads == Parallel.activeProcessorCount)
        Parallel.maxThreads = 3
        #expect(Parallel.maxThreads == 3)
    }
}
