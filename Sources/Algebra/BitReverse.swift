/// `log2(n)` for a power of two `n >= 1`.
@inlinable
public func log2Strict(_ n: Int) -> Int {
    precondition(n > 0 && n & (n - 1) == 0, "\(n) is not a power of two")
    return n.trailingZeroBitCount
}

/// `ceil(log2(n))` for `n >= 1` (0 for `n == 1`).
@inlinable
public func log2Ceil(_ n: Int) -> Int {
    precondition(n > 0, "log2 of a non-positive number")
    return n <= 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount
}

/// The low `bits` bits of `index` in reverse order (`bits` in `0...Int.bitWidth`).
@inlinable @inline(__always)
public func reverseBits(_ index: Int, bits: Int) -> Int {
    if bits == 0 { return 0 }
    return Int(bitPattern: UInt(bitPattern: index).bitReversed() >> UInt(UInt.bitWidth - bits))
}

extension UInt {
    @inlinable @inline(__always)
    func bitReversed() -> UInt {
        var v = UInt64(self)
        v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
        v = ((v >> 4) & 0x0f0f_0f0f_0f0f_0f0f) | ((v & 0x0f0f_0f0f_0f0f_0f0f) << 4)
        return UInt(v.byteSwapped)
    }
}

/// Permutes `values` (whose count must be a power of two) into bit-reversed order:
/// the element at index `i` moves to `reverseBits(i, log2(count))`.
@inlinable
public func bitReversePermute<T>(_ values: inout [T]) {
    if values.count <= 2 { return }
    let bits = log2Strict(values.count)
    values.withUnsafeMutableBufferPointer { buf in
        for i in 0..<buf.count {
            let j = reverseBits(i, bits: bits)
            if i < j { buf.swapAt(i, j) }
        }
    }
}

/// A copy of `values` in bit-reversed order (see ``bitReversePermute(_:)``).
@inlinable
public func bitReversed<T>(_ values: [T]) -> [T] {
    var out = values
    bitReversePermute(&out)
    return out
}

/// Swaps rows of `width` elements into bit-reversed order in place; the buffer holds
/// `2^k * width` elements. Runs on ``Parallel`` for large buffers.
@inlinable
public func bitReverseRows<F: PrimeField31>(_ data: UnsafeMutableBufferPointer<F>, width: Int) {
    guard width > 0, data.count > 0 else { return }
    let height = data.count / width
    precondition(height * width == data.count, "buffer is not a whole number of rows")
    if height <= 2 { return }
    let bits = log2Strict(height)
    let base = UncheckedSendableBox(data.baseAddress!)
    let minChunk = max(1, (1 << 16) / width)
    Parallel.forEachChunk(count: height, minChunk: minChunk) { range in
        let p = base.value
        for i in range {
            let j = reverseBits(i, bits: bits)
            if i < j { swapRows(p + i * width, p + j * width, count: width) }
        }
    }
}

/// Swaps `count` elements between two non-overlapping places, a SIMD register at a time.
@inlinable @inline(__always)
func swapRows<F: PrimeField31>(_ a: UnsafeMutablePointer<F>, _ b: UnsafeMutablePointer<F>, count: Int) {
    let lanes = F.Packing.width
    var c = 0
    while c + lanes <= count {
        let x = F.Packing(loading: a + c)
        let y = F.Packing(loading: b + c)
        y.store(to: a + c)
        x.store(to: b + c)
        c += lanes
    }
    while c < count {
        swap(&a[c], &b[c])
        c += 1
    }
}

/// Writes the rows of `source` into `destination` in bit-reversed order (destination row
/// `reverseBits(i)` is source row `i`); both hold `2^k * width` elements and must not overlap.
///
/// Rows are moved in tiles of 16 × 16 (the row index split as high, middle and low bits), so
/// reads and writes both stay within a few pages at a time. Runs on ``Parallel``.
@inlinable
public func bitReverseRowsCopy<F: PrimeField31>(
    from source: UnsafeBufferPointer<F>,
    to destination: UnsafeMutableBufferPointer<F>,
    width: Int
) {
    precondition(source.count == destination.count, "shape mismatch")
    guard width > 0, source.count > 0 else { return }
    let height = source.count / width
    precondition(height * width == source.count, "buffer is not a whole number of rows")
    let bits = log2Strict(height)
    let src = UnsafeMutablePointer(mutating: source.baseAddress!)
    let dst = destination.baseAddress!
    let tileBits = 4
    if bits < 2 * tileBits {
        for i in 0..<height { copyRow(src + i * width, dst + reverseBits(i, bits: bits) * width, count: width) }
        return
    }
    // i = hi · 2^(bits - t) + mid · 2^t + lo; reverseBits(i) = rev(lo) · 2^(bits - t) + rev(mid) · 2^t + rev(hi).
    let midBits = bits - 2 * tileBits
    let tile = 1 << tileBits
    Parallel.forEachChunk(count: 1 << midBits, minChunk: max(1, (1 << 14) / (width * tile * tile))) { mids in
        for mid in mids {
            let revMid = reverseBits(mid, bits: midBits)
            for hi in 0..<tile {
                let revHi = reverseBits(hi, bits: tileBits)
                let srcBase = (hi << (bits - tileBits)) | (mid << tileBits)
                let dstBase = (revMid << tileBits) | revHi
                for lo in 0..<tile {
                    let revLo = reverseBits(lo, bits: tileBits)
                    copyRow(
                        src + (srcBase | lo) * width,
                        dst + (dstBase | (revLo << (bits - tileBits))) * width,
                        count: width
                    )
                }
            }
        }
    }
}

/// Copies `count` elements between two non-overlapping places, a SIMD register at a time.
@inlinable @inline(__always)
func copyRow<F: PrimeField31>(_ from: UnsafeMutablePointer<F>, _ to: UnsafeMutablePointer<F>, count: Int) {
    let lanes = F.Packing.width
    var c = 0
    while c + lanes <= count {
        F.Packing(loading: from + c).store(to: to + c)
        c += lanes
    }
    while c < count {
        to[c] = from[c]
        c += 1
    }
}
