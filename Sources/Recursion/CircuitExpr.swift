import Algebra
import Stark

/// A value inside a circuit as an AIR expression: a constant, or a slot of the circuit being
/// built. Operations on slots emit arithmetic rows at once (constants fold without rows), so
/// an AIR's `eval` run on ``Stark/OutOfDomainFolder`` with these values writes the
/// out-of-domain constraint check into the circuit.
///
/// Not thread-safe: the builder it refers to is used from one thread.
public struct CircuitExpr: AirExpression, @unchecked Sendable {
    public typealias F = RF

    enum Kind {
        case constant(RE)
        case slot(Slot, CircuitBuilder)
    }
    let kind: Kind

    public init(_ constant: RF) { kind = .constant(RE(constant)) }
    /// An extension constant.
    public init(constant: RE) { kind = .constant(constant) }
    /// The value in `slot` of `builder`.
    public init(_ slot: Slot, in builder: CircuitBuilder) { kind = .slot(slot, builder) }

    /// The slot holding this value (a constant gets its constant row).
    public func slot(in builder: CircuitBuilder) -> Slot {
        switch kind {
        case .constant(let c): return builder.constant(c)
        case .slot(let s, _): return s
        }
    }

    /// The value (for tests and hints).
    public var value: RE? {
        switch kind {
        case .constant(let c): return c
        case .slot(let s, let b): return b.value(s)
        }
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        switch (lhs.kind, rhs.kind) {
        case (.constant(let x), .constant(let y)): return Self(constant: x + y)
        case (.slot(let s, let b), .constant(let c)), (.constant(let c), .slot(let s, let b)):
            return c == .zero ? Self(s, in: b) : Self(b.add(s, constant: c), in: b)
        case (.slot(let x, let b), .slot(let y, _)): return Self(b.add(x, y), in: b)
        }
    }

    public static prefix func - (value: Self) -> Self {
        switch value.kind {
        case .constant(let c): return Self(constant: -c)
        case .slot(let s, let b): return Self(b.negate(s), in: b)
        }
    }

    public static func - (lhs: Self, rhs: Self) -> Self {
        switch (lhs.kind, rhs.kind) {
        case (.constant(let x), .constant(let y)): return Self(constant: x - y)
        case (.slot(let s, let b), .constant(let c)): return c == .zero ? lhs : Self(b.add(s, constant: -c), in: b)
        case (.constant(let c), .slot(let s, let b)): return Self(b.arith(a: s, ca: -.one, k: c), in: b)
        case (.slot(let x, let b), .slot(let y, _)): return Self(b.sub(x, y), in: b)
        }
    }

    public static func * (lhs: Self, rhs: Self) -> Self {
        switch (lhs.kind, rhs.kind) {
        case (.constant(let x), .constant(let y)): return Self(constant: x * y)
        case (.slot(let s, let b), .constant(let c)), (.constant(let c), .slot(let s, let b)):
            if c == .zero { return Self(constant: .zero) }
            if c == .one { return Self(s, in: b) }
            return Self(b.mul(s, constant: c), in: b)
        case (.slot(let x, let b), .slot(let y, _)): return Self(b.mul(x, y), in: b)
        }
    }
}
