import Algebra
import ArgumentParser
import Foundation
import Stark
import Synchronization
import VM
import VMProver

/// Proving figures of `zkprover vm bench --prove`: one shard of each guest at each shard size and
/// thread count, at the default (≥ 100 proven bits) parameters.
struct VMProveBenchRow: Codable {
    var guest: String
    var logShard: Int
    var threads: Int
    var cycles: Int
    var witnessSeconds: Double
    var proveSeconds: Double
    var cyclesPerSecond: Double
    var cellsPerCycle: Double
    var proofBytes: Int
    var verifySeconds: Double
    var provenBits: Int
    var peakRSSMiB: Double
    var tables: [String: Double]
    /// Wall-clock seconds of each proving phase (the prover's progress lines, grouped).
    var phases: [String: Double]
}

/// Wall-clock time of each proving phase, from the prover's progress lines: a line starts a
/// phase that lasts until the next line (or the end); lines that differ only by table are one
/// phase ("LogUp trace for CPU" and "... for AddSub" are "LogUp trace").
final class PhaseClock: Sendable {
    private let marks = Mutex<[(Date, String)]>([])

    func mark(_ line: String) {
        let phase = line.components(separatedBy: " for ").first!.components(separatedBy: " of ").first!
        let now = Date()
        marks.withLock { $0.append((now, phase)) }
    }

    /// When the first phase started (nil before any line).
    var firstMark: Date? { marks.withLock { $0.first?.0 } }

    /// Seconds per phase, the last one ending at `end`.
    func phases(end: Date) -> [String: Double] {
        marks.withLock { marks in
            var out: [String: Double] = [:]
            for (i, m) in marks.enumerated() {
                let stop = i + 1 < marks.count ? marks[i + 1].0 : end
                out[m.1, default: 0] += stop.timeIntervalSince(m.0)
            }
            return out
        }
    }
}

enum VMProveBench {
    /// Trace cells of each table (main + fixed + LogUp columns, times rows) per cycle.
    static func cells(_ w: ShardWitness, cycles: Int) -> [String: Double] {
        var out: [String: Double] = [:]
        for t in w.tables {
            let s = AirShape(of: t.air)
            let columns = s.width + s.preprocessedWidth + 4 * s.auxExtensionColumns
            out[t.air.name] = Double(columns * t.trace.height) / Double(max(cycles, 1))
        }
        return out
    }

    static func peakRSSMiB() -> Double {
        var u = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        #else
        getrusage(RUSAGE_SELF, &u)
        #endif
        return Double(u.ru_maxrss) / 1024
    }

    /// Proves the first shard (2^logShard cycles) of `program` on `input` with each thread count.
    static func run(
        guest: String,
        program: Program,
        input: [UInt8],
        logShard: Int,
        threads: [Int],
        config: StarkConfig<VMField>
    ) throws -> [VMProveBenchRow] {
        let key = try VMProgramKey(program: program, config: config)
        let machine = try Machine(program: program, input: input)
        var first: Shard? = nil
        do {
            try machine.trace(shardSize: 1 << logShard) { s in if first == nil { first = s } }
        }
        guard let shard = first else { throw ValidationError("\(guest): no shard") }
        var rows: [VMProveBenchRow] = []
        for t in threads {
            Parallel.maxThreads = t
            let t0 = Date()
            let w = try ShardWitness(shard: shard, start: key.startImage, key: key)
            let t1 = Date()
            let clock = PhaseClock()
            let proof = try StarkProver(config: config).prove(
                w.tables,
                options: ProvingOptions(progress: { clock.mark($0) })
            )
            let t2 = Date()
            var phases = clock.phases(end: t2)
            phases["witness"] = t1.timeIntervalSince(t0)
            let shardProof = ShardProof(output: w.output, accelerators: w.accelerators, stark: proof)
            let airs = key.airs(output: w.output, start: nil, final: nil, accelerators: w.accelerators)
            let t3 = Date()
            try StarkVerifier(config: config).verify(
                airs: airs,
                proof: proof,
                preprocessedRoots: [
                    ShardCommitmentGroup.fixed: key.programId,
                    ShardCommitmentGroup.startImage: key.startImageRoot,
                    ShardCommitmentGroup.finalImage: proof.preprocessedRoots[ShardCommitmentGroup.finalImage],
                ]
            )
            let verify = Date().timeIntervalSince(t3)
            let cycles = shard.rows.count
            let perTable = cells(w, cycles: cycles)
            let prove = t2.timeIntervalSince(t0)
            rows.append(
                VMProveBenchRow(
                    guest: guest,
                    logShard: logShard,
                    threads: t,
                    cycles: cycles,
                    witnessSeconds: t1.timeIntervalSince(t0),
                    proveSeconds: prove,
                    cyclesPerSecond: Double(cycles) / prove,
                    cellsPerCycle: perTable.values.reduce(0, +),
                    proofBytes: VMProof(programId: key.programId, shards: [shardProof]).encoded().count,
                    verifySeconds: verify,
                    provenBits: key.provenBits(
                        VMProof(programId: key.programId, shards: [shardProof]),
                        regime: config.regime
                    ),
                    peakRSSMiB: peakRSSMiB(),
                    tables: perTable,
                    phases: phases
                )
            )
        }
        return rows
    }

    static func print(_ rows: [VMProveBenchRow]) {
        Swift.print(
            "proving one shard (witness + STARK), default parameters; cycles/s = shard cycles / (witness + prove) seconds"
        )
        for r in rows {
            Swift.print(
                String(
                    format:
                        "%-10@ 2^%d %d thr: %8d cycles  %7.2f s (witness %.2f)  %8.0f cycles/s  %6.1f cells/cycle  proof %.2f MB  verify %.3f s  %d bits  peak RSS %.0f MiB",
                    r.guest as NSString,
                    r.logShard,
                    r.threads,
                    r.cycles,
                    r.proveSeconds,
                    r.witnessSeconds,
                    r.cyclesPerSecond,
                    r.cellsPerCycle,
                    Double(r.proofBytes) / 1e6,
                    r.verifySeconds,
                    r.provenBits,
                    r.peakRSSMiB
                )
            )
            let top = r.tables.sorted { $0.value > $1.value }.prefix(8).map {
                "\($0.key) \(String(format: "%.1f", $0.value))"
            }
            Swift.print("    cells/cycle by table: \(top.joined(separator: ", "))")
            let phases = r.phases.sorted { $0.value > $1.value }.map {
                "\($0.key) \(String(format: "%.2f", $0.value))"
            }
            Swift.print("    seconds by phase: \(phases.joined(separator: ", "))")
        }
    }
}
