import Algebra
import Stark

/// One load or store as the LoadStore table proves it (reference semantics of RV32I).
public struct LoadStoreEvent: Sendable, Equatable {
    public var op: LoadStoreOp
    /// rs1's value (the base address).
    public var rs1: UInt32
    /// The sign-extended immediate.
    public var imm: UInt32
    /// The addressed word before the access.
    public var prev: UInt32
    /// rs2's value (stores; 0 for loads).
    public var rs2: UInt32

    public init(op: LoadStoreOp, rs1: UInt32, imm: UInt32, prev: UInt32, rs2: UInt32) {
        self.op = op
        self.rs1 = rs1
        self.imm = imm
        self.prev = prev
        self.rs2 = op.isStore ? rs2 : 0
    }

    /// The byte address `rs1 + imm mod 2^32`.
    public var address: UInt32 { rs1 &+ imm }
    /// The word address `address >> 2`.
    public var wordAddress: UInt32 { address >> 2 }
    var shift: UInt32 { 8 * (address & 3) }

    /// The word after the access.
    public var new: UInt32 {
        switch op {
        case .lb, .lh, .lw, .lbu, .lhu: return prev
        case .sw: return rs2
        case .sh: return (prev & ~(0xffff << shift)) | (rs2 & 0xffff) << shift
        case .sb: return (prev & ~(0xff << shift)) | (rs2 & 0xff) << shift
        }
    }

    /// The value written to rd (loads), 0 for stores.
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

/// The LoadStore table: proves what a load or store does to the addressed word and to rd,
/// one row per access, receiving the CPU's `load-store` tuple.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0…7 | `f_lb … f_sw` | one-hot operation flags (`LoadStoreOp` order); their sum `real` is the multiplicity |
/// | 8, 9 | `rs1` | base register value (limbs, 16-bit by the sender) |
/// | 10, 11 | `imm` | immediate (limbs, 16-bit: from the program table) |
/// | 12 | `a_hi` | high limb of the address A = rs1 + imm mod 2^32 |
/// | 13, 14 | `carry0`, `carry1` | carries of the limb additions |
/// | 15 | `page` | bits 12…15 of A (4 bits) |
/// | 16 | `w12` | bits 2…11 of A (10 bits) |
/// | 17…20 | `e0…e3` | one-hot byte offset A mod 4 |
/// | 21 | `inv` | inverse of `a_hi + page` (proves A ≥ 0x1000) |
/// | 22, 23 | `prev` | the word before (limbs) |
/// | 24, 25 | `new` | the word after (limbs) |
/// | 26, 27 | `rs2` | the stored register (limbs) |
/// | 28…31 | `p0…p3` | bytes of `prev` |
/// | 32, 33 | `and01`, `and23` | results of the byte lookups that prove p0…p3 are bytes |
/// | 34 | `sel` | the addressed byte or halfword of `prev` |
/// | 35, 36 | `sign`, `low` | `sel = sign·2^7 + low` (LB) or `sign·2^15 + low` (LH) |
/// | 37, 38 | `r0`, `and_r` | low byte of rs2 (SB) and its byte lookup result |
/// | 39 | `below` | a store lies below the code (else above it) |
/// | 40, 41 | `d_lo`, `d_hi` | distance to the code range, 16 + 14 bits |
///
/// The address is `A_lo + 2^16·a_hi` with `A_lo = 4096·page + 4·w12 + e1 + 2·e2 + 3·e3`
/// (at most 2^16 − 1, so no A_lo column or range check is needed), and the word address is
/// `W = 1024·page + w12 + 2^14·a_hi`, below 2^30.
public struct LoadStoreAir: Air {
    public typealias F = VMField
    /// Byte addresses of the code (stores into it are refused); both multiples of 4.
    public let codeStart: UInt32
    public let codeEnd: UInt32

    public init(codeRange: Range<UInt32>) {
        codeStart = codeRange.lowerBound & ~3
        codeEnd = (codeRange.upperBound &+ 3) & ~3
    }

    public var name: String { "LoadStore" }
    public var width: Int { 42 }

