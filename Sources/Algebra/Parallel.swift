import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Coarse-grained data parallelism for the prover's hot loops.
///
/// Work is cut into contiguous chunks, a few per thread (``chunksPerThread``), that
/// ``maxThreads`` workers on `DispatchQueue.concurrentPerform` claim one after another; with
/// one thread (or one chunk) the body runs inline on the calling thread. Claiming keeps every
/// worker busy to the end when one of them runs slower (a shared or virtual machine's core
/// taken away for a while): with one fixed chunk per thread, the others would wait for it.
public enum Parallel {
    /// 0 means "not set": use the number of active processors.
    private static let configuredThreads = Atomic<Int>(0)

    /// The number of processors online when first asked.
    ///
    /// Read once: glibc answers `sysconf(_SC_NPROCESSORS_ONLN)` by opening and parsing
    /// `/sys/devices/system/cpu/online`, and ``maxThreads`` is read on every parallel loop and
    /// every Merkle opening a verifier checks.
    public static var activeProcessorCount: Int { onlineProcessors }

    private static let onlineProcessors: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? Int(n) : 1
        #else
        return 1
        #endif
    }()

    /// The largest number of threads parallel loops use (at least 1).
    ///
    /// Defaults to the number of active processors. Safe to read and write from any thread;
    /// setting a value `<= 0` restores the default.
    public static var maxThreads: Int {
        get {
            let n = configuredThreads.load(ordering: .relaxed)
            return n > 0 ? n : activeProcessorCount
        }
        set { configuredThreads.store(max(newValue, 0), ordering: .relaxed) }
    }

    /// Chunks made per thread by ``forEachChunk(count:minChunk:_:)`` (when the work allows).
    public static let chunksPerThread = 4

    /// Calls `body` on disjoint contiguous ranges that together cover `0..<count` exactly once.
    ///
    /// At most ``chunksPerThread`` × ``maxThreads`` ranges are made, each of at least
    /// `minChunk` indices (except when `count < minChunk`); up to ``maxThreads`` of them run
    /// at a time. Returns after every call finished.
    @inlinable
    public static func forEachChunk(count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let threads = maxThreads
        let chunks = min(threads * chunksPerThread, max(1, count / max(minChunk, 1)))
        if chunks <= 1 || threads <= 1 {
            body(0..<count)
            return
        }
        claimChunks(chunks, workers: min(threads, chunks)) { c in
            let start = count * c / chunks
            let end = count * (c + 1) / chunks
            if start < end { body(start..<end) }
        }
    }

    /// Runs `body(c)` for every chunk index `c` in `0..<chunks` on `workers` threads, each
    /// claiming the next unclaimed index until none is left.
    @inlinable
    package static func claimChunks(_ chunks: Int, workers: Int, _ body: (Int) -> Void) {
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let run = UncheckedSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if c >= chunks { return }
                    run.value(c)
                }
            }
        }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, spread over ``maxThreads`` threads in
    /// contiguous chunks.
    @inlinable
    public static func forEach(count: Int, _ body: (Int) -> Void) {
        forEachChunk(count: count) { range in
            for i in range { body(i) }
        }
    }
}

/// Carries a value that is known to be safe to share (used to hand closures and unsafe
/// pointers to worker threads whose lifetime the caller bounds).
@usableFromInline
package struct UncheckedSendableBox<T>: @unchecked Sendable {
    @usableFromInline package let value: T
    @inlinable package init(_ value: T) { self.value = value }
}
