import Algebra
import Stark

/// One load or store as the LoadStore table proves it: the reference semantics of RV32I's
/// `lb lh lw lbu lhu sb sh sw` on one aligned memory word (little-endian: byte `k` of a word
/// is bits `8k … 8k + 7`). Used by trace generation and as the tests' reference.
public struct LoadStoreEvent: Sendable, Equatable {
    public var op: LoadStoreOp
    /// rs1's value (the base address).
    public var rs1: UInt32
    /// The sign-extended immediate, as a 32-bit word.
    public var imm: UInt32
    /// The addressed word before the access.
    public var prev: UInt32
    /// rs2's value for stores; always 0 for loads (the CPU reads no rs2 for them and sends 0).
    public var rs2: UInt32

    public init(op: LoadStoreOp, rs1: UInt32, imm: UInt32, prev: UInt32, rs2: UInt32) {
        self.op = op
        self.rs1 = rs1
        self.imm = imm
        self.prev = prev
        self.rs2 = op.isStore ? rs2 : 0
    }

    /// The byte address `rs1 + imm mod 2^32`.
    @inlinable public var address: UInt32 { rs1 &+ imm }
    /// The word address `address >> 2`.
    @inlinable public var wordAddress: UInt32 { address >> 2 }
    /// The bit position of the addressed byte within the word.
    @inlinable var shift: UInt32 { 8 * (address & 3) }

    /// The word after the access: `prev` for loads; for stores, `prev` with the addressed byte
    /// (sb: low byte of rs2), halfword (sh: low half of rs2) or the whole word (sw: rs2) replaced.
    public var new: UInt32 {
        switch op {
        case .lb, .lh, .lw, .lbu, .lhu: return prev
        case .sw: return rs2
        case .sh: return (prev & ~(0xffff << shift)) | (rs2 & 0xffff) << shift
        case .sb: return (prev & ~(0xff << shift)) | (rs2 & 0xff) << shift
        }
    }

    /// The value written to rd: the addressed byte (lb sign-, lbu zero-extended), halfword
    /// (lh / lhu) or word (lw) of `prev`; 0 for stores.
    public var rd: UInt32 {
        switch op {
        case .lw: return prev
        case .lbu: return (prev >> shift) & 0xff
        case .lhu: return (prev >> shift) & 0xffff
        case .lb: return UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: prev >> shift)))
        case .lh: return UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: prev >> shift)))
        case .sb, .sh, .sw: return 0
        }
    }
}

/// The LoadStore table: one row per load or store, receiving the CPU's tuple
/// `(op, rs1_lo, rs1_hi, imm_lo, imm_hi, word_addr, prev_lo, prev_hi, new_lo, new_hi, rs2_lo,
/// rs2_hi, rd_lo, rd_hi)` on ``Bus/vmLoadStore``. The CPU makes the memory access itself with
/// `word_addr`, `prev` and `new`; this table proves that they, and `rd`, are what RV32I's
/// instruction does at the byte address `A = rs1 + imm mod 2^32`, and that the executor would
/// perform the access (alignment, `0x1000 ≤ A < 0xFFFF0000`, no store into the code).
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0…7 | `f_lb … f_sw` | one-hot op flags (``LoadStoreOp`` order); their sum `real` is the multiplicity |
/// | 8, 9 | `rs1` | base register value (16-bit limbs, by the sender) |
/// | 10, 11 | `imm` | immediate (16-bit limbs, by the sender: the program table) |
/// | 12 | `a_hi` | high limb of A (16-bit) |
/// | 13, 14 | `carry0`, `carry1` | carries of the two limb additions (boolean) |
/// | 15 | `page` | bits 12…15 of A (4-bit) |
/// | 16 | `w12` | bits 2…11 of A (10-bit) |
/// | 17…19 | `e1`, `e2`, `e3` | byte offset `A mod 4` one-hot, with `e0 = real − e1 − e2 − e3` |
/// | 20 | `inv` | inverse of `(a_hi + page)·(0xFFFF − a_hi)` (proves the bounds) |
/// | 21, 22 | `prev` | the word before the access (limbs) |
/// | 23, 24 | `new` | the word after the access (limbs) |
/// | 25, 26 | `rs2` | the stored register (limbs, 16-bit by the sender; free on loads) |
/// | 27, 28 | `b0`, `b1` | the two bytes of the addressed half of `prev` (`prev_lo` at offsets 0, 1; `prev_hi` at 2, 3) |
/// | 29 | `and_b` | `b0 & b1` (result of the byte lookup that proves b0, b1 are bytes) |
/// | 30 | `sel` | the loaded byte (lb, lbu) or halfword (lh, lhu) of `prev` |
/// | 31 | `sign` | its top bit (lb, lh) |
/// | 32, 33 | `r0`, `and_r` | low byte of rs2 (sb) and the byte lookup result `r0 & r1` |
/// | 34 | `below` | a store lies below the code (else at or above its end) |
/// | 35, 36 | `d_lo`, `d_hi` | a store's distance to the code range, 16 + 14 bits |
///
/// With `off = e1 + 2·e2 + 3·e3`: `A_lo = 4096·page + 4·w12 + off` (at most 15·4096 + 4·1023 + 3
/// = 2^16 − 1, so it needs no column of its own), `A = A_lo + 2^16·a_hi`, and the word address is
/// `W = 1024·page + w12 + 2^14·a_hi` (= `A >> 2`, below 2^30, so a field element equal to the integer).
///
/// Interactions (8): `(4, page)`, `(10, w12)`, `(16, a_hi)` on the range bus (every real row);
/// `(AND, b0, b1, and_b)` on the byte bus (every real row); one byte lookup shared by three ops:
/// `(AND, r0, r1, and_r)` for sb, `(AND, sel, 128, 128·sign)` for lb, `(AND, b1, 128, 128·sign)`
/// for lh; `(16, d_lo)`, `(14, d_hi)` for stores; and the receive of the tuple.
/// Constraint degree 3; tuple entries and multiplicities of degree ≤ 2.
public struct LoadStoreAir: Air {
    public typealias F = VMField
    /// First byte address of the code (`Program.codeRange.lowerBound`): stores into
    /// `[codeStart, codeEnd)` are refused, loads from it are allowed.
    public let codeStart: UInt32
    /// One past the last byte address of the code.
    public let codeEnd: UInt32

