/// One loadable segment of a program.
public struct Segment: Sendable, Equatable {
    /// Virtual address of the first byte.
    public var address: UInt32
    /// Bytes stored in the file (the rest up to `memorySize` is zero).
    public var data: [UInt8]
    /// Size in memory (`p_memsz`).
    public var memorySize: UInt32
    /// Readable / writable / executable flags (`p_flags`: X = 1, W = 2, R = 4).
    public var flags: UInt32

    /// Whether the segment holds code.
    public var isExecutable: Bool { flags & 1 != 0 }

    public init(address: UInt32, data: [UInt8], memorySize: UInt32, flags: UInt32) {
        self.address = address
        self.data = data
        self.memorySize = memorySize
        self.flags = flags
    }
}

/// A static RV32 program: its loadable segments and entry point.
public struct Program: Sendable, Equatable {
    /// Address of the first instruction executed.
    public var entry: UInt32
    /// PT_LOAD segments in file order.
    public var segments: [Segment]

    public init(entry: UInt32, segments: [Segment]) {
        self.entry = entry
        self.segments = segments
    }

    /// The lowest and one-past-highest address covered by executable segments.
    public var codeRange: Range<UInt32> {
        var lo = UInt32.max
        var hi: UInt32 = 0
        for s in segments where s.isExecutable {
            lo = min(lo, s.address)
            hi = max(hi, s.address &+ s.memorySize)
        }
        return lo < hi ? lo..<hi : 0..<0
    }
}

/// Parses static little-endian ELF32 RISC-V executables.
public enum ELFLoader {
    /// Lowest address a segment may occupy (page 0 stays unmapped to catch null pointers).
    public static var lowestAddress: UInt32 { 0x1000 }

    /// Parses `bytes` into a ``Program``, refusing anything but a well-formed static RV32 executable.
    /// - Parameter maxImageBytes: the largest total `p_memsz` accepted.
    public static func load(_ bytes: [UInt8], maxImageBytes: UInt64 = 1 << 30) throws(ELFError) -> Program {
        func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        guard bytes.count >= 4 else { throw .truncated(what: "the identification bytes") }
        guard bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else { throw .badMagic }
        guard bytes.count >= 52 else { throw .truncated(what: "the ELF header") }
        guard bytes[4] == 1 else { throw .notELF32 }
        guard bytes[5] == 1 else { throw .notLittleEndian }
        guard bytes[6] == 1, u32(20) == 1 else { throw .badVersion }
        let type = u16(16)
        guard type == 2 else { throw .notExecutable(type: type) }
        let machine = u16(18)
        guard machine == 243 else { throw .notRISCV(machine: machine) }
        if u32(36) & 1 != 0 { throw .compressedInstructions }
        let entry = u32(24)
        let phoff = Int(u32(28))
        let phentsize = Int(u16(42))
        let phnum = Int(u16(44))
        guard phnum > 0 else { throw .badProgramHeaderTable(reason: "no program headers") }
        guard phentsize >= 32 else { throw .badProgramHeaderTable(reason: "entry size \(phentsize) < 32") }
        guard phoff <= bytes.count, phnum * phentsize <= bytes.count - phoff else {
            throw .truncated(what: "the program header table")
        }
        var segments: [Segment] = []
        var total: UInt64 = 0
        for i in 0..<phnum {
            let o = phoff + i * phentsize
            guard u32(o) == 1 else { continue }  // PT_LOAD only
            let offset = UInt64(u32(o + 4))
            let vaddr = u32(o + 8)
            let filesz = UInt64(u32(o + 16))
            let memsz = UInt64(u32(o + 20))
            let flags = u32(o + 24)
            guard filesz <= memsz else { throw .segmentFileSizeExceedsMemorySize(index: i) }
            guard offset + filesz <= UInt64(bytes.count) else { throw .segmentOutsideFile(index: i) }
            if memsz == 0 { continue }
            guard vaddr >= lowestAddress, UInt64(vaddr) + memsz <= UInt64(Memory.addressLimit) else {
                throw .segmentOutsideAddressSpace(index: i, address: vaddr, size: UInt32(memsz))
            }
            total += memsz
            guard total <= maxImageBytes else { throw .imageTooLarge(bytes: total) }
            if flags & 1 != 0, vaddr & 3 != 0 { throw .misalignedCode(address: vaddr) }
            segments.append(
                Segment(
                    address: vaddr,
                    data: Array(bytes[Int(offset)..<Int(offset + filesz)]),
                    memorySize: UInt32(memsz),
                    flags: flags
                )
            )
        }
        for a in 0..<segments.count {
            for b in (a + 1)..<segments.count {
                let x = segments[a]
                let y = segments[b]
                if x.address < y.address &+ y.memorySize && y.address < x.address &+ x.memorySize {
                    throw .overlappingSegments(first: a, second: b)
                }
            }
        }
        let program = Program(entry: entry, segments: segments)
        guard segments.contains(where: { $0.isExecutable }) else { throw .noCodeSegment }
        let code = program.codeRange
        guard entry & 3 == 0, code.contains(entry) else { throw .badEntryPoint(entry) }
        return program
    }
}
