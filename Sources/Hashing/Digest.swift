import Algebra

/// A hash output of 8 field elements (Poseidon2 sponge or compression).
///
/// Stored as the elements' Montgomery representatives, which are always
/// reduced, so equality and hashing compare field values.
@frozen
public struct Digest<F: Poseidon2Field>: Hashable, Sendable, CustomStringConvertible {
    /// The number of field elements in a digest.
    @inlinable public static var count: Int { 8 }

    /// Lane `i` holds the Montgomery representative of element `i`.
    public var words: SIMD8<UInt32>

    /// Wraps Montgomery representatives (each `< p`).
    @inlinable @inline(__always)
    public init(montgomeryWords words: SIMD8<UInt32>) { self.words = words }

    /// A digest from exactly 8 elements.
    @inlinable
    public init(_ elements: some Collection<F>) {
        precondition(elements.count == 8, "a digest has 8 elements")
        var w = SIMD8<UInt32>()
        for (i, e) in elements.enumerated() { w[i] = e.montgomery }
        words = w
    }

    /// The digest whose elements are the first 8 elements at `pointer`.
    @inlinable @inline(__always)
    public init(_ pointer: UnsafePointer<F>) {
        words = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<UInt32>.self)
    }

    /// The all-zero digest.
    @inlinable public static var zero: Self { Self(montgomeryWords: .zero) }

    /// Element `i`, `0 <= i < 8`.
    @inlinable
    public subscript(i: Int) -> F { F(montgomery: words[i]) }

    /// The 8 elements.
    @inlinable
    public var elements: [F] { (0..<8).map { self[$0] } }

    /// Writes the 8 elements to `pointer`.
    @inlinable @inline(__always)
    public func store(to pointer: UnsafeMutablePointer<F>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: words, as: SIMD8<UInt32>.self)
    }

    /// The canonical encoding: 8 canonical values as little-endian 32-bit words (32 bytes).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for e in elements {
            let v = e.canonical
            for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
        }
        return out
    }

    public var description: String { "[" + elements.map(\.description).joined(separator: ", ") + "]" }
}
