import Algebra
import Stark
import VM

/// One decoded instruction as the program table holds it and the CPU looks it up: the
/// `program` bus tuple minus its first two entries `(pc, 1)`.
///
/// | field | meaning |
/// | --- | --- |
/// | `aluOp` | the ``AluOp`` sent to the ALU (ALU instructions, branches: EQ/SLT/SLTU, jalr: ADD), else 0 |
/// | `lsOp` | the ``LoadStoreOp`` (loads and stores), else 0 |
/// | `rd`, `rs1`, `rs2` | register numbers as the CPU accesses them (`ecall`: a0, a7, a0) |
/// | `immLo`, `immHi` | the sign-extended immediate as a word |
/// | `immF` | the signed branch / jal offset as a field element |
/// | `staticLo`, `staticHi` | the value written by lui (imm), auipc (pc + imm), jal / jalr (pc + 4) |
/// | `fAlu` | rd := ALU(rs1, rs2 or imm) |
/// | `fImm` | the ALU's second operand is the immediate (I-type ALU, jalr) |
/// | `fLoad`, `fStore` | loads, stores |
/// | `fBranch`, `fBranchNeg` | branches; taken when the ALU result is 1 (beq, blt, bltu) or 0 (bne, bge, bgeu) |
/// | `fJal`, `fJalr` | jumps |
/// | `fStatic` | rd := the static value (lui, auipc, jal, jalr) |
/// | `fEcall` | ecall |
/// | `readsRs1`, `readsRs2` | which source registers the instruction reads |
/// | `writesRd` | the instruction writes rd and rd ≠ x0 (ecall's write of a0 is decided by the CPU) |
///
/// `fence` has every flag 0: the CPU steps to pc + 4 and touches nothing.
public struct DecodedRow: Sendable, Equatable {
    public var aluOp: UInt32 = 0
    public var lsOp: UInt32 = 0
    public var rd: UInt32 = 0
    public var rs1: UInt32 = 0
    public var rs2: UInt32 = 0
    public var imm: UInt32 = 0
    public var immSigned: Int64 = 0
    public var staticValue: UInt32 = 0
    public var fAlu = false
    public var fImm = false
    public var fLoad = false
    public var fStore = false
    public var fBranch = false
    public var fBranchNeg = false
    public var fJal = false
    public var fJalr = false
    public var fStatic = false
    public var fEcall = false
    public var readsRs1 = false
    public var readsRs2 = false
    public var writesRd = false

    /// Number of tuple entries after `(pc, 1)`.
    public static var count: Int { 23 }

    /// Decodes the word at `pc`; nil for words the machine refuses to execute (illegal,
    /// `ebreak`, anything outside RV32IM): the program table leaves them out, so running
    /// one cannot be proven.
    public init?(word: UInt32, pc: UInt32) {
        let r = RawInstruction(word: word)
        rd = r.rd
        rs1 = r.rs1
        rs2 = r.rs2
        imm = r.imm
        immSigned = Int64(Int32(bitPattern: r.imm))
        let writes = r.rd != 0
        func alu(_ op: AluOp, imm useImm: Bool) {
            aluOp = op.rawValue
            fAlu = true
            fImm = useImm
            readsRs1 = true
            readsRs2 = !useImm
            writesRd = writes
        }
        func branch(_ op: AluOp, negate: Bool) {
            aluOp = op.rawValue
            fBranch = true
            fBranchNeg = negate
            readsRs1 = true
            readsRs2 = true
        }
        func load(_ op: LoadStoreOp) {
            lsOp = op.rawValue
            fLoad = true
            readsRs1 = true
            writesRd = writes
        }
        func store(_ op: LoadStoreOp) {
            lsOp = op.rawValue
            fStore = true
            readsRs1 = true
            readsRs2 = true
        }
        switch r.op {
        case .lui:
            fStatic = true
            staticValue = r.imm
            writesRd = writes
        case .auipc:
            fStatic = true
            staticValue = pc &+ r.imm
            writesRd = writes
        case .jal:
            fJal = true
            fStatic = true
            staticValue = pc &+ 4
            writesRd = writes
        case .jalr:
            fJalr = true
            fStatic = true
            staticValue = pc &+ 4
            aluOp = AluOp.add.rawValue
            fImm = true
            readsRs1 = true
            writesRd = writes
        case .beq: branch(.eq, negate: false)
        case .bne: branch(.eq, negate: true)
        case .blt: branch(.slt, negate: false)
        case .bge: branch(.slt, negate: true)
        case .bltu: branch(.sltu, negate: false)
        case .bgeu: branch(.sltu, negate: true)
        case .lb: load(.lb)
        case .lh: load(.lh)
        case .lw: load(.lw)
        case .lbu: load(.lbu)
        case .lhu: load(.lhu)
        case .sb: store(.sb)
        case .sh: store(.sh)
        case .sw: store(.sw)
        case .addi: alu(.add, imm: true)
        case .slti: alu(.slt, imm: true)
        case .sltiu: alu(.sltu, imm: true)
        case .xori: alu(.xor, imm: true)
        case .ori: alu(.or, imm: true)
        case .andi: alu(.and, imm: true)
        case .slli: alu(.sll, imm: true)
        case .srli: alu(.srl, imm: true)
        case .srai: alu(.sra, imm: true)
        case .add: alu(.add, imm: false)
        case .sub: alu(.sub, imm: false)
        case .sll: alu(.sll, imm: false)
        case .slt: alu(.slt, imm: false)
        case .sltu: alu(.sltu, imm: false)
        case .xor: alu(.xor, imm: false)
        case .srl: alu(.srl, imm: false)
        case .sra: alu(.sra, imm: false)
        case .or: alu(.or, imm: false)
        case .and: alu(.and, imm: false)
        case .mul: alu(.mul, imm: false)
        case .mulh: alu(.mulh, imm: false)
        case .mulhsu: alu(.mulhsu, imm: false)
        case .mulhu: alu(.mulhu, imm: false)
        case .div: alu(.div, imm: false)
        case .divu: alu(.divu, imm: false)
        case .rem: alu(.rem, imm: false)
        case .remu: alu(.remu, imm: false)
        case .fence:
            rd = 0
            rs1 = 0
            rs2 = 0
            imm = 0
            immSigned = 0
        case .ecall:
            fEcall = true
            rd = 10
            rs1 = 17
            rs2 = 10
            imm = 0
            immSigned = 0
            readsRs1 = true
            readsRs2 = true
        case .ebreak, .illegal, .end:
            return nil
        }
        if !readsRs1 { rs1 = 0 }
        if !readsRs2 { rs2 = 0 }
        if !(writesRd || fEcall) { rd = 0 }
        if !(fAlu || fJalr || fLoad || fStore || fBranch || fJal) {
            imm = 0
            immSigned = 0
        }
    }

