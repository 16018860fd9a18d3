import Algebra

// The `AirExpression` types (`Air.swift`), one per way an AIR's `eval` is run: symbolically
// (`SymbolicBuilder`), row by row on a concrete trace (`RowBuilder`), at the out-of-domain
// point (`VerifierFolder`) and on packed lanes of the quotient domain (`ProverFolder`,
// `LogUpFolder`).

/// A symbolic expression that tracks only what the prover must know about a constraint
/// before proving: its degree as a polynomial in the trace columns and selectors.
public struct SymbolicExpr<F: PrimeField31>: AirExpression {
    /// Degree in the trace columns (0 for constants).
    public var degree: Int
    /// Whether a row selector (`isFirstRow`, `isLastRow`, `isTransition`) takes part.
    public var usesSelector: Bool

    public init(degree: Int, usesSelector: Bool = false) {
        self.degree = degree
        self.usesSelector = usesSelector
    }
    public init(_ constant: F) { self.init(degree: 0) }

    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(degree: max(lhs.degree, rhs.degree), usesSelector: lhs.usesSelector || rhs.usesSelector)
    }
    public static func - (lhs: Self, rhs: Self) -> Self {
        Self(degree: max(lhs.degree, rhs.degree), usesSelector: lhs.usesSelector || rhs.usesSelector)
    }
    public static func * (lhs: Self, rhs: Self) -> Self {
        Self(degree: lhs.degree + rhs.degree, usesSelector: lhs.usesSelector || rhs.usesSelector)
    }
    public static prefix func - (value: Self) -> Self { value }
}

/// A base-field value wrapped as an AIR expression (row-by-row evaluation).
@frozen
public struct ScalarExpr<F: PrimeField31>: AirExpression {
    public var v: F
    @inlinable @inline(__always)
    public init(_ constant: F) { self.v = constant }
    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self { Self(lhs.v + rhs.v) }
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self { Self(lhs.v - rhs.v) }
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self { Self(lhs.v * rhs.v) }
    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self(-value.v) }
}

/// An extension-field value wrapped as an AIR expression over the base field (the
/// verifier evaluates constraints at the out-of-domain point).
@frozen
public struct ExtExpr<F: BinomiallyExtendable>: AirExpression {
    public var v: QuarticExtension<F>
    @inlinable @inline(__always)
    public init(ext v: QuarticExtension<F>) { self.v = v }
    @inlinable @inline(__always)
    public init(_ constant: F) { self.v = QuarticExtension(constant) }
    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self { Self(ext: lhs.v + rhs.v) }
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self { Self(ext: lhs.v - rhs.v) }
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self { Self(ext: lhs.v * rhs.v) }
    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self(ext: -value.v) }
}

/// A packed base-field value wrapped as an AIR expression (the prover's hot path evaluates
/// constraints on 8 quotient-domain points at once).
@frozen
public struct PackedExpr<F: StarkPackedField>: AirExpression {
    public var v: F.Packing

    @inlinable @inline(__always)
    public init(_ v: F.Packing) { self.v = v }
    @inlinable @inline(__always)
    public init(_ constant: F) { self.v = F.Packing(broadcast: constant) }

    @inlinable @inline(__always)
    public static func + (lhs: Self, rhs: Self) -> Self { Self(lhs.v + rhs.v) }
    @inlinable @inline(__always)
    public static func - (lhs: Self, rhs: Self) -> Self { Self(lhs.v - rhs.v) }
    @inlinable @inline(__always)
    public static func * (lhs: Self, rhs: Self) -> Self { Self(lhs.v * rhs.v) }
    @inlinable @inline(__always)
    public static prefix func - (value: Self) -> Self { Self(-value.v) }
}
