import Algebra
import Stark
import Testing
import VMProver

/// The LoadStore table driven on its own by the CPU's tuples (`BusDriverAir`), with the range
/// and byte tables: honest loads and stores prove; lies about rd, memory or the word address,
/// and accesses the executor refuses (misaligned, out of range, into the code) do not.
@Suite(.oneProofAtATime) struct LoadStoreTests {
    /// Code page-aligned, as an ELF's executable segment usually is.
    static let code: Range<UInt32> = 0x10000..<0x12000
    /// Code whose bounds are not word-aligned: the table compares byte addresses exactly.
    static let oddCode: Range<UInt32> = 0x10002..<0x12006

    static func ev(
        _ op: LoadStoreOp,
        _ address: UInt32,
        prev: UInt32 = 0x1122_3344,
        rs2: UInt32 = 0xAABB_CCDD
    )
        -> LoadStoreEvent
    {
        LoadStoreEvent(op: op, rs1: address, imm: 0, prev: prev, rs2: rs2)
    }

    /// The CPU's tuple for `e`, with the reference semantics (`new`, `rd`, `wordAddress`).
    static func tuple(_ e: LoadStoreEvent) -> [VMField] {
        func l(_ w: UInt32) -> [VMField] { [VMField(w & 0xffff), VMField(w >> 16)] }
        return [e.op.field] + l(e.rs1) + l(e.imm) + [VMField(e.wordAddress)] + l(e.prev) + l(e.new) + l(e.rs2)
            + l(e.rd)
    }

    /// Tuple entries (CPU side) by name.
    enum T {
        static let rs1Lo = 1, wordAddr = 5, newLo = 8, newHi = 9, rdLo = 12, rdHi = 13
    }

    /// The driver sending `tuples` (default: the events' honest tuples), the LoadStore table and the
    /// lookup tables. Honest events use the trace generator and its lookup counts. A forgery
    /// (`forge` edits the table's trace, or `refused` writes rows for accesses the executor refuses)
    /// gets the lookup tables a cheating prover would fill: every lookup they can answer.
    static func tables(
        _ events: [LoadStoreEvent],
        code: Range<UInt32> = code,
        tuples: [[VMField]]? = nil,
        refused: Bool = false,
        forge: ((inout RowMajorMatrix<VMField>) -> Void)? = nil
    ) -> [TableInput<VMField>] {
        let air = LoadStoreAir(codeRange: code)
        var counter = LookupCounter()
        var trace =
            refused
            ? LoadStoreAir.writeTrace(events: events, codeRange: code, counter: &counter)
            : LoadStoreAir.trace(events: events, codeRange: code, counter: &counter)
        if refused || forge != nil {
            forge?(&trace)
            counter = answerableLookups(air, trace)
        }
        return [
            TableInput(
                air: BusDriverAir(bus: .vmLoadStore, arity: 14),
                trace: BusDriverAir.trace(arity: 14, tuples: tuples ?? events.map(tuple))
            ),
            TableInput(air: air, trace: trace),
            TableInput(air: RangeTableAir(), trace: RangeTableAir.trace(counter)),
            TableInput(air: BytePairTableAir(), trace: BytePairTableAir.trace(counter)),
        ]
    }

    /// Sets column `column` of row 0.
    static func set(_ m: inout RowMajorMatrix<VMField>, _ column: Int, _ value: VMField) {
        m.values[column] = value
    }

    // MARK: - Reference semantics