    /// The table for a program whose executable range is `codeRange` (`Program.codeRange`; the
    /// program table has already refused code that does not lie below 2^30).
    public init(codeRange: Range<UInt32>) {
        precondition(codeRange.upperBound <= 1 << 30, "code must lie below 2^30")
        codeStart = codeRange.lowerBound
        codeEnd = codeRange.upperBound
    }

    public var name: String { "LoadStore" }
    public var width: Int { Col.count }

    /// Column indices (see the table in the type's documentation).
    package enum Col {
        package static let flags = 0
        package static let rs1 = 8
        package static let imm = 10
        package static let aHi = 12
        package static let carry0 = 13
        package static let carry1 = 14
        package static let page = 15
        package static let w12 = 16
        /// `e1`, `e2`, `e3` (`e0` is implied).
        package static let e = 17
        package static let inv = 20
        package static let prev = 21
        package static let new = 23
        package static let rs2 = 25
        package static let b = 27
        package static let andB = 29
        package static let sel = 30
        package static let sign = 31
        package static let r0 = 32
        package static let andR = 33
        package static let below = 34
        package static let dLo = 35
        package static let dHi = 36
        package static let count = 37
    }

    static let inverseOf256 = VMField(UInt32(256)).inverse()!

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        // Op flags: boolean, at most one per row (none on padding rows, which then send and
        // receive nothing: every multiplicity below is a sum of flags).
        var real = E(F.zero)
        var op = E(F.zero)
        for k in 0..<8 {
            let flag = b.main(Col.flags + k)
            b.assertBool(flag)
            real += flag
            op += flag * E(F(UInt32(k + 1)))
        }
        b.assertBool(real)
        let fLB = b.main(Col.flags)
        let fLH = b.main(Col.flags + 1)
        let fLW = b.main(Col.flags + 2)
        let fLBU = b.main(Col.flags + 3)
        let fLHU = b.main(Col.flags + 4)
        let fSB = b.main(Col.flags + 5)
        let fSH = b.main(Col.flags + 6)
        let fSW = b.main(Col.flags + 7)
        let store = fSB + fSH + fSW

