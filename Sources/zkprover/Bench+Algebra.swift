import Algebra

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

    /// Best wall-clock time in milliseconds of `runs` calls of `body` (after one warm-up call).
    static func bestMilliseconds(runs: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<runs {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
            best = min(best, ms)
        }
        return best
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

    /// DFT of BabyBear 2^20 × 64 (natural order in and out) and coset LDE of 2^20 × 64 with
    /// blowup 2 (bit-reversed output, the order the PCS commits), best of a few runs on `threads` threads.
    static func rows(threads: Int, logHeight: Int = 20, width: Int = 64, runs: Int = 3) -> [BenchRow] {
        let saved = Parallel.maxThreads
        Parallel.maxThreads = threads
        defer { Parallel.maxThreads = saved }
        let m = randomMatrix(width: width, height: 1 << logHeight)
        var sink = BabyBear.zero
        let dftMs = bestMilliseconds(runs: runs) {
            let r = m.dft()
            sink = sink + r.values[r.values.count / 3]
        }
        let ldeMs = bestMilliseconds(runs: runs) {
            let r = m.cosetLDEBitReversed(logBlowup: 1, shift: BabyBear.generator)
            sink = sink + r.values[r.values.count / 3]
        }
        blackHole(sink)
        let shape = "2^\(logHeight) × \(width)"
        return [
            BenchRow(
                name: "DFT BabyBear \(shape)",
                threads: threads,
                value: dftMs,
                unit: "ms",
                reference: reference("dft", threads: threads),
                note: "natural order"
            ),
            BenchRow(
                name: "coset LDE BabyBear \(shape), blowup 2",
                threads: threads,
                value: ldeMs,
                unit: "ms",
                reference: reference("lde", threads: threads),
                note: "bit-reversed rows"
            ),
        ]
    }
}

/// Keeps a value alive so that the optimiser cannot drop the work that produced it.
@inline(never)
private func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
