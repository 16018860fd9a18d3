import Algebra
import Dispatch
import Foundation
import Hashing

/// Poseidon2 and Merkle-tree throughput, next to Plonky3's figures on this machine kind.
enum HashingBenchmarks {
    /// Rows for 1 thread and for `threads` threads (when more than one). Values are
    /// wall-clock rates; the note adds the rate per CPU-second, which is what the code
    /// achieves when the cores are shared with other work.
    static func rows(threads: Int) -> [BenchRow] {
        let counts = threads > 1 ? [1, threads] : [1]
        var rows: [BenchRow] = []
        let koala = Poseidon2<KoalaBear>(width: 16)
        let baby = Poseidon2<BabyBear>(width: 16)
        func row(_ name: String, _ t: Int, _ r: Rate, _ reference: Double, _ note: String) -> BenchRow {
            BenchRow(
                name: name,
                threads: t,
                value: r.wall,
                unit: "M perm/s",
                reference: reference,
                note: (note.isEmpty ? "" : note + "; ") + String(format: "%.2f M perm per CPU-second", r.perCPU)
            )
        }
        for t in counts {
            rows.append(
                row(
                    "Poseidon2 KoalaBear w16 packed",
                    t,
                    packedRate(koala, threads: t),
                    t == 1 ? 10.9 : 21.3,
                    "8 lanes (AVX2)"
                )
            )
        }
        for t in counts {
            rows.append(
                row("Poseidon2 KoalaBear w16 scalar", t, scalarRate(koala, threads: t), t == 1 ? 1.66 : 3.30, "")
            )
        }
        for t in counts {
            rows.append(
                row(
                    "Poseidon2 BabyBear w16 packed",
                    t,
                    packedRate(baby, threads: t),
                    t == 1 ? 8.7 : 17.4,
                    "8 lanes (AVX2)"
                )
            )
        }
        for t in counts {
            let (ms, rate) = merkleCommit(threads: t)
            rows.append(
                BenchRow(
                    name: "Merkle commit KoalaBear 2^16 x 64 (Poseidon2)",
                    threads: t,
                    value: ms,
                    unit: "ms",
                    reference: nil,
                    note: String(format: "%.2f M perm/s", rate)
                )
            )
        }
        return rows
    }

    /// Millions of operations per wall-clock second and per CPU-second (per thread).
    struct Rate {
        var wall: Double
        var perCPU: Double
    }

    /// Process CPU time in seconds.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Runs `body(thread)` (which does `work` operations) on `threads` threads, repeating
    /// until about `seconds` of wall time have passed.
    static func rate(
        threads: Int,
        work: Double,
        seconds: Double = 0.5,
        _ body: @escaping @Sendable (Int) -> Void
    ) -> Rate {
        var iterations = 1
        while true {
            let n = iterations
            let cpu0 = cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for _ in 0..<n { body(t) }
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = cpuSeconds() - cpu0
            if elapsed >= seconds {
                let total = Double(n * threads) * work / 1e6
                return Rate(wall: total / elapsed, perCPU: total / max(cpu, 1e-9))
            }
            iterations = elapsed < seconds / 16 ? iterations * 8 : Int(Double(iterations) * seconds / elapsed * 1.1) + 1
        }
    }

    /// Packed permutations (8 states per call, chained).
    static func packedRate<F: Poseidon2Field>(_ p: Poseidon2<F>, threads: Int) -> Rate {
        let states = PointerBox(Poseidon2Lanes<F>.self, count: threads * 64, fill: Poseidon2Lanes(repeating: F(7)))
        let calls = 256
        return rate(threads: threads, work: Double(calls * Poseidon2Lanes<F>.count)) { t in
            let s = states.pointer + t * 64
            for _ in 0..<calls { p.permute(lanes: s) }
        }
    }

    /// Single-state permutations (chained).
    static func scalarRate<F: Poseidon2Field>(_ p: Poseidon2<F>, threads: Int) -> Rate {
        let states = PointerBox(F.self, count: threads * 64, fill: F(7))
        let calls = 1024
        return rate(threads: threads, work: Double(calls)) { t in
            let s = states.pointer + t * 64
            for _ in 0..<calls { p.permute(s) }
        }
    }

    /// Milliseconds to commit one 2^16 x 64 KoalaBear matrix (best of 3), and the implied permutation rate.
    static func merkleCommit(threads: Int) -> (ms: Double, mperms: Double) {
        let height = 1 << 16
        let width = 64
        let values = (0..<(height * width)).map { KoalaBear(UInt32(truncatingIfNeeded: $0 &* 2_654_435_761)) }
        let matrix = RowMajorMatrix(values: values, width: width)
        let mmcs = Poseidon2MerkleTreeMMCS<KoalaBear>(hasher: Poseidon2MerkleHasher(), threads: threads)
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try! mmcs.commit([matrix])
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let perms = Double(height * (width / 8) + height - 1)
        return (best, perms / best / 1e3)
    }
}

/// A heap buffer shared by benchmark threads (each uses its own part).
private final class PointerBox<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_: T.Type, count: Int, fill: T) {
        pointer = .allocate(capacity: count + 64)
        pointer.initialize(repeating: fill, count: count + 64)
    }
}
