import Algebra
import Stark
import VM

/// The contents of memory and registers between shards: every resident word, sorted by word
/// address. Registers x0…x31 are the word addresses 0…31; memory word `w` holds the bytes at
/// `4w…4w+3`. Words that are not listed are zero.
public struct MemoryImage: Sendable, Equatable {
    /// Word addresses, strictly increasing, each below 2^30.
    public private(set) var addresses: [UInt32]
    /// The word at each address.
    public private(set) var values: [UInt32]

    public init(addresses: [UInt32], values: [UInt32]) {
        precondition(addresses.count == values.count)
        self.addresses = addresses
        self.values = values
    }

    /// The image a program starts from: the 32 registers (all zero) and every word of the
    /// ELF's loaded bytes (code included, since code may be read as data).
    public init(program: Program) {
        var words: [UInt32: UInt32] = [:]
        for r in 0..<UInt32(32) { words[r] = 0 }
        for s in program.segments {
            for (i, byte) in s.data.enumerated() {
                let addr = s.address &+ UInt32(i)
                words[addr >> 2, default: 0] |= UInt32(byte) << (8 * (addr & 3))
            }
        }
        let sorted = words.keys.sorted()
        self.init(addresses: sorted, values: sorted.map { words[$0]! })
    }

    public var count: Int { addresses.count }

    /// Rows of the image tables.
    public var height: Int { paddedHeight(count) }

    /// The fixed columns `(address, lo, hi, is_real)` of the image tables.
    public func fixedColumns() -> RowMajorMatrix<VMField> {
        var v = [VMField](repeating: .zero, count: 4 * height)
        for i in 0..<count {
            v[4 * i] = VMField(addresses[i])
            v[4 * i + 1] = VMField(values[i] & 0xffff)
            v[4 * i + 2] = VMField(values[i] >> 16)
            v[4 * i + 3] = .one
        }
        return RowMajorMatrix(values: v, width: 4)
    }

    /// The value at word address `address`, if resident.
    public func value(at address: UInt32) -> UInt32? {
        var lo = 0
        var hi = addresses.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if addresses[mid] < address { lo = mid + 1 } else { hi = mid }
        }
        return lo < addresses.count && addresses[lo] == address ? values[lo] : nil
    }
}

/// What a shard does to the memory image.
public struct ImageTransition: Sendable {
    /// The image at the end of the shard (start image ∪ touched words).
    public var final: MemoryImage
    /// For each row of `final`, the timestamp of its last access in the shard (0 if untouched).
    public var finalTimestamps: [UInt32]
    /// Touched words that were not in the start image (their start value is 0), sorted.
    public var fresh: [UInt32]

    /// Applies `shard`'s touched words to `start`.
    public init(start: MemoryImage, shard: Shard) {
        // Touched words with their final values and last-access timestamps.
        var touched: [(UInt32, UInt32, UInt32)] = []
        for r in 0..<32 where shard.endRegisterTimestamps[r] != 0 {
            touched.append((UInt32(r), shard.endRegisters[r], shard.endRegisterTimestamps[r]))
        }
        for page in shard.finalPages {
            page.bytes.withUnsafeBytes { bytes in
                for w in 0..<1024 where page.timestamps[w] != 0 {
                    let value = bytes.load(fromByteOffset: 4 * w, as: UInt32.self)
                    touched.append((page.index << 10 | UInt32(w), UInt32(littleEndian: value), page.timestamps[w]))
                }
            }
        }
        touched.sort { $0.0 < $1.0 }
        var addresses: [UInt32] = []
        var values: [UInt32] = []
        var stamps: [UInt32] = []
        var fresh: [UInt32] = []
        addresses.reserveCapacity(start.count + touched.count)
        values.reserveCapacity(start.count + touched.count)
        stamps.reserveCapacity(start.count + touched.count)
        var i = 0
        var j = 0
        while i < start.count || j < touched.count {
            if j == touched.count || (i < start.count && start.addresses[i] < touched[j].0) {
                addresses.append(start.addresses[i])
                values.append(start.values[i])
                stamps.append(0)
                i += 1
            } else {
                let (a, v, t) = touched[j]
                if i < start.count && start.addresses[i] == a {
                    i += 1
                } else {
                    fresh.append(a)
                }
                addresses.append(a)
                values.append(v)
                stamps.append(t)
                j += 1
            }
        }
        final = MemoryImage(addresses: addresses, values: values)
        finalTimestamps = stamps
        self.fresh = fresh
    }
}

