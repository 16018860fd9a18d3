/// The syscall ABI: `ecall` with the number in a7 (x17), arguments in a0..a2, result in a0.
///
/// Numbers below 0x1000 are Linux's (riscv32 generic table) with Linux's meaning, so the same
/// ELF also runs under `qemu-riscv32`; numbers from 0x1000 up are zkVM-only (Linux returns
/// -ENOSYS for them, which the guest SDK uses to fall back to plain Linux calls). The full
/// description lives in `Guests/ABI.md`.
public enum Syscall: UInt32, Sendable, CaseIterable {
    /// `read(fd = 0, buf, len)`: copies up to `len` bytes of private input; returns the count (0 at the end).
    case read = 63
    /// `write(fd = 1 | 2, buf, len)`: fd 1 is program output, fd 2 debug output; returns `len`.
    case write = 64
    /// `exit(code)`: halts with exit code a0.
    case exit = 93
    /// `exit_group(code)`: same as ``exit``.
    case exitGroup = 94
    /// `commit(buf, len)`: appends `len` bytes to the public output the proof attests to; returns 0.
    case commit = 0x1000
    /// `hint_read(buf, len)`: copies up to `len` bytes of host advice; returns the count.
    case hintRead = 0x1001
    /// `hint_len()`: returns the number of hint bytes not yet read.
    case hintLength = 0x1002
    /// `keccak_f(state)`: applies Keccak-f[1600] in place to the 25 little-endian 64-bit lanes at a0
    /// (200 bytes, 4-byte aligned); returns 0.
    case keccakF = 0x1010
    /// `secp256k1_add(p, q)`: p := p + q for affine points of 64 bytes each (x then y, 32-byte
    /// little-endian, 4-byte aligned, not overlapping); p.x must differ from q.x; returns 0.
    case secp256k1Add = 0x1011
    /// `secp256k1_double(p)`: p := 2p for an affine point (y ≠ 0); returns 0.
    case secp256k1Double = 0x1012
    /// `uint256_mulmod(x, y, m)`: x := x·y mod m for 256-bit little-endian numbers of 32 bytes
    /// each (4-byte aligned, pairwise disjoint; m ≠ 0); returns 0.
    case uint256MulMod = 0x1013
    /// `sha256_compress(state, block)`: state := the SHA-256 compression of the 8 native 32-bit
    /// words `H0…H7` at a0 with the 64-byte message block at a1 (the bytes as hashed; both
    /// 4-byte aligned, not overlapping); returns 0.
    case sha256Compress = 0x1014

    /// Whether the call is an accelerated operation with (or awaiting) its own proving table.
    public var isAccelerated: Bool { rawValue >= 0x1010 }
}

extension Machine {
    /// The largest buffer one read / write / commit / hint call may move.
    static var maxTransfer: UInt32 { 1 << 26 }

