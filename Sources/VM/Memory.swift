#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A table of `count` all-zero (nil) entries from `calloc`: the OS maps untouched parts lazily,
/// so a 1 M-entry page table costs nothing until used. Free with `free`.
func zeroedTable<T>(_ count: Int, of: T.Type) -> UnsafeMutablePointer<T> {
    guard let raw = calloc(count, MemoryLayout<T>.stride) else { fatalError("out of host memory") }
    return raw.bindMemory(to: T.self, capacity: count)
}

/// Sparse paged memory: 4 KiB pages allocated on first touch, a bound on how many.
///
/// Two page tables (one entry per page of the 4 GiB space) give the interpreter a single
/// load per access: `readPages` maps every resident page, `writePages` every resident page
/// that holds no code, so a store into code always takes the slow path and is refused.
public final class Memory {
    /// log2 of the page size.
    public static var pageShift: UInt32 { 12 }
    /// Page size in bytes.
    public static var pageSize: Int { 4096 }
    /// Addresses from ``ELFLoader/lowestAddress`` up to (not including) this one are usable.
    public static var addressLimit: UInt32 { 0xFFFF_0000 }
    static var pageCount: Int { 1 << 20 }

    let readPages: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let writePages: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// Resident pages, in order of allocation.
    public private(set) var residentPages: [UInt32] = []
    /// The most pages that may become resident.
    public let maxPages: Int
    /// Executable range: stores into it are refused.
    public let code: Range<UInt32>

    init(maxPages: Int, code: Range<UInt32>) {
        self.maxPages = maxPages
        self.code = code
        readPages = zeroedTable(Memory.pageCount, of: UnsafeMutableRawPointer?.self)
        writePages = zeroedTable(Memory.pageCount, of: UnsafeMutableRawPointer?.self)
    }

    deinit {
        for p in residentPages { readPages[Int(p)]?.deallocate() }
        free(readPages)
        free(writePages)
    }

    /// Why a page could not be provided.
    enum Fault { case outOfRange, storeToCode, outOfMemory }

    /// The page holding `address`, allocating it if needed (slow path of every access).
    @inline(never)
    func page(for address: UInt32, write: Bool) -> Result<UnsafeMutableRawPointer, FaultBox> {
        guard address >= ELFLoader.lowestAddress, address < Memory.addressLimit else {
            return .failure(FaultBox(.outOfRange))
        }
        let index = Int(address >> Memory.pageShift)
        if let p = readPages[index] {
            if write && code.contains(address) { return .failure(FaultBox(.storeToCode)) }
            return .success(p)
        }
        guard residentPages.count < maxPages else { return .failure(FaultBox(.outOfMemory)) }
        let p = UnsafeMutableRawPointer.allocate(byteCount: Memory.pageSize, alignment: Memory.pageSize)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: Memory.pageSize)
        readPages[index] = p
        let start = UInt32(index) << Memory.pageShift
        let overlapsCode = code.lowerBound < start &+ UInt32(Memory.pageSize) && start < code.upperBound
        if !overlapsCode { writePages[index] = p }
        residentPages.append(UInt32(index))
        if write && code.contains(address) { return .failure(FaultBox(.storeToCode)) }
        return .success(p)
    }

    /// Wraps a fault so it can travel in a `Result`.
    struct FaultBox: Error {
        var fault: Fault
        init(_ f: Fault) { fault = f }
    }

    /// The current contents of the page with index `page` (zero if never touched).
    public func pageContents(_ page: UInt32) -> [UInt8] {
        guard let p = readPages[Int(page)] else { return [UInt8](repeating: 0, count: Memory.pageSize) }
        return Array(UnsafeRawBufferPointer(start: p, count: Memory.pageSize))
    }

    /// Reads an aligned word without side effects; nil if the page is not resident.
    public func peekWord(_ address: UInt32) -> UInt32? {
        guard let p = readPages[Int(address >> Memory.pageShift)] else { return nil }
        return p.load(fromByteOffset: Int(address & 0xffc), as: UInt32.self)
    }
}
