import Algebra
import ArgumentParser
import EVMFixtures
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
    @Flag(help: "Print the process CPU time of the DFT building blocks (1 thread) instead.") var profile = false

    @Flag(help: "Keep freed large allocations mapped (retainFreedLargeAllocations()) before measuring.")
    var retainMemory = false

    func run() {
        if retainMemory { retainFreedLargeAllocations() }
        if profile {
            AlgebraProfile(logHeight: logHeight, width: width).run()
            return
        }
        for t in threads {
            for row in AlgebraBenchmarks.rows(threads: t, logHeight: logHeight, width: width, runs: runs) {
                let ref = row.reference.map { String(format: "%.0f", $0) } ?? "-"
                print(
                    "\(row.name)\t\(row.threads) thr\t\(String(format: "%.1f", row.value)) \(row.unit)\t(Plonky3 \(ref))\t\(row.note ?? "")"
                )
            }
        }
    }
}

/// Process CPU time of the DFT building blocks on one thread, which stays meaningful on a
/// machine shared with other work (`zkprover bench-algebra --profile`).
struct AlgebraProfile {
    var logHeight: Int
    var width: Int

    func cpuMs(_ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let start = CPUTime.process
            body()
            best = min(best, (CPUTime.process - start) * 1e3)
        }
        return best
    }

    func run() {
        Parallel.maxThreads = 1
        var m = AlgebraBenchmarks.randomMatrix(width: width, height: 1 << logHeight)
        let w = width
        print("bitReverseRows in place", cpuMs { m.bitReverseRows() })
        print("bitReversedRows copy", cpuMs { _ = m.bitReversedRows() })
        print("applyDFT in place", cpuMs { m.applyDFT() })
        var fresh = [RowMajorMatrix(values: Array(m.values), width: w)]
        print("applyDFT, fresh 4K-page copy", cpuMs { fresh[0].applyDFT() })
        fresh = [
            RowMajorMatrix(
                values: m.values.withUnsafeBufferPointer { src in
                    makeLargeArray(count: src.count) { (dst: UnsafeMutableBufferPointer<BabyBear>) in
                        _ = dst.initialize(fromContentsOf: src)
                    }
                },
                width: w
            )
        ]
        print("applyDFT, fresh huge-page copy", cpuMs { fresh[0].applyDFT() })
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
        print("LDE natural order", cpuMs { _ = m.cosetLDE(logBlowup: 1, shift: BabyBear.generator) })
        print("dft", cpuMs { _ = m.dft() })
        print("lde", cpuMs { _ = m.cosetLDEBitReversed(logBlowup: 1, shift: BabyBear.generator) })
    }
}
