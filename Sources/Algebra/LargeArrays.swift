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

/// Makes the C allocator keep freed large blocks in the process instead of unmapping them
/// (glibc: large `M_MMAP_THRESHOLD` and `M_TRIM_THRESHOLD`), so that the next big matrix reuses
/// pages that are already mapped instead of paying a page fault and a page clear per page.
///
/// Process-wide and irreversible in practice: peak memory stays reserved. Meant for prover
/// processes that allocate LDE-sized buffers over and over. Returns whether it took effect.
@discardableResult
public func retainFreedLargeAllocations() -> Bool {
    #if canImport(Glibc)
    // glibc <malloc.h>: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3.
    let a = glibcMallopt(-3, Int32.max / 2)
    let b = glibcMallopt(-1, Int32.max)
    return a == 1 && b == 1
    #else
    return false
    #endif
}

#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)` (not exported by the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
