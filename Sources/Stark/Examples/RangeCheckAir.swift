import Algebra

extension Bus {
    /// The bus of the range-check example: 1-tuples `(byte)`.
    public static var bytes: Bus { Bus(1, name: "bytes") }
}

/// A table of 16-bit values, each split into two bytes that are sent to the byte table:
/// columns `(value, lo, hi)` with `value = lo + 256·hi`; sends `(lo)` and `(hi)` on ``Bus.bytes``.
/// With the byte table this proves every value is below 2^16.
public struct U16ValuesAir<F: StarkPackedField>: Air {
    public init() {}
    public var name: String { "U16Values" }
    public var width: Int { 3 }

    @inlinable
    @_specialize(where F == KoalaBear, B == ProverFolder<KoalaBear>)
    @_specialize(where F == BabyBear, B == ProverFolder<BabyBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let value = b.main(0)
        let lo = b.main(1)
        let hi = b.main(2)
        b.assertEqual(value, lo + hi * 256)
        b.send(bus: Bus.bytes, values: [lo])
        b.send(bus: Bus.bytes, values: [hi])
    }

    /// The trace for `values` (each < 2^16; the count must be a power of two ≥ 2).
    public static func trace(values: [UInt32]) -> RowMajorMatrix<F> {
        var out: [F] = []
        out.reserveCapacity(3 * values.count)
        for v in values {
            out.append(F(v))
            out.append(F(v & 0xff))
            out.append(F(v >> 8))
        }
        return RowMajorMatrix(values: out, width: 3)
    }
}

/// The byte table: a fixed column `0, 1, …, 255` and a main column with the number of times
/// each byte is looked up; receives `(byte)` on ``Bus.bytes`` with that multiplicity.
public struct ByteTableAir<F: StarkPackedField>: Air {
    public init() {}
    public var name: String { "Bytes" }
    public var width: Int { 1 }
    public var preprocessedWidth: Int { 1 }

    public func preprocessedTrace() -> RowMajorMatrix<F>? {
        RowMajorMatrix(values: (0..<256).map { F(UInt32($0)) }, width: 1)
    }

    @inlinable
    @_specialize(where F == KoalaBear, B == ProverFolder<KoalaBear>)
    @_specialize(where F == BabyBear, B == ProverFolder<BabyBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.receive(bus: Bus.bytes, values: [b.fixed(0)], multiplicity: b.main(0))
    }

    /// The multiplicity column for the bytes of `values` as `U16ValuesAir` sends them.
    public static func trace(values: [UInt32]) -> RowMajorMatrix<F> {
        var counts = [UInt32](repeating: 0, count: 256)
        for v in values {
            counts[Int(v & 0xff)] += 1
            counts[Int(v >> 8) & 0xff] += 1
        }
        return RowMajorMatrix(values: counts.map { F($0) }, width: 1)
    }
}

/// The two-table range-check example: `values` (power-of-two count, each < 2^16) proven in range.
public func rangeCheckTables<F: StarkPackedField>(values: [UInt32], field: F.Type = F.self) -> [TableInput<F>] {
    [
        TableInput(air: U16ValuesAir<F>(), trace: U16ValuesAir<F>.trace(values: values)),
        TableInput(air: ByteTableAir<F>(), trace: ByteTableAir<F>.trace(values: values)),
    ]
}

/// 16-bit values given as a fixed column that changes from proof to proof (per-proof data, as
/// a memory image is), committed in preprocessed group `group`: fixed column `(value)`, main
/// columns `(lo, hi)` with `value = lo + 256·hi`; sends `(lo)` and `(hi)` on ``Bus.bytes``.
/// With the byte table this proves every committed value is below 2^16.
public struct CommittedValuesAir<F: StarkPackedField>: Air {
    /// The committed values (a power-of-two count ≥ 2, each < 2^16); `nil` for a verifier that
    /// takes the group's root from elsewhere.
    public let values: [UInt32]?
    /// The preprocessed group the values are committed in.
    public let group: Int

    public init(values: [UInt32]?, group: Int) {
        self.values = values
        self.group = group
    }

    public var name: String { "CommittedValues" }
    public var width: Int { 2 }
    public var preprocessedWidth: Int { 1 }
    public var preprocessedGroup: Int { group }

    public func preprocessedTrace() -> RowMajorMatrix<F>? {
        values.map { RowMajorMatrix(values: $0.map { F($0) }, width: 1) }
    }

    @inlinable
    @_specialize(where F == KoalaBear, B == ProverFolder<KoalaBear>)
    @_specialize(where F == BabyBear, B == ProverFolder<BabyBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let lo = b.main(0)
        let hi = b.main(1)
        b.assertEqual(b.fixed(0), lo + hi * 256)
        b.send(bus: Bus.bytes, values: [lo])
        b.send(bus: Bus.bytes, values: [hi])
    }

    /// The main trace `(lo, hi)` for `values`.
    public static func trace(values: [UInt32]) -> RowMajorMatrix<F> {
        var out: [F] = []
        out.reserveCapacity(2 * values.count)
        for v in values {
            out.append(F(v & 0xff))
            out.append(F(v >> 8))
        }
        return RowMajorMatrix(values: out, width: 2)
    }
}