/// The preprocessed commitment groups of a shard proof.
public enum ShardCommitmentGroup {
    /// Program, range and byte tables: the verifying key (program id).
    public static let fixed = 0
    /// The public output, rebuilt by the verifier from the claimed bytes.
    public static let output = 1
    /// The start image: the previous shard's final image, or the ELF's.
    public static let startImage = 2
    /// The final image: chosen by the prover, bound by the proof, compared with the next shard.
    public static let finalImage = 3
}

/// The start image: fixed columns `(address, lo, hi, is_real)` of ``MemoryImage``, committed
/// in their own group so that its root can be compared with the previous shard's final image.
///
/// | column | kind | meaning |
/// | --- | --- | --- |
/// | 0 `address`, 1 `lo`, 2 `hi`, 3 `is_real` | fixed (group 2) | one resident word per real row |
/// | 0 `zero` | main | unused, constrained to 0 |
///
/// Sends `(address, lo, hi, 0)` on the memory bus for each real row: the value every chain of
/// accesses to that address starts from.
public struct StartImageAir: Air {
    public typealias F = VMField
    /// The image when proving; nil when verifying (the root comes from the chain).
    public let image: MemoryImage?
    public init(image: MemoryImage?) { self.image = image }
    public var name: String { "StartImage" }
    public var width: Int { 1 }
    public var preprocessedWidth: Int { 4 }
    public var preprocessedGroup: Int { ShardCommitmentGroup.startImage }
    public func preprocessedTrace() -> RowMajorMatrix<F>? { image?.fixedColumns() }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.assertZero(b.main(0))
        b.send(bus: .vmMemory, values: [b.fixed(0), b.fixed(1), b.fixed(2), 0], multiplicity: b.fixed(3))
    }
}

/// The final image: the same fixed layout as ``StartImageAir`` (group 3), plus the timestamp
/// of each word's last access, and the proof that addresses are strictly increasing.
///
/// | column | kind | meaning |
/// | --- | --- | --- |
/// | 0 `address`, 1 `lo`, 2 `hi`, 3 `is_real` | fixed (group 3) | one resident word per real row |
/// | 0 `ts` | main | timestamp of the last access in the shard (0: untouched) |
/// | 1 `a_lo`, 2 `a_hi` | main | `address = a_lo + 2^16·a_hi`, 16 and 14 bits |
/// | 3 `d_lo`, 4 `d_hi` | main | `address_next − address − 1 = d_lo + 2^16·d_hi` |
/// | 5 `gap_real` | main | the next row is real and this is not the last row (the gap check applies) |
///
/// Receives `(address, lo, hi, ts)` on the memory bus for each real row: every chain of
/// accesses ends here. Sortedness makes each address appear once, so (with the start image
/// and the fresh table producing one chain start per address) no address has two chains.
/// Bounds: `address < 2^30` and `d < 2^30 − 2^24` (d_hi ≤ 2^14 − 2^8 − 1), so for two
/// addresses below 2^30 the field value `address_next − address − 1` is below 2^30 − 2^24
/// only when the integer difference is non-negative (a negative one wraps to at least
/// p − 2^30 = 2^30 − 2^24 + 1).
public struct FinalImageAir: Air {
    public typealias F = VMField
    public let image: MemoryImage?
    public init(image: MemoryImage?) { self.image = image }
    public var name: String { "FinalImage" }
    public var width: Int { 6 }
    public var preprocessedWidth: Int { 4 }
    public var preprocessedGroup: Int { ShardCommitmentGroup.finalImage }
    public func preprocessedTrace() -> RowMajorMatrix<F>? { image?.fixedColumns() }

