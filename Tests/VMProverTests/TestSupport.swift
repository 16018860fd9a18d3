import Algebra
import Foundation
import Stark
import Testing
import VMProver

// Helpers shared by the VMProver test suites: proving with the fast test configuration, the
// two refusals a forged trace must meet, and the lookups a table makes as an attacker would
// count them.

/// The fast, insecure configuration of the VMProver tests.
let vmTestConfig = StarkConfig<VMField>.testing

/// Proves `tables` with the prover's constraint and bus checks on, then verifies the proof.
func proveAndVerify(_ tables: [TableInput<VMField>]) throws {
    let proof = try StarkProver(config: vmTestConfig).prove(tables, options: ProvingOptions(checkConstraints: true))
    try StarkVerifier(config: vmTestConfig).verify(airs: tables.map(\.air), proof: proof)
}

/// Why the prover, with its constraint and bus checks on, refuses `tables`; nil if it proves them.
func proverRefusal(_ tables: [TableInput<VMField>]) -> ProverError? {
    do {
        _ = try StarkProver(config: vmTestConfig).prove(tables, options: ProvingOptions(checkConstraints: true))
        return nil
    } catch {
        return error
    }
}

/// Why `tables` fail the checks a proof of them stands on, evaluated on the traces themselves
/// without committing to anything: every constraint of every table on every row
/// (`checkConstraints`: the identities the verifier checks at ζ), then the balance of every bus
/// as a multiset of tuples (`busImbalances`: what the LogUp sums the verifier requires to cancel
/// encode). These are the prover's own checks (`ProvingOptions(checkConstraints: true)`) in its
/// order, so the answer is what `proverRefusal` would say, at a fraction of its cost; nil when
/// both hold. A forgery refused here leaves a proof of it a failing constraint or an unbalanced
/// bus for the verifier, which each forged table's suite shows end to end once with
/// `forgedProofRejected`.
func traceRefusal(_ tables: [TableInput<VMField>]) -> ProverError? {
    for t in tables {
        if let failure = checkConstraints(air: t.air, trace: t.trace, publicValues: t.publicValues) {
            return .constraintFailure(failure)
        }
    }
    return busImbalances(tables, limit: 1).isEmpty ? nil : .unbalancedBuses
}

/// Whether the verifier rejects a proof of `tables` made with the prover's checks off (false
/// also when no such proof could be made).
func forgedProofRejected(_ tables: [TableInput<VMField>]) -> Bool {
    let options = ProvingOptions(checkConstraints: false, checkBuses: false)
    guard let proof = try? StarkProver(config: vmTestConfig).prove(tables, options: options) else { return false }
    do {
        try StarkVerifier(config: vmTestConfig).verify(airs: tables.map(\.air), proof: proof)
        return false
    } catch {
        return true
    }
}

/// Whether forged `tables` are caught twice over: the prover with its checks on refuses them
/// (`.constraintFailure` or `.unbalancedBuses`), and a proof made with the checks off is rejected
/// by the verifier.
func forgedRejected(_ tables: [TableInput<VMField>]) -> Bool {
    switch proverRefusal(tables) {
    case .constraintFailure?, .unbalancedBuses?: return forgedProofRejected(tables)
    default: return false
    }
}

