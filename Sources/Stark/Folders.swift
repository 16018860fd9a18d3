import Algebra

/// Evaluates an AIR on one row of a concrete trace (selectors are 0/1 there).
///
/// Used to check a trace before proving (``checkConstraints(air:trace:publicValues:)``) and
/// to collect the LogUp interactions row by row.
public struct RowBuilder<F: PrimeField31>: AirBuilder {
    public typealias Expr = ScalarExpr<F>

    @usableFromInline let trace: UnsafeBufferPointer<F>
    @usableFromInline let width: Int
    @usableFromInline let prep: UnsafeBufferPointer<F>
    @usableFromInline let prepWidth: Int
    @usableFromInline let publics: UnsafeBufferPointer<F>
    @usableFromInline let height: Int
    @usableFromInline var row: Int
    /// Indices (in evaluation order) of constraints that do not vanish on this row.
    public var failing: [Int] = []
    @usableFromInline var constraintIndex = 0
    @usableFromInline var collect: Bool
    /// The interactions collected on this row (when collecting), stored flat so that a builder
    /// reused row after row (``reset(row:)``) allocates nothing: bus ids, signed multiplicities,
    /// and the tuples back to back in `tupleValues` (tuple `j` starts at `tupleStarts[j]`).
    private(set) var interactionBuses: [UInt32] = []
    private(set) var interactionMultiplicities: [F] = []
    private var tupleStarts: [Int] = []
    private var tupleValues: [F] = []

    /// The tuple of interaction `j` on this row.
    func interactionValues(_ j: Int) -> ArraySlice<F> {
        let end = j + 1 < tupleStarts.count ? tupleStarts[j + 1] : tupleValues.count
        return tupleValues[tupleStarts[j]..<end]
    }

    /// Moves the builder to `row`, forgetting what the previous row failed and collected
    /// (keeping the storage).
    mutating func reset(row: Int) {
        self.row = row
        failing.removeAll(keepingCapacity: true)
        constraintIndex = 0
        interactionBuses.removeAll(keepingCapacity: true)
        interactionMultiplicities.removeAll(keepingCapacity: true)
        tupleStarts.removeAll(keepingCapacity: true)
        tupleValues.removeAll(keepingCapacity: true)
    }

    init(
        trace: UnsafeBufferPointer<F>,
        width: Int,
        prep: UnsafeBufferPointer<F>,
        prepWidth: Int,
        publics: UnsafeBufferPointer<F>,
        height: Int,
        row: Int,
        collect: Bool
    ) {
        self.trace = trace
        self.width = width
        self.prep = prep
        self.prepWidth = prepWidth
        self.publics = publics
        self.height = height
        self.row = row
        self.collect = collect
    }

    @inlinable var nextRow: Int { row + 1 == height ? 0 : row + 1 }

    public func main(_ column: Int) -> Expr { Expr(trace[row * width + column]) }
    public func next(_ column: Int) -> Expr { Expr(trace[nextRow * width + column]) }
    public func fixed(_ column: Int) -> Expr { Expr(prep[row * prepWidth + column]) }
    public func fixedNext(_ column: Int) -> Expr { Expr(prep[nextRow * prepWidth + column]) }
    public func publicValue(_ index: Int) -> Expr { Expr(publics[index]) }
    public var isFirstRow: Expr { Expr(row == 0 ? .one : .zero) }
    public var isLastRow: Expr { Expr(row == height - 1 ? .one : .zero) }
    public var isTransition: Expr { Expr(row == height - 1 ? .zero : .one) }

    public mutating func assertZero(_ constraint: Expr) {
        if !constraint.v.isZero { failing.append(constraintIndex) }
        constraintIndex += 1
    }

    public mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr) {
        guard collect else { return }
        interactionBuses.append(bus.id)
        interactionMultiplicities.append(multiplicity.v)
        tupleStarts.append(tupleValues.count)
        for v in values { tupleValues.append(v.v) }
    }
}

/// A constraint that does not hold on a trace.
public struct ConstraintFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var table: String
    public var row: Int
    public var constraint: Int
    public var description: String { "\(table): constraint \(constraint) fails on row \(row)" }
}

