import Algebra
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            let running = Atomic<Int>(0)
            let mostRunning = Atomic<Int>(0)
            Parallel.forEachChunk(count: count) { range in
                chunks.add(1, ordering: .relaxed)
                let now = running.add(1, ordering: .relaxed).newValue
                mostRunning.max(now, ordering: .relaxed)
                hits.withLock { h in for i in range { h[i] += 1 } }
                running.subtract(1, ordering: .relaxed)
            }
            #expect(hits.withLock { $0.allSatisfy { $0 == 1 } })
            #expect(chunks.load(ordering: .relaxed) <= Parallel.chunksPerThread * max(threads, 1))
            #expect(mostRunning.load(ordering: .relaxed) <= max(threads, 1))
        }
    }

    /// Chunks are claimed, not dealt out: a worker that is held up (here: the one that gets the
    /// first chunk, until the rest is done) leaves the remaining chunks to the others.
    @Test func slowWorkerLeavesTheRestToOthers() {
        let saved = Parallel.maxThreads
        Parallel.maxThreads = 2
        defer { Parallel.maxThreads = saved }
        let count = 8 * Parallel.chunksPerThread
        let owners = Mutex([Int: Int]())
        Parallel.forEachChunk(count: count) { range in
            if range.contains(0) {
                // Held up until the other worker has done every other chunk (at most 5 s).
                for _ in 0..<5000 where owners.withLock({ $0.count }) < count - range.count { usleep(1000) }
            }
            let me = Int(bitPattern: pthread_self())
            owners.withLock { o in for i in range { o[i] = me } }
        }
        let slow = owners.withLock { $0[0]! }
        let bySlow = owners.withLock { o in o.values.filter { $0 == slow }.count }
        #expect(owners.withLock { $0.count } == count)
        #expect(bySlow < count / 2)
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
