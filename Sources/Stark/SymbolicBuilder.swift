import Algebra

/// The shape of one interaction, as seen by the symbolic builder.
public struct InteractionShape: Sendable, Equatable {
    public var bus: Bus
    public var arity: Int
    /// Degree of the fingerprint `α + bus + Σ βʲ⁺¹ vⱼ`.
    public var fingerprintDegree: Int
    public var multiplicityDegree: Int
    /// Whether its values or multiplicity read a row selector, which interactions may not
    /// (see ``AirBuilder/interact(bus:values:multiplicity:)``).
    public var usesSelector = false
}

/// Runs an AIR symbolically: counts its constraints and interactions and infers their degrees.
public struct SymbolicBuilder<F: PrimeField31>: AirBuilder {
    public typealias Expr = SymbolicExpr<F>

    public let width: Int
    public let preprocessedWidth: Int
    public let numPublicValues: Int
    /// Degrees of the constraints seen so far, in order.
    public private(set) var constraintDegrees: [Int] = []
    /// Interactions seen so far, in order.
    public private(set) var interactions: [InteractionShape] = []
    /// Column indices out of range seen during evaluation (an AIR bug).
    public private(set) var outOfRange: [String] = []

    public init(width: Int, preprocessedWidth: Int, numPublicValues: Int) {
        self.width = width
        self.preprocessedWidth = preprocessedWidth
        self.numPublicValues = numPublicValues
    }

    private func column(_ c: Int, _ limit: Int) -> Expr { Expr(degree: 1) }

    public func main(_ column: Int) -> Expr { Expr(degree: 1) }
    public func next(_ column: Int) -> Expr { Expr(degree: 1) }
    public func fixed(_ column: Int) -> Expr { Expr(degree: 1) }
    public func fixedNext(_ column: Int) -> Expr { Expr(degree: 1) }
    public func publicValue(_ index: Int) -> Expr { Expr(degree: 0) }
    public var isFirstRow: Expr { Expr(degree: 1, usesSelector: true) }
    public var isLastRow: Expr { Expr(degree: 1, usesSelector: true) }
    public var isTransition: Expr { Expr(degree: 1, usesSelector: true) }

    public mutating func assertZero(_ constraint: Expr) { constraintDegrees.append(constraint.degree) }

    public mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr) {
        let fp = values.map(\.degree).max() ?? 0
        interactions.append(
            InteractionShape(
                bus: bus,
                arity: values.count,
                fingerprintDegree: fp,
                multiplicityDegree: multiplicity.degree,
                usesSelector: multiplicity.usesSelector || values.contains { $0.usesSelector }
            )
        )
    }
}

/// What the symbolic run of an AIR tells the prover and verifier.
public struct AirShape: Sendable, Equatable {
    public var width: Int
    public var preprocessedWidth: Int
    /// The AIR's ``Air/preprocessedGroup``.
    public var preprocessedGroup: Int
    public var numPublicValues: Int
    /// Number of base-field constraints written by the AIR.
    public var numConstraints: Int
    /// The interactions, in evaluation order.
    public var interactions: [InteractionShape]
    /// The largest degree among the AIR's constraints and the LogUp constraints it induces.
    public var maxConstraintDegree: Int

    /// The LogUp columns: consecutive runs of interactions (by index) whose fractions share one
    /// extension column `h = Σ m_k / d_k`. See ``logUpColumns(_:baseDegree:)``.
    public var logUpColumns: [Range<Int>]

    /// Number of extension columns of the LogUp trace: one per ``logUpColumns`` entry plus the
    /// running sum.
    public var auxExtensionColumns: Int { interactions.isEmpty ? 0 : logUpColumns.count + 1 }
    /// Number of LogUp constraints (extension-valued): one per LogUp column and three for the
    /// running sum.
    public var numLogUpConstraints: Int { interactions.isEmpty ? 0 : logUpColumns.count + 3 }

