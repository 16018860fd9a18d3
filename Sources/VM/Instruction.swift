/// Operations of RV32IM after decoding. `rawValue` indexes profile counters.
public enum Opcode: UInt8, Sendable, CaseIterable {
    case lui, auipc, jal, jalr
    case beq, bne, blt, bge, bltu, bgeu
    case lb, lh, lw, lbu, lhu, sb, sh, sw
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    case fence, ecall, ebreak
    /// Not an RV32IM instruction: executing it is an error.
    case illegal
    /// Sentinel after the last instruction: falling off the end of the code.
    case end

    /// Coarse instruction class used in profiles.
    public var instructionClass: InstructionClass {
        switch self {
        case .lui, .auipc: .upperImmediate
        case .jal, .jalr: .jump
        case .beq, .bne, .blt, .bge, .bltu, .bgeu: .branch
        case .lb, .lh, .lw, .lbu, .lhu: .load
        case .sb, .sh, .sw: .store
        case .addi, .slti, .sltiu, .xori, .ori, .andi, .add, .sub, .slt, .sltu, .xor, .or, .and: .alu
        case .slli, .srli, .srai, .sll, .srl, .sra: .shift
        case .mul, .mulh, .mulhsu, .mulhu: .multiply
        case .div, .divu, .rem, .remu: .divide
        case .fence, .ecall, .ebreak, .illegal, .end: .system
        }
    }
}

/// Instruction classes reported by profiles (they map to the future ALU / memory / branch tables).
public enum InstructionClass: String, Sendable, CaseIterable {
    case alu, shift, multiply, divide, load, store, branch, jump, upperImmediate, system
}

/// A pre-decoded instruction: 8 bytes, laid out for the interpreter loop.
///
/// `rd` is 32 (a sink register) when the instruction names x0, so writes never touch x0.
/// For `jal` and branches `imm` is the index of the target instruction in the code array
/// (or `UInt32.max` when the target is outside the code or misaligned); for `auipc` it is
/// the final value `pc + imm`; otherwise it is the sign-extended immediate.
@frozen
public struct DecodedInstruction: Sendable, Equatable {
    public var op: Opcode
    public var rd: UInt8
    public var rs1: UInt8
    public var rs2: UInt8
    public var imm: UInt32

    @inlinable
    public init(op: Opcode, rd: UInt8, rs1: UInt8, rs2: UInt8, imm: UInt32) {
        self.op = op
        self.rd = rd
        self.rs1 = rs1
        self.rs2 = rs2
        self.imm = imm
    }
}

/// The fields of one 32-bit RISC-V instruction word.
public struct RawInstruction: Sendable, Equatable {
    public var op: Opcode
    public var rd: UInt32
    public var rs1: UInt32
    public var rs2: UInt32
    /// Sign-extended immediate (pc-relative offset for branches, jal and auipc; shifted for lui).
    public var imm: UInt32

