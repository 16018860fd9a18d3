import Algebra
import Stark

/// The field every zkVM table is proven over.
public typealias VMField = KoalaBear

// MARK: - Buses

/// The LogUp buses of the zkVM. Tuple layouts are the contract between tables; each is
/// documented here and in `docs/vm-proving.md`. Words travel as two 16-bit limbs
/// `(lo, hi)` with `word = lo + 2^16·hi`.
extension Bus {
    /// Instruction fetch: the CPU sends `ProgramTuple` (see ``ProgramAir``) for each real row;
    /// the program table receives it with its multiplicity column.
    public static var vmProgram: Bus { Bus(100, name: "program") }
    /// Offline memory checking: `(address, lo, hi, timestamp)`. Registers are the word
    /// addresses 0…31; memory word `w` (byte address `4w`, ≥ 0x1000) is the word address `w`.
    /// Every access receives (consumes) the previous `(address, value, prevTimestamp)` and sends
    /// (produces) `(address, newValue, timestamp)`; the memory image tables send the start
    /// contents at timestamp 0 and receive the end contents.
    public static var vmMemory: Bus { Bus(101, name: "memory") }
    /// Range checks: `(bits, value)` proves `0 ≤ value < 2^bits` for `bits` in 1…16
    /// (received by ``RangeTableAir``).
    public static var vmRange: Bus { Bus(102, name: "range") }
    /// Byte operations: `(op, a, b, result)` with `a`, `b` bytes and `op` a ``ByteOp``
    /// (received by the byte table).
    public static var vmBytes: Bus { Bus(103, name: "bytes") }
    /// ALU: `(op, a_lo, a_hi, b_lo, b_hi, c_lo, c_hi)` meaning `c = op(a, b)` for an ``AluOp``.
    /// Senders guarantee that `a` and `b` have 16-bit limbs; receivers prove that `c` has.
    public static var vmAlu: Bus { Bus(104, name: "alu") }
    /// Loads and stores, see ``LoadStoreTuple``.
    public static var vmLoadStore: Bus { Bus(105, name: "load-store") }
    /// Syscalls other than exit: `(clk, a7_lo, a7_hi, a0_lo, a0_hi, result_lo, result_hi)`, sent
    /// by the CPU for each `ecall` that does not halt; `clk` is the row's timestamp base.
    public static var vmSyscall: Bus { Bus(106, name: "syscall") }
    /// Public output: `(index, byte)`: byte `index` (from 0 in each shard) of the bytes
    /// committed in the shard.
    public static var vmOutput: Bus { Bus(107, name: "output") }
}

// MARK: - Operation codes

/// Operations on ``Bus/vmAlu``. The raw values are the `op` entry of the tuple.
public enum AluOp: UInt32, Sendable, CaseIterable {
    case add = 1
    case sub, xor, or, and, sll, srl, sra, slt, sltu
    /// `c = (a == b) ? 1 : 0` (for `beq` / `bne`).
    case eq
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu

    /// The field element for the tuple.
    @inlinable public var field: VMField { VMField(rawValue) }

    /// The result as RV32IM defines it (reference for trace generation and tests).
    public func evaluate(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let sa = Int32(bitPattern: a)
        let sb = Int32(bitPattern: b)
        switch self {
        case .add: return a &+ b
        case .sub: return a &- b
        case .xor: return a ^ b
        case .or: return a | b
        case .and: return a & b
        case .sll: return a << (b & 31)
        case .srl: return a >> (b & 31)
        case .sra: return UInt32(bitPattern: sa >> Int32(b & 31))
        case .slt: return sa < sb ? 1 : 0
        case .sltu: return a < b ? 1 : 0
        case .eq: return a == b ? 1 : 0
        case .mul: return a &* b
        case .mulh: return UInt32(truncatingIfNeeded: (Int64(sa) * Int64(sb)) >> 32)
        case .mulhsu: return UInt32(truncatingIfNeeded: (Int64(sa) * Int64(b)) >> 32)
        case .mulhu: return UInt32(truncatingIfNeeded: (UInt64(a) * UInt64(b)) >> 32)
        case .div:
            if b == 0 { return UInt32.max }
            if sa == Int32.min && sb == -1 { return a }
            return UInt32(bitPattern: sa / sb)
        case .divu: return b == 0 ? UInt32.max : a / b
        case .rem:
            if b == 0 { return a }
            if sa == Int32.min && sb == -1 { return 0 }
            return UInt32(bitPattern: sa % sb)
        case .remu: return b == 0 ? a : a % b
        }
    }
}

/// Operations on ``Bus/vmLoadStore``.
public enum LoadStoreOp: UInt32, Sendable, CaseIterable {
    case lb = 1
    case lh, lw, lbu, lhu, sb, sh, sw

