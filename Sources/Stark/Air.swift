import Algebra

/// A named LogUp bus over which tables exchange tuples.
///
/// Every tuple sent on a bus (with its multiplicity) must be received by some table with
/// the same total multiplicity, or the proof fails. All tuples on one bus should have the
/// same arity.
public struct Bus: Hashable, Sendable, CustomStringConvertible {
    /// The bus identifier mixed into every fingerprint (distinct buses never collide).
    public let id: UInt32
    /// A human-readable name used in diagnostics.
    public let name: String

    public init(_ id: UInt32, name: String = "") {
        self.id = id
        self.name = name
    }

    public var description: String { name.isEmpty ? "bus \(id)" : "\(name) (bus \(id))" }
}

/// An expression type the AIR builders compute with: a base-field polynomial expression
/// (symbolic), a value at a trace row (prover), or a value at the out-of-domain point
/// (verifier).
///
/// Integer literals lift to constants: `builder.assertZero(x * (x - 1))`.
public protocol AirExpression<F>: Sendable, ExpressibleByIntegerLiteral where IntegerLiteralType == UInt32 {
    associatedtype F: PrimeField31
    /// Lifts a field constant.
    init(_ constant: F)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static prefix func - (value: Self) -> Self
}

extension AirExpression {
    @inlinable @inline(__always)
    public init(integerLiteral value: UInt32) { self.init(F(value)) }

    @inlinable @inline(__always)
    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    @inlinable @inline(__always)
    public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    @inlinable @inline(__always)
    public static func *= (lhs: inout Self, rhs: Self) { lhs = lhs * rhs }

    /// `self * self`.
    @inlinable @inline(__always)
    public func squared() -> Self { self * self }

    /// `self` to a small constant power.
    @inlinable
    public func power(_ exponent: Int) -> Self {
        precondition(exponent >= 1)
        var r = self
        for _ in 1..<exponent { r = r * self }
        return r
    }
}

/// What an AIR sees while its constraints are evaluated.
///
/// The same `eval` runs against three builders: ``SymbolicBuilder`` (degrees and counts),
/// the prover's constraint folder over the low-degree extension, and the verifier's folder
/// at the out-of-domain point.
public protocol AirBuilder {
    associatedtype F: PrimeField31
    associatedtype Expr: AirExpression where Expr.F == F

    /// Main-trace column `column` on the current row.
    func main(_ column: Int) -> Expr
    /// Main-trace column `column` on the next row (wrapping at the end of the trace).
    func next(_ column: Int) -> Expr
    /// Preprocessed (fixed) column `column` on the current row.
    func fixed(_ column: Int) -> Expr
    /// Preprocessed (fixed) column `column` on the next row.
    func fixedNext(_ column: Int) -> Expr
    /// Public value `index` of this table.
    func publicValue(_ index: Int) -> Expr
    /// 1 on the first row, 0 elsewhere on the trace domain (degree 1).
    var isFirstRow: Expr { get }
    /// 1 on the last row, 0 elsewhere (degree 1).
    var isLastRow: Expr { get }
    /// 0 on the last row, non-zero elsewhere: guards constraints between a row and the next (degree 1).
    var isTransition: Expr { get }

    /// Requires `constraint` to vanish on every row of the trace.
    mutating func assertZero(_ constraint: Expr)

    /// Puts `values` on `bus` with `multiplicity` (positive for a send, negative for a receive).
    /// The order of interactions in `eval` must not depend on the row. Values and multiplicity
    /// may read the row and the next row, fixed columns and public values, but not the row
    /// selectors (`isFirstRow`, `isLastRow`, `isTransition`): the prover's and verifier's folders
    /// evaluate those as polynomials that vanish where the selector is 0 but are not 1 where it
    /// is 1 (`Z_H(x)/(x − 1)`, …; enough for constraints, which only need to vanish), so a
    /// fraction that used them would not match the LogUp trace. Use a column instead.
    mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr)
}

extension AirBuilder {
    /// Requires `lhs == rhs` on every row.
    @inlinable @inline(__always)
    public mutating func assertEqual(_ lhs: Expr, _ rhs: Expr) { assertZero(lhs - rhs) }

    /// Requires `value ∈ {0, 1}` on every row.
    @inlinable @inline(__always)
    public mutating func assertBool(_ value: Expr) { assertZero(value * (value - 1)) }

    /// Requires `constraint` to vanish on the first row.
    @inlinable @inline(__always)
    public mutating func assertZeroOnFirstRow(_ constraint: Expr) { assertZero(isFirstRow * constraint) }

    /// Requires `constraint` to vanish on the last row.
    @inlinable @inline(__always)
    public mutating func assertZeroOnLastRow(_ constraint: Expr) { assertZero(isLastRow * constraint) }

