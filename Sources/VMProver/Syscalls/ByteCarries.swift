import Algebra
import Stark
import VM

/// Integer identities between numbers held as bytes, proven position by position with signed
/// carries (the gadget of ``MulModAir`` and ``Secp256k1Air``).
///
/// An identity `Σ_k 256^k·t_k = 0` over the integers, where each `t_k` is the sum of the terms of
/// weight `256^k` (byte products, bytes, constants), is proven by carry columns `c_0 … c_{n−2}`
/// and the equations `t_k + c_{k−1} = 256·c_k` for every position (`c_{−1} = c_{n−1} = 0`), with
/// `c_k + 2^15` range-checked to 16 bits. When every `|t_k|` is below 2^24, each equation's terms
/// are below 2^25 in size, far from the KoalaBear modulus, so each holds over the integers; the
/// weighted sum of the equations telescopes to the identity.
public enum ByteCarries {
    /// Carries are range-checked as `c + 2^15` in 16 bits: `c ∈ [−2^15, 2^15)`.
    public static let offset: Int64 = 1 << 15

    /// The carries `c_0 … c_{n−2}` of `Σ_k 256^k·t_k = 0`, or nil when the positions are not such
    /// an identity or a carry falls outside `[−2^15, 2^15)`.
    public static func carries(_ t: [Int64]) -> [Int64]? {
        var out: [Int64] = []
        out.reserveCapacity(t.count)
        var carry: Int64 = 0
        for (k, v) in t.enumerated() {
            let s = v + carry
            guard s % 256 == 0 else { return nil }
            carry = s / 256
            if k == t.count - 1 { return carry == 0 ? out : nil }
            guard carry >= -offset, carry < offset else { return nil }
            out.append(carry)
        }
        return out
    }

    /// The position sums of the product `a·b` of two byte strings (`a.count + b.count − 1`
    /// positions), for any arithmetic: the AIR's expressions and the trace's integers alike.
    static func product<V>(_ a: [V], _ b: [V], zero: V, _ add: (V, V) -> V, _ mul: (V, V) -> V) -> [V] {
        var t = [V](repeating: zero, count: a.count + b.count - 1)
        for i in a.indices {
            for j in b.indices { t[i + j] = add(t[i + j], mul(a[i], b[j])) }
        }
        return t
    }
}

extension AirBuilder where F == VMField {
    /// Proves `Σ_k 256^k·t_k = 0` over the integers with the carries in the `t.count − 1` main
    /// columns from `carries` (see ``ByteCarries``; every `|t_k|` must be below 2^24).
    public mutating func assertBytePositionsVanish(_ t: [Expr], carries column: Int, multiplicity: Expr) {
        let carries = (0..<(t.count - 1)).map { main(column + $0) }
        for k in t.indices {
            var e = t[k]
            if k > 0 { e += carries[k - 1] }
            if k < carries.count { e -= 256 * carries[k] }
            assertZero(e)
        }
        let offset = Expr(VMField(UInt32(ByteCarries.offset)))
        for c in carries { send(bus: .vmRange, values: [16, c + offset], multiplicity: multiplicity) }
    }
}

extension TraceBuilder {
    /// Writes the carries of ``AirBuilder/assertBytePositionsVanish(_:carries:multiplicity:)``
    /// at `column` of `row` and records their range lookups.
    public mutating func setCarries(_ row: Int, _ column: Int, _ carries: [Int64], counter: inout LookupCounter) {
        for (k, c) in carries.enumerated() {
            self[row, column + k] = c >= 0 ? VMField(UInt32(c)) : -VMField(UInt32(-c))
            counter.range(UInt32(c + ByteCarries.offset), bits: 16)
        }
    }
}