    /// Executes the `ecall` at `pc`. Returns the value for a0, or nil when the program halts.
    /// `clk` is the cycle's timestamp base while tracing.
    func syscall(pc: UInt32, clk: UInt32) throws(VMError) -> UInt32? {
        let number = regs[17]
        let a0 = regs[10]
        syscallCounts[number, default: 0] += 1
        guard let call = Syscall(rawValue: number) else { throw .unsupportedSyscall(pc: pc, number: number) }
        tracer?.beginEvent(number: number, clk: clk)
        defer { tracer?.endEvent() }
        func bad(_ reason: String) -> VMError { .badSyscallArgument(pc: pc, number: number, reason: reason) }
        func arg(_ i: Int) -> UInt32 { tracer?.readRegister(10 + i, regs) ?? regs[10 + i] }
        switch call {
        case .exit, .exitGroup:
            exitCode = Int32(bitPattern: a0)
            tracer?.setResult(nil)
            return nil
        case .read:
            let buf = arg(1)
            let len = arg(2)
            guard a0 == 0 else { throw bad("read from fd \(a0); only fd 0 (private input) is readable") }
            guard len <= Machine.maxTransfer else { throw bad("length \(len) too large") }
            let n = min(Int(len), input.count - inputPosition)
            try writeBytes(buf, input[inputPosition..<inputPosition + n], pc: pc, clk: clk)
            inputPosition += n
            tracer?.setResult(UInt32(n))
            return UInt32(n)
        case .write:
            let buf = arg(1)
            let len = arg(2)
            guard a0 == 1 || a0 == 2 else { throw bad("write to fd \(a0); only fd 1 and 2 are writable") }
            guard len <= Machine.maxTransfer else { throw bad("length \(len) too large") }
            let bytes = try readBytes(buf, len, pc: pc, clk: clk)
            if a0 == 1 {
                stdout += bytes
            } else {
                debugWrites.append((cycles, stderr.count))
                stderr += bytes
            }
            tracer?.setResult(len)
            return len
        case .commit:
            let len = arg(1)
            guard len <= Machine.maxTransfer else { throw bad("length \(len) too large") }
            publicOutput += try readBytes(a0, len, pc: pc, clk: clk)
            tracer?.setResult(0)
            return 0
        case .hintRead:
            let len = arg(1)
            guard len <= Machine.maxTransfer else { throw bad("length \(len) too large") }
            let n = min(Int(len), hints.count - hintPosition)
            try writeBytes(a0, hints[hintPosition..<hintPosition + n], pc: pc, clk: clk)
            hintPosition += n
            tracer?.setResult(UInt32(n))
            return UInt32(n)
        case .hintLength:
            let n = UInt32(hints.count - hintPosition)
            tracer?.setResult(n)
            return n
        case .keccakF:
            guard a0 & 3 == 0 else { throw bad("state pointer \(hex(a0)) not 4-byte aligned") }
            var words = try readWords(a0, 50, pc: pc, clk: clk)
            Accelerators.keccakF(&words)
            try writeWords(a0, words, pc: pc, clk: clk)
            tracer?.setResult(0)
            return 0
        case .secp256k1Add, .secp256k1Double:
            let isAdd = call == .secp256k1Add
            let q = isAdd ? arg(1) : 0
            guard a0 & 3 == 0, q & 3 == 0 else { throw bad("point pointers must be 4-byte aligned") }
            if isAdd, a0 < q &+ 64, q < a0 &+ 64 { throw bad("points overlap") }
            let p = try readWords(a0, 16, pc: pc, clk: clk)
            let r =
                isAdd
                ? Accelerators.secp256k1Add(p, try readWords(q, 16, pc: pc, clk: clk))
                : Accelerators.secp256k1Double(p)
            guard let r else { throw bad(isAdd ? "add of points with equal x" : "double of a point with y = 0") }
            try writeWords(a0, r, pc: pc, clk: clk)
            tracer?.setResult(0)
            return 0
        case .uint256MulMod:
            let y = arg(1)
            let m = arg(2)
            guard a0 & 3 == 0, y & 3 == 0, m & 3 == 0 else { throw bad("operand pointers must be 4-byte aligned") }
            func overlap(_ p: UInt32, _ q: UInt32) -> Bool { UInt64(p) < UInt64(q) + 32 && UInt64(q) < UInt64(p) + 32 }
            if overlap(a0, y) || overlap(a0, m) || overlap(y, m) { throw bad("operands overlap") }
            let x = try readWords(a0, 8, pc: pc, clk: clk)
            let yw = try readWords(y, 8, pc: pc, clk: clk)
            let mw = try readWords(m, 8, pc: pc, clk: clk)
            guard let r = Accelerators.uint256MulMod(x, yw, mw) else { throw bad("modulus is zero") }
            try writeWords(a0, r, pc: pc, clk: clk)
            tracer?.setResult(0)
            return 0
        case .sha256Compress:
            let block = arg(1)
            guard a0 & 3 == 0, block & 3 == 0 else { throw bad("state and block pointers must be 4-byte aligned") }
            if UInt64(a0) < UInt64(block) + 64, UInt64(block) < UInt64(a0) + 32 { throw bad("state and block overlap") }
            let state = try readWords(a0, 8, pc: pc, clk: clk)
            let words = try readWords(block, 16, pc: pc, clk: clk)
            try writeWords(a0, Accelerators.sha256Compress(state, words), pc: pc, clk: clk)
            tracer?.setResult(0)
            return 0
        }
    }