        let rs1 = (lo: b.main(Col.rs1), hi: b.main(Col.rs1 + 1))
        let imm = (lo: b.main(Col.imm), hi: b.main(Col.imm + 1))
        let aHi = b.main(Col.aHi)
        let c0 = b.main(Col.carry0)
        let c1 = b.main(Col.carry1)
        let page = b.main(Col.page)
        let w12 = b.main(Col.w12)
        let e1 = b.main(Col.e)
        let e2 = b.main(Col.e + 1)
        let e3 = b.main(Col.e + 2)
        let e0 = real - e1 - e2 - e3
        let prev = (lo: b.main(Col.prev), hi: b.main(Col.prev + 1))
        let new = (lo: b.main(Col.new), hi: b.main(Col.new + 1))
        let rs2 = (lo: b.main(Col.rs2), hi: b.main(Col.rs2 + 1))
        let b0 = b.main(Col.b)
        let b1 = b.main(Col.b + 1)
        let sel = b.main(Col.sel)
        let sign = b.main(Col.sign)
        let r0 = b.main(Col.r0)

        // Byte offset one-hot on real rows: e1…e3 and e0 boolean. On a real row this leaves
        // exactly one of e0…e3 equal to 1; on a padding row (real = 0) e0 = −(e1 + e2 + e3) ∈ {0, 1}
        // forces all four to 0.
        b.assertBool(e1)
        b.assertBool(e2)
        b.assertBool(e3)
        b.assertBool(e0)

        // A = rs1 + imm mod 2^32, limb by limb. page < 16, w12 < 1024 (range lookups below), so
        // A_lo ∈ [0, 2^16); rs1, imm limbs < 2^16 (sender), carries boolean: both sides of each
        // equation are below 2^17 + 1 < p, so the equations hold over the integers, A_lo is the
        // low limb of the sum and carry0 its carry; with a_hi < 2^16, a_hi is the high limb.
        let aLo = page * 4096 + w12 * 4 + e1 + e2 * 2 + e3 * 3
        b.assertBool(c0)
        b.assertBool(c1)
        b.assertZero(rs1.lo + imm.lo - aLo - c0 * 65536)
        b.assertZero(rs1.hi + imm.hi + c0 - aHi - c1 * 65536)
        b.send(bus: .vmRange, values: [4, page], multiplicity: real)
        b.send(bus: .vmRange, values: [10, w12], multiplicity: real)
        b.send(bus: .vmRange, values: [16, aHi], multiplicity: real)
        // Bounds: 0x1000 ≤ A ⇔ a_hi + page ≠ 0, and A < 0xFFFF0000 ⇔ a_hi ≠ 0xFFFF. Both factors
        // are integers in [0, 2^16 + 15), so each is non-zero in the field iff it is as an integer,
        // and a product of field elements is invertible iff both factors are.
        b.assertZero((aHi + page) * (E(F(UInt32(0xffff))) - aHi) * b.main(Col.inv) - real)
        // Alignment: words at offset 0 only, halfwords at 0 or 2 (the executor traps otherwise).
        b.assertZero((fLW + fSW) * (e1 + e2 + e3))
        b.assertZero((fLH + fLHU + fSH) * (e1 + e3))
        // Word address A >> 2 (< 2^14 + 2^14·(2^16 − 1) < 2^30, no wrap).
        let word = page * 1024 + w12 + aHi * 16384

