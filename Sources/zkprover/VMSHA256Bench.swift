import ArgumentParser
import Foundation
import Stark
import VM
import VMProver

/// `zkprover vm bench --accelerators`, `sha256_compress`: the sha256 guest's chain built with the
/// syscall and with the SDK's software compression.
extension VMBench {
    /// The figures of `sha256_compress`: calls, cycles of both builds and saved per call, the
    /// SHA-256 tables' rows and cells per call, and the cells the saved cycles cost in software
    /// (the software run's cells per cycle on its first 2^16-cycle shard).
    func sha256Figures(_ builder: GuestBuilder, outDir: URL) throws -> [String: Any] {
        let directory = builder.guestsDirectory.appendingPathComponent("examples/sha256")
        // `R:` + count: SHA-256 of 1 KiB (17 blocks), then of the digest count − 1 times (1 block each).
        var input: [UInt8] = [0x52, 0x3a, UInt8(sha256Rounds & 0xff), UInt8(sha256Rounds >> 8 & 0xff)]
        input += (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        func load(_ name: String, accelerate: Bool) throws -> Program {
            let elf = try builder.build(
                directory: directory,
                output: outDir.appendingPathComponent(name),
                accelerateSHA256: accelerate
            )
            return try ELFLoader.load(try VMCommandSupport.readFile(elf.path))
        }
        let accelerated = try load("sha256.elf", accelerate: true)
        let software = try load("sha256-software.elf", accelerate: false)
        let fast = try Machine(program: accelerated, input: input)
        _ = try fast.run()
        let slow = try Machine(program: software, input: input)
        _ = try slow.run()
        guard fast.publicOutput == slow.publicOutput else {
            throw ValidationError("the two builds of the sha256 guest disagree")
        }
        let calls = fast.syscallCounts[Syscall.sha256Compress.rawValue, default: 0]
        guard calls > 0, slow.syscallCounts[Syscall.sha256Compress.rawValue, default: 0] == 0 else {
            throw ValidationError("the sha256 guest's builds do not differ in their sha256_compress calls")
        }
        let saved = (Double(slow.cycles) - Double(fast.cycles)) / Double(calls)
        let cellsPerCycle = try Self.cellsPerCycle(software, input: input)
        let table = Double(
            Self.cellsPerCall(SHA256Air(codeRange: accelerated.codeRange), rows: SHA256Air.rounds)
                + Self.cellsPerCall(SHA256MemoryAir(), rows: SHA256Air.stateWords + SHA256Air.blockWords)
        )
        return [
            "syscall": "sha256_compress",
            "calls": calls,
            "acceleratedCycles": fast.cycles,
            "softwareCycles": slow.cycles,
            "cyclesSavedPerCall": saved,
            "tableRowsPerCall":
                "SHA256 \(SHA256Air.rounds) + SHA256Memory \(SHA256Air.stateWords + SHA256Air.blockWords)",
            "tableColumns": "SHA256 \(SHA256Air.Col.count) + SHA256Memory \(SHA256MemoryAir.Col.count)",
            "tableCellsPerCall": table,
            "softwareCellsPerCycle": cellsPerCycle,
            "softwareCellsPerCall": saved * cellsPerCycle,
            "cellRatio": saved * cellsPerCycle / table,
        ]
    }

    /// Prints ``sha256Figures(_:outDir:)``'s row.
    static func printSHA256(_ row: [String: Any]) {
        func d(_ k: String) -> Double {
            (row[k] as? Double) ?? Double(row[k] as? Int ?? Int(row[k] as? UInt64 ?? 0))
        }
        let (saved, table, replaced) = (d("cyclesSavedPerCall"), d("tableCellsPerCall"), d("softwareCellsPerCall"))
        print(
            String(
                format:
                    "sha256_compress: %.0f calls; %.0f cycles with the syscall, %.0f in software: %.0f cycles saved per call",
                d("calls"),
                d("acceleratedCycles"),
                d("softwareCycles"),
                saved
            )
        )
        print(
            String(
                format:
                    "  tables per call: SHA256 %d rows × %d cols + SHA256Memory %d rows × %d cols = %.0f cells (main + LogUp)",
                SHA256Air.rounds,
                SHA256Air.Col.count,
                SHA256Air.stateWords + SHA256Air.blockWords,
                SHA256MemoryAir.Col.count,
                table
            )
        )
        print(
            String(
                format: "  software path: %.1f cells per cycle × %.0f cycles = %.0f cells (%.1f×)",
                d("softwareCellsPerCycle"),
                saved,
                replaced,
                replaced / table
            )
        )
    }
}