    @inlinable public var field: VMField { VMField(rawValue) }
    public var isStore: Bool { self == .sb || self == .sh || self == .sw }
}

/// Operations on ``Bus/vmBytes`` (both operands bytes).
public enum ByteOp: UInt32, Sendable, CaseIterable {
    case and = 1
    case or, xor

    @inlinable public var field: VMField { VMField(rawValue) }
}

// MARK: - Words

/// The 16-bit limbs of a word.
@inlinable public func limbs(_ w: UInt32) -> (lo: VMField, hi: VMField) {
    (VMField(w & 0xffff), VMField(w >> 16))
}

/// Timestamp differences are range-checked as `lo` (16 bits) and `hi` (``timestampHighBits``
/// bits), so every timestamp is below 2^(16 + timestampHighBits) and shards have at most
/// 2^(14 + timestampHighBits) rows.
public let timestampHighBits = 10

/// Largest shard: 2^22 cycles. A table of 2^22 rows has a low-degree extension of 2^24 points at
/// the shard proofs' rate 1/4 (``FriParameters/vmShard``), KoalaBear's two-adicity (timestamps
/// stay below 2^25).
public let maxLogShardSize = 22

// MARK: - Lookup multiplicities

/// Counts the lookups tables make into the range and byte tables while their traces are
/// generated; the range and byte tables' multiplicity columns are read from it at the end.
/// Not thread-safe: use one per thread and merge.
public struct LookupCounter: Sendable {
    /// `range[bits][value]`: lookups of `(bits, value)`, bits 1…16.
    public var range: [[UInt32]]
    /// `bytes[op - 1][a << 8 | b]`: lookups of `(op, a, b, op(a, b))`.
    public var bytes: [[UInt32]]

    public init() {
        range = (0...16).map { [UInt32](repeating: 0, count: $0 == 0 ? 0 : 1 << $0) }
        bytes = ByteOp.allCases.map { _ in [UInt32](repeating: 0, count: 1 << 16) }
    }

    /// Records the lookup `(bits, value)`; `value` must be below 2^bits (traps otherwise: a bug
    /// in trace generation, never reachable from inputs).
    @inlinable public mutating func range(_ value: UInt32, bits: Int) {
        precondition(bits >= 1 && bits <= 16 && value < (1 << bits), "range lookup \(value) of \(bits) bits")
        range[bits][Int(value)] &+= 1
    }

    /// Records the byte lookup `(op, a, b)`; returns `op(a, b)`.
    @inlinable @discardableResult
    public mutating func byte(_ op: ByteOp, _ a: UInt32, _ b: UInt32) -> UInt32 {
        precondition(a < 256 && b < 256, "byte lookup of a non-byte")
        bytes[Int(op.rawValue) - 1][Int(a << 8 | b)] &+= 1
        switch op {
        case .and: return a & b
        case .or: return a | b
        case .xor: return a ^ b
        }
    }

    /// Adds `other`'s counts.
    public mutating func merge(_ other: LookupCounter) {
        for b in 1...16 { for i in range[b].indices { range[b][i] &+= other.range[b][i] } }
        for o in bytes.indices { for i in bytes[o].indices { bytes[o][i] &+= other.bytes[o][i] } }
    }
}

// MARK: - Trace helpers

/// The smallest power of two ≥ max(n, minimum).
@inlinable public func paddedHeight(_ n: Int, minimum: Int = 4) -> Int {
    var h = max(minimum, 1)
    while h < n { h <<= 1 }
    return h
}

/// A row-major trace being filled row by row.
public struct TraceBuilder: Sendable {
    public var values: [VMField]
    public let width: Int
    public let height: Int

    /// A zero trace of `height` rows (a power of two).
    public init(width: Int, height: Int) {
        precondition(height >= 2 && height & (height - 1) == 0, "height must be a power of two ≥ 2")
        self.width = width
        self.height = height
        values = [VMField](repeating: .zero, count: width * height)
    }

    @inlinable public subscript(row: Int, column: Int) -> VMField {
        get { values[row * width + column] }
        set { values[row * width + column] = newValue }
    }

    /// Sets the two limbs of `word` at `column`, `column + 1`.
    @inlinable public mutating func setWord(_ row: Int, _ column: Int, _ word: UInt32) {
        values[row * width + column] = VMField(word & 0xffff)
        values[row * width + column + 1] = VMField(word >> 16)
    }

    public var matrix: RowMajorMatrix<VMField> { RowMajorMatrix(values: values, width: width) }
}

