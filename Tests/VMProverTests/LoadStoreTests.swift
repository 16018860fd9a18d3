import Algebra
import Stark
import Testing
import VMProver

/// The LoadStore table driven on its own: honest tuples prove; forged rows or tuples do not.
@Suite struct LoadStoreTests {
    static let config = StarkConfig<VMField>.testing
    static let code: Range<UInt32> = 0x10000..<0x12000

    static func tuple(_ e: LoadStoreEvent) -> [VMField] {
        func l(_ w: UInt32) -> [VMField] { [VMField(w & 0xffff), VMField(w >> 16)] }
        return [e.op.field] + l(e.rs1) + l(e.imm) + [VMField(e.wordAddress)] + l(e.prev) + l(e.new) + l(e.rs2)
            + l(e.rd)
    }

    static func tables(_ events: [LoadStoreEvent], tuples: [[VMField]]? = nil, edit: ((inout RowMajorMatrix<VMField>) -> Void)? = nil)
        -> [TableInput<VMField>]
    {
        var counter = LookupCounter()
        var ls = LoadStoreAir.trace(events: events, codeRange: code, counter: &counter)
        edit?(&ls)
        let driver = BusDriverAir(bus: .vmLoadStore, arity: 14)
        return [
            TableInput(air: driver, trace: BusDriverAir.trace(arity: 14, tuples: tuples ?? events.map(tuple))),
            TableInput(air: LoadStoreAir(codeRange: code), trace: ls),
            TableInput(air: RangeTableAir(), trace: RangeTableAir.trace(counter)),
            TableInput(air: BytePairTableAir(), trace: BytePairTableAir.trace(counter)),
        ]
    }

    /// Both refusals: the prover with its checks, and the verifier on a proof made without them.
    static func rejected(_ tables: [TableInput<VMField>]) throws -> Bool {
        let prover = StarkProver(config: config)
        var proverRefused = false
        do { _ = try prover.prove(tables, options: ProvingOptions(checkConstraints: true)) } catch { proverRefused = true }
        let proof = try prover.prove(tables, options: ProvingOptions(checkConstraints: false, checkBuses: false))
        var verifierRefused = false
        do { try StarkVerifier(config: config).verify(airs: tables.map(\.air), proof: proof) } catch {
            verifierRefused = true
        }
        return proverRefused && verifierRefused
    }

    static var honest: [LoadStoreEvent] {
        var out: [LoadStoreEvent] = []
        let prev: [UInt32] = [0x8081_7F80, 0x1234_5678, 0xFFFF_FFFF, 0]
        for (k, p) in prev.enumerated() {
            for off in UInt32(0)..<4 {
                let base: UInt32 = 0x20000 + 16 * UInt32(k)
                out.append(LoadStoreEvent(op: .lb, rs1: base, imm: off, prev: p, rs2: 0))
                out.append(LoadStoreEvent(op: .lbu, rs1: base, imm: off, prev: p, rs2: 0))
                out.append(LoadStoreEvent(op: .sb, rs1: base, imm: off, prev: p, rs2: 0xAABB_CCDD))
                if off % 2 == 0 {
                    out.append(LoadStoreEvent(op: .lh, rs1: base, imm: off, prev: p, rs2: 0))
                    out.append(LoadStoreEvent(op: .lhu, rs1: base, imm: off, prev: p, rs2: 0))
                    out.append(LoadStoreEvent(op: .sh, rs1: base, imm: off, prev: p, rs2: 0x8001_7FFE))
                }
            }
            out.append(LoadStoreEvent(op: .lw, rs1: 0x20000, imm: 0xFFFF_FFFC, prev: p, rs2: 0))
            out.append(LoadStoreEvent(op: .sw, rs1: 0x20000, imm: 4, prev: p, rs2: 0xDEAD_BEEF))
        }
        // Bounds: the lowest and highest usable words, wrap-around of rs1 + imm, code edges.
        out.append(LoadStoreEvent(op: .lw, rs1: 0x1000, imm: 0, prev: 1, rs2: 0))
        out.append(LoadStoreEvent(op: .lw, rs1: 0x2000, imm: 0xFFFF_F000, prev: 1, rs2: 0))
        out.append(LoadStoreEvent(op: .sw, rs1: 0xFFFE_FFFC, imm: 0, prev: 1, rs2: 7))
        out.append(LoadStoreEvent(op: .sw, rs1: code.upperBound, imm: 0, prev: 1, rs2: 7))
        out.append(LoadStoreEvent(op: .sb, rs1: code.lowerBound - 1, imm: 0, prev: 1, rs2: 7))
        out.append(LoadStoreEvent(op: .lw, rs1: code.lowerBound, imm: 0, prev: 1, rs2: 0))
        return out
    }

