import ArgumentParser
import EVM
import EVMFixtures
import EVMPrimitives
import Foundation

/// `zkprover evm ...`: the EVM's conformance runner, benchmarks and a bytecode runner.
struct EVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evm",
        abstract: "Run Ethereum state tests, EVM benchmarks and bytecode programs.",
        subcommands: [StateTestCommand.self, BlockchainTestCommand.self, EVMBenchCommand.self, EVMRunCommand.self]
    )
}

/// `zkprover evm statetest PATH...`
struct StateTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statetest",
        abstract: "Run execution-spec-tests state-test JSON files or folders; print pass/fail per fork."
    )

    @Argument(help: "State-test JSON files or folders (searched recursively).")
    var paths: [String]

    @Flag(help: "Print the details of each failure.")
    var verbose = false

    @Option(help: "Only run vectors of this fork (fixture name, e.g. Cancun).")
    var fork: String?

    @Flag(help: "The files are ethereum/tests TransactionTests instead of state tests.")
    var transactionTests = false

    func run() throws {
        var perFork: [String: (pass: Int, fail: Int, skip: Int)] = [:]
        var failures: [StateTestResult] = []
        let files = paths.flatMap(FixtureFiles.json)
        for f in files {
            for r in transactionTests ? TransactionTestRunner.run(file: f) : StateTestRunner.run(file: f) {
                if let only = fork, r.fork != only { continue }
                var c = perFork[r.fork] ?? (0, 0, 0)
                if r.skipReason != nil {
                    c.skip += 1
                } else if r.passed {
                    c.pass += 1
                } else {
                    c.fail += 1
                    failures.append(r)
                }
                perFork[r.fork] = c
            }
        }
        let order = [
            "Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople", "ConstantinopleFix", "Istanbul",
            "Berlin", "London", "Paris", "Merge", "Shanghai", "Cancun", "Prague", "Osaka",
        ]
        let forks = perFork.keys.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
        var total = (0, 0, 0)
        for f in forks {
            let c = perFork[f]!
            print(
                "\(f.padding(toLength: 18, withPad: " ", startingAt: 0)) pass \(c.pass)  fail \(c.fail)  skip \(c.skip)"
            )
            total.0 += c.pass
            total.1 += c.fail
            total.2 += c.skip
        }
        print("TOTAL              pass \(total.0)  fail \(total.1)  skip \(total.2)")
        for r in failures {
            print("FAIL \(r.id)" + (verbose ? "\n     \(r.detail)" : ""))
        }
        if total.1 > 0 { throw ExitCode(1) }
    }
}

/// `zkprover evm blocktest PATH...`
struct BlockchainTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocktest",
        abstract: "Run execution-spec-tests blockchain-test JSON files or folders; print pass/fail per fork."
    )

    @Argument(help: "Blockchain-test JSON files or folders (searched recursively).")
    var paths: [String]

    @Flag(help: "Print the details of each failure.")
    var verbose = false

    @Flag(help: "Print, for the invalid blocks, each expected exception with the refusal that matched it.")
    var refusals = false

    func run() throws {
        var allRefusals: [String: Int] = [:]
        var perNetwork: [String: (pass: Int, fail: Int)] = [:]
        var failures: [BlockchainTestResult] = []
        for f in paths.flatMap(FixtureFiles.json) {
            for r in BlockchainTestRunner.run(file: f) {
                for x in r.refusals { allRefusals[x, default: 0] += 1 }
                var c = perNetwork[r.network] ?? (0, 0)
                if r.passed {
                    c.pass += 1
                } else {
                    c.fail += 1
                    failures.append(r)
                }
                perNetwork[r.network] = c
            }
        }
        var total = (0, 0)
        for n in perNetwork.keys.sorted() {
            let c = perNetwork[n]!
            print("\(n.padding(toLength: 26, withPad: " ", startingAt: 0)) pass \(c.pass)  fail \(c.fail)")
            total.0 += c.pass
            total.1 += c.fail
        }
        print("TOTAL                      pass \(total.0)  fail \(total.1)")
        for r in failures { print("FAIL \(r.id)" + (verbose ? "\n     \(r.detail)" : "")) }
        if refusals {
            for (k, n) in allRefusals.sorted(by: { $0.key < $1.key }) { print("REFUSED \(n)x \(k)") }
        }
        if total.1 > 0 { throw ExitCode(1) }
    }
}

