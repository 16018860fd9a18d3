import ArgumentParser
import EVMPrimitives
import Foundation
import Secp256k1
import VM
import VMProver

/// The `secp256k1_add` / `secp256k1_double` figures of `zkprover vm bench --accelerators`.
extension VMBench {
    /// `a·G + b·P` computations the secp256k1 guest runs on each path.
    static let secp256k1Combinations = 10

    /// The secp256k1 guest computes the same `a·G + b·P` (random scalars and points) on its affine
    /// path, every point step one `secp256k1_add` / `secp256k1_double` (mode 1), and on the
    /// Jacobian path the block guest took before, with field products through `uint256_mulmod`
    /// (mode 2). The cycles saved per point call, the table's cells per call, and the cells the
    /// saved cycles would have cost (the Jacobian run's cells per cycle on its first 2^16 cycles).
    func secp256k1Figures(_ builder: GuestBuilder, outDir: URL) throws -> [String: Any] {
        let elf = try builder.build(
            directory: builder.guestsDirectory.appendingPathComponent("examples/secp256k1"),
            output: outDir.appendingPathComponent("secp256k1.elf")
        )
        let program = try ELFLoader.load(try VMCommandSupport.readFile(elf.path))
        var rng = SystemRandomNumberGenerator()
        func number() -> UInt256 { UInt256(rng.next(), rng.next(), rng.next(), rng.next()) }
        func bytes(_ v: UInt256) -> [UInt8] {
            [v.w0, v.w1, v.w2, v.w3].flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        }
        var records: [UInt8] = []
        for _ in 0..<Self.secp256k1Combinations {
            guard let p = JacobianPoint.multiplyGenerator(Scalar(reducing: number())).affine else { continue }
            records += bytes(number()) + bytes(number()) + bytes(p.x.value) + bytes(p.y.value)
        }
        let affine = try Machine(program: program, input: [1] + records)
        let jacobian = try Machine(program: program, input: [2] + records)
        guard try affine.run() == 0, try jacobian.run() == 0, affine.publicOutput == jacobian.publicOutput else {
            throw ValidationError("the secp256k1 guest's two paths disagree")
        }
        let adds = affine.syscallCounts[Syscall.secp256k1Add.rawValue, default: 0]
        let doubles = affine.syscallCounts[Syscall.secp256k1Double.rawValue, default: 0]
        let calls = Double(adds + doubles)
        let saved = (Double(jacobian.cycles) - Double(affine.cycles)) / calls
        let cellsPerCycle = try Self.cellsPerCycle(program, input: [2] + records)
        let table = Self.cellsPerCall(Secp256k1Air(codeRange: program.codeRange), rows: 1)
        return [
            "syscall": "secp256k1_add + secp256k1_double",
            "combinations": Self.secp256k1Combinations,
            "calls": adds + doubles,
            "adds": adds,
            "doubles": doubles,
            "acceleratedCycles": affine.cycles,
            "softwareCycles": jacobian.cycles,
            "cyclesPerCombination": Double(affine.cycles) / Double(Self.secp256k1Combinations),
            "softwareCyclesPerCombination": Double(jacobian.cycles) / Double(Self.secp256k1Combinations),
            "cyclesSavedPerCall": saved,
            "tableRowsPerCall": "Secp256k1 1",
            "tableCellsPerCall": table,
            "softwareCellsPerCycle": cellsPerCycle,
            "softwareCellsPerCall": saved * cellsPerCycle,
            "cellRatio": saved * cellsPerCycle / Double(table),
        ]
    }

    /// Prints the figures of ``secp256k1Figures(_:outDir:)``.
    static func printSecp256k1(_ f: [String: Any]) {
        func d(_ k: String) -> Double { (f[k] as? Double) ?? Double(f[k] as? Int ?? Int(f[k] as? UInt64 ?? 0)) }
        print(
            String(
                format:
                    "secp256k1_add/double: %d a·G + b·P: %.0f cycles each on the affine path (%.0f adds + %.0f doubles), %.0f on the Jacobian path (uint256_mulmod): %.0f cycles saved per call",
                Self.secp256k1Combinations,
                d("cyclesPerCombination"),
                d("adds"),
                d("doubles"),
                d("softwareCyclesPerCombination"),
                d("cyclesSavedPerCall")
            )
        )
        print(
            String(
                format:
                    "  tables per call: Secp256k1 1 row = %.0f cells (main + LogUp); software path: %.1f cells per cycle × %.0f cycles = %.0f cells (%.1f×)",
                d("tableCellsPerCall"),
                d("softwareCellsPerCycle"),
                d("cyclesSavedPerCall"),
                d("softwareCellsPerCall"),
                d("cellRatio")
            )
        )
    }
}
