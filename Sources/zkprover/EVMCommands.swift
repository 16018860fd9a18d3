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
    subcommands: [StateTestCommand.self]
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

  func run() throws {
    var perFork: [String: (pass: Int, fail: Int, skip: Int)] = [:]
    var failures: [StateTestResult] = []
    let files = paths.flatMap { p -> [String] in
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { return [p] }
      if !isDir.boolValue { return [p] }
      let e = FileManager.default.enumerator(atPath: p)
      var out: [String] = []
      while let rel = e?.nextObject() as? String { if rel.hasSuffix(".json") { out.append(p + "/" + rel) } }
      return out.sorted()
    }
    for f in files {
      for r in StateTestRunner.run(file: f) {
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
      print("\(f.padding(toLength: 18, withPad: " ", startingAt: 0)) pass \(c.pass)  fail \(c.fail)  skip \(c.skip)")
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
