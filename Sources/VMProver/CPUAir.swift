import Algebra
import Stark

/// The CPU table: one row per cycle of the shard, then padding rows.
///
/// | column | name | meaning |
/// | --- | --- | --- |
/// | 0 | `is_real` | 1 on the shard's cycles, 0 on padding rows after them |
/// | 1 | `clk` | timestamp base, 4·(row + 1) |
/// | 2 | `pc` | the instruction's address |
/// | 3 | `next_pc` | the address of the next instruction |
/// | 4…26 | decoded | the ``DecodedRow`` fields, bound to the program table by the lookup |
/// | 27, 28 | `a` | rs1's value (limbs) |
/// | 29, 30 | `b` | rs2's value |
/// | 31, 32 | `c` | the result: ALU result, loaded value, compare bit, jalr target, syscall result |
/// | 33, 34 | `rd_prev` | rd's value before the write |
/// | 35 | `mem_addr` | the memory word address of a load or store |
/// | 36, 37 | `mem_prev` | the word before the access |
/// | 38, 39 | `mem` | the word after the access |
/// | 40…47 | `*_prev_ts`, `*_diff_lo` | previous timestamp and low difference limb of rs1, rs2, rd, mem |
/// | 48 | `taken` | a branch is taken |
/// | 49 | `jalr_low` | bit 0 of the jalr target before it is cleared |
/// | 50 | `halt` | this `ecall` is exit / exit_group: the last cycle of the run |
///
/// Public values: `start_pc`, `end_pc` (next pc of the last cycle), `halted`, `exit_lo`,
/// `exit_hi` (a0 at exit; 0 unless halted), `cycles`, `shard_index` (bound only through the
/// transcript; the chain verifier checks it).
public struct CPUAir: Air {
    public typealias F = VMField
    public init() {}

    public enum Col {
        public static let isReal = 0
        public static let clk = 1
        public static let pc = 2
        public static let nextPC = 3
        public static let decoded = 4
        public static let aluOp = 4
        public static let lsOp = 5
        public static let rd = 6
        public static let rs1 = 7
        public static let rs2 = 8
        public static let immLo = 9
        public static let immHi = 10
        public static let immF = 11
        public static let staticLo = 12
        public static let staticHi = 13
        public static let fAlu = 14
        public static let fImm = 15
        public static let fLoad = 16
        public static let fStore = 17
        public static let fBranch = 18
        public static let fBranchNeg = 19
        public static let fJal = 20
        public static let fJalr = 21
        public static let fStatic = 22
        public static let fEcall = 23
        public static let readsRs1 = 24
        public static let readsRs2 = 25
        public static let writesRd = 26
        public static let a = 27
        public static let b = 29
        public static let c = 31
        public static let rdPrev = 33
        public static let memAddr = 35
        public static let memPrev = 36
        public static let mem = 38
        public static let rs1PrevTs = 40
        public static let rs1Diff = 41
        public static let rs2PrevTs = 42
        public static let rs2Diff = 43
        public static let rdPrevTs = 44
        public static let rdDiff = 45
        public static let memPrevTs = 46
        public static let memDiff = 47
        public static let taken = 48
        public static let jalrLow = 49
        public static let halt = 50
        public static let count = 51
    }

    public enum Public {
        public static let startPC = 0
        public static let endPC = 1
        public static let halted = 2
        public static let exitLo = 3
        public static let exitHi = 4
        public static let cycles = 5
        public static let shardIndex = 6
        public static let count = 7
    }

