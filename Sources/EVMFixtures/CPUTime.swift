#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time for the benchmarks (the one helper every `zkprover` benchmark uses): of the whole
/// process (every thread), or of the calling thread (robust to other processes sharing the machine).
package enum CPUTime {
    /// CPU seconds (user + system) the whole process has used so far.
    package static var process: Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }

    /// CPU seconds the calling thread has used so far.
    package static var thread: Double { seconds(CLOCK_THREAD_CPUTIME_ID) }

    private static func seconds(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
