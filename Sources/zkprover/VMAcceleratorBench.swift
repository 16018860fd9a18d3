import ArgumentParser
import Foundation
import Stark
import VM
import VMProver

/// `zkprover vm bench --accelerators`: what each accelerator table costs per call against the
/// software path it replaces.
extension VMBench {
    /// For `keccak_f`: the keccak guest's chain (`--keccak-rounds` hashes over 1 KiB) built with the
    /// syscall and with the software permutation; the cycles the syscall saves per call, the
    /// Keccak tables' rows and cells per call, and the cells the saved cycles would have cost
    /// (the software run's cells per cycle, measured on its first shard's tables).
    func runAccelerators(_ builder: GuestBuilder) throws {
        let outDir = URL(fileURLWithPath: buildDirectory)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let directory = builder.guestsDirectory.appendingPathComponent("examples/keccak")
        let input = benchInputs().first { $0.0 == "keccak" }!.1
        func load(_ name: String, accelerate: Bool) throws -> Program {
            let elf = try builder.build(
                directory: directory,
                output: outDir.appendingPathComponent(name),
                accelerateKeccak: accelerate
            )
            return try ELFLoader.load(try VMCommandSupport.readFile(elf.path))
        }
        let accelerated = try load("keccak.elf", accelerate: true)
        let software = try load("keccak-software-keccak.elf", accelerate: false)
        let fast = try Machine(program: accelerated, input: input)
        _ = try fast.run()
        let slow = try Machine(program: software, input: input)
        _ = try slow.run()
        guard fast.publicOutput == slow.publicOutput else {
            throw ValidationError("the two builds of the keccak guest disagree")
        }
        var calls = 0
        try Machine(program: accelerated, input: input).trace(shardSize: shardSize) { shard in
            calls += shard.syscalls.filter { $0.number == Syscall.keccakF.rawValue }.count
        }
        guard calls > 0 else { throw ValidationError("the accelerated build made no keccak_f call") }
        let saved = (Double(slow.cycles) - Double(fast.cycles)) / Double(calls)

        let cellsPerCycle = try Self.cellsPerCycle(software, input: input)
        let keccakCells = Self.cellsPerCall(KeccakAir(codeRange: accelerated.codeRange), rows: KeccakSpec.rounds)
        let memoryCells = Self.cellsPerCall(KeccakMemoryAir(), rows: KeccakAir.stateWords)
        let table = Double(keccakCells + memoryCells)
        let replaced = saved * cellsPerCycle
        let mulModCells = Self.cellsPerCall(MulModAir(codeRange: accelerated.codeRange), rows: 1)
        let rows: [[String: Any]] = [
            [
                "syscall": "keccak_f",
                "calls": calls,
                "acceleratedCycles": fast.cycles,
                "softwareCycles": slow.cycles,
                "cyclesSavedPerCall": saved,
                "tableRowsPerCall": "KeccakF \(KeccakSpec.rounds) + KeccakMemory \(KeccakAir.stateWords)",
                "tableCellsPerCall": table,
                "softwareCellsPerCycle": cellsPerCycle,
                "softwareCellsPerCall": replaced,
                "cellRatio": replaced / table,
            ],
            ["syscall": "uint256_mulmod", "tableRowsPerCall": "MulMod 1", "tableCellsPerCall": mulModCells],
            try secp256k1Figures(builder, outDir: outDir),
            try sha256Figures(builder, outDir: outDir),
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(
            String(
                format:
                    "keccak_f: %d calls; %llu cycles with the syscall, %llu in software: %.0f cycles saved per call",
                calls,
                fast.cycles,
                slow.cycles,
                saved
            )
        )
        print(
            String(
                format:
                    "  tables per call: KeccakF %d rows × %d cols + KeccakMemory %d rows = %.0f cells (main + LogUp)",
                KeccakSpec.rounds,
                KeccakAir.Col.count,
                KeccakAir.stateWords,
                table
            )
        )
        print(
            String(
                format:
                    "  software path: %.1f cells per cycle (first 2^16-cycle shard, fixed tables and memory images left out) × %.0f cycles = %.0f cells (%.1f×)",
                cellsPerCycle,
                saved,
                replaced,
                replaced / table
            )
        )
        print("uint256_mulmod: tables per call: MulMod 1 row = \(mulModCells) cells (main + LogUp)")
        Self.printSecp256k1(rows[2])
        Self.printSHA256(rows[3])
    }

    /// Cells of `rows` rows of `air`: main columns plus the LogUp extension columns (4 each).
    static func cellsPerCall(_ air: any Air<VMField>, rows: Int) -> Int {
        let s = AirShape(of: air)
        return rows * (s.width + 4 * s.auxExtensionColumns)
    }

    /// Cells per cycle of `program`'s run on `input`: the tables of its first shard of 2^16
    /// cycles, fixed lookup tables and memory images left out (a per-shard constant, not a
    /// per-cycle cost).
    static func cellsPerCycle(_ program: Program, input: [UInt8]) throws -> Double {
        let config = StarkConfig<VMField>.vmShard
        let key = try VMProgramKey(program: program, config: config)
        var cellsPerCycle = 0.0
        var first = true
        try Machine(program: program, input: input).trace(shardSize: 1 << 16) { shard in
            guard first else { return }
            first = false
            if let w = try? ShardWitness(shard: shard, start: key.startImage, key: key) {
                let perTable = VMProveBench.cells(w, cycles: shard.rows.count)
                cellsPerCycle = perTable.filter {
                    !["Range", "Bytes", "Program", "StartImage", "FinalImage"].contains($0.key)
                }
                .values.reduce(0, +)
            }
        }
        return cellsPerCycle
    }
}
