import Algebra
import Hashing

/// A base field the STARK proves over: a 31-bit field with a quartic extension and a
/// packed (SIMD) representation.
///
/// Its ``PrimeField31/Packing`` (whose scalar is the field itself) is a ``PackedValue``.
public protocol StarkPackedField: BinomiallyExtendable where Packing: PackedValue {}

extension MontyField31: StarkPackedField {
    public typealias Packing = PackedMontyField31<P>
}

/// The fields the STARK runs over: 31-bit Montgomery fields with Poseidon2 and a quartic extension.
public typealias StarkField = Poseidon2Field & StarkPackedField