    /// Largest `d_hi`: 2^14 − 2^8 − 1.
    public static let maxGapHigh: UInt32 = (1 << 14) - (1 << 8) - 1

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let address = b.fixed(0)
        let real = b.fixed(3)
        let realNext = b.fixedNext(3)
        let aLo = b.main(1)
        let aHi = b.main(2)
        let dLo = b.main(3)
        let dHi = b.main(4)
        b.assertBool(real)
        b.assertZeroOnTransition((1 - real) * realNext)  // real rows first
        b.receive(
            bus: .vmMemory,
            values: [address, b.fixed(1), b.fixed(2), b.main(0)],
            multiplicity: real
        )
        // address < 2^30.
        b.assertZero(real * (address - aLo - aHi * 65536))
        b.send(bus: .vmRange, values: [16, aLo], multiplicity: real)
        b.send(bus: .vmRange, values: [14, aHi], multiplicity: real)
        // address_next > address (see the bounds above).
        // The selector isTransition is only 0 / non-zero, so the multiplicity is a column equal to
        // is_real(next) on every row but the last, where it is 0.
        let gapCheck = b.main(5)
        b.assertZeroOnTransition(gapCheck - realNext)
        b.assertZeroOnLastRow(gapCheck)
        b.assertZeroOnTransition(realNext * (b.fixedNext(0) - address - 1 - dLo - dHi * 65536))
        b.send(bus: .vmRange, values: [16, dLo], multiplicity: gapCheck)
        b.send(bus: .vmRange, values: [14, dHi], multiplicity: gapCheck)
        b.send(bus: .vmRange, values: [14, B.Expr(F(Self.maxGapHigh)) - dHi], multiplicity: gapCheck)
    }

    /// The main columns for `transition` (records the range lookups).
    public static func trace(_ transition: ImageTransition, counter: inout LookupCounter) -> RowMajorMatrix<F> {
        let image = transition.final
        var t = TraceBuilder(width: 6, height: image.height)
        for i in 0..<image.count {
            let a = image.addresses[i]
            precondition(a < 1 << 30)
            t[i, 0] = F(transition.finalTimestamps[i])
            t[i, 1] = F(a & 0xffff)
            t[i, 2] = F(a >> 16)
            counter.range(a & 0xffff, bits: 16)
            counter.range(a >> 16, bits: 14)
            if i + 1 < image.count {
                let d = image.addresses[i + 1] - a - 1
                precondition(d >> 16 <= maxGapHigh, "memory gap too large to prove")
                t[i, 5] = .one
                t[i, 3] = F(d & 0xffff)
                t[i, 4] = F(d >> 16)
                counter.range(d & 0xffff, bits: 16)
                counter.range(d >> 16, bits: 14)
                counter.range(maxGapHigh - (d >> 16), bits: 14)
            }
        }
        return t.matrix
    }
}

/// Words first touched in this shard that are not in the start image: they start as zero.
///
/// | column | meaning |
/// | --- | --- |
/// | 0 `address` | the word address |
/// | 1 `is_real` | 1 on real rows |
///
/// Sends `(address, 0, 0, 0)` for each real row. A fresh row for an address already in the
/// start image would give that address two chains and so two final-image rows, which the
/// final image's sortedness forbids.
public struct FreshMemoryAir: Air {
    public typealias F = VMField
    public init() {}
    public var name: String { "FreshMemory" }
    public var width: Int { 2 }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        b.assertBool(b.main(1))
        b.send(bus: .vmMemory, values: [b.main(0), 0, 0, 0], multiplicity: b.main(1))
    }

    public static func trace(fresh: [UInt32]) -> RowMajorMatrix<F> {
        var t = TraceBuilder(width: 2, height: paddedHeight(fresh.count))
        for (i, a) in fresh.enumerated() {
            t[i, 0] = F(a)
            t[i, 1] = .one
        }
        return t.matrix
    }
}
