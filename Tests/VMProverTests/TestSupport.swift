import Algebra
import Stark
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

/// The interactions `air` makes on every row of `trace`: row, bus, tuple and signed multiplicity
/// (interactions with multiplicity 0 are skipped). Constraints are ignored.
func interactions(
    _ air: any Air<VMField>,
    _ trace: RowMajorMatrix<VMField>,
    publicValues: [VMField] = []
)
    -> [(row: Int, bus: Bus, values: [VMField], multiplicity: VMField)]
{
    var collector = InteractionCollector(trace: trace, prep: air.preprocessedTrace(), publics: publicValues)
    var out: [(row: Int, bus: Bus, values: [VMField], multiplicity: VMField)] = []
    for r in 0..<trace.height {
        collector.row = r
        collector.found.removeAll(keepingCapacity: true)
        air.eval(&collector)
        for i in collector.found { out.append((r, i.bus, i.values, i.multiplicity)) }
    }
    return out
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
    for i in interactions(air, trace, publicValues: publicValues) {
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

/// Evaluates an AIR's interactions on one concrete row.
private struct InteractionCollector: AirBuilder {
    typealias F = VMField
    typealias Expr = ScalarExpr<VMField>
    let trace: RowMajorMatrix<VMField>
    let prep: RowMajorMatrix<VMField>?
    let publics: [VMField]
    var row = 0
    var found: [(bus: Bus, values: [VMField], multiplicity: VMField)] = []

    init(trace: RowMajorMatrix<VMField>, prep: RowMajorMatrix<VMField>?, publics: [VMField]) {
        self.trace = trace
        self.prep = prep
        self.publics = publics
    }

    var nextRow: Int { row + 1 == trace.height ? 0 : row + 1 }
    func main(_ c: Int) -> Expr { Expr(trace.values[row * trace.width + c]) }
    func next(_ c: Int) -> Expr { Expr(trace.values[nextRow * trace.width + c]) }
    func fixed(_ c: Int) -> Expr { Expr(prep!.values[row * prep!.width + c]) }
    func fixedNext(_ c: Int) -> Expr { Expr(prep!.values[nextRow * prep!.width + c]) }
    func publicValue(_ i: Int) -> Expr { Expr(publics[i]) }
    var isFirstRow: Expr { Expr(row == 0 ? .one : .zero) }
    var isLastRow: Expr { Expr(row == trace.height - 1 ? .one : .zero) }
    var isTransition: Expr { Expr(row == trace.height - 1 ? .zero : .one) }
    mutating func assertZero(_ constraint: Expr) {}
    mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr) {
        if !multiplicity.v.isZero { found.append((bus, values.map(\.v), multiplicity.v)) }
    }
}
