import ArgumentParser
import EVM
import EVMFixtures
import EVMGuestInput
import Foundation
import VM

/// `zkprover vm block-bench`: the block guest validates EEST blockchain-test blocks statelessly
/// on the zkVM; its committed outcome is checked against the native validator and the
/// fixture, and its cycles are counted per gas and per validation step.
struct VMBlockBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block-bench",
        abstract:
            "Run the block guest (stateless validation from an execution witness) on EEST blockchain-test blocks: outcomes against the native validator, cycles per gas, and the cycles of each step."
    )

    @Argument(help: "Blockchain-test files or folders (default: ../shared/fixtures/eest/blockchain_tests).")
    var paths: [String] = []
    @Option(help: "Run at most this many blocks (0: all).") var limit: Int = 0
    @Option(help: "Run only every N-th block (a sample spread over all files).") var every: Int = 1
    @Option(help: "Stop starting new blocks after this many seconds (0: no limit); the summary covers those run.")
    var timeBudget: Double = 0
    @Option(help: "Cycle limit per block.") var maxCycles: UInt64 = 20_000_000_000
    @Option(help: "Directory for the built guest.") var buildDirectory: String = ".build/guests"
    @Option(help: "How many functions to list.") var top: Int = 15
    @Flag(help: "Link the Keccak module's software permutation instead of the keccak_f syscall.")
    var softwareKeccak = false
    @Flag(help: "Link the EVMPrimitives module's software SHA-256 compression instead of the sha256_compress syscall.")
    var softwareSHA256 = false
    @Flag(help: "Print one line per block.") var verbose = false
    @Flag(help: "Also print each step's and function's share averaged over blocks (what a typical block spends).")
    var perBlockShares = false
    @Option(
        help:
            "Write the executions of every instruction address, summed over blocks (each scaled to a million cycles with --per-block-shares), to this file (`pc count` lines, hex pc), for call-site analysis against a disassembly."
    )
    var pcProfile: String?

    /// The steps in the order the guest marks them.
    static let phases = ["start", "witness", "header", "signatures", "execution", "stateRoot", "commit"]
    static let phaseNames = [
        "start": "input decoding", "witness": "witness hashing", "header": "header and body checks",
        "signatures": "signature checks", "execution": "execution", "stateRoot": "state root recomputation",
        "commit": "commit",
    ]

    func run() throws {
        FileHandle.standardError.write(Data("building the block guest (minutes on a cold cache)...\n".utf8))
        let guest = try VMCommandSupport.buildExampleGuest(
            "block",
            buildDirectory: buildDirectory,
            softwareKeccak: softwareKeccak,
            softwareSHA256: softwareSHA256
        )
        let (program, symbols) = (guest.program, guest.symbols)
        let fixtureRoot = guest.eestFixtures.appendingPathComponent("blockchain_tests")
        var files: [String] = []
        for r in paths.isEmpty ? [fixtureRoot.path] : paths { files += FixtureFiles.json(r) }
        files.sort()

        var ratios: [(Double, String)] = []
        var byPhase: [String: UInt64] = [:]
        var byFunction: [String: UInt64] = [:]
        var meanPhase: [String: Double] = [:]
        var meanFunction: [String: Double] = [:]
        var pcCounts: [UInt32: UInt64] = [:]
        var failures: [String] = []
        var run = 0
        var matched = 0
        var seen = 0
        var totalCycles: UInt64 = 0
        var totalGas: UInt64 = 0
        var witnessBytes = 0
        let started = Date()
        outer: for f in files {
            var stop = false
            do {
                try StatelessBlockchainRunner.validBlocks(file: f) { c in
                    seen += 1
                    if stop || (every > 1 && (seen - 1) % every != 0) { return }
                    if (limit > 0 && run >= limit) || (timeBudget > 0 && Date().timeIntervalSince(started) > timeBudget)
                    {
                        stop = true
                        return
                    }
                    run += 1
                    if run % 100 == 0 {
                        FileHandle.standardError.write(Data("  ... \(run) blocks, \(f)\n".utf8))
                    }
                    let input: StatelessBlockInput
                    let native: StatelessBlockInput.Outcome
                    do {
                        let w = try c.recordWitness()
                        input = StatelessBlockInput(
                            config: c.config,
                            parent: c.parent.encoded,
                            block: c.raw,
                            witness: w
                        )
                        native = try input.validate()
                    } catch {
                        failures.append("\(c.id): native: \(error)")
                        return
                    }
                    let encoded = input.encode()
                    witnessBytes += encoded.count
                    let m = try Machine(program: program, input: encoded, config: .init(maxCycles: maxCycles))
                    do {
                        let code = try m.runWithPCProfile()
                        if code != 0 {
                            failures.append("\(c.id): guest exited with \(code)")
                            return
                        }
                    } catch {
                        failures.append("\(c.id): \(error)")
                        return
                    }
                    let expected = StatelessBlockInput.Outcome(validBlock: c.block, parent: c.parent)
                    if m.publicOutput == native.encoded && native == expected {
                        matched += 1
                    } else {
                        failures.append("\(c.id): guest, native validator and fixture disagree")
                    }
                    let cycles = Double(max(m.cycles, 1))
                    for (name, n) in m.markedSpans(prefix: "phase:") {
                        byPhase[name, default: 0] += n
                        meanPhase[name, default: 0] += Double(n) / cycles
                    }
                    for (name, n) in m.cyclesBySymbol(symbols) {
                        byFunction[name, default: 0] += n
                        meanFunction[name, default: 0] += Double(n) / cycles
                    }
                    if pcProfile != nil {
                        // Each block weighs the same with --per-block-shares (a million cycles).
                        for (pc, n) in m.instructionCounts() {
                            pcCounts[pc, default: 0] += perBlockShares ? n &* 1_000_000 / UInt64(cycles) : n
                        }
                    }
                    if native.gasUsed > 0 {
                        let ratio = Double(m.cycles) / Double(native.gasUsed)
                        ratios.append((ratio, c.id))
                        totalCycles += m.cycles
                        totalGas += native.gasUsed
                        if verbose {
                            print(String(format: "  %8.1f cycles/gas  %9d gas  %@", ratio, native.gasUsed, c.id))
                        }
                    }
                }
            } catch {
                failures.append("\(f): \(error)")
            }
            if stop { break outer }
        }
        ratios.sort { $0.0 < $1.0 }
        print("Block guest (stateless validation) over \(run) blocks from \(files.count) files")
        print("  guest outcome = native validator = fixture (hashes, root, gas, valid): \(matched)/\(run)")
        print("  input (config, parent, block, witness): \(witnessBytes / max(run, 1)) bytes per block on average")
        if !ratios.isEmpty {
            print(
                String(
                    format: "  cycles per gas (%d blocks with gas): median %.1f, best %.1f, worst %.1f, aggregate %.1f",
                    ratios.count,
                    ratios[ratios.count / 2].0,
                    ratios.first!.0,
                    ratios.last!.0,
                    Double(totalCycles) / Double(max(totalGas, 1))
                )
            )
            print("    worst: \(ratios.last!.1)")
        }
        let all = byPhase.values.reduce(0, +)
        print("  cycles by step (all blocks, \(all) cycles):")
        for p in Self.phases {
            guard let n = byPhase[p] else { continue }
            print(String(format: "    %-28@ %6.2f%%", Self.phaseNames[p] ?? p, 100 * Double(n) / Double(max(all, 1))))
        }
        print("  top functions:")
        for (name, n) in byFunction.sorted(by: { $0.value > $1.value }).prefix(top) {
            print(String(format: "    %6.2f%%  %@", 100 * Double(n) / Double(max(all, 1)), name))
        }
        if let pcProfile {
            let lines = pcCounts.sorted { $0.key < $1.key }.map { String($0.key, radix: 16) + " \($0.value)" }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: pcProfile))
        }
        if perBlockShares && run > 0 {
            print("  cycles by step, share averaged over blocks:")
            for p in Self.phases {
                guard let n = meanPhase[p] else { continue }
                print(String(format: "    %-28@ %6.2f%%", Self.phaseNames[p] ?? p, 100 * n / Double(run)))
            }
            print("  top functions, share averaged over blocks:")
            for (name, n) in meanFunction.sorted(by: { $0.value > $1.value }).prefix(top) {
                print(String(format: "    %6.2f%%  %@", 100 * n / Double(run), name))
            }
        }
        if !failures.isEmpty {
            print("  failures (\(failures.count)):")
            for f in failures.prefix(20) { print("    \(f)") }
            throw ExitCode(1)
        }
    }
}