    /// The table's matrices in the DEEP batching's order: preprocessed and main (base
    /// columns), aux and quotient (extension columns) (``DeepCoefficients``).
    package var deepMatrices: [DeepMatrix] {
        [
            DeepMatrix(width: preprocessedWidth, isExtension: false),
            DeepMatrix(width: width, isExtension: false),
            DeepMatrix(width: 4 * auxExtensionColumns, isExtension: true),
            DeepMatrix(width: 4 << logQuotientDegree, isExtension: true),
        ]
    }

    /// `log2` of the number of quotient chunks: the smallest power of two ≥ `maxConstraintDegree - 1`.
    public var logQuotientDegree: Int {
        let d = max(1, maxConstraintDegree - 1)
        var l = 0
        while (1 << l) < d { l += 1 }
        return l
    }

    /// Runs `air` symbolically.
    public init<A: Air>(of air: A) {
        var b = SymbolicBuilder<A.F>(
            width: air.width,
            preprocessedWidth: air.preprocessedWidth,
            numPublicValues: air.numPublicValues
        )
        air.eval(&b)
        width = air.width
        preprocessedWidth = air.preprocessedWidth
        preprocessedGroup = air.preprocessedGroup
        numPublicValues = air.numPublicValues
        numConstraints = b.constraintDegrees.count
        interactions = b.interactions
        let (columns, degree) = Self.logUpColumns(b.interactions, baseDegree: b.constraintDegrees.max() ?? 1)
        logUpColumns = columns
        maxConstraintDegree = degree
    }

    /// Packs `interactions` into LogUp columns and returns them with the table's largest
    /// constraint degree.
    ///
    /// A column holding the fractions `m_1/d_1 … m_r/d_r` (fingerprints `d`, multiplicities `m`)
    /// is bound by one constraint, `h·Π d_j − Σ_i m_i·Π_{j≠i} d_j = 0`, of degree
    /// `max(1 + Σ deg d_j, max_i (deg m_i + Σ_{j≠i} deg d_j))`. Columns take consecutive
    /// interactions greedily while that degree stays within a budget: the table's degree with
    /// one column per interaction (`baseDegree` of its own constraints, `deg d + 1`, `deg m`, and
    /// 2 for the running sum), raised to 3 — the most a rate-1/2 code allows — when that saves at
    /// least two columns (one extra quotient chunk costs about as much as one column). The
    /// packing depends on the AIR alone, so prover and verifier derive the same one.
    static func logUpColumns(_ interactions: [InteractionShape], baseDegree: Int) -> ([Range<Int>], Int) {
        var single = max(baseDegree, 2)
        for i in interactions { single = max(single, i.fingerprintDegree + 1, i.multiplicityDegree) }
        func pack(_ budget: Int) -> (columns: [Range<Int>], degree: Int) {
            var columns: [Range<Int>] = []
            var degree = single
            var start = 0
            var dSum = 0  // Σ deg d over the open column
            var numerator = 0  // max_i (deg m_i + Σ_{j≠i} deg d_j)
            for (k, i) in interactions.enumerated() {
                let d = i.fingerprintDegree
                let m = i.multiplicityDegree
                if k > start {
                    let grown = max(1 + dSum + d, numerator + d, m + dSum)
                    if grown <= budget {
                        numerator = max(numerator + d, m + dSum)
                        dSum += d
                        continue
                    }
                    columns.append(start..<k)
                    degree = max(degree, 1 + dSum, numerator)
                }
                start = k
                dSum = d
                numerator = m
            }
            if !interactions.isEmpty {
                columns.append(start..<interactions.count)
                degree = max(degree, 1 + dSum, numerator)
            }
            return (columns, degree)
        }
        let one = pack(single)
        if single < 3 {
            let packed = pack(3)
            if packed.columns.count + 2 <= one.columns.count { return packed }
        }
        return one
    }
}