/// `zkprover evm bench`: throughput on the EEST compute benchmarks.
struct EVMBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the blockchain-test compute benchmarks; print gas, time and Mgas/s for each and the median."
    )

    @Option(help: "Benchmark file or folder.")
    var path = "../shared/fixtures/eest/benchmark_compute"

    @Option(help: "Only benchmarks whose file path contains this text.")
    var filter: String?

    @Flag(help: "Run every gas-size variant, not only the largest of each test.")
    var allSizes = false

    @Option(help: "Repetitions per benchmark (the fastest is reported).")
    var repetitions: Int = 1

    @Flag(help: "Print one JSON object per benchmark instead of a table.")
    var json = false

    @Flag(
        help:
            "Time whole blocks (header checks, sender recovery, execution, rewards, post-state root) instead of their transactions alone."
    )
    var blocks = false

    func run() throws {
        var files = FixtureFiles.json(path)
        if let filter { files = files.filter { $0.contains(filter) } }
        var rates: [Double] = []
        if !json {
            print(
                "benchmark".padding(toLength: 58, withPad: " ", startingAt: 0)
                    + "        gas  wall ms   cpu ms  Mgas/s(cpu)  check"
            )
        }
        for f in files {
            let cases: [BenchmarkCase]
            do { cases = try BlockchainBenchmark.load(file: f) } catch {
                print("error: \(f): \(error)")
                continue
            }
            let short = f.hasPrefix(path) ? String(f.dropFirst(path.count + 1).dropLast(5)) : f
            // Group the variants of each test function; keep the largest unless --all-sizes.
            var groups: [String: [BenchmarkCase]] = [:]
            for c in cases {
                let key = c.name.components(separatedBy: "[").first ?? c.name
                let variant = c.name.components(separatedBy: "[").dropFirst().joined(separator: "[")
                groups[
                    key + "|" + variant.replacingOccurrences(of: #"value_\d+M"#, with: "", options: .regularExpression),
                    default: []
                ].append(c)
            }
            for key in groups.keys.sorted() {
                var list = groups[key]!.sorted { $0.expectedGas < $1.expectedGas }
                if !allSizes { list = [list.last!] }
                for c in list {
                    var best: BenchmarkResult?
                    for _ in 0..<max(1, repetitions) {
                        let r = blocks ? BlockchainBenchmark.runBlocks(c) : BlockchainBenchmark.run(c)
                        if best == nil || r.cpuSeconds < best!.cpuSeconds { best = r }
                    }
                    let r = best!
                    let variant = c.name.components(separatedBy: "[").dropFirst().joined(separator: "[")
                        .replacingOccurrences(of: "fork_Osaka-blockchain_test-", with: "").dropLast()
                    let label = "\(short) \(variant)"
                    let ok = r.gas == r.expectedGas && r.rejected == 0
                    rates.append(r.mgasPerCPUSecond)
                    if json {
                        let obj: [String: Any] = [
                            "file": f, "test": c.name, "gas": r.gas, "expected_gas": r.expectedGas,
                            "seconds": r.seconds,
                            "mgas_per_s": r.mgasPerSecond, "cpu_seconds": r.cpuSeconds,
                            "mgas_per_cpu_s": r.mgasPerCPUSecond, "gas_matches": ok,
                        ]
                        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    } else {
                        print(
                            label.padding(toLength: 58, withPad: " ", startingAt: 0)
                                + String(
                                    format: " %10llu %8.1f %8.1f %11.1f  %@",
                                    r.gas,
                                    r.seconds * 1000,
                                    r.cpuSeconds * 1000,
                                    r.mgasPerCPUSecond,
                                    ok ? "gas ok" : "GAS \(r.expectedGas) expected, \(r.rejected) rejected"
                                )
                        )
                    }
                }
            }
        }
        if !json && !rates.isEmpty {
            let s = rates.sorted()
            let median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
            print(String(format: "median %.1f Mgas/s (thread CPU time) over %d benchmarks", median, s.count))
        }
    }
}

/// `zkprover evm run --json FILE`: runs a batch of bytecode programs, each as a transaction
/// calling a contract holding the program, and prints the outcome of each as JSON (used by
/// the differential test against revm).
struct EVMRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run bytecode programs from a JSON batch; print status, gas, output, logs and storage per program."
    )

    @Argument(help: "JSON file: an array of {code, calldata?, gas?, value?, fork?} objects ('-' for stdin).")
    var input: String

    @Flag(help: "Print JSON lines (the only output format; kept for clarity in scripts).")
    var json = false

    static let caller = Address(hex: "0x1000000000000000000000000000000000000001")!
    static let contract = Address(hex: "0x2000000000000000000000000000000000000002")!

    func run() throws {
        let data: Data
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read \(input)")
            }
            data = d
        }
        guard let programs = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
            throw ValidationError("input must be a JSON array of objects")
        }
        for (i, p) in programs.enumerated() {
            var out: [String: Any] = ["index": i]
            do {
                out.merge(try Self.execute(p)) { $1 }
            } catch {
                out["error"] = "\(error)"
            }
            let line = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
            print(String(decoding: line, as: UTF8.self))
        }
    }

    static func execute(_ p: [String: Any]) throws -> [String: Any] {
        guard let codeHex = p["code"] as? String, let code = Hex.decode(codeHex) else {
            throw ValidationError("program needs hex 'code'")
        }
        let calldata = Hex.decode(p["calldata"] as? String ?? "0x") ?? []
        let gas = UInt64(p["gas"] as? Int ?? 1_000_000)
        let value = UInt256(hex: p["value"] as? String ?? "0x0") ?? .zero
        guard let fork = Fork(fixtureName: p["fork"] as? String ?? "Cancun") else {
            throw ValidationError("unknown fork")
        }
        var pre: [Address: Account] = [:]
        pre[caller] = Account(balance: UInt256(1) << 200)
        pre[contract] = Account(nonce: 1, code: Code(code))
        var block = BlockEnv()
        block.number = 1
        block.timestamp = 1000
        block.gasLimit = 30_000_000
        block.coinbase = Address(hex: "0x3000000000000000000000000000000000000003")!
        let evm = EVM(fork: fork, state: WorldState(accounts: pre), block: block)
        var t = Transaction()
        t.type = 0
        t.gasLimit = UInt256(gas)
        t.to = contract
        t.value = value
        t.data = calldata
        let r = try evm.execute(t, sender: caller)
        var storage: [String: String] = [:]
        for (k, v) in evm.state.accounts[contract]?.storage ?? [:] { storage[k.description] = v.description }
        let logs: [[String: Any]] = r.logs.map {
            [
                "address": $0.address.description, "topics": $0.topics.map { $0.description },
                "data": Hex.encode($0.data),
            ]
        }
        return [
            "success": r.success, "gas_used": r.gasUsed, "output": Hex.encode(r.output), "logs": logs,
            "storage": storage,
        ]
    }
}