    /// RV32I by hand: little-endian bytes, lb/lh sign-extend, sb/sh replace only their bytes.
    @Test func referenceSemantics() {
        let w: UInt32 = 0x8877_6655
        let bytes: [UInt32] = [0x55, 0x66, 0x77, 0x88]
        for k in UInt32(0)..<4 {
            #expect(Self.ev(.lbu, 0x2000 + k, prev: w).rd == bytes[Int(k)])
            #expect(Self.ev(.lb, 0x2000 + k, prev: w).rd == (k == 3 ? 0xFFFF_FF88 : bytes[Int(k)]))
        }
        #expect(Self.ev(.lb, 0x2000, prev: 0x80).rd == 0xFFFF_FF80)
        #expect(Self.ev(.lb, 0x2000, prev: 0x7F).rd == 0x7F)
        #expect(Self.ev(.lbu, 0x2000, prev: 0x80).rd == 0x80)
        #expect(Self.ev(.lh, 0x2000, prev: 0x8000).rd == 0xFFFF_8000)
        #expect(Self.ev(.lh, 0x2002, prev: 0x8000_7FFF).rd == 0xFFFF_8000)
        #expect(Self.ev(.lh, 0x2000, prev: 0x8000_7FFF).rd == 0x7FFF)
        #expect(Self.ev(.lhu, 0x2002, prev: 0x8000_7FFF).rd == 0x8000)
        #expect(Self.ev(.lw, 0x2000, prev: w).rd == w)
        #expect(Self.ev(.lw, 0x2000, prev: w).new == w)
        #expect(Self.ev(.sb, 0x2000, prev: w, rs2: 0x1234_56AB).new == 0x8877_66AB)
        #expect(Self.ev(.sb, 0x2001, prev: w, rs2: 0x1234_56AB).new == 0x8877_AB55)
        #expect(Self.ev(.sb, 0x2002, prev: w, rs2: 0x1234_56AB).new == 0x88AB_6655)
        #expect(Self.ev(.sb, 0x2003, prev: w, rs2: 0x1234_56AB).new == 0xAB77_6655)
        #expect(Self.ev(.sh, 0x2000, prev: w, rs2: 0x1234_ABCD).new == 0x8877_ABCD)
        #expect(Self.ev(.sh, 0x2002, prev: w, rs2: 0x1234_ABCD).new == 0xABCD_6655)
        #expect(Self.ev(.sw, 0x2000, prev: w, rs2: 0x1234_ABCD).new == 0x1234_ABCD)
        #expect(Self.ev(.sw, 0x2000, prev: w, rs2: 0x1234_ABCD).rd == 0)
        #expect(LoadStoreEvent(op: .lw, rs1: 0x2000, imm: 0xFFFF_F000, prev: 0, rs2: 0).address == 0x1000)
        #expect(LoadStoreEvent(op: .lw, rs1: 0x2000, imm: 0xFFFF_F000, prev: 0, rs2: 0).wordAddress == 0x400)
        #expect(LoadStoreEvent(op: .lw, rs1: 0x2000, imm: 4, prev: 0, rs2: 9).rs2 == 0)  // loads carry no rs2
    }

