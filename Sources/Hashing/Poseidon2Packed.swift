import Algebra
import Dispatch

extension Poseidon2 {
    /// Permutes `Poseidon2Lanes.count` (8) states at once. `states` holds `width`
    /// vectors, vector `i` carrying element `i` of each of the 8 states.
    @inlinable
    public func permute(lanes states: UnsafeMutablePointer<Poseidon2Lanes<F>>) {
        states.withMemoryRebound(to: SIMD8<UInt32>.self, capacity: width) { permute(words8: $0) }
    }

    /// Permutes 8 states held as `width` vectors of Montgomery words (vector `i`
    /// carries element `i` of each state).
    @inlinable
    public func permute(words8 states: UnsafeMutablePointer<SIMD8<UInt32>>) {
        constants.withUnsafeBufferPointer { rc in
            F.Parameters.permute(lanes: states, width: width, constants: rc.baseAddress!)
        }
    }

    /// Permutes 16 width-16 states at once, as two groups of 16 packed vectors:
    /// `states[16 g + i]` carries element `i` of states `8 g ..< 8 g + 8`. The two groups run
    /// together (the throughput form of the packed permutation). Width 16 only.
    @inlinable
    public func permute(lanes16 states: UnsafeMutablePointer<Poseidon2Lanes<F>>) {
        states.withMemoryRebound(to: SIMD8<UInt32>.self, capacity: 32) { permute(words16: $0) }
    }

    /// `permute(lanes16:)` on Montgomery words: `states[16 g + i]` carries element `i` of
    /// states `8 g ..< 8 g + 8`. Width 16 only.
    @inlinable
    public func permute(words16 states: UnsafeMutablePointer<SIMD8<UInt32>>) {
        precondition(width == 16, "the 16-state packed permutation has width 16")
        constants.withUnsafeBufferPointer { rc in
            F.Parameters.permute16(lanes: states, constants: rc.baseAddress!)
        }
    }

    /// Permutes 16 consecutive width-16 states (`256` elements, state after state).
    @inlinable
    public func permute16(_ states: UnsafeMutablePointer<F>) {
        precondition(width == 16, "the 16-state packed permutation has width 16")
        states.withMemoryRebound(to: UInt32.self, capacity: 256) { words in
            withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 32) { buffer in
                let s = buffer.baseAddress!
                let raw = UnsafeMutableRawPointer(words)
                for g in 0..<2 {
                    // Group g: states 8g..<8g+8, 16 words each; two 8 x 8 transposes.
                    let rows = UnsafeRawPointer(raw) + 512 * g
                    transpose8(rows, stride: 64, to: s + 16 * g)
                    transpose8(rows + 32, stride: 64, to: s + 16 * g + 8)
                }
                permute(words16: s)
                for g in 0..<2 {
                    for h in 0..<2 {
                        withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 8) { t in
                            transpose8(UnsafeRawPointer(s + 16 * g + 8 * h), stride: 32, to: t.baseAddress!)
                            for l in 0..<8 {
                                (raw + 512 * g + 64 * l + 32 * h).storeBytes(of: t[l], as: SIMD8<UInt32>.self)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Permutes 8 consecutive states of `width` elements each (`8 * width`
    /// elements, state after state) with the packed permutation.
    @inlinable
    public func permute8(_ states: UnsafeMutablePointer<F>) {
        let w = width
        states.withMemoryRebound(to: UInt32.self, capacity: 8 * w) { words in
            withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 24) { buffer in
                let s = buffer.baseAddress!
                for i in 0..<w {
                    var v = SIMD8<UInt32>()
                    for l in 0..<8 { v[l] = words[l * w + i] }
                    s[i] = v
                }
                permute(words8: s)
                for i in 0..<w {
                    let v = s[i]
                    for l in 0..<8 { words[l * w + i] = v[l] }
                }
            }
        }
    }

    /// Permutes every state in `states` (a whole number of states of `width`
    /// elements, state after state), 8 at a time with packed arithmetic, on up to
    /// `threads` threads.
    public func permuteAll(_ states: inout [F], threads: Int = 1) {
        precondition(states.count % width == 0, "the buffer must hold whole states")
        let count = states.count / width
        let w = width
        states.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedSendableBox(buffer.baseAddress!)
            forEachChunk(count: count, threads: threads, alignment: 16) { range in
                var i = range.lowerBound
                while w == 16 && i + 16 <= range.upperBound {
                    permute16(base.value + i * w)
                    i += 16
                }
                while i + 8 <= range.upperBound {
                    permute8(base.value + i * w)
                    i += 8
                }
                while i < range.upperBound {
                    permute(base.value + i * w)
                    i += 1
                }
            }
        }
    }
}

/// Runs `body` over contiguous chunks of `0..<count` on up to `threads` threads, a few chunks
/// per thread claimed one after another (as ``Algebra/Parallel/forEachChunk(count:minChunk:_:)``).
/// Chunk boundaries are multiples of `alignment` (except the end).
@inlinable
func forEachChunk(count: Int, threads: Int, alignment: Int, _ body: (Range<Int>) -> Void) {
    let units = (count + alignment - 1) / max(alignment, 1)
    let workers = max(1, min(threads, units))
    if workers <= 1 || count == 0 {
        body(0..<count)
        return
    }
    let chunks = min(units, workers * Parallel.chunksPerThread)
    let perChunk = (units + chunks - 1) / chunks
    Parallel.claimChunks(chunks, workers: workers) { c in
        let lo = min(count, c * perChunk * alignment)
        let hi = min(count, (c + 1) * perChunk * alignment)
        if lo < hi { body(lo..<hi) }
    }
}