    @Test func referenceSemantics() {
        // Straight from the RISC-V spec: sign extension of 0x80 and 0x8000, little-endian bytes.
        #expect(LoadStoreEvent(op: .lb, rs1: 0x2000, imm: 0, prev: 0x80, rs2: 0).rd == 0xFFFF_FF80)
        #expect(LoadStoreEvent(op: .lbu, rs1: 0x2000, imm: 0, prev: 0x80, rs2: 0).rd == 0x80)
        #expect(LoadStoreEvent(op: .lh, rs1: 0x2000, imm: 2, prev: 0x8000_0000, rs2: 0).rd == 0xFFFF_8000)
        #expect(LoadStoreEvent(op: .lhu, rs1: 0x2000, imm: 2, prev: 0x8000_0000, rs2: 0).rd == 0x8000)
        #expect(LoadStoreEvent(op: .sb, rs1: 0x2000, imm: 3, prev: 0x1122_3344, rs2: 0xAB).new == 0xAB22_3344)
        #expect(LoadStoreEvent(op: .sh, rs1: 0x2000, imm: 2, prev: 0x1122_3344, rs2: 0xCDEF).new == 0xCDEF_3344)
    }

    @Test func honestAccessesProve() throws {
        let tables = Self.tables(Self.honest)
        let proof = try StarkProver(config: Self.config).prove(tables, options: ProvingOptions(checkConstraints: true))
        try StarkVerifier(config: Self.config).verify(airs: tables.map(\.air), proof: proof)
    }

    /// Tuples the CPU might send that the table must refuse: each is a lie about memory or rd.
    @Test(arguments: [
        "wrong rd", "unaddressed byte changed", "word address", "load changes memory",
    ])
    func forgedTupleRejected(_ what: String) throws {
        let events = [LoadStoreEvent(op: .lb, rs1: 0x20000, imm: 1, prev: 0x1122_8044, rs2: 0)]
        var t = events.map(Self.tuple)
        switch what {
        case "wrong rd": t[0][12] = VMField(0x80)  // zero-extended instead of sign-extended
        case "unaddressed byte changed": t[0][8] += VMField(1)
        case "word address": t[0][5] += VMField(1)
        default: t[0][9] += VMField(1)
        }
        #expect(try Self.rejected(Self.tables(events, tuples: t)))
    }

    /// Accesses the executor refuses: the trace generator would refuse them too, so the rows
    /// are forged by editing an honest row's address columns to match the bad tuple.
    @Test func misalignedAndOutOfRangeRejected() throws {
        // A misaligned lw: an honest lbu at offset 1 relabelled as lw.
        let e = LoadStoreEvent(op: .lbu, rs1: 0x20000, imm: 1, prev: 0x1122_3344, rs2: 0)
        var t = [Self.tuple(e)]
        t[0][0] = LoadStoreOp.lw.field
        t[0][12] = VMField(0x3344)
        t[0][13] = VMField(0x1122)
        #expect(
            try Self.rejected(
                Self.tables([e], tuples: t) { m in
                    m.values[3] = .zero  // f_lbu off
                    m.values[2] = .one  // f_lw on
                }))
        // A store into the code: the honest row of a store just above it, moved down.
        let s = LoadStoreEvent(op: .sw, rs1: Self.code.upperBound, imm: 0, prev: 1, rs2: 7)
        var ts = [Self.tuple(s)]
        ts[0][1] = VMField((Self.code.upperBound - 4) & 0xffff)
        ts[0][5] = VMField((Self.code.upperBound - 4) >> 2)
        #expect(
            try Self.rejected(
                Self.tables([s], tuples: ts) { m in
                    m.values[8] = ts[0][1]  // rs1_lo
                    m.values[16] -= VMField(1)  // w12 one word lower
                }))
        // An address below 0x1000 (the registers' word addresses).
        let r = LoadStoreEvent(op: .lw, rs1: 0x1000, imm: 0, prev: 5, rs2: 0)
        var tr = [Self.tuple(r)]
        tr[0][1] = VMField(0x40)
        tr[0][5] = VMField(0x10)
        #expect(
            try Self.rejected(
                Self.tables([r], tuples: tr) { m in
                    m.values[8] = VMField(0x40)
                    m.values[15] = .zero  // page 0
                    m.values[16] = VMField(0x10)
                }))
    }
}