/// Checks every constraint of `air` on every row of `trace`; returns the first failure.
public func checkConstraints<A: Air>(
    air: A,
    trace: RowMajorMatrix<A.F>,
    publicValues: [A.F]
) -> ConstraintFailure? {
    let prepM = air.preprocessedTrace()
    let prepValues = prepM?.values ?? []
    return trace.values.withUnsafeBufferPointer { t in
        prepValues.withUnsafeBufferPointer { p in
            publicValues.withUnsafeBufferPointer { pub in
                var b = RowBuilder(
                    trace: t,
                    width: trace.width,
                    prep: p,
                    prepWidth: air.preprocessedWidth,
                    publics: pub,
                    height: trace.height,
                    row: 0,
                    collect: false
                )
                for row in 0..<trace.height {
                    b.reset(row: row)
                    air.evalRow(&b)
                    if let c = b.failing.first { return ConstraintFailure(table: air.name, row: row, constraint: c) }
                }
                return nil
            }
        }
    }
}

extension AirShape {
    /// Per interaction: whether it is the last one of its LogUp column.
    public var closesLogUpColumn: [Bool] {
        var closes = [Bool](repeating: false, count: interactions.count)
        for c in logUpColumns where !c.isEmpty { closes[c.upperBound - 1] = true }
        return closes
    }
}

/// The verifier's folder: evaluates an AIR's constraints and LogUp relations on the values
/// opened at the out-of-domain point ζ and folds them with powers of λ, in the order the
/// prover's folder uses.
///
/// Generic over the value type: the native verifier runs it on extension-field values
/// (``ExtExpr``); a recursion circuit runs the same code on circuit values, so that the
/// constraint check a circuit proves is the native one by construction.
public struct OutOfDomainFolder<X: AirExpression>: AirBuilder {
    public typealias F = X.F
    public typealias Expr = X

    let mainLocal: [X]
    let mainNext: [X]
    let prepLocal: [X]
    let prepNext: [X]
    let auxLocal: [X]
    let auxNext: [X]
    let publics: [X]
    let selectors: (first: X, last: X, transition: X)
    let lambda: X
    let logupAlpha: X
    let betaPowers: [X]
    let cumulativeSum: X
    /// The folded constraints so far.
    public private(set) var acc: X = 0
    /// The number of interactions evaluated so far.
    public private(set) var interactionIndex = 0
    var sumLocal: X = 0
    var sumNext: X = 0
    /// Per interaction: whether it is the last of its LogUp column (``AirShape/logUpColumns``).
    let closesColumn: [Bool]
    /// The open column's fractions summed so far, as `numerator / denominator`.
    var numerator: X = 0
    var denominator: X = 1
    var columnOpen = false
    var columnIndex = 0
    /// Set when the AIR reads a column out of range (malformed statement).
    public private(set) var outOfRange = false

    /// A folder over the opened values of one table: main, preprocessed and aux (LogUp, as
    /// extension columns) at ζ and ωζ, its public values, the row selectors at ζ, the
    /// challenges, the table's claimed LogUp sum and, per interaction, whether it closes its
    /// LogUp column (``AirShape/closesLogUpColumn``).
    public init(
        mainLocal: [X],
        mainNext: [X],
        prepLocal: [X],
        prepNext: [X],
        auxLocal: [X],
        auxNext: [X],
        publics: [X],
        selectors: (first: X, last: X, transition: X),
        lambda: X,
        logupAlpha: X,
        betaPowers: [X],
        cumulativeSum: X,
        closesColumn: [Bool]
    ) {
        self.mainLocal = mainLocal
        self.mainNext = mainNext
        self.prepLocal = prepLocal
        self.prepNext = prepNext
        self.auxLocal = auxLocal
        self.auxNext = auxNext
        self.publics = publics
        self.selectors = selectors
        self.lambda = lambda
        self.logupAlpha = logupAlpha
        self.betaPowers = betaPowers
        self.cumulativeSum = cumulativeSum
        self.closesColumn = closesColumn
    }

    private func get(_ a: [X], _ i: Int) -> X {
        guard i >= 0 && i < a.count else { return 0 }
        return a[i]
    }

    public func main(_ column: Int) -> X { get(mainLocal, column) }
    public func next(_ column: Int) -> X { get(mainNext, column) }
    public func fixed(_ column: Int) -> X { get(prepLocal, column) }
    public func fixedNext(_ column: Int) -> X { get(prepNext, column) }
    public func publicValue(_ index: Int) -> X { get(publics, index) }
    public var isFirstRow: X { selectors.first }
    public var isLastRow: X { selectors.last }
    public var isTransition: X { selectors.transition }