    /// Requires `constraint` to vanish on every row but the last (use with `next`).
    @inlinable @inline(__always)
    public mutating func assertZeroOnTransition(_ constraint: Expr) { assertZero(isTransition * constraint) }

    /// Requires `lhs == rhs` on the first row.
    @inlinable @inline(__always)
    public mutating func assertEqualOnFirstRow(_ lhs: Expr, _ rhs: Expr) { assertZeroOnFirstRow(lhs - rhs) }

    /// Requires `lhs == rhs` on the last row.
    @inlinable @inline(__always)
    public mutating func assertEqualOnLastRow(_ lhs: Expr, _ rhs: Expr) { assertZeroOnLastRow(lhs - rhs) }

    /// Requires `lhs == rhs` between each row and the next (all rows but the last).
    @inlinable @inline(__always)
    public mutating func assertEqualOnTransition(_ lhs: Expr, _ rhs: Expr) { assertZeroOnTransition(lhs - rhs) }

    /// Sends the tuple `values` on `bus`, `multiplicity` times (default once).
    @inlinable @inline(__always)
    public mutating func send(bus: Bus, values: [Expr], multiplicity: Expr = 1) {
        interact(bus: bus, values: values, multiplicity: multiplicity)
    }

    /// Receives the tuple `values` from `bus`, `multiplicity` times (default once).
    @inlinable @inline(__always)
    public mutating func receive(bus: Bus, values: [Expr], multiplicity: Expr = 1) {
        interact(bus: bus, values: values, multiplicity: -multiplicity)
    }
}

/// An algebraic intermediate representation: the constraints on one table's trace.
///
/// ```swift
/// struct Fibonacci: Air {
///     typealias F = KoalaBear
///     var width: Int { 2 }
///     var numPublicValues: Int { 3 }
///     func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
///         b.assertEqualOnFirstRow(b.main(0), b.publicValue(0))
///         b.assertEqualOnTransition(b.next(0), b.main(1))
///         ...
///     }
/// }
/// ```
public protocol Air<F>: Sendable {
    associatedtype F: StarkPackedField
    /// A short name used in diagnostics and proofs' summaries.
    var name: String { get }
    /// The number of main-trace columns.
    var width: Int { get }
    /// The number of preprocessed (fixed) columns.
    var preprocessedWidth: Int { get }
    /// The preprocessed commitment group of this table's fixed columns (default 0; ignored when
    /// `preprocessedWidth == 0`). Tables whose fixed columns are in the same group are committed
    /// in the same Merkle tree; groups are committed in ascending order, one root per group in
    /// the proof (``StarkProof/preprocessedRoots``). A verifier can take a group's root from a
    /// cached verifying key or from the caller instead of recomputing it (see
    /// ``StarkVerifier/verify(airs:proof:publicValues:preprocessedRoots:)``), so fixed columns that
    /// change per proof (a memory image, a public output) go in a group of their own.
    /// Must be in `0..<ProofLimits.maxPreprocessedGroups` (16).
    var preprocessedGroup: Int { get }
    /// The number of public values this table takes.
    var numPublicValues: Int { get }
    /// The fixed columns, or `nil` when `preprocessedWidth == 0`. Its height is the table's
    /// height. The prover always needs them; the verifier asks only for the groups whose
    /// root it is not given, so an AIR may return `nil` when its group's root comes from elsewhere.
    func preprocessedTrace() -> RowMajorMatrix<F>?
    /// Evaluates every constraint and interaction against `builder`.
    func eval<B: AirBuilder>(_ builder: inout B) where B.F == F

    /// Runs `eval` with the prover's folder. Leave the default: it exists so that the
    /// prover's hot loop is specialised for each AIR type in the AIR's own module.
    func evalProver(_ folder: inout ProverFolder<F>)
    /// Runs `eval` row by row on a concrete trace. Leave the default.
    func evalRow(_ builder: inout RowBuilder<F>)
    /// Runs `eval` to collect LogUp fingerprints of packed rows. Leave the default.
    func evalLogUp(_ folder: inout LogUpFolder<F>)
}

extension Air {
    public var name: String { String(describing: Self.self) }
    public var preprocessedWidth: Int { 0 }
    public var preprocessedGroup: Int { 0 }
    public var numPublicValues: Int { 0 }
    public func preprocessedTrace() -> RowMajorMatrix<F>? { nil }
    @inlinable
    public func evalProver(_ folder: inout ProverFolder<F>) { eval(&folder) }
    @inlinable
    public func evalRow(_ builder: inout RowBuilder<F>) { eval(&builder) }
    @inlinable
    public func evalLogUp(_ folder: inout LogUpFolder<F>) { eval(&folder) }
}