    public var name: String { "CPU" }
    public var width: Int { Col.count }
    public var numPublicValues: Int { Public.count }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        typealias E = B.Expr
        let real = b.main(Col.isReal)
        let realNext = b.next(Col.isReal)
        let clk = b.main(Col.clk)
        let pc = b.main(Col.pc)
        let nextPC = b.main(Col.nextPC)
        let fAlu = b.main(Col.fAlu)
        let fImm = b.main(Col.fImm)
        let fLoad = b.main(Col.fLoad)
        let fStore = b.main(Col.fStore)
        let fBranch = b.main(Col.fBranch)
        let fBranchNeg = b.main(Col.fBranchNeg)
        let fJal = b.main(Col.fJal)
        let fJalr = b.main(Col.fJalr)
        let fStatic = b.main(Col.fStatic)
        let fEcall = b.main(Col.fEcall)
        let readsRs1 = b.main(Col.readsRs1)
        let readsRs2 = b.main(Col.readsRs2)
        let writesRd = b.main(Col.writesRd)
        let a = (lo: b.main(Col.a), hi: b.main(Col.a + 1))
        let bv = (lo: b.main(Col.b), hi: b.main(Col.b + 1))
        let c = (lo: b.main(Col.c), hi: b.main(Col.c + 1))
        let imm = (lo: b.main(Col.immLo), hi: b.main(Col.immHi))
        let immF = b.main(Col.immF)
        let taken = b.main(Col.taken)
        let jalrLow = b.main(Col.jalrLow)
        let halt = b.main(Col.halt)

        // Rows: the real cycles come first (is_real is 1 on row 0 and never rises again), so the
        // last real row is the shard's last cycle.
        b.assertBool(real)
        b.assertZeroOnFirstRow(real - 1)
        b.assertZeroOnTransition((1 - real) * realNext)
        // Timestamps: clk = 4·(row + 1), so each access of each row has its own timestamp.
        b.assertZeroOnFirstRow(clk - 4)
        b.assertZeroOnTransition(b.next(Col.clk) - clk - 4)

        // Padding rows make no access, call and lookup: every flag used as a multiplicity is 0
        // there (on real rows the program lookup fixes them).
        for flag in [readsRs1, readsRs2, writesRd, fEcall, fLoad, fStore, fAlu, fBranch, fJalr, halt] {
            b.assertZero((1 - real) * flag)
        }

        // Instruction fetch: (pc, 1, decoded…) must be a row of the program table.
        var fetch: [E] = [pc, 1]
        for k in 0..<DecodedRow.count { fetch.append(b.main(Col.decoded + k)) }
        b.send(bus: .vmProgram, values: fetch, multiplicity: real)

        // Register and memory accesses (registers are word addresses 0…31 of the memory bus).
        b.memoryAccess(
            address: b.main(Col.rs1),
            prev: a,
            value: a,
            prevTimestamp: b.main(Col.rs1PrevTs),
            timestamp: clk,
            diffLo: b.main(Col.rs1Diff),
            multiplicity: readsRs1
        )
        b.memoryAccess(
            address: b.main(Col.rs2),
            prev: bv,
            value: bv,
            prevTimestamp: b.main(Col.rs2PrevTs),
            timestamp: clk + 1,
            diffLo: b.main(Col.rs2Diff),
            multiplicity: readsRs2
        )
        let memPrev = (lo: b.main(Col.memPrev), hi: b.main(Col.memPrev + 1))
        let mem = (lo: b.main(Col.mem), hi: b.main(Col.mem + 1))
        b.memoryAccess(
            address: b.main(Col.memAddr),
            prev: memPrev,
            value: mem,
            prevTimestamp: b.main(Col.memPrevTs),
            timestamp: clk + 2,
            diffLo: b.main(Col.memDiff),
            multiplicity: fLoad + fStore
        )
        // rd gets the static value (lui, auipc, jal, jalr) or the result c; every ecall writes a0
        // (decoded rd = 10): its result, or for exit a0 itself (the execution record's convention).
        let rdPrev = (lo: b.main(Col.rdPrev), hi: b.main(Col.rdPrev + 1))
        let written = (
            lo: c.lo + fStatic * (b.main(Col.staticLo) - c.lo),
            hi: c.hi + fStatic * (b.main(Col.staticHi) - c.hi)
        )
        b.memoryAccess(
            address: b.main(Col.rd),
            prev: rdPrev,
            value: written,
            prevTimestamp: b.main(Col.rdPrevTs),
            timestamp: clk + 3,
            diffLo: b.main(Col.rdDiff),
            multiplicity: writesRd + fEcall
        )