    public mutating func assertZero(_ constraint: X) { acc = acc * lambda + constraint }

    public mutating func interact(bus: Bus, values: [X], multiplicity: X) {
        let k = interactionIndex
        interactionIndex += 1
        let c = columnIndex
        guard values.count + 1 <= betaPowers.count, k < closesColumn.count, c + 1 < auxLocal.count,
            c + 1 < auxNext.count
        else {
            outOfRange = true
            return
        }
        var d = logupAlpha + X(F(bus.id))
        for (j, v) in values.enumerated() { d = d + betaPowers[j + 1] * v }
        // n/D + m/d = (n·d + m·D) / (D·d)
        if columnOpen {
            numerator = numerator * d + denominator * multiplicity
            denominator = denominator * d
        } else {
            numerator = multiplicity
            denominator = d
            columnOpen = true
        }
        if closesColumn[k] {
            columnIndex += 1
            columnOpen = false
            let h = auxLocal[c]
            acc = acc * lambda + (h * denominator - numerator)
            sumLocal = sumLocal + h
            sumNext = sumNext + auxNext[c]
        }
    }

    /// Adds the running-sum constraints after `eval` (only for tables with interactions).
    public mutating func finish(numColumns: Int) {
        guard numColumns > 0, numColumns < auxLocal.count, numColumns < auxNext.count else { return }
        let s = auxLocal[numColumns]
        let sNext = auxNext[numColumns]
        acc = acc * lambda + selectors.first * (s - sumLocal)
        acc = acc * lambda + selectors.transition * (sNext - s - sumNext)
        acc = acc * lambda + selectors.last * (s - cumulativeSum)
    }
}

/// The native verifier's folder, on extension-field values.
typealias VerifierFolder<F: BinomiallyExtendable> = OutOfDomainFolder<ExtExpr<F>>

/// The prover's folder: evaluates constraints on `F.Packing.width` points of the quotient
/// domain at once (packed lanes) and combines them with powers of λ in the order the
/// verifier's Horner fold uses.
///
/// Public only so that ``Air/evalProver(_:)`` can be specialised in the AIR's module.
public struct ProverFolder<F: StarkPackedField>: AirBuilder {
    public typealias E = QuarticExtension<F>
    public typealias Packed = F.Packing
    public typealias Expr = PackedExpr<F>

    /// Gathered values: column `c`, lanes at `[c * W ..< c * W + W]`.
    @usableFromInline let local: UnsafePointer<F>
    @usableFromInline let nextRow: UnsafePointer<F>
    @usableFromInline let prepLocal: UnsafePointer<F>
    @usableFromInline let prepNext: UnsafePointer<F>
    /// Aux (LogUp) values, 4 base columns per extension column, gathered the same way.
    @usableFromInline let auxLocal: UnsafePointer<F>
    @usableFromInline let auxNext: UnsafePointer<F>
    @usableFromInline let publics: UnsafePointer<F>
    @usableFromInline let first: Packed
    @usableFromInline let last: Packed
    @usableFromInline let transition: Packed
    /// `λ^(K-1-k)` for constraint `k` of `K`.
    @usableFromInline let lambdaPowers: UnsafePointer<E>
    @usableFromInline let logupAlpha: E
    @usableFromInline let betaPowers: UnsafePointer<E>
    @usableFromInline let cumulativeSum: E
    @usableFromInline var acc: PackedExt<F>
    @usableFromInline var constraintIndex = 0
    @usableFromInline var interactionIndex = 0
    @usableFromInline var sumLocal: PackedExt<F>
    @usableFromInline var sumNext: PackedExt<F>
    /// Per interaction: whether it is the last of its LogUp column (``AirShape/logUpColumns``).
    @usableFromInline let closesColumn: UnsafePointer<Bool>
    /// The open column's fractions summed so far, as `numerator / denominator`.
    @usableFromInline var numerator: PackedExt<F>
    @usableFromInline var denominator: PackedExt<F>
    @usableFromInline var columnOpen = false
    @usableFromInline var columnIndex = 0