    enum Col {
        static let flags = 0
        static let rs1 = 8
        static let imm = 10
        static let aHi = 12
        static let carry0 = 13
        static let carry1 = 14
        static let page = 15
        static let w12 = 16
        static let e = 17
        static let inv = 21
        static let prev = 22
        static let new = 24
        static let rs2 = 26
        static let p = 28
        static let and01 = 32
        static let and23 = 33
        static let sel = 34
        static let sign = 35
        static let low = 36
        static let r0 = 37
        static let andR = 38
        static let below = 39
        static let dLo = 40
        static let dHi = 41
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let f = (0..<8).map { b.main(Col.flags + $0) }
        let (fLB, fLH, fLW, fLBU, fLHU, fSB, fSH, fSW) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7])
        var real = E(F.zero)
        var op = E(F.zero)
        for (k, flag) in f.enumerated() {
            b.assertBool(flag)
            real += flag
            op += flag * E(F(UInt32(k + 1)))
        }
        b.assertBool(real)  // at most one operation per row; padding rows have none
        let store = fSB + fSH + fSW
        let rs1 = (lo: b.main(Col.rs1), hi: b.main(Col.rs1 + 1))
        let imm = (lo: b.main(Col.imm), hi: b.main(Col.imm + 1))
        let aHi = b.main(Col.aHi)
        let c0 = b.main(Col.carry0)
        let c1 = b.main(Col.carry1)
        let page = b.main(Col.page)
        let w12 = b.main(Col.w12)
        let e = (0..<4).map { b.main(Col.e + $0) }
        let prev = (lo: b.main(Col.prev), hi: b.main(Col.prev + 1))
        let new = (lo: b.main(Col.new), hi: b.main(Col.new + 1))
        let rs2 = (lo: b.main(Col.rs2), hi: b.main(Col.rs2 + 1))
        let p = (0..<4).map { b.main(Col.p + $0) }
        let sel = b.main(Col.sel)
        let sign = b.main(Col.sign)
        let low = b.main(Col.low)
        let r0 = b.main(Col.r0)

        // The byte offset is one-hot on real rows (none on padding rows).
        var eSum = E(F.zero)
        for x in e {
            b.assertBool(x)
            eSum += x
        }
        b.assertEqual(eSum, real)
        // A = rs1 + imm mod 2^32 in limbs: each sum < 2^17 + 1, so no wrap; carries boolean.
        let aLo = page * 4096 + w12 * 4 + e[1] + e[2] * 2 + e[3] * 3
        b.assertBool(c0)
        b.assertBool(c1)
        b.assertZero(rs1.lo + imm.lo - aLo - c0 * 65536)
        b.assertZero(rs1.hi + imm.hi + c0 - aHi - c1 * 65536)
        b.send(bus: .vmRange, values: [4, page], multiplicity: real)
        b.send(bus: .vmRange, values: [10, w12], multiplicity: real)
        b.send(bus: .vmRange, values: [16, aHi], multiplicity: real)
        // A < 0xFFFF0000 ⇔ a_hi ≤ 0xFFFE.
        b.send(bus: .vmRange, values: [16, E(F(UInt32(0xfffe))) - aHi], multiplicity: real)
        // A ≥ 0x1000 ⇔ a_hi + page ≠ 0 (both small and non-negative, so the sum has no wrap).
        b.assertZero((aHi + page) * b.main(Col.inv) - real)
        // Alignment: words at offset 0, halfwords at 0 or 2.
        b.assertZero((fLW + fSW) * (e[1] + e[2] + e[3]))
        b.assertZero((fLH + fLHU + fSH) * (e[1] + e[3]))
        let word = page * 1024 + w12 + aHi * 16384