    /// One word access from a syscall: returns the old value, stores `modify(old)` when writing.
    func syscallAccess(
        _ address: UInt32,
        write: Bool,
        pc: UInt32,
        clk: UInt32,
        _ modify: (UInt32) -> UInt32
    )
        throws(VMError) -> UInt32
    {
        let page = try pageOrThrow(address, write: write, pc: pc)
        let off = Int(address & 0xffc)
        let old = page.load(fromByteOffset: off, as: UInt32.self)
        let new = write ? modify(old) : old
        if write { page.storeBytes(of: new, toByteOffset: off, as: UInt32.self) }
        tracer?.recordSyscallAccess(address & ~3, page: page, old: old, new: new, write: write, clk: clk)
        return old
    }

    func checkRange(_ address: UInt32, _ length: UInt32, pc: UInt32) throws(VMError) {
        if UInt64(address) + UInt64(length) > UInt64(Memory.addressLimit) {
            throw .accessOutOfRange(pc: pc, address: address)
        }
    }

    func readWords(_ address: UInt32, _ n: Int, pc: UInt32, clk: UInt32) throws(VMError) -> [UInt32] {
        try checkRange(address, UInt32(4 * n), pc: pc)
        var out = [UInt32](repeating: 0, count: n)
        for i in 0..<n { out[i] = try syscallAccess(address &+ UInt32(4 * i), write: false, pc: pc, clk: clk) { $0 } }
        return out
    }

    func writeWords(_ address: UInt32, _ words: [UInt32], pc: UInt32, clk: UInt32) throws(VMError) {
        try checkRange(address, UInt32(4 * words.count), pc: pc)
        for (i, w) in words.enumerated() {
            _ = try syscallAccess(address &+ UInt32(4 * i), write: true, pc: pc, clk: clk) { _ in w }
        }
    }

    func readBytes(_ address: UInt32, _ length: UInt32, pc: UInt32, clk: UInt32) throws(VMError) -> [UInt8] {
        guard length > 0 else { return [] }
        try checkRange(address, length, pc: pc)
        var out: [UInt8] = []
        out.reserveCapacity(Int(length))
        let end = address &+ length
        var w = address & ~3
        while w < end {
            let v = try syscallAccess(w, write: false, pc: pc, clk: clk) { $0 }
            for k in 0..<UInt32(4) where w &+ k >= address && w &+ k < end {
                out.append(UInt8(truncatingIfNeeded: v >> (8 * k)))
            }
            w &+= 4
        }
        return out
    }

    func writeBytes(_ address: UInt32, _ bytes: ArraySlice<UInt8>, pc: UInt32, clk: UInt32) throws(VMError) {
        guard !bytes.isEmpty else { return }
        let length = UInt32(bytes.count)
        try checkRange(address, length, pc: pc)
        let end = address &+ length
        let first = bytes.startIndex
        var w = address & ~3
        while w < end {
            _ = try syscallAccess(w, write: true, pc: pc, clk: clk) { old in
                var v = old
                for k in 0..<UInt32(4) where w &+ k >= address && w &+ k < end {
                    let b = UInt32(bytes[first + Int(w &+ k &- address)])
                    v = (v & ~(0xff << (8 * k))) | b << (8 * k)
                }
                return v
            }
            w &+= 4
        }
    }
}