    init(
        local: UnsafePointer<F>,
        nextRow: UnsafePointer<F>,
        prepLocal: UnsafePointer<F>,
        prepNext: UnsafePointer<F>,
        auxLocal: UnsafePointer<F>,
        auxNext: UnsafePointer<F>,
        publics: UnsafePointer<F>,
        first: Packed,
        last: Packed,
        transition: Packed,
        lambdaPowers: UnsafePointer<E>,
        logupAlpha: E,
        betaPowers: UnsafePointer<E>,
        cumulativeSum: E,
        closesColumn: UnsafePointer<Bool>
    ) {
        self.closesColumn = closesColumn
        self.numerator = .zero
        self.denominator = .zero
        self.local = local
        self.nextRow = nextRow
        self.prepLocal = prepLocal
        self.prepNext = prepNext
        self.auxLocal = auxLocal
        self.auxNext = auxNext
        self.publics = publics
        self.first = first
        self.last = last
        self.transition = transition
        self.lambdaPowers = lambdaPowers
        self.logupAlpha = logupAlpha
        self.betaPowers = betaPowers
        self.cumulativeSum = cumulativeSum
        self.acc = .zero
        self.sumLocal = .zero
        self.sumNext = .zero
    }

    @inlinable @inline(__always)
    public func main(_ column: Int) -> Expr { Expr(Packed(loading: local + column &* Packed.width)) }
    @inlinable @inline(__always)
    public func next(_ column: Int) -> Expr { Expr(Packed(loading: nextRow + column &* Packed.width)) }
    @inlinable @inline(__always)
    public func fixed(_ column: Int) -> Expr { Expr(Packed(loading: prepLocal + column &* Packed.width)) }
    @inlinable @inline(__always)
    public func fixedNext(_ column: Int) -> Expr { Expr(Packed(loading: prepNext + column &* Packed.width)) }
    @inlinable @inline(__always)
    public func publicValue(_ index: Int) -> Expr { Expr(publics[index]) }
    @inlinable
    public var isFirstRow: Expr { Expr(first) }
    @inlinable
    public var isLastRow: Expr { Expr(last) }
    @inlinable
    public var isTransition: Expr { Expr(transition) }

    @inlinable @inline(__always)
    public mutating func assertZero(_ constraint: Expr) {
        acc = acc + PackedExt.scaled(lambdaPowers[constraintIndex], constraint.v)
        constraintIndex &+= 1
    }

    @inlinable @inline(__always)
    mutating func assertZeroExt(_ constraint: PackedExt<F>) {
        acc = acc + constraint * PackedExt(broadcast: lambdaPowers[constraintIndex])
        constraintIndex &+= 1
    }

    @inlinable @inline(__always)
    func auxExt(_ base: UnsafePointer<F>, _ k: Int) -> PackedExt<F> {
        let w = Packed.width
        let p = base + k &* 4 &* w
        return PackedExt(
            Packed(loading: p),
            Packed(loading: p + w),
            Packed(loading: p + 2 * w),
            Packed(loading: p + 3 * w)
        )
    }

    @inlinable
    public mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr) {
        let k = interactionIndex
        interactionIndex += 1
        var d = PackedExt<F>(broadcast: logupAlpha + E(F(bus.id)))
        for j in 0..<values.count { d = d + PackedExt.scaled(betaPowers[j + 1], values[j].v) }
        // n/D + m/d = (n·d + m·D) / (D·d)
        if columnOpen {
            numerator = numerator * d + denominator * multiplicity.v
            denominator = denominator * d
        } else {
            numerator = PackedExt(base: multiplicity.v)
            denominator = d
            columnOpen = true
        }
        if closesColumn[k] {
            let c = columnIndex
            columnIndex &+= 1
            columnOpen = false
            let h = auxExt(auxLocal, c)
            assertZeroExt(h * denominator - numerator)
            sumLocal = sumLocal + h
            sumNext = sumNext + auxExt(auxNext, c)
        }
    }

    mutating func finish(numColumns: Int) {
        guard numColumns > 0 else { return }
        let s = auxExt(auxLocal, numColumns)
        let sNext = auxExt(auxNext, numColumns)
        assertZeroExt((s - sumLocal) * first)
        assertZeroExt((sNext - s - sumNext) * transition)
        assertZeroExt((s - PackedExt(broadcast: cumulativeSum)) * last)
    }
}
