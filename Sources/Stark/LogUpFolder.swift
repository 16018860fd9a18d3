import Algebra

/// Evaluates an AIR's interactions on `F.Packing.width` consecutive trace rows at once (one
/// row per lane) and records each interaction's LogUp fingerprint
/// `α + bus + Σ_j β^(j+1)·v_j` and multiplicity, in interaction order. Constraints are ignored:
/// this folder only feeds the LogUp aux trace (``LogUp/auxLDE(air:trace:prep:publics:columns:alpha:betaPowers:logBlowup:)``).
///
/// Public only so that ``Air/evalLogUp(_:)`` can be specialised in the AIR's module.
public struct LogUpFolder<F: StarkPackedField>: AirBuilder {
    public typealias E = QuarticExtension<F>
    public typealias Packed = F.Packing
    public typealias Expr = PackedExpr<F>

    /// Gathered rows: column `c`, lanes at `[c * W ..< c * W + W]` (as in ``ProverFolder``).
    @usableFromInline let local: UnsafePointer<F>
    @usableFromInline let nextRow: UnsafePointer<F>
    @usableFromInline let prepLocal: UnsafePointer<F>
    @usableFromInline let prepNext: UnsafePointer<F>
    @usableFromInline let publics: UnsafePointer<F>
    @usableFromInline let first: Packed
    @usableFromInline let last: Packed
    @usableFromInline let transition: Packed
    @usableFromInline let alpha: E
    @usableFromInline let betaPowers: UnsafePointer<E>
    @usableFromInline let betaCount: Int
    /// Where interaction `k`'s fingerprint and multiplicity go (`capacity` slots).
    @usableFromInline let fingerprints: UnsafeMutablePointer<PackedExt<F>>
    @usableFromInline let multiplicities: UnsafeMutablePointer<Packed>
    @usableFromInline let capacity: Int
    /// Interactions recorded so far.
    @usableFromInline var interactionCount = 0

    init(
        local: UnsafePointer<F>,
        nextRow: UnsafePointer<F>,
        prepLocal: UnsafePointer<F>,
        prepNext: UnsafePointer<F>,
        publics: UnsafePointer<F>,
        first: Packed,
        last: Packed,
        transition: Packed,
        alpha: E,
        betaPowers: UnsafeBufferPointer<E>,
        fingerprints: UnsafeMutablePointer<PackedExt<F>>,
        multiplicities: UnsafeMutablePointer<Packed>,
        capacity: Int
    ) {
        self.local = local
        self.nextRow = nextRow
        self.prepLocal = prepLocal
        self.prepNext = prepNext
        self.publics = publics
        self.first = first
        self.last = last
        self.transition = transition
        self.alpha = alpha
        self.betaPowers = betaPowers.baseAddress!
        self.betaCount = betaPowers.count
        self.fingerprints = fingerprints
        self.multiplicities = multiplicities
        self.capacity = capacity
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

    /// Constraints play no part in the LogUp trace.
    @inlinable @inline(__always)
    public mutating func assertZero(_ constraint: Expr) {}

    @inlinable
    public mutating func interact(bus: Bus, values: [Expr], multiplicity: Expr) {
        let k = interactionCount
        guard k < capacity else { return }
        interactionCount &+= 1
        var d = PackedExt<F>(broadcast: alpha + E(F(bus.id)))
        for j in 0..<values.count where j &+ 1 < betaCount {
            d = d + PackedExt.scaled(betaPowers[j &+ 1], values[j].v)
        }
        fingerprints[k] = d
        multiplicities[k] = multiplicity.v
    }
}
