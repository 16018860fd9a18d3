import Algebra
import EVMFixtures
import Foundation

/// Benchmarks of the `Algebra` module: the DFT and coset LDE rows of `zkprover bench`.
enum AlgebraBenchmarks {
    /// Plonky3 reference figures (ms) on this kind of machine, by thread count.
    static func reference(_ name: String, threads: Int) -> Double? {
        switch (name, threads) {
        case ("dft", 1): 232
        case ("dft", 2): 128
        case ("lde", 1): 758
        case ("lde", 2): 372
        default: nil
        }
    }

    /// Best wall-clock time in milliseconds of `runs` calls of `body` (after one warm-up call),
    /// with the process CPU time of that best run. `setup` runs before each call, untimed.
    static func bestMilliseconds<T>(
        runs: Int,
        setup: () -> T,
        _ body: (inout T) -> Void
    ) -> (wall: Double, cpu: Double) {
        var warm = setup()
        body(&warm)
        var best = (wall: Double.infinity, cpu: Double.infinity)
        for _ in 0..<max(runs, 1) {
            var input = setup()
            let cpuStart = CPUTime.process * 1e3
            let start = ContinuousClock.now
            body(&input)
            let elapsed = ContinuousClock.now - start
            let cpu = CPUTime.process * 1e3 - cpuStart
            let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
            if ms < best.wall { best = (ms, cpu) }
        }
        return best
    }

    /// A copy of `m` in its own storage (`Array(m.values)` would share the buffer, and the
    /// copy-on-write would then land inside the timed region).
    static func freshCopy(_ m: RowMajorMatrix<BabyBear>) -> RowMajorMatrix<BabyBear> {
        RowMajorMatrix(values: m.values.withUnsafeBufferPointer { Array($0) }, width: m.width)
    }

    /// A deterministic pseudo-random `height × width` BabyBear matrix.
    static func randomMatrix(width: Int, height: Int) -> RowMajorMatrix<BabyBear> {
        var state: UInt64 = 0x2545_f491_4f6c_dd1d
        var values = [BabyBear]()
        values.reserveCapacity(width * height)
        for _ in 0..<(width * height) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            values.append(BabyBear(UInt32(truncatingIfNeeded: state)))
        }
        return RowMajorMatrix(values: values, width: width)
    }

    /// DFT of BabyBear 2^20 × 64 (natural order in and out, in place) and coset LDE of 2^20 × 64 with
    /// blowup 2 (bit-reversed output, the order the PCS commits), best of a few runs on `threads` threads.
    static func rows(threads: Int, logHeight: Int = 20, width: Int = 64, runs: Int = 3) -> [BenchRow] {
        let saved = Parallel.maxThreads
        Parallel.maxThreads = threads
        defer { Parallel.maxThreads = saved }
        let m = randomMatrix(width: width, height: 1 << logHeight)
        var sink = BabyBear.zero
        // Like Plonky3's benchmark, the DFT consumes a fresh copy of the input made outside the timing.
        let dftMs = bestMilliseconds(
            runs: runs,
            setup: { freshCopy(m) },
            {
                $0.applyDFT()
                sink = sink + $0.values[$0.values.count / 3]
            }
        )
        let ldeMs = bestMilliseconds(
            runs: runs,
            setup: { () },
            { _ in
                let r = m.cosetLDEBitReversed(logBlowup: 1, shift: BabyBear.generator)
                sink = sink + r.values[r.values.count / 3]
            }
        )
        blackHole(sink)
        let standardShape = logHeight == 20 && width == 64
        let shape = "2^\(logHeight) × \(width)"
        return [
            BenchRow(
                name: "DFT BabyBear \(shape)",
                threads: threads,
                value: dftMs.wall,
                unit: "ms",
                reference: standardShape ? reference("dft", threads: threads) : nil,
                note: "in place, natural order; CPU \(Int(dftMs.cpu)) ms"
            ),
            BenchRow(
                name: "coset LDE BabyBear \(shape), blowup 2",
                threads: threads,
                value: ldeMs.wall,
                unit: "ms",
                reference: standardShape ? reference("lde", threads: threads) : nil,
                note: "bit-reversed rows; CPU \(Int(ldeMs.cpu)) ms"
            ),
        ]
    }
}

/// Keeps a value alive so that the optimiser cannot drop the work that produced it.
@inline(never)
private func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
