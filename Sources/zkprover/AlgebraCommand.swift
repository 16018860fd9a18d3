import Algebra
import ArgumentParser
import Foundation

/// `zkprover bench-algebra`: the DFT / LDE benchmark rows alone (a developer tool; `zkprover bench`
/// prints the same rows among the others).
struct AlgebraBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-algebra",
        abstract: "Benchmark the DFT and coset LDE (BabyBear, 64 columns).",
        shouldDisplay: false
    )

    @Option(help: "Thread counts to measure.") var threads: [Int] = [1, 2]
    @Option(help: "log2 of the number of rows.") var logHeight: Int = 20
    @Option(help: "Number of columns.") var width: Int = 64
    @Option(help: "Timed runs per figure (the best is printed).") var runs: Int = 3

    func run() {
        for t in threads {
            for row in AlgebraBenchmarks.rows(threads: t, logHeight: logHeight, width: width, runs: runs) {
                let ref = row.reference.map { String(format: "%.0f", $0) } ?? "-"
                print(
                    "\(row.name)\t\(row.threads) thr\t\(String(format: "%.1f", row.value)) \(row.unit)\t(Plonky3 \(ref))"
                )
            }
        }
    }
}

/// `zkprover profile-algebra`: process CPU time of the DFT building blocks (1 thread), which stays
/// meaningful on a machine shared with other work.
struct AlgebraProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile-algebra",
        abstract: "CPU time of DFT building blocks.",
        shouldDisplay: false
    )
    @Option var logHeight: Int = 20
    @Option var width: Int = 64

    func cpuMs(_ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            var a = timespec()
            var b = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a)
            body()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b)
            best = min(best, Double(b.tv_sec - a.tv_sec) * 1e3 + Double(b.tv_nsec - a.tv_nsec) * 1e-6)
        }
        return best
    }

    func run() {
        Parallel.maxThreads = 1
        var m = AlgebraBenchmarks.randomMatrix(width: width, height: 1 << logHeight)
        let w = width
        print("bitReverseRows", cpuMs { m.bitReverseRows() })
        print(
            "DIF",
            cpuMs { m.values.withUnsafeMutableBufferPointer { TwoAdicDFT.forwardNaturalToBitReversed($0, width: w) } }
        )
        print(
            "DIT",
            cpuMs { m.values.withUnsafeMutableBufferPointer { TwoAdicDFT.forwardBitReversedToNatural($0, width: w) } }
        )
        print(
            "scale",
            cpuMs {
                m.values.withUnsafeMutableBufferPointer {
                    TwoAdicDFT.scaleRowsByPowers($0, width: w, start: .one, ratio: BabyBear.generator)
                }
            }
        )
        print(
            "copy",
            cpuMs {
                m = RowMajorMatrix(values: Array(m.values), width: w)
                m.values[0] = .one
            }
        )
        print("dft", cpuMs { _ = m.dft() })
        print("lde", cpuMs { _ = m.cosetLDEBitReversed(logBlowup: 1, shift: BabyBear.generator) })
    }
}
