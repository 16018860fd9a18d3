import EVMPrimitives

/// A call frame's byte-addressed memory: a zero-filled buffer that grows in 32-byte words.
@usableFromInline
struct Memory {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    /// Current size in bytes (a multiple of 32).
    @usableFromInline var size: Int = 0
    @usableFromInline var capacity: Int

    @inlinable init() {
        capacity = 1024
        base = .allocate(capacity: 1024)
        base.initialize(repeating: 0, count: 1024)
    }

    @inlinable func free() { base.deallocate() }

    /// The gas cost of `words` words of memory: `G_memory · w + w² / 512` (Yellow Paper).
    @inlinable @inline(__always)
    static func cost(words: Int) -> Int64 {
        let w = Int64(words)
        return w &* Gas.memory &+ (w &* w) / Gas.memoryQuadraticDivisor
    }

    /// Largest offset or size accepted; anything larger costs more gas than can exist.
    @inlinable static var limit: UInt64 { 0xFFFF_FFFF }

    /// Grows memory to cover `[offset, offset + length)` and charges the expansion gas.
    /// Returns false when gas runs out. `length` must be non-zero.
    @inlinable @inline(__always)
    mutating func expand(offset: Int, length: Int, gas: inout Int64) -> Bool {
        let end = offset &+ length
        if end <= size { return true }
        let g = grow(end: end, gas: gas)
        gas = g
        return g >= 0
    }

    /// Charges and performs a growth to `end` bytes; returns the gas left (negative when it
    /// runs out, in which case nothing is allocated).
    @inline(never) @usableFromInline
    mutating func grow(end: Int, gas: Int64) -> Int64 {
        let newSize = (end &+ 31) & ~31
        let c = Memory.cost(words: newSize >> 5) &- Memory.cost(words: size >> 5)
        let left = gas &- c
        if left < 0 { return -1 }
        if newSize > capacity {
            var newCap = capacity &* 2
            if newCap < newSize { newCap = newSize }
            let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: newCap)
            nb.update(from: base, count: size)
            (nb + size).initialize(repeating: 0, count: newCap &- size)
            base.deallocate()
            base = nb
            capacity = newCap
        }
        size = newSize
        return left
    }
}

/// Offset/size conversions for memory operands.
extension UInt256 {
    /// The value as an Int when at most `Memory.limit`, else nil.
    @inlinable @inline(__always)
    var memoryInt: Int? {
        if (w1 | w2 | w3) != 0 || w0 > Memory.limit { return nil }
        return Int(truncatingIfNeeded: w0)
    }

    /// The value clamped to Int64.max.
    @inlinable @inline(__always)
    var clampedInt64: Int64 {
        if (w1 | w2 | w3) != 0 || w0 > UInt64(Int64.max) { return Int64.max }
        return Int64(truncatingIfNeeded: w0)
    }
}