    /// Decodes `word`; unknown encodings give `.illegal`.
    public init(word w: UInt32) {
        let opcode = w & 0x7f
        let f3 = (w >> 12) & 7
        let f7 = w >> 25
        rd = (w >> 7) & 31
        rs1 = (w >> 15) & 31
        rs2 = (w >> 20) & 31
        let sw = Int32(bitPattern: w)
        let immI = UInt32(bitPattern: sw >> 20)
        let immS = UInt32(bitPattern: (sw >> 25) << 5) | ((w >> 7) & 31)
        let immB =
            UInt32(bitPattern: (sw >> 31) << 12) | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5
            | ((w >> 8) & 0xf) << 1
        let immU = w & 0xFFFF_F000
        let immJ =
            UInt32(bitPattern: (sw >> 31) << 20) | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11
            | ((w >> 21) & 0x3ff) << 1
        imm = 0
        op = .illegal
        switch opcode {
        case 0x37:
            op = .lui
            imm = immU
        case 0x17:
            op = .auipc
            imm = immU
        case 0x6f:
            op = .jal
            imm = immJ
        case 0x67:
            if f3 == 0 {
                op = .jalr
                imm = immI
            }
        case 0x63:
            imm = immB
            switch f3 {
            case 0: op = .beq
            case 1: op = .bne
            case 4: op = .blt
            case 5: op = .bge
            case 6: op = .bltu
            case 7: op = .bgeu
            default: break
            }
        case 0x03:
            imm = immI
            switch f3 {
            case 0: op = .lb
            case 1: op = .lh
            case 2: op = .lw
            case 4: op = .lbu
            case 5: op = .lhu
            default: break
            }
        case 0x23:
            imm = immS
            switch f3 {
            case 0: op = .sb
            case 1: op = .sh
            case 2: op = .sw
            default: break
            }
        case 0x13:
            imm = immI
            switch f3 {
            case 0: op = .addi
            case 2: op = .slti
            case 3: op = .sltiu
            case 4: op = .xori
            case 6: op = .ori
            case 7: op = .andi
            case 1:
                if f7 == 0 {
                    op = .slli
                    imm = rs2
                }
            case 5:
                if f7 == 0 {
                    op = .srli
                    imm = rs2
                } else if f7 == 0x20 {
                    op = .srai
                    imm = rs2
                }
            default: break
            }
        case 0x33:
            switch (f7, f3) {
            case (0, 0): op = .add
            case (0x20, 0): op = .sub
            case (0, 1): op = .sll
            case (0, 2): op = .slt
            case (0, 3): op = .sltu
            case (0, 4): op = .xor
            case (0, 5): op = .srl
            case (0x20, 5): op = .sra
            case (0, 6): op = .or
            case (0, 7): op = .and
            case (1, 0): op = .mul
            case (1, 1): op = .mulh
            case (1, 2): op = .mulhsu
            case (1, 3): op = .mulhu
            case (1, 4): op = .div
            case (1, 5): op = .divu
            case (1, 6): op = .rem
            case (1, 7): op = .remu
            default: break
            }
        case 0x0f: if f3 == 0 || f3 == 1 { op = .fence }  // fence, fence.i: no-ops here
        case 0x73:
            if w == 0x0000_0073 {
                op = .ecall
            } else if w == 0x0010_0073 {
                op = .ebreak
            }
        default: break
        }
    }

    /// Which registers the instruction reads and whether it writes `rd` (the accesses the prover checks).
    public var reads: (rs1: Bool, rs2: Bool) {
        switch op {
        case .lui, .auipc, .jal, .fence, .ebreak, .illegal, .end: (false, false)
        case .jalr, .lb, .lh, .lw, .lbu, .lhu, .addi, .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai:
            (true, false)
        default: (true, true)
        }
    }
}

/// Pure RV32IM arithmetic, shared by every execution mode.
public enum ALU {
    /// Result of a register-register or register-immediate operation.
    @inline(__always) @inlinable
    public static func compute(_ op: Opcode, _ a: UInt32, _ b: UInt32) -> UInt32 {
        switch op {
        case .add, .addi: return a &+ b
        case .sub: return a &- b
        case .xor, .xori: return a ^ b
        case .or, .ori: return a | b
        case .and, .andi: return a & b
        case .sll, .slli: return a &<< (b & 31)
        case .srl, .srli: return a &>> (b & 31)
        case .sra, .srai: return UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(b & 31))
        case .slt, .slti: return Int32(bitPattern: a) < Int32(bitPattern: b) ? 1 : 0
        case .sltu, .sltiu: return a < b ? 1 : 0
        case .mul: return a &* b
        case .mulh:
            return UInt32(
                truncatingIfNeeded: (Int64(Int32(bitPattern: a)) &* Int64(Int32(bitPattern: b))) >> 32
            )
        case .mulhsu:
            return UInt32(truncatingIfNeeded: (Int64(Int32(bitPattern: a)) &* Int64(b)) >> 32)
        case .mulhu: return UInt32(truncatingIfNeeded: (UInt64(a) &* UInt64(b)) >> 32)
        case .div:
            if b == 0 { return 0xFFFF_FFFF }
            if a == 0x8000_0000 && b == 0xFFFF_FFFF { return a }
            return UInt32(bitPattern: Int32(bitPattern: a) / Int32(bitPattern: b))
        case .divu: return b == 0 ? 0xFFFF_FFFF : a / b
        case .rem:
            if b == 0 { return a }
            if a == 0x8000_0000 && b == 0xFFFF_FFFF { return 0 }
            return UInt32(bitPattern: Int32(bitPattern: a) % Int32(bitPattern: b))
        case .remu: return b == 0 ? a : a % b
        default: return 0
        }
    }

    /// Whether a branch is taken.
    @inline(__always) @inlinable
    public static func branch(_ op: Opcode, _ a: UInt32, _ b: UInt32) -> Bool {
        switch op {
        case .beq: a == b
        case .bne: a != b
        case .blt: Int32(bitPattern: a) < Int32(bitPattern: b)
        case .bge: Int32(bitPattern: a) >= Int32(bitPattern: b)
        case .bltu: a < b
        default: a >= b
        }
    }
}
