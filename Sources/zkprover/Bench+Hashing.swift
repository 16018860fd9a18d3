import Algebra
import ArgumentParser
import Dispatch
import EVMFixtures
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
                    "16 states per call, \(Poseidon2Kernels.name) kernel"
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
                    "16 states per call, \(Poseidon2Kernels.name) kernel"
                )
            )
        }
        for t in counts {
            let m = merkleCommit(threads: t)
            rows.append(
                BenchRow(
                    name: "Merkle commit KoalaBear 2^16 x 64 (Poseidon2)",
                    threads: t,
                    value: m.ms,
                    unit: "ms",
                    reference: nil,
                    note: String(
                        format: "%.2f M perm/s; %.1f ms CPU, %.2f M perm per CPU-second",
                        m.mperms,
                        m.cpuMs,
                        m.mpermsPerCPU
                    )
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
            let cpu0 = CPUTime.process
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for _ in 0..<n { body(t) }
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = CPUTime.process - cpu0
            if elapsed >= seconds {
                let total = Double(n * threads) * work / 1e6
                return Rate(wall: total / elapsed, perCPU: total / max(cpu, 1e-9))
            }
            iterations = elapsed < seconds / 16 ? iterations * 8 : Int(Double(iterations) * seconds / elapsed * 1.1) + 1
        }
    }

    /// Packed permutations, 16 states per call (two groups of 8 AVX2 lanes, the width of
    /// one AVX-512 vector), chained.
    static func packedRate<F: Poseidon2Field>(_ p: Poseidon2<F>, threads: Int) -> Rate {
        let states = sharedStates(count: threads * 64, fill: Poseidon2Lanes<F>(repeating: F(7)))
        defer { states.value.deallocate() }
        let calls = 128
        return rate(threads: threads, work: Double(calls * 2 * Poseidon2Lanes<F>.count)) { t in
            let s = states.value + t * 64
            for _ in 0..<calls { p.permute(lanes16: s) }
        }
    }

    /// Single-state permutations (chained).
    static func scalarRate<F: Poseidon2Field>(_ p: Poseidon2<F>, threads: Int) -> Rate {
        let states = sharedStates(count: threads * 64, fill: F(7))
        defer { states.value.deallocate() }
        let calls = 1024
        return rate(threads: threads, work: Double(calls)) { t in
            let s = states.value + t * 64
            for _ in 0..<calls { p.permute(s) }
        }
    }

    /// One Merkle commitment's cost: wall-clock milliseconds (best of 3), the implied
    /// permutation rate, and the process CPU time of that best run.
    struct MerkleCost {
        var ms: Double
        var mperms: Double
        var cpuMs: Double
        var mpermsPerCPU: Double
    }

    /// Commits one 2^16 x 64 KoalaBear matrix three times and keeps the fastest run.
    static func merkleCommit(threads: Int) -> MerkleCost {
        let height = 1 << 16
        let width = 64
        let values = (0..<(height * width)).map { KoalaBear(UInt32(truncatingIfNeeded: $0 &* 2_654_435_761)) }
        let matrix = RowMajorMatrix(values: values, width: width)
        let mmcs = Poseidon2MerkleTreeMMCS<KoalaBear>(hasher: Poseidon2MerkleHasher(), threads: threads)
        var best = Double.infinity
        var bestCPU = Double.infinity
        for _ in 0..<3 {
            let cpu0 = CPUTime.process
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try! mmcs.commit([matrix])
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            let cpuMs = (CPUTime.process - cpu0) * 1e3
            if ms < best {
                best = ms
                bestCPU = cpuMs
            }
        }
        let perms = Double(height * (width / 8) + height - 1)
        return MerkleCost(ms: best, mperms: perms / best / 1e3, cpuMs: bestCPU, mpermsPerCPU: perms / bestCPU / 1e3)
    }
}

/// `zkprover bench-hashing`: the Poseidon2 and Merkle-commit rows of `zkprover bench` alone
/// (a developer tool), optionally repeated, since single figures wobble on a shared machine.
struct HashingBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-hashing",
        abstract: "Benchmark Poseidon2 (packed and scalar) and a Poseidon2 Merkle commitment.",
        shouldDisplay: false
    )

    @Option(help: "Threads: 1, 2 or both.") var threads: String = "both"
    @Option(help: "How many times to measure every row.") var repeats: Int = 1
    @Flag(help: "Print only JSON.") var json = false

    func run() throws {
        let maxThreads: Int
        switch threads {
        case "1": maxThreads = 1
        case "2", "both": maxThreads = 2
        default: throw ValidationError("--threads must be 1, 2 or both")
        }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        var rows: [BenchRow] = []
        for _ in 0..<repeats {
            let batch = HashingBenchmarks.rows(threads: maxThreads)
            rows += threads == "2" ? batch.filter { $0.threads == 2 } : batch
        }
        if !json {
            for r in rows {
                let ref = r.reference.map { String(format: "%10.3f", $0) } ?? "          "
                print(
                    r.name.padding(toLength: 48, withPad: " ", startingAt: 0)
                        + String(format: " %3d %11.3f  ", r.threads, r.value)
                        + r.unit.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + ref + "  " + (r.note ?? "")
                )
            }
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(rows), as: UTF8.self))
    }
}

/// A heap buffer shared by benchmark threads (each uses its own part); the caller deallocates it.
private func sharedStates<T>(count: Int, fill: T) -> UncheckedSendableBox<UnsafeMutablePointer<T>> {
    let pointer = UnsafeMutablePointer<T>.allocate(capacity: count + 64)
    pointer.initialize(repeating: fill, count: count + 64)
    return UncheckedSendableBox(pointer)
}
