import EVMPrimitives

/// Per-fork opcode metadata packed in one word: static gas (bits 0–31), minimum stack
/// height (bits 32–47) and maximum stack height before the opcode runs (bits 48–63).
/// Opcodes undefined in a fork get an impossible minimum stack height, so the generic
/// stack check rejects them.
@usableFromInline
struct OpcodeTable {
    @usableFromInline let entries: UnsafeMutablePointer<UInt64>

    init(fork: Fork) {
        entries = .allocate(capacity: 256)
        entries.initialize(repeating: OpcodeTable.pack(gas: 0, min: 0x7fff, max: 0), count: 256)
        func set(_ op: Int, _ gas: UInt64, _ pops: Int, _ pushes: Int) {
            let growth = pushes - pops
            let maxBefore = growth > 0 ? 1024 - growth : 1024
            entries[op] = OpcodeTable.pack(gas: gas, min: pops, max: maxBefore)
        }
        let tw = fork >= .tangerineWhistle
        set(0x00, 0, 0, 0)
        for op in [0x01, 0x03] { set(op, 3, 2, 1) }
        for op in [0x02, 0x04, 0x05, 0x06, 0x07, 0x0b] { set(op, 5, 2, 1) }
        set(0x08, 8, 3, 1)
        set(0x09, 8, 3, 1)
        set(0x0a, 10, 2, 1)
        for op in [0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a] { set(op, 3, 2, 1) }
        set(0x15, 3, 1, 1)
        set(0x19, 3, 1, 1)
        if fork >= .constantinople { for op in [0x1b, 0x1c, 0x1d] { set(op, 3, 2, 1) } }
        if fork >= .osaka { set(0x1e, 5, 1, 1) }
        set(0x20, 30, 2, 1)
        set(0x30, 2, 0, 1)
        set(0x31, 0, 1, 1)
        for op in [0x32, 0x33, 0x34, 0x36, 0x38, 0x3a] { set(op, 2, 0, 1) }
        set(0x35, 3, 1, 1)
        set(0x37, 3, 3, 0)
        set(0x39, 3, 3, 0)
        set(0x3b, 0, 1, 1)
        set(0x3c, 0, 4, 0)
        if fork >= .byzantium {
            set(0x3d, 2, 0, 1)
            set(0x3e, 3, 3, 0)
        }
        if fork >= .constantinople { set(0x3f, 0, 1, 1) }
        set(0x40, 20, 1, 1)
        for op in 0x41...0x45 { set(op, 2, 0, 1) }
        if fork >= .istanbul {
            set(0x46, 2, 0, 1)
            set(0x47, 5, 0, 1)
        }
        if fork >= .london { set(0x48, 2, 0, 1) }
        if fork >= .cancun {
            set(0x49, 3, 1, 1)
            set(0x4a, 2, 0, 1)
        }
        set(0x50, 2, 1, 0)
        set(0x51, 3, 1, 1)
        set(0x52, 3, 2, 0)
        set(0x53, 3, 2, 0)
        set(0x54, 0, 1, 1)
        set(0x55, 0, 2, 0)
        set(0x56, 8, 1, 0)
        set(0x57, 10, 2, 0)
        set(0x58, 2, 0, 1)
        set(0x59, 2, 0, 1)
        set(0x5a, 2, 0, 1)
        set(0x5b, 1, 0, 0)
        if fork >= .cancun {
            set(0x5c, 100, 1, 1)
            set(0x5d, 100, 2, 0)
            set(0x5e, 3, 3, 0)
        }
        if fork >= .shanghai { set(0x5f, 2, 0, 1) }
        for op in 0x60...0x7f { set(op, 3, 0, 1) }
        for n in 1...16 { set(0x7f + n, 3, n, n + 1) }
        for n in 1...16 { set(0x8f + n, 3, n + 1, n + 1) }
        for n in 0...4 { set(0xa0 + n, 375, n + 2, 0) }
        set(0xf0, 32000, 3, 1)
        set(0xf1, 0, 7, 1)
        set(0xf2, 0, 7, 1)
        set(0xf3, 0, 2, 0)
        if fork >= .homestead { set(0xf4, 0, 6, 1) }
        if fork >= .constantinople { set(0xf5, 32000, 4, 1) }
        if fork >= .byzantium {
            set(0xfa, 0, 6, 1)
            set(0xfd, 0, 2, 0)
        }
        set(0xff, tw ? 5000 : 0, 1, 0)
    }

    @inline(__always)
    static func pack(gas: UInt64, min: Int, max: Int) -> UInt64 {
        gas | UInt64(min) << 32 | UInt64(max) << 48
    }

    func free() { entries.deallocate() }
}
