/// Writes minimal static ELF32 RISC-V executables (one PT_LOAD per segment); used by the
/// differential tests to wrap generated instruction streams, and handy for tooling.
public enum ELFBuilder {
    /// Encodes `program` as an ELF file that both this machine and `qemu-riscv32` run.
    public static func build(_ program: Program) -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        let phnum = program.segments.count
        let headerSize = 52 + 32 * phnum
        // Segment data starts page-aligned in the file with the same page offset as its address.
        var offsets: [UInt32] = []
        var cursor = UInt32((headerSize + 0xfff) & ~0xfff)
        for s in program.segments {
            let off = (cursor & ~0xfff) | (s.address & 0xfff)
            let aligned = off < cursor ? off + 0x1000 : off
            offsets.append(aligned)
            cursor = aligned + UInt32(s.data.count)
        }
        out += [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        u16(2)  // ET_EXEC
        u16(243)  // EM_RISCV
        u32(1)
        u32(program.entry)
        u32(52)  // phoff
        u32(0)  // shoff
        u32(0)  // flags: soft-float ABI, no RVC
        u16(52)
        u16(32)
        u16(UInt16(phnum))
        u16(40)
        u16(0)
        u16(0)
        for (i, s) in program.segments.enumerated() {
            u32(1)  // PT_LOAD
            u32(offsets[i])
            u32(s.address)
            u32(s.address)
            u32(UInt32(s.data.count))
            u32(s.memorySize)
            u32(s.flags)
            u32(0x1000)
        }
        for (i, s) in program.segments.enumerated() {
            out += [UInt8](repeating: 0, count: Int(offsets[i]) - out.count)
            out += s.data
        }
        return out
    }
}
