/// Why an ELF file was refused by ``ELFLoader``.
public enum ELFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is shorter than the structure being read.
    case truncated(what: String)
    /// The first four bytes are not `\x7fELF`.
    case badMagic
    /// Not a 32-bit ELF file (EI_CLASS).
    case notELF32
    /// Not little-endian (EI_DATA).
    case notLittleEndian
    /// e_machine is not RISC-V (243).
    case notRISCV(machine: UInt16)
    /// e_type is not ET_EXEC (static executables only).
    case notExecutable(type: UInt16)
    /// e_version or EI_VERSION is not 1.
    case badVersion
    /// The RVC (compressed) flag is set: the machine runs RV32IM only.
    case compressedInstructions
    /// The program header table is malformed (entry size, count).
    case badProgramHeaderTable(reason: String)
    /// A segment's file bytes lie outside the file.
    case segmentOutsideFile(index: Int)
    /// A segment's file size exceeds its memory size.
    case segmentFileSizeExceedsMemorySize(index: Int)
    /// A segment wraps around or lies outside the machine's address range.
    case segmentOutsideAddressSpace(index: Int, address: UInt32, size: UInt32)
    /// Two loadable segments overlap.
    case overlappingSegments(first: Int, second: Int)
    /// No executable PT_LOAD segment.
    case noCodeSegment
    /// The executable segments are misaligned (code must be 4-byte aligned).
    case misalignedCode(address: UInt32)
    /// The entry point is not inside the executable segments or not 4-byte aligned.
    case badEntryPoint(UInt32)
    /// The loaded image is larger than the machine's memory limit.
    case imageTooLarge(bytes: UInt64)

    public var description: String {
        switch self {
        case .truncated(let what): "malformed ELF: file too short for \(what)"
        case .badMagic: "malformed ELF: bad magic (not an ELF file)"
        case .notELF32: "unsupported ELF: not ELFCLASS32"
        case .notLittleEndian: "unsupported ELF: not little-endian"
        case .notRISCV(let m): "unsupported ELF: machine \(m) is not RISC-V (243)"
        case .notExecutable(let t): "unsupported ELF: type \(t) is not ET_EXEC (static executable)"
        case .badVersion: "malformed ELF: version is not 1"
        case .compressedInstructions: "unsupported ELF: uses compressed (RVC) instructions; rv32im only"
        case .badProgramHeaderTable(let r): "malformed ELF: program header table: \(r)"
        case .segmentOutsideFile(let i): "malformed ELF: segment \(i) lies outside the file"
        case .segmentFileSizeExceedsMemorySize(let i): "malformed ELF: segment \(i) has p_filesz > p_memsz"
        case .segmentOutsideAddressSpace(let i, let a, let s):
            "malformed ELF: segment \(i) at \(hex(a)) size \(s) lies outside the address space"
        case .overlappingSegments(let a, let b): "malformed ELF: segments \(a) and \(b) overlap"
        case .noCodeSegment: "malformed ELF: no executable PT_LOAD segment"
        case .misalignedCode(let a): "malformed ELF: executable segment at \(hex(a)) is not 4-byte aligned"
        case .badEntryPoint(let e): "malformed ELF: entry point \(hex(e)) is not an aligned address in code"
        case .imageTooLarge(let b): "ELF image of \(b) bytes exceeds the machine's memory limit"
        }
    }
}

/// Why execution stopped abnormally. Every case names the pc of the faulting instruction.
public enum VMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The word at `pc` is not an RV32IM instruction (or is a CSR / unsupported system instruction).
    case illegalInstruction(pc: UInt32, word: UInt32)
    /// A jump or branch at `pc` targets an address that is not 4-byte aligned.
    case misalignedJump(pc: UInt32, target: UInt32)
    /// Control reached `target`, which is outside the program's executable segments.
    case jumpOutsideCode(pc: UInt32, target: UInt32)
    /// A load or store at `pc` used an address not aligned to its width.
    case misalignedAccess(pc: UInt32, address: UInt32)
    /// A load or store at `pc` touched an address outside the machine's memory range.
    case accessOutOfRange(pc: UInt32, address: UInt32)
    /// A store at `pc` wrote into the program's code.
    case storeToCode(pc: UInt32, address: UInt32)
    /// The memory page limit was reached by an access at `pc`.
    case outOfMemory(pc: UInt32, address: UInt32)
    /// The cycle limit was reached; `pc` is the next instruction.
    case cycleLimitExceeded(pc: UInt32, cycles: UInt64)
    /// `ecall` at `pc` with a syscall number the ABI does not define.
    case unsupportedSyscall(pc: UInt32, number: UInt32)
    /// `ecall` at `pc` with arguments the syscall refuses.
    case badSyscallArgument(pc: UInt32, number: UInt32, reason: String)
    /// `ebreak` at `pc`.
    case breakpoint(pc: UInt32)

    /// The pc of the instruction that stopped the machine.
    public var pc: UInt32 {
        switch self {
        case .illegalInstruction(let pc, _), .misalignedJump(let pc, _), .jumpOutsideCode(let pc, _),
            .misalignedAccess(let pc, _), .accessOutOfRange(let pc, _), .storeToCode(let pc, _),
            .outOfMemory(let pc, _), .cycleLimitExceeded(let pc, _), .unsupportedSyscall(let pc, _),
            .badSyscallArgument(let pc, _, _), .breakpoint(let pc):
            pc
        }
    }

    public var description: String {
        switch self {
        case .illegalInstruction(let pc, let w): "pc \(hex(pc)): illegal instruction \(hex(w))"
        case .misalignedJump(let pc, let t): "pc \(hex(pc)): jump to misaligned address \(hex(t))"
        case .jumpOutsideCode(let pc, let t): "pc \(hex(pc)): jump to \(hex(t)), outside the program's code"
        case .misalignedAccess(let pc, let a): "pc \(hex(pc)): misaligned memory access at \(hex(a))"
        case .accessOutOfRange(let pc, let a): "pc \(hex(pc)): memory access at \(hex(a)) outside memory"
        case .storeToCode(let pc, let a): "pc \(hex(pc)): store to code at \(hex(a))"
        case .outOfMemory(let pc, let a): "pc \(hex(pc)): out of memory (page limit) touching \(hex(a))"
        case .cycleLimitExceeded(let pc, let c): "pc \(hex(pc)): cycle limit of \(c) cycles exceeded"
        case .unsupportedSyscall(let pc, let n): "pc \(hex(pc)): unsupported syscall \(n) (\(hex(n)))"
        case .badSyscallArgument(let pc, let n, let r): "pc \(hex(pc)): syscall \(hex(n)): \(r)"
        case .breakpoint(let pc): "pc \(hex(pc)): ebreak"
        }
    }
}

/// `0x`-prefixed, 8-digit hexadecimal.
package func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
