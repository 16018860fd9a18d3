#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Allocates an array of `count` elements and lets `initialize` write every one of them.
///
/// For large arrays the pages are first advised as transparent huge pages (Linux), before
/// anything touches them: big matrices then cost a few hundred page faults instead of tens of
/// thousands, and the random row accesses of bit reversal stay within the TLB.
@inlinable
public func makeLargeArray<T>(count: Int, _ initialize: (UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initializedCount in
        adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
        initialize(buffer)
        initializedCount = count
    }
}

/// Marks the whole 2 MiB pages inside `memory` for transparent huge pages (no-op elsewhere).
@usableFromInline
func adviseHugePages(_ memory: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
    let huge = 2 << 20
    guard memory.count >= 2 * huge, let base = memory.baseAddress else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + memory.count) & ~(huge - 1)
    if end > start {
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
    }
    #endif
}