    /// The executor's refusals: alignment, 0x1000 ≤ A < 0xFFFF0000, stores outside the code.
    @Test func executableAccesses() {
        let ok: [LoadStoreEvent] = [
            Self.ev(.lw, 0x1000), Self.ev(.lw, 0xFFFE_FFFC), Self.ev(.lb, 0xFFFE_FFFF), Self.ev(.lh, 0x2002),
            Self.ev(.sw, Self.code.upperBound), Self.ev(.sb, Self.code.lowerBound - 1),
            Self.ev(.lw, Self.code.lowerBound),
        ]
        let refused: [LoadStoreEvent] = [
            Self.ev(.lw, 0xFFC), Self.ev(.lb, 0), Self.ev(.lw, 0xFFFF_0000), Self.ev(.lw, 0x2002),
            Self.ev(.lhu, 0x2001),
            Self.ev(.sh, 0x2003), Self.ev(.sw, Self.code.upperBound - 4), Self.ev(.sb, Self.code.lowerBound),
        ]
        for e in ok { #expect(LoadStoreAir.isExecutable(e, codeRange: Self.code), "\(e)") }
        for e in refused { #expect(!LoadStoreAir.isExecutable(e, codeRange: Self.code), "\(e)") }
    }

    @Test func shape() {
        let s = AirShape(of: LoadStoreAir(codeRange: Self.code))
        #expect(s.width == 37)
        #expect(s.interactions.count == 8)
        #expect(s.maxConstraintDegree <= 3)
    }

    // MARK: - Honest

    /// Every op at every offset it allows, sign extension of 0x80 / 0x8000, the address bounds,
    /// rs1 + imm wrapping around 2^32, and the edges of the code.
    static var honest: [LoadStoreEvent] {
        var out: [LoadStoreEvent] = []
        let words: [UInt32] = [0x8081_7F80, 0x8000_8000, 0x1234_5678, 0xFFFF_FFFF, 0]
        for (k, p) in words.enumerated() {
            let base: UInt32 = 0x20000 + 16 * UInt32(k)
            for off in UInt32(0)..<4 {
                out.append(LoadStoreEvent(op: .lb, rs1: base, imm: off, prev: p, rs2: 0))
                out.append(LoadStoreEvent(op: .lbu, rs1: base + off, imm: 0, prev: p, rs2: 0))
                out.append(LoadStoreEvent(op: .sb, rs1: base, imm: off, prev: p, rs2: 0xAABB_CC80 &+ UInt32(k)))
                if off % 2 == 0 {
                    out.append(LoadStoreEvent(op: .lh, rs1: base, imm: off, prev: p, rs2: 0))
                    out.append(LoadStoreEvent(op: .lhu, rs1: base, imm: off, prev: p, rs2: 0))
                    out.append(LoadStoreEvent(op: .sh, rs1: base, imm: off, prev: p, rs2: 0x8001_7FFE &+ UInt32(k)))
                }
            }
            out.append(LoadStoreEvent(op: .lw, rs1: base + 4, imm: 0xFFFF_FFFC, prev: p, rs2: 0))
            out.append(LoadStoreEvent(op: .sw, rs1: base, imm: 4, prev: p, rs2: 0xDEAD_BEEF))
        }
        out += [
            // The lowest and highest usable addresses.
            LoadStoreEvent(op: .lw, rs1: 0x1000, imm: 0, prev: 1, rs2: 0),
            LoadStoreEvent(op: .sb, rs1: 0x1000, imm: 0, prev: 1, rs2: 2),
            LoadStoreEvent(op: .lw, rs1: 0xFFFE_FFFC, imm: 0, prev: 3, rs2: 0),
            LoadStoreEvent(op: .sw, rs1: 0xFFFF_0000, imm: 0xFFFF_FFFC, prev: 3, rs2: 4),
            LoadStoreEvent(op: .lb, rs1: 0xFFFE_FFFF, imm: 0, prev: 0x8000_0000, rs2: 0),
            // rs1 + imm wraps around 2^32 (both limb additions carry).
            LoadStoreEvent(op: .lw, rs1: 0x0000_2000, imm: 0xFFFF_F000, prev: 5, rs2: 0),
            LoadStoreEvent(op: .lhu, rs1: 0x0001_0004, imm: 0xFFFF_FFFE, prev: 0xABCD_0000, rs2: 0),
        ]
        return out
    }

    /// Stores just outside the code and loads from inside it, for `code`.
    static func codeEdges(_ code: Range<UInt32>) -> [LoadStoreEvent] {
        let (s, e) = (code.lowerBound, code.upperBound)
        var out = [
            ev(.sb, e), ev(.sb, s - 1), ev(.lw, s & ~3), ev(.lb, e - 1), ev(.lbu, s),
            ev(.sw, (e + 3) & ~3), ev(.sw, (s & ~3) - 4),
        ]
        if e & 1 == 0 { out.append(ev(.sh, e)) }
        if s & 3 == 0 { out.append(ev(.sw, s - 4)) }
        return out
    }

    @Test func honestAccessesProve() throws {
        try proveAndVerify(Self.tables(Self.honest + Self.codeEdges(Self.code)))
    }

    /// A code range whose ends are not word-aligned: a store into the first or last word of the
    /// code is allowed exactly when its byte address is outside the code (the executor's rule).
    @Test func unalignedCodeRangeProves() throws {
        let edges = Self.codeEdges(Self.oddCode) + [Self.ev(.sh, 0x10000), Self.ev(.sb, 0x12007)]
        try proveAndVerify(Self.tables(edges, code: Self.oddCode))
    }

    // MARK: - Forged

    /// Whether a forgery is refused by the checks a proof stands on, read off the traces
    /// (`traceRefusal`, the prover's own checks): a failing LoadStore constraint or unbalanced
    /// buses. With `endToEnd` (one forgery of the table), the verifier must also reject a proof
    /// made with the prover's checks off.
    static func rejected(_ tables: [TableInput<VMField>], endToEnd: Bool = false) -> Bool {
        switch traceRefusal(tables) {
        case .constraintFailure(let f)? where f.table == "LoadStore": return !endToEnd || forgedProofRejected(tables)
        case .unbalancedBuses?: return !endToEnd || forgedProofRejected(tables)
        default: return false
        }
    }

    /// Tuples the CPU might send that the table must refuse (the table's trace is the honest one).
    @Test(arguments: ["lb zero-extended", "unaddressed byte changed", "load changes memory", "word address"])
    func forgedTupleRejected(_ what: String) throws {
        let e: LoadStoreEvent
        var t: [VMField]
        switch what {
        case "lb zero-extended":
            e = Self.ev(.lb, 0x20001, prev: 0x0000_8000)
            t = Self.tuple(e)
            t[T.rdLo] = 0x80
            t[T.rdHi] = 0
        case "unaddressed byte changed":
            e = Self.ev(.sb, 0x20001, prev: 0x1122_3344, rs2: 0xEE)
            t = Self.tuple(e)
            t[T.newHi] += 1  // byte 2 of new: 0x22 → 0x23
        case "load changes memory":
            e = Self.ev(.lw, 0x20000, prev: 0x1122_3344)
            t = Self.tuple(e)
            t[T.newLo] += 1
        default:
            e = Self.ev(.lw, 0x20000)
            t = Self.tuple(e)
            t[T.wordAddr] += 1
        }
        #expect(Self.rejected(Self.tables([e], tuples: [t])))
    }

    /// Lies carried through the table's own row as well: the row is edited to match the forged
    /// tuple (lookups counted as a cheating prover would), so only the constraints and the lookup
    /// tables stand in the way.
    @Test(arguments: [
        "lb sign cleared", "sb changes an unaddressed byte", "sb stores rs2's second byte",
        "word address via w12",
    ])
    func forgedRowRejected(_ what: String) throws {
        typealias C = LoadStoreAir.Col
        let e: LoadStoreEvent
        var t: [VMField]
        let edit: (inout RowMajorMatrix<VMField>) -> Void
        switch what {
        case "lb sign cleared":
            e = Self.ev(.lb, 0x20001, prev: 0x0000_8000)
            t = Self.tuple(e)
            t[T.rdLo] = 0x80
            t[T.rdHi] = 0
            edit = { Self.set(&$0, C.sign, 0) }
        case "sb changes an unaddressed byte":
            // Byte 0 of the addressed half changed along with byte 1, the one addressed.
            e = Self.ev(.sb, 0x20001, prev: 0x1122_3344, rs2: 0xEE)
            t = Self.tuple(e)
            t[T.newLo] += 1
            let forgedLo = t[T.newLo]
            edit = { Self.set(&$0, C.new, forgedLo) }
        case "sb stores rs2's second byte":
            e = Self.ev(.sb, 0x20000, prev: 0x1122_3344, rs2: 0xBBAA)
            t = Self.tuple(e)
            t[T.newLo] = VMField(0x33BB)
            edit = {
                Self.set(&$0, C.new, VMField(0x33BB))
                Self.set(&$0, C.r0, VMField(0xBB))
                // r1 = (0xBBAA − 0xBB)/256 is no byte: no result makes (AND, r0, r1, and_r) answerable.
                Self.set(&$0, C.andR, 0)
            }
        default:
            e = Self.ev(.lw, 0x20000)
            t = Self.tuple(e)
            t[T.wordAddr] += 1
            edit = { Self.set(&$0, C.w12, 1) }
        }
        // The table's end-to-end forgery: the verifier rejects a proof of the cleared sign.
        #expect(Self.rejected(Self.tables([e], tuples: [t], forge: edit), endToEnd: what == "lb sign cleared"))
    }

    /// Accesses the executor refuses: name, event (`rs1 + imm` as the address), code range.
    static let refusedCases: [(String, LoadStoreEvent, Range<UInt32>)] = {
        let (c, o) = (code, oddCode)
        return [
            ("lw misaligned", ev(.lw, 0x20001), c),
            ("lh misaligned", ev(.lh, 0x20001), c),
            ("lw below 0x1000", ev(.lw, 0xFFC), c),
            ("lw of register x5", LoadStoreEvent(op: .lw, rs1: 0x2000, imm: 0xFFFF_E014, prev: 1, rs2: 0), c),
            ("lw at 0xFFFF0000", ev(.lw, 0xFFFF_0000), c),
            ("sw at codeEnd - 4", ev(.sw, c.upperBound - 4), c),
            ("sw at codeStart", ev(.sw, c.lowerBound), c),
            ("sb at unaligned codeEnd - 1", ev(.sb, o.upperBound - 1), o),
        ]
    }()

    /// Accesses the executor refuses, written as an honest prover would write any access (the
    /// tuple with the reference semantics, the row by the trace generator's rules, lookups as a
    /// cheating prover counts them): none has a satisfying row.
    @Test(arguments: LoadStoreTests.refusedCases)
    func refusedAccessRejected(_ what: String, _ e: LoadStoreEvent, _ code: Range<UInt32>) throws {
        #expect(!LoadStoreAir.isExecutable(e, codeRange: code), "\(what) is executable")
        #expect(Self.rejected(Self.tables([e], code: code, refused: true)), "\(what)")
    }
}