        // Bytes of prev: the pair lookups prove each is a byte, so the limbs split uniquely.
        b.assertEqual(prev.lo, p[0] + p[1] * 256)
        b.assertEqual(prev.hi, p[2] + p[3] * 256)
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), p[0], p[1], b.main(Col.and01)], multiplicity: real)
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), p[2], p[3], b.main(Col.and23)], multiplicity: real)

        // The addressed byte / halfword.
        let byteOps = fLB + fLBU + fSB
        let halfOps = fLH + fLHU + fSH
        b.assertZero(byteOps * (sel - e[0] * p[0] - e[1] * p[1] - e[2] * p[2] - e[3] * p[3]))
        b.assertZero(halfOps * (sel - e[0] * prev.lo - e[2] * prev.hi))
        // Sign bit of a signed load: sel = sign·2^7 + low (low < 2^7) or sign·2^15 + low (low < 2^15).
        b.assertBool(sign)
        b.assertZero(fLB * (sel - sign * 128 - low))
        b.assertZero(fLH * (sel - sign * 32768 - low))
        b.send(bus: .vmRange, values: [fLB * 7 + fLH * 15, low], multiplicity: fLB + fLH)

        // rd (loads): zero for stores and padding rows, since every term has a load flag.
        let rdLo = fLW * prev.lo + (fLB + fLBU + fLH + fLHU) * sel + fLB * sign * 0xff00
        let rdHi = fLW * prev.hi + (fLB + fLH) * sign * 0xffff

        // new: prev for loads; the stored bytes replaced for stores. r0 is rs2's low byte (SB).
        let r1 = (rs2.lo - r0) * E(F(UInt32(256)).inverse()!)
        b.send(bus: .vmBytes, values: [E(ByteOp.and.field), r0, r1, b.main(Col.andR)], multiplicity: fSB)
        b.assertZero(
            new.lo - prev.lo - fSW * (rs2.lo - prev.lo) - fSH * e[0] * (rs2.lo - prev.lo)
                - fSB * (e[0] * (r0 - p[0]) + e[1] * 256 * (r0 - p[1])))
        b.assertZero(
            new.hi - prev.hi - fSW * (rs2.hi - prev.hi) - fSH * e[2] * (rs2.lo - prev.hi)
                - fSB * (e[2] * (r0 - p[2]) + e[3] * 256 * (r0 - p[3])))

        // Stores stay out of the code: W < codeStart/4 (below) or W ≥ codeEnd/4, as a 30-bit
        // distance. Inside the code both candidate distances are negative by less than the code
        // size (< 2^28 words), so they wrap to ≥ p − 2^28 and fail the 30-bit check.
        let below = b.main(Col.below)
        b.assertBool(below)
        let ws = E(F(codeStart >> 2))
        let we = E(F(codeEnd >> 2))
        let d = below * (ws - 1 - word) + (1 - below) * (word - we)
        b.assertZero(store * (d - b.main(Col.dLo) - b.main(Col.dHi) * 65536))
        b.send(bus: .vmRange, values: [16, b.main(Col.dLo)], multiplicity: store)
        b.send(bus: .vmRange, values: [14, b.main(Col.dHi)], multiplicity: store)

        b.receive(
            bus: .vmLoadStore,
            values: [
                op, rs1.lo, rs1.hi, imm.lo, imm.hi, word, prev.lo, prev.hi, new.lo, new.hi, rs2.lo, rs2.hi, rdLo,
                rdHi,
            ],
            multiplicity: real)
    }

    /// The trace of `events` (recording their range and byte lookups).
    public static func trace(events: [LoadStoreEvent], codeRange: Range<UInt32>, counter: inout LookupCounter)
        -> RowMajorMatrix<VMField>
    {
        let air = LoadStoreAir(codeRange: codeRange)
        var t = TraceBuilder(width: air.width, height: paddedHeight(events.count))
        for (i, ev) in events.enumerated() {
            let a = ev.address
            precondition(a >= 0x1000 && a < 0xFFFF_0000, "address out of range")
            t[i, Col.flags + Int(ev.op.rawValue) - 1] = .one
            t.setWord(i, Col.rs1, ev.rs1)
            t.setWord(i, Col.imm, ev.imm)
            let aLo = a & 0xffff
            let aHi = a >> 16
            t[i, Col.aHi] = F(aHi)
            let c0 = ((ev.rs1 & 0xffff) + (ev.imm & 0xffff)) >> 16
            t[i, Col.carry0] = F(c0)
            t[i, Col.carry1] = F(((ev.rs1 >> 16) + (ev.imm >> 16) + c0) >> 16)
            t[i, Col.page] = F(aLo >> 12)
            t[i, Col.w12] = F((aLo >> 2) & 0x3ff)
            t[i, Col.e + Int(a & 3)] = .one
            t[i, Col.inv] = F(aHi + (aLo >> 12)).inverse()!
            counter.range(aLo >> 12, bits: 4)
            counter.range((aLo >> 2) & 0x3ff, bits: 10)
            counter.range(aHi, bits: 16)
            counter.range(0xfffe - aHi, bits: 16)
            t.setWord(i, Col.prev, ev.prev)
            t.setWord(i, Col.new, ev.new)
            t.setWord(i, Col.rs2, ev.rs2)
            let bytes = (0..<4).map { (ev.prev >> (8 * UInt32($0))) & 0xff }
            for k in 0..<4 { t[i, Col.p + k] = F(bytes[k]) }
            t[i, Col.and01] = F(counter.byte(.and, bytes[0], bytes[1]))
            t[i, Col.and23] = F(counter.byte(.and, bytes[2], bytes[3]))
            let shift = 8 * (a & 3)
            var sel: UInt32 = 0
            switch ev.op {
            case .lb, .lbu, .sb: sel = (ev.prev >> shift) & 0xff
            case .lh, .lhu, .sh: sel = (ev.prev >> shift) & 0xffff
            case .lw, .sw: sel = 0
            }
            t[i, Col.sel] = F(sel)
            if ev.op == .lb {
                t[i, Col.sign] = F(sel >> 7)
                t[i, Col.low] = F(sel & 0x7f)
                counter.range(sel & 0x7f, bits: 7)
            } else if ev.op == .lh {
                t[i, Col.sign] = F(sel >> 15)
                t[i, Col.low] = F(sel & 0x7fff)
                counter.range(sel & 0x7fff, bits: 15)
            }
            if ev.op == .sb {
                let r0 = ev.rs2 & 0xff
                t[i, Col.r0] = F(r0)
                t[i, Col.andR] = F(counter.byte(.and, r0, (ev.rs2 >> 8) & 0xff))
            }
            if ev.op.isStore {
                let w = a >> 2
                let ws = air.codeStart >> 2
                let we = air.codeEnd >> 2
                precondition(w < ws || w >= we, "store into code")
                let below = w < ws
                let d = below ? ws - 1 - w : w - we
                t[i, Col.below] = below ? .one : .zero
                t[i, Col.dLo] = F(d & 0xffff)
                t[i, Col.dHi] = F(d >> 16)
                counter.range(d & 0xffff, bits: 16)
                counter.range(d >> 16, bits: 14)
            }
        }
        return t.matrix
    }
}
