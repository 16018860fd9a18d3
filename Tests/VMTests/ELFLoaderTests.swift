import Testing
import VM
import VMTestSupport

/// Malformed or unsupported ELF files are refused with a typed error naming the cause.
struct ELFLoaderTests {
    let valid = ELFBuilder.build(TestProgram.program(RV.exit(3), data: [1, 2, 3]))

    func patched(_ edits: [(Int, [UInt8])]) -> [UInt8] {
        var b = valid
        for (o, bytes) in edits { for (k, v) in bytes.enumerated() { b[o + k] = v } }
        return b
    }

    func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    @Test func validFileRoundTrips() throws {
        let p = try ELFLoader.load(valid)
        #expect(p == TestProgram.program(RV.exit(3), data: [1, 2, 3]))
        let m = try Machine(program: p)
        #expect(try m.run() == 3)
    }

    @Test func refusesMalformedFiles() {
        let phdr0 = 52
        let phdr1 = 52 + 32
        let cases: [([UInt8], ELFError)] = [
            ([], .truncated(what: "the identification bytes")),
            (Array(valid[0..<40]), .truncated(what: "the ELF header")),
            (patched([(0, [0x7f, 0x45, 0x4c, 0x47])]), .badMagic),
            (patched([(4, [2])]), .notELF32),
            (patched([(5, [2])]), .notLittleEndian),
            (patched([(18, [62, 0])]), .notRISCV(machine: 62)),
            (patched([(16, [3, 0])]), .notExecutable(type: 3)),
            (patched([(20, le32(2))]), .badVersion),
            (patched([(36, le32(1))]), .compressedInstructions),
            (patched([(44, [0, 0])]), .badProgramHeaderTable(reason: "no program headers")),
            (patched([(42, [16, 0])]), .badProgramHeaderTable(reason: "entry size 16 < 32")),
            (patched([(44, [0xff, 0xff])]), .truncated(what: "the program header table")),
            (patched([(phdr0 + 4, le32(0x7fff_0000))]), .segmentOutsideFile(index: 0)),
            (patched([(phdr1 + 16, le32(0x2_0000))]), .segmentFileSizeExceedsMemorySize(index: 1)),
            (patched([(phdr1 + 8, le32(0x10010))]), .overlappingSegments(first: 0, second: 1)),
            (
                patched([(phdr1 + 8, le32(0xFFFF_8000))]),
                .segmentOutsideAddressSpace(index: 1, address: 0xFFFF_8000, size: 0x10000)
            ),
            (patched([(phdr0 + 8, le32(0x0))]), .segmentOutsideAddressSpace(index: 0, address: 0, size: 20)),
            (patched([(phdr0 + 24, le32(4))]), .noCodeSegment),
            (patched([(24, le32(0x20000))]), .badEntryPoint(0x20000)),
            (patched([(24, le32(0x10002))]), .badEntryPoint(0x10002)),
            (patched([(phdr0 + 8, le32(0x10002))]), .misalignedCode(address: 0x10002)),
        ]
        for (bytes, expected) in cases {
            #expect(throws: expected) { try ELFLoader.load(bytes) }
        }
    }

    @Test func refusesImagesLargerThanMemory() {
        let big = patched([(52 + 32 + 20, le32(0x4000_0000))])
        #expect(throws: ELFError.imageTooLarge(bytes: 0x4000_0000 + 20)) {
            try ELFLoader.load(big, maxImageBytes: 1 << 29)
        }
        let p = try? ELFLoader.load(big, maxImageBytes: 1 << 31)
        #expect(throws: ELFError.imageTooLarge(bytes: 0x4000_0000 + 20)) {
            try Machine(program: p!, config: MachineConfig(maxMemoryPages: 1024))
        }
    }

    @Test func truncatedAndGarbageFilesNeverCrash() {
        var rng = SplitMix(state: 42)
        for n in stride(from: 0, to: valid.count, by: 7) {
            _ = try? ELFLoader.load(Array(valid[0..<n]))
        }
        for _ in 0..<200 {
            var b = valid
            for _ in 0..<4 { b[rng.below(min(b.count, 200))] = UInt8(truncatingIfNeeded: rng.next()) }
            if let p = try? ELFLoader.load(b), let m = try? Machine(program: p, config: .init(maxCycles: 1000)) {
                _ = try? m.run()
            }
        }
    }
}