        // The addressed half of prev (prev_lo at offsets 0, 1; prev_hi at 2, 3) is b0 + 256·b1 with
        // b0, b1 bytes (the lookup proves it): both sides below 2^16, so b0, b1 are its bytes.
        b.assertZero((e0 + e1) * (prev.lo - b0 - b1 * 256))
        b.assertZero((e2 + e3) * (prev.hi - b0 - b1 * 256))
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), b0, b1, b.main(Col.andB)], multiplicity: real)

        // sel: the addressed byte (lb, lbu: b0 at even, b1 at odd offsets) or halfword (lh, lhu).
        b.assertZero((fLB + fLBU) * (sel - (e0 + e2) * b0 - (e1 + e3) * b1))
        b.assertZero((fLH + fLHU) * (sel - b0 - b1 * 256))
        // One byte lookup for three ops (one-hot flags, so the tuple is exactly one of these):
        //   sb: (AND, r0, r1, and_r) with r1 = (rs2_lo − r0)/256: r0, r1 bytes, so r0 is rs2's
        //       low byte (rs2_lo = r0 + 256·r1, both sides below 2^16);
        //   lb: (AND, sel, 128, 128·sign): sel (a byte) & 0x80 is 0 or 128, so sign is its top bit;
        //   lh: (AND, b1, 128, 128·sign): sign is the top bit of the halfword b0 + 256·b1.
        let signed = fLB + fLH
        let r1 = (rs2.lo - r0) * E(Self.inverseOf256)
        b.send(
            bus: .vmBytes,
            values: [
                E(ByteOp.and.field),
                fSB * r0 + fLB * sel + fLH * b1,
                fSB * r1 + signed * 128,
                fSB * b.main(Col.andR) + signed * sign * 128,
            ],
            multiplicity: fSB + signed
        )

        // rd (every term carries a load flag, so stores and padding rows get (0, 0)):
        // lw: prev; lbu, lhu: sel; lb: sel + 0xFF00·sign, 0xFFFF·sign; lh: sel, 0xFFFF·sign.
        // Limbs 16-bit: sel is a byte or a halfword, and sel + 0xFF00 ≤ 0xFFFF for a byte.
        let rdLo = fLW * prev.lo + (fLB + fLBU + fLH + fLHU) * sel + fLB * sign * 0xff00
        let rdHi = fLW * prev.hi + signed * sign * 0xffff

        // new: prev for loads; sw: rs2; sh: rs2_lo replaces the addressed half; sb: r0 replaces
        // the addressed byte b0 (even offset) or b1 (odd offset) of the addressed half. Limbs
        // 16-bit: each is prev's limb, rs2's limb, or r0 + 256·b1 / b0 + 256·r0.
        b.assertZero(
            new.lo - prev.lo - fSW * (rs2.lo - prev.lo) - fSH * e0 * (rs2.lo - prev.lo)
                - fSB * (e0 * (r0 - b0) + e1 * (r0 - b1) * 256)
        )
        b.assertZero(
            new.hi - prev.hi - fSW * (rs2.hi - prev.hi) - fSH * e2 * (rs2.lo - prev.hi)
                - fSB * (e2 * (r0 - b0) + e3 * (r0 - b1) * 256)
        )

        // Stores stay out of the code [codeStart, codeEnd) (byte addresses). Write
        // codeStart = 4·ws + rs and codeEnd = 4·we + re (rs, re < 4). Then
        //   A < codeStart ⇔ ws − 1 − W + [off < rs] ≥ 0,   A ≥ codeEnd ⇔ W − we − [off < re] ≥ 0,
        // ([off < r] = e0 + … + e_{r−1}, linear). The chosen distance d is proven in [0, 2^30).
        // Honest: below, d < ws + 1 ≤ 2^28 + 1; above, d ≤ W < 2^30. If A is in the code, both
        // candidates are negative integers of magnitude ≤ (we − ws) + 1 ≤ 2^28 + 1 (code below
        // 2^30), so their field values are ≥ p − 2^28 − 1 > 2^30 and fail the check.
        let below = b.main(Col.below)
        b.assertBool(below)
        let es = [e0, e1, e2]
        var startPart = E(F.zero)
        for k in 0..<Int(codeStart & 3) { startPart += es[k] }
        var endPart = E(F.zero)
        for k in 0..<Int(codeEnd & 3) { endPart += es[k] }
        let dBelow = E(F(codeStart >> 2)) - 1 - word + startPart
        let dAbove = word - E(F(codeEnd >> 2)) - endPart
        let d = below * dBelow + (1 - below) * dAbove
        b.assertZero(store * (d - b.main(Col.dLo) - b.main(Col.dHi) * 65536))
        b.send(bus: .vmRange, values: [16, b.main(Col.dLo)], multiplicity: store)
        b.send(bus: .vmRange, values: [14, b.main(Col.dHi)], multiplicity: store)

        b.receive(
            bus: .vmLoadStore,
            values: [
                op, rs1.lo, rs1.hi, imm.lo, imm.hi, word, prev.lo, prev.hi, new.lo, new.hi, rs2.lo, rs2.hi,
                rdLo, rdHi,
            ],
            multiplicity: real
        )
    }

    /// Whether the executor performs `event` in a program whose code is `codeRange`: aligned,
    /// `0x1000 ≤ address < 0xFFFF0000`, and for stores not in the code.
    public static func isExecutable(_ event: LoadStoreEvent, codeRange: Range<UInt32>) -> Bool {
        let a = event.address
        switch event.op {
        case .lw, .sw: if a & 3 != 0 { return false }
        case .lh, .lhu, .sh: if a & 1 != 0 { return false }
        case .lb, .lbu, .sb: break
        }
        guard a >= 0x1000, a < 0xFFFF_0000 else { return false }
        return !(event.op.isStore && codeRange.contains(a))
    }

    /// The trace of `events` (recording their range and byte lookups in `counter`). Every event
    /// must be one the executor performs (``isExecutable(_:codeRange:)``); anything else is a bug
    /// in the caller and traps.
    public static func trace(
        events: [LoadStoreEvent],
        codeRange: Range<UInt32>,
        counter: inout LookupCounter
    )
        -> RowMajorMatrix<VMField>
    {
        for e in events {
            precondition(isExecutable(e, codeRange: codeRange), "load/store the executor refuses: \(e)")
        }
        return writeTrace(events: events, codeRange: codeRange, counter: &counter)
    }

    /// The rows an honest prover would write for `events`, without refusing accesses the
    /// executor refuses (for tests that forge rows): such a row has no satisfying witness, so it
    /// fails a constraint, or it sends a lookup outside the lookup tables (not recorded in
    /// `counter`, so the buses do not balance).
    package static func writeTrace(
        events: [LoadStoreEvent],
        codeRange: Range<UInt32>,
        counter: inout LookupCounter
    )
        -> RowMajorMatrix<VMField>
    {
        let air = LoadStoreAir(codeRange: codeRange)
        let ws = air.codeStart >> 2
        let rs = air.codeStart & 3
        let we = air.codeEnd >> 2
        let re = air.codeEnd & 3
        var t = TraceBuilder(width: Col.count, height: paddedHeight(events.count))
        for (i, ev) in events.enumerated() {
            let a = ev.address
            let aLo = a & 0xffff
            let aHi = a >> 16
            let page = aLo >> 12
            let w12 = (aLo >> 2) & 0x3ff
            let off = a & 3
            t[i, Col.flags + Int(ev.op.rawValue) - 1] = .one
            t.setWord(i, Col.rs1, ev.rs1)
            t.setWord(i, Col.imm, ev.imm)
            t[i, Col.aHi] = F(aHi)
            let c0 = ((ev.rs1 & 0xffff) + (ev.imm & 0xffff)) >> 16
            t[i, Col.carry0] = F(c0)
            t[i, Col.carry1] = F(((ev.rs1 >> 16) + (ev.imm >> 16) + c0) >> 16)
            t[i, Col.page] = F(page)
            t[i, Col.w12] = F(w12)
            if off > 0 { t[i, Col.e + Int(off) - 1] = .one }
            t[i, Col.inv] = (F(aHi + page) * F(0xffff - aHi)).inverse() ?? .zero
            counter.range(page, bits: 4)
            counter.range(w12, bits: 10)
            counter.range(aHi, bits: 16)

            t.setWord(i, Col.prev, ev.prev)
            t.setWord(i, Col.new, ev.new)
            t.setWord(i, Col.rs2, ev.rs2)
            let half = off < 2 ? ev.prev & 0xffff : ev.prev >> 16
            let b0 = half & 0xff
            let b1 = half >> 8
            t[i, Col.b] = F(b0)
            t[i, Col.b + 1] = F(b1)
            t[i, Col.andB] = F(counter.byte(.and, b0, b1))
            switch ev.op {
            case .lb, .lbu:
                let sel = off & 1 == 0 ? b0 : b1
                t[i, Col.sel] = F(sel)
                if ev.op == .lb {
                    t[i, Col.sign] = F(sel >> 7)
                    counter.byte(.and, sel, 128)
                }
            case .lh, .lhu:
                t[i, Col.sel] = F(half)
                if ev.op == .lh {
                    t[i, Col.sign] = F(half >> 15)
                    counter.byte(.and, b1, 128)
                }
            case .sb:
                let r0 = ev.rs2 & 0xff
                t[i, Col.r0] = F(r0)
                t[i, Col.andR] = F(counter.byte(.and, r0, (ev.rs2 >> 8) & 0xff))
            case .lw, .sh, .sw:
                break
            }
            if ev.op.isStore {
                // The distances of the constraint, as integers (negative only for a store into code).
                let w = Int64(a >> 2)
                let dBelow = Int64(ws) - 1 - w + (off < rs ? 1 : 0)
                let dAbove = w - Int64(we) - (off < re ? 1 : 0)
                let below = dBelow >= 0
                let d = below ? dBelow : dAbove
                t[i, Col.below] = below ? .one : .zero
                // A negative d has no 30-bit representation: write its field value's limbs; the
                // high one is then ≥ 2^14 and its lookup is not recorded.
                let fd = d >= 0 ? F(UInt32(d)) : -F(UInt32(-d))
                let v = fd.canonical
                t[i, Col.dLo] = F(v & 0xffff)
                t[i, Col.dHi] = F(v >> 16)
                counter.range(v & 0xffff, bits: 16)
                if v >> 16 < 1 << 14 { counter.range(v >> 16, bits: 14) }
            }
        }
        return t.matrix
    }
}