/// The range and byte lookups `air` sends on `trace`, counted as a cheating prover would fill
/// the range and byte tables' multiplicities: every lookup those tables can answer is counted,
/// the others (a value out of range, a wrong byte result, an unknown op) are left out, so the
/// buses balance unless the trace makes such a lookup. Use it to build the lookup tables for a
/// forged trace, so that a forgery is only caught by what the constraints and buses prove.
func answerableLookups(
    _ air: any Air<VMField>,
    _ trace: RowMajorMatrix<VMField>,
    publicValues: [VMField] = []
)
    -> LookupCounter
{
    var counter = LookupCounter()
    for i in interactions(of: air, trace: trace, publicValues: publicValues) {
        let v = i.values.map(\.canonical)
        let m = i.multiplicity.canonical
        if i.bus == .vmRange, v.count == 2, (1...16).contains(v[0]), v[1] < 1 << v[0] {
            counter.range[Int(v[0])][Int(v[1])] &+= m
        } else if i.bus == .vmBytes, v.count == 4, let op = ByteOp(rawValue: v[0]), v[1] < 256, v[2] < 256 {
            let result: UInt32
            switch op {
            case .and: result = v[1] & v[2]
            case .or: result = v[1] | v[2]
            case .xor: result = v[1] ^ v[2]
            }
            if result == v[3] { counter.bytes[Int(op.rawValue) - 1][Int(v[1] << 8 | v[2])] &+= m }
        }
    }
    return counter
}

/// One zkVM proving test case at a time, process-wide.
///
/// The suite's test cases prove and verify synchronously, each holding a thread of Swift's
/// cooperative pool (as wide as the machine: 2 threads in CI) for seconds while its parallel
/// loops take every core. Run side by side they starve the rest of the test run — the network
/// tests' timeouts, PostgreSQL connections, child processes waiting to be polled. Behind this
/// gate the waiting cases suspend instead of blocking, and at most one pool thread is busy proving.
struct OneProofAtATime: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    /// Scopes each test case (the unit Swift Testing runs concurrently), not suites or tests.
    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? { testCase == nil ? nil : self }

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        await ProvingGate.shared.enter()
        do {
            try await function()
        } catch {
            await ProvingGate.shared.leave()
            throw error
        }
        await ProvingGate.shared.leave()
    }
}

extension Trait where Self == OneProofAtATime {
    /// See ``OneProofAtATime``.
    static var oneProofAtATime: Self { OneProofAtATime() }
}

/// A FIFO mutex that suspends its waiters.
actor ProvingGate {
    static let shared = ProvingGate()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

/// Whether `python3` is on the PATH (the known-answer oracle of the accelerator tests).
let pythonAvailable: Bool = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    .contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }

/// Runs `script` with `python3 -c` and `arguments`, and returns the bytes of the hex string it
/// prints.
func pythonHexOutput(_ script: String, _ arguments: [String]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    process.waitUntilExit()
    var out: [UInt8] = []
    var i = text.startIndex
    while i < text.endIndex, let j = text.index(i, offsetBy: 2, limitedBy: text.endIndex) {
        guard let byte = UInt8(text[i..<j], radix: 16) else { break }
        out.append(byte)
        i = j
    }
    return out
}

/// A shard's `tables` with one forged, the range and byte tables recounted as a cheating prover
/// would (they answer exactly the lookups the other tables make that they can answer): expects
/// the checks a proof stands on (`traceRefusal`) to find a failing constraint in the table named
/// `failing`, or unbalanced buses when `failing` is nil; with `endToEnd` (one forgery per table),
/// also the verifier to reject a proof made with the checks off.
func expectShardForgeryRejected(
    _ what: String,
    _ forged: [TableInput<VMField>],
    failing table: String?,
    endToEnd: Bool
) {
    var tables = forged
    let fixed = [ShardTable.range.rawValue, ShardTable.bytes.rawValue]
    var counter = LookupCounter()
    for (i, t) in tables.enumerated() where !fixed.contains(i) {
        counter.merge(answerableLookups(t.air, t.trace, publicValues: t.publicValues))
    }
    tables[ShardTable.range.rawValue].trace = RangeTableAir.trace(counter)
    tables[ShardTable.bytes.rawValue].trace = BytePairTableAir.trace(counter)
    switch traceRefusal(tables) {
    case .constraintFailure(let c)? where table != nil:
        #expect(c.table == table, "\(what): \(c)")
    case .unbalancedBuses? where table == nil: break
    case let other: Issue.record("\(what): unexpected refusal \(String(describing: other))")
    }
    if endToEnd { #expect(forgedProofRejected(tables), "\(what): the verifier accepted a forged proof") }
}
