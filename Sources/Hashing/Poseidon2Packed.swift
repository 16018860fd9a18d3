import Algebra
import Dispatch

extension Poseidon2 {
    /// Permutes `Poseidon2Lanes.count` (8) states at once. `states` holds `width`
    /// vectors, vector `i` carrying element `i` of each of the 8 states.
    @inlinable
    public func permute(lanes states: UnsafeMutablePointer<Poseidon2Lanes<F>>) {
        constants.withUnsafeBufferPointer { rc in
            let c = rc.baseAddress!
            if width == 16 {
                Self.permuteLanes(states, width: 16, partialRounds: partialRounds, constants: c)
            } else {
                Self.permuteLanes(states, width: 24, partialRounds: partialRounds, constants: c)
            }
        }
    }

    /// Works on a stack copy so the state can live in registers.
    @inlinable @inline(__always)
    static func permuteLanes(
        _ states: UnsafeMutablePointer<Poseidon2Lanes<F>>,
        width: Int,
        partialRounds: Int,
        constants: UnsafePointer<F>
    ) {
        withUnsafeTemporaryAllocation(of: Poseidon2Lanes<F>.self, capacity: width) { buffer in
            let s = buffer.baseAddress!
            for i in 0..<width { (s + i).initialize(to: states[i]) }
            permute(s, width: width, partialRounds: partialRounds, constants: constants) {
                Poseidon2Lanes(repeating: $0)
            }
            for i in 0..<width { states[i] = s[i] }
        }
    }

    /// Permutes 8 consecutive states of `width` elements each (`8 * width`
    /// elements, state after state) with the packed permutation.
    @inlinable
    public func permute8(_ states: UnsafeMutablePointer<F>) {
        withUnsafeTemporaryAllocation(of: Poseidon2Lanes<F>.self, capacity: width) { buffer in
            let s = buffer.baseAddress!
            let w = width
            for i in 0..<w {
                var v = SIMD8<UInt32>()
                for l in 0..<8 { v[l] = states[l * w + i].montgomery }
                (s + i).initialize(to: Poseidon2Lanes(words: v))
            }
            permute(lanes: s)
            for i in 0..<w {
                let v = s[i].words
                for l in 0..<8 { states[l * w + i] = F(montgomery: v[l]) }
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
            let base = UnsafeSendablePointer(buffer.baseAddress!)
            forEachChunk(count: count, threads: threads, alignment: 8) { range in
                var i = range.lowerBound
                while i + 8 <= range.upperBound {
                    permute8(base.pointer + i * w)
                    i += 8
                }
                while i < range.upperBound {
                    permute(base.pointer + i * w)
                    i += 1
                }
            }
        }
    }
}

/// A pointer that may cross into `concurrentPerform` workers that write disjoint parts.
@usableFromInline
struct UnsafeSendablePointer<T>: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<T>
    @inlinable init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// Runs `body` over contiguous chunks of `0..<count` on up to `threads` threads.
/// Chunk boundaries are multiples of `alignment` (except the end).
@inlinable
func forEachChunk(count: Int, threads: Int, alignment: Int, _ body: (Range<Int>) -> Void) {
    let workers = max(1, min(threads, (count + alignment - 1) / max(alignment, 1)))
    if workers <= 1 || count == 0 {
        body(0..<count)
        return
    }
    let units = (count + alignment - 1) / alignment
    let perWorker = (units + workers - 1) / workers
    withoutActuallyEscaping(body) { body in
        let box = SendableClosure(body)
        DispatchQueue.concurrentPerform(iterations: workers) { t in
            let lo = min(count, t * perWorker * alignment)
            let hi = min(count, (t + 1) * perWorker * alignment)
            if lo < hi { box.body(lo..<hi) }
        }
    }
}

@usableFromInline
struct SendableClosure<Arg>: @unchecked Sendable {
    @usableFromInline let body: (Arg) -> Void
    @inlinable init(_ body: @escaping (Arg) -> Void) { self.body = body }
}
