import Algebra
import Stark

/// Evaluates an AIR's interactions on concrete rows (constraints are ignored).
struct TupleCollector: AirBuilder {
    typealias F = VMField
    typealias Expr = ScalarExpr<VMField>
    let trace: RowMajorMatrix<VMField>
    let prep: RowMajorMatrix<VMField>?
    let publics: [VMField]
    var row = 0
    var interactions: [(bus: Bus, values: [VMField], multiplicity: VMField)] = []

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
        if !multiplicity.v.isZero { interactions.append((bus, values.map(\.v), multiplicity.v)) }
    }
}

/// The interactions `air` makes on every row of `trace`: row, bus, tuple and signed multiplicity
/// (interactions with multiplicity 0 are skipped). Constraints are ignored. For diagnostics and
/// tests that recount lookups as an attacker would.
package func interactions(
    of air: any Air<VMField>,
    trace: RowMajorMatrix<VMField>,
    publicValues: [VMField] = []
) -> [(row: Int, bus: Bus, values: [VMField], multiplicity: VMField)] {
    var c = TupleCollector(trace: trace, prep: air.preprocessedTrace(), publics: publicValues)
    var out: [(row: Int, bus: Bus, values: [VMField], multiplicity: VMField)] = []
    for r in 0..<trace.height {
        c.row = r
        c.interactions.removeAll(keepingCapacity: true)
        air.eval(&c)
        for i in c.interactions { out.append((r, i.bus, i.values, i.multiplicity)) }
    }
    return out
}

/// One tuple whose sends and receives do not cancel.
public struct BusImbalance: Sendable, CustomStringConvertible {
    public var bus: Bus
    public var tuple: [UInt32]
    /// Net multiplicity (sends minus receives) as a field element's canonical value.
    public var net: UInt32
    /// Tables that send or receive the tuple.
    public var tables: [String]
    public var description: String {
        let m = net > VMField.modulus / 2 ? "−\(VMField.modulus - net)" : "+\(net)"
        return "\(bus.name) \(tuple) net \(m) (in \(tables.joined(separator: ", ")))"
    }
}

/// The tuples whose multiplicities do not cancel across `tables`, at most `limit` of them: a
/// diagnostic for traces the prover refuses with "unbalanced buses".
public func busImbalances(_ tables: [TableInput<VMField>], limit: Int = 20) -> [BusImbalance] {
    struct Key: Hashable {
        var bus: UInt32
        var tuple: [UInt32]
    }
    var net: [Key: VMField] = [:]
    var names: [Key: Set<String>] = [:]
    var buses: [UInt32: Bus] = [:]
    for t in tables {
        for i in interactions(of: t.air, trace: t.trace, publicValues: t.publicValues) {
            let k = Key(bus: i.bus.id, tuple: i.values.map(\.canonical))
            net[k, default: .zero] += i.multiplicity
            names[k, default: []].insert(t.air.name)
            buses[i.bus.id] = i.bus
        }
    }
    var out: [BusImbalance] = []
    for (k, v) in net where !v.isZero {
        out.append(BusImbalance(bus: buses[k.bus]!, tuple: k.tuple, net: v.canonical, tables: names[k]!.sorted()))
        if out.count >= limit { break }
    }
    return out
}