    /// The tuple entries after `(pc, 1)`, in bus order.
    public var fields: [VMField] {
        func f(_ b: Bool) -> VMField { b ? .one : .zero }
        let immF = immSigned >= 0 ? VMField(UInt32(immSigned)) : -VMField(UInt32(-immSigned))
        return [
            VMField(aluOp), VMField(lsOp), VMField(rd), VMField(rs1), VMField(rs2),
            VMField(imm & 0xffff), VMField(imm >> 16), immF,
            VMField(staticValue & 0xffff), VMField(staticValue >> 16),
            f(fAlu), f(fImm), f(fLoad), f(fStore), f(fBranch), f(fBranchNeg), f(fJal), f(fJalr), f(fStatic),
            f(fEcall), f(readsRs1), f(readsRs2), f(writesRd),
        ]
    }
}

/// Why an ELF cannot be proven.
public enum ProgramTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Code must lie below 2^30 so that pcs are distinct field elements with room for offsets.
    case codeTooHigh(end: UInt32)
    case noCode

    public var description: String {
        switch self {
        case .codeTooHigh(let e): return "code ends at 0x\(String(e, radix: 16)); provable code lies below 0x40000000"
        case .noCode: return "the ELF has no executable segment"
        }
    }
}

/// The program table: one fixed row per executable instruction of the ELF, its commitment
/// part of the program id.
///
/// | column | kind | meaning |
/// | --- | --- | --- |
/// | 0 `pc` | fixed | the instruction's address (below 2^30, distinct) |
/// | 1 `valid` | fixed | 1 on instruction rows, 0 on padding rows |
/// | 2…24 | fixed | the ``DecodedRow`` fields in bus order |
/// | 0 `multiplicity` | main | how many times the CPU executed this instruction in the shard |
///
/// Receives the `program` tuple `(pc, valid, fields…)` with the multiplicity. The CPU sends
/// `valid = 1`, so padding rows (all zero) can never be looked up. No other constraints:
/// the fixed columns are the verifier's own decoding of the ELF.
public struct ProgramAir: Air {
    public typealias F = VMField
    /// (pc, decoded) for every instruction the machine can execute, in address order.
    public let rows: [(pc: UInt32, decoded: DecodedRow)]
    /// Rows of the table (a power of two).
    public let height: Int

    /// Decodes the executable segments of `program`.
    public init(program: Program) throws(ProgramTableError) {
        let code = program.codeRange
        guard !code.isEmpty else { throw .noCode }
        guard code.upperBound <= 1 << 30 else { throw .codeTooHigh(end: code.upperBound) }
        var rows: [(UInt32, DecodedRow)] = []
        for s in program.segments where s.isExecutable {
            var off = 0
            while off + 4 <= s.data.count {
                let pc = s.address &+ UInt32(off)
                let w =
                    UInt32(s.data[off]) | UInt32(s.data[off + 1]) << 8 | UInt32(s.data[off + 2]) << 16
                    | UInt32(s.data[off + 3]) << 24
                if pc & 3 == 0, let d = DecodedRow(word: w, pc: pc) { rows.append((pc, d)) }
                off += 4
            }
        }
        rows.sort { $0.0 < $1.0 }
        self.rows = rows.map { (pc: $0.0, decoded: $0.1) }
        height = paddedHeight(rows.count)
    }

    public var name: String { "Program" }
    public var width: Int { 1 }
    public var preprocessedWidth: Int { 2 + DecodedRow.count }

    public func preprocessedTrace() -> RowMajorMatrix<F>? {
        let w = preprocessedWidth
        var v = [F](repeating: .zero, count: w * height)
        for (i, r) in rows.enumerated() {
            v[i * w] = F(r.pc)
            v[i * w + 1] = .one
            for (k, x) in r.decoded.fields.enumerated() { v[i * w + 2 + k] = x }
        }
        return RowMajorMatrix(values: v, width: w)
    }

    /// Row of each pc (for multiplicities).
    public func rowIndex() -> [UInt32: Int] {
        var d: [UInt32: Int] = [:]
        d.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated() { d[r.pc] = i }
        return d
    }

    @_specialize(where B == ProverFolder<KoalaBear>)
    public func eval<B: AirBuilder>(_ b: inout B) where B.F == F {
        let values = (0..<preprocessedWidth).map { b.fixed($0) }
        b.receive(bus: .vmProgram, values: values, multiplicity: b.main(0))
    }
}