/// A test and diagnostics table: sends (or receives) fixed tuples on one bus, one per row,
/// with multiplicity 1 on real rows. Used to drive a table in isolation.
package struct BusDriverAir: Air {
    package typealias F = VMField
    package let bus: Bus
    package let arity: Int
    package let receive: Bool
    package init(bus: Bus, arity: Int, receive: Bool = false) {
        self.bus = bus
        self.arity = arity
        self.receive = receive
    }
    package var name: String { "Driver(\(bus.name))" }
    /// Columns: `is_real`, then the tuple.
    package var width: Int { 1 + arity }

    package func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let real = b.main(0)
        b.assertBool(real)
        let values = (0..<arity).map { b.main(1 + $0) }
        b.interact(bus: bus, values: values, multiplicity: receive ? -real : real)
    }

    /// The trace for `tuples` (padded with zero rows).
    package static func trace(arity: Int, tuples: [[VMField]]) -> RowMajorMatrix<VMField> {
        var t = TraceBuilder(width: 1 + arity, height: paddedHeight(tuples.count))
        for (r, tuple) in tuples.enumerated() {
            precondition(tuple.count == arity)
            t[r, 0] = .one
            for (c, v) in tuple.enumerated() { t[r, 1 + c] = v }
        }
        return t.matrix
    }
}

// MARK: - Events and shared gadgets

/// One ALU operation to prove: the tuple `(op, a, b, op.evaluate(a, b))` on ``Bus/vmAlu``.
public struct AluEvent: Sendable, Equatable {
    public var op: AluOp
    public var a: UInt32
    public var b: UInt32
    public init(op: AluOp, a: UInt32, b: UInt32) {
        self.op = op
        self.a = a
        self.b = b
    }
    /// The result.
    @inlinable public var c: UInt32 { op.evaluate(a, b) }
}

/// 2^-16 in the field (to recover the high part of a timestamp difference).
@usableFromInline let inverseOf2To16 = VMField(UInt32(1 << 16)).inverse()!

extension AirBuilder where F == VMField {
    /// One memory (or register) access on ``Bus/vmMemory``, counted `multiplicity` times (0 or 1):
    /// consumes `(address, prev, prevTimestamp)`, produces `(address, value, timestamp)`, and
    /// proves `prevTimestamp < timestamp` with `timestamp − prevTimestamp − 1 = diffLo + 2^16·d_hi`,
    /// `(16, diffLo)` and `(timestampHighBits, d_hi)` on ``Bus/vmRange`` (`d_hi` is computed, not a
    /// column). Five columns' worth of values, four interactions.
    public mutating func memoryAccess(
        address: Expr,
        prev: (lo: Expr, hi: Expr),
        value: (lo: Expr, hi: Expr),
        prevTimestamp: Expr,
        timestamp: Expr,
        diffLo: Expr,
        multiplicity: Expr
    ) {
        receive(bus: .vmMemory, values: [address, prev.lo, prev.hi, prevTimestamp], multiplicity: multiplicity)
        send(bus: .vmMemory, values: [address, value.lo, value.hi, timestamp], multiplicity: multiplicity)
        let diffHi = (timestamp - prevTimestamp - 1 - diffLo) * Expr(inverseOf2To16)
        send(bus: .vmRange, values: [16, diffLo], multiplicity: multiplicity)
        send(bus: .vmRange, values: [Expr(VMField(UInt32(timestampHighBits))), diffHi], multiplicity: multiplicity)
    }
}

extension AirBuilder where F == VMField {
    /// Proves `distance` an integer in `[0, 2^30)`, `multiplicity` times (0 or 1): `lo` (a
    /// column) is looked up as `(16, lo)` and `(distance − lo)/2^16` as `(14, ·)`. A negative
    /// integer −d is `p − d` in the field and passes only if `d ≥ p − 2^30` (about 2^29.98):
    /// callers bound their negative cases far below that.
    public mutating func assertBelow2To30(_ distance: Expr, lo: Expr, multiplicity: Expr) {
        send(bus: .vmRange, values: [16, lo], multiplicity: multiplicity)
        send(bus: .vmRange, values: [14, (distance - lo) * Expr(inverseOf2To16)], multiplicity: multiplicity)
    }
}

extension LookupCounter {
    /// Records the lookups of one ``AirBuilder/assertBelow2To30(_:lo:multiplicity:)`` of
    /// `distance` (below 2^30) and returns its `lo`.
    @inlinable @discardableResult
    public mutating func below2To30(_ distance: UInt32) -> UInt32 {
        precondition(distance < 1 << 30, "distance \(distance) out of range")
        range(distance & 0xffff, bits: 16)
        range(distance >> 16, bits: 14)
        return distance & 0xffff
    }

    /// Records the range lookups of one ``AirBuilder/memoryAccess`` and returns `diffLo`.
    @inlinable @discardableResult
    public mutating func timestampCheck(prev: UInt32, now: UInt32) -> UInt32 {
        precondition(prev < now, "timestamps must increase: \(prev) → \(now)")
        let d = now - prev - 1
        range(d & 0xffff, bits: 16)
        range(d >> 16, bits: timestampHighBits)
        return d & 0xffff
    }
}