        // Delegations. ALU instructions, branches (compare) and jalr (target = rs1 + imm): the
        // second operand is the immediate when f_imm.
        let operand = (lo: bv.lo + fImm * (imm.lo - bv.lo), hi: bv.hi + fImm * (imm.hi - bv.hi))
        b.send(
            bus: .vmAlu,
            values: [b.main(Col.aluOp), a.lo, a.hi, operand.lo, operand.hi, c.lo, c.hi],
            multiplicity: fAlu + fBranch + fJalr
        )
        b.send(
            bus: .vmLoadStore,
            values: [
                b.main(Col.lsOp), a.lo, a.hi, imm.lo, imm.hi, b.main(Col.memAddr), memPrev.lo, memPrev.hi,
                mem.lo, mem.hi, bv.lo, bv.hi, c.lo, c.hi,
            ],
            multiplicity: fLoad + fStore
        )
        b.send(bus: .vmSyscall, values: [clk, a.lo, a.hi, bv.lo, bv.hi, c.lo, c.hi], multiplicity: fEcall - halt)

        // Control flow. A branch is taken when the compare bit c_lo (0 or 1, proven by the ALU)
        // differs from f_branch_neg.
        b.assertZero(taken - fBranch * (c.lo + fBranchNeg - 2 * fBranchNeg * c.lo))
        b.assertBool(jalrLow)
        // jalr's target (c with bit 0 cleared) must be below 2^30, like every pc of the program
        // table, so that the field value is the integer (no alias modulo p): c_hi < 2^14.
        b.send(bus: .vmRange, values: [14, c.hi], multiplicity: fJalr)
        let jalrTarget = c.lo - jalrLow + c.hi * 65536
        let pcPlus4 = pc + 4
        b.assertZero(
            real
                * (nextPC - pcPlus4 - taken * (immF - 4) - fJal * (immF - 4) - fJalr * (jalrTarget - pcPlus4))
        )
        // The next real row runs next_pc.
        b.assertZeroOnTransition(realNext * (b.next(Col.pc) - nextPC))

        // exit / exit_group: only an ecall with a7 ∈ {93, 94} halts, and it is the last cycle. An
        // ecall with those numbers that does not halt is sent to the syscall table, which has no
        // row for them, so the buses cannot balance.
        b.assertBool(halt)
        b.assertZero(halt * (1 - fEcall))
        b.assertZero(halt * (a.lo - 93) * (a.lo - 94))
        b.assertZero(halt * a.hi)
        b.assertZeroOnTransition(halt * realNext)
        b.assertZero(halt * (c.lo - bv.lo))
        b.assertZero(halt * (c.hi - bv.hi))

        // Public values. The last real row is the one whose next row is not real (or the last row
        // of the trace when every row is real: row 0 follows it cyclically and is real).
        let lastReal = real * (1 - realNext)
        b.assertZeroOnFirstRow(pc - b.publicValue(Public.startPC))
        for (value, pv) in [
            (nextPC, Public.endPC), (halt, Public.halted), (clk - 4 * b.publicValue(Public.cycles), -1),
        ] {
            let target = pv >= 0 ? value - b.publicValue(pv) : value
            b.assertZero(lastReal * target)
            b.assertZero(b.isLastRow * real * target)
        }
        b.assertZero(halt * (bv.lo - b.publicValue(Public.exitLo)))
        b.assertZero(halt * (bv.hi - b.publicValue(Public.exitHi)))
        let halted = b.publicValue(Public.halted)
        b.assertZero(halted * (halted - 1))
        b.assertZero((1 - halted) * b.publicValue(Public.exitLo))
        b.assertZero((1 - halted) * b.publicValue(Public.exitHi))
    }
}
