import Algebra

/// A symbolic expression that tracks only what the prover must know about a constraint
/// before proving: its degree as a polynomial in the trace columns and selectors.
public struct SymbolicExpr<F: PrimeField31>: AirExpression {
    /// Degree in the trace columns (0 for constants).
    public var degree: Int

    public init(degree: Int) { self.degree = degree }
    public init(_ constant: F) { self.degree = 0 }

    public static func + (lhs: Self, rhs: Self) -> Self { Self(degree: max(lhs.degree, rhs.degree)) }
    public static func - (lhs: Self, rhs: Self) -> Self { Self(degree: max(lhs.degree, rhs.degree)) }
    public static func * (lhs: Self, rhs: Self) -> Self { Self(degree: lhs.degree + rhs.degree) }
    public static prefix func - (value: Self) -> Self { value }
}

/// The shape of one interaction, as seen by the symbolic builder.
public struct InteractionShape: Sendable, Equatable {
    public var bus: Bus
    public var arity: Int
    /// Degree of the fingerprint `α + bus + Σ βʲ⁺¹ vⱼ`.
    public var fingerprintDegree: Int
    public var multiplicityDegree: Int
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
    public var isFirstRow: Expr { Expr(degree: 1) }
    public var isLastRow: Expr { Expr(degree: 1) }
    public var isTransition: Expr { Expr(degree: 1) }

    public mutating func assertZero(_ constraint: Expr) { constraintDegrees.append(constraint.degree) }

    public mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr) {
        let fp = values.map(\.degree).max() ?? 0
        interactions.append(
            InteractionShape(
                bus: bus,
                arity: values.count,
                fingerprintDegree: fp,
                multiplicityDegree: multiplicity.degree
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

    /// Number of extension columns of the LogUp trace: one per interaction plus the running sum.
    public var auxExtensionColumns: Int { interactions.isEmpty ? 0 : interactions.count + 1 }
    /// Number of LogUp constraints (extension-valued): one per interaction and three for the running sum.
    public var numLogUpConstraints: Int { interactions.isEmpty ? 0 : interactions.count + 3 }

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
        var d = b.constraintDegrees.max() ?? 1
        for i in b.interactions {
            // h·d − m = 0 ; running-sum constraints are degree 2.
            d = max(d, i.fingerprintDegree + 1, i.multiplicityDegree, 2)
        }
        maxConstraintDegree = max(d, 2)
    }
}
