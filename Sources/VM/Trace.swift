#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the prover needs about one cycle (one row of the future CPU table), 52 bytes.
///
/// Timestamps are per shard: the cycle in row `i` has base `clk = 4 * (i + 1)`; it reads rs1
/// at `clk`, rs2 at `clk + 1`, accesses memory at `clk + 2` and writes rd at `clk + 3`. A
/// previous timestamp of 0 means the value comes from the shard's initial state. Which of the
/// four accesses happen follows from the instruction: rs1/rs2 as the format reads them
/// (for `ecall`: rs1 = a7, rs2 = a0), memory for loads and stores, rd for formats that
/// write a register other than x0 (for `ecall`: a0, the result). Fields of accesses the
/// instruction does not make are unspecified. Memory is accessed by aligned word: for byte
/// and halfword accesses `memoryAddress` is the word's address and the values whole words.
@frozen
public struct TraceRow: Sendable, Equatable {
    public var pc: UInt32
    public var instruction: UInt32
    public var rs1Value: UInt32
    public var rs1PrevTimestamp: UInt32
    public var rs2Value: UInt32
    public var rs2PrevTimestamp: UInt32
    public var rdValue: UInt32
    public var rdPrevValue: UInt32
    public var rdPrevTimestamp: UInt32
    public var memoryAddress: UInt32
    public var memoryValue: UInt32
    public var memoryPrevValue: UInt32
    public var memoryPrevTimestamp: UInt32

    /// The timestamp base of row `row`.
    @inlinable public static func clk(row: Int) -> UInt32 { UInt32(truncatingIfNeeded: row &+ 1) &<< 2 }
}

/// One memory word access made by a syscall (reads at `clk + 2`, writes at `clk + 3`).
public struct MemoryAccess: Sendable, Equatable {
    public var address: UInt32
    public var value: UInt32
    public var prevValue: UInt32
    public var prevTimestamp: UInt32
    public var timestamp: UInt32
}

/// A register read made by a syscall beyond a7 and a0 (a1, a2 at `clk + 2`).
public struct RegisterRead: Sendable, Equatable {
    public var register: UInt8
    public var value: UInt32
    public var prevTimestamp: UInt32
    public var timestamp: UInt32
}

/// One `ecall`: its own event, with the memory it read and wrote.
public struct SyscallEvent: Sendable, Equatable {
    /// Row of the `ecall` in the shard.
    public var row: Int
    /// The syscall number (a7).
    public var number: UInt32
    /// The value returned in a0 (nil for exit).
    public var result: UInt32?
    /// Extra argument registers read.
    public var registerReads: [RegisterRead]
    /// Word accesses in order.
    public var memory: [MemoryAccess]
}

/// A 4 KiB page of a shard's memory image.
public struct MemoryPage: Sendable, Equatable {
    /// Page index (address >> 12).
    public var index: UInt32
    /// The page's bytes.
    public var bytes: [UInt8]
    /// For final images: the timestamp of the last access to each word in the shard (0 = untouched).
    public var timestamps: [UInt32]
}

/// A slice of at most N cycles of an execution, provable on its own.
public struct Shard: Sendable {
    /// Position of the shard in the execution.
    public var index: Int
    /// Global cycle number of row 0.
    public var startCycle: UInt64
    /// pc and registers x0..x31 when the shard starts.
    public var startPC: UInt32
    public var startRegisters: [UInt32]
    /// One row per cycle.
    public var rows: TraceRows
    /// Syscalls in order.
    public var syscalls: [SyscallEvent]
    /// Every page the shard touched, as it was when the shard started (order of first touch).
    public var initialPages: [MemoryPage]
    /// The same pages as they are when the shard ends, with the last access times.
    public var finalPages: [MemoryPage]
    /// pc, registers and their last write/read timestamps when the shard ends.
    public var endPC: UInt32
    public var endRegisters: [UInt32]
    public var endRegisterTimestamps: [UInt32]
    /// The exit code if the program halted in this shard.
    public var exitCode: Int32?
}

/// Per-shard bookkeeping of tracing mode: the row buffer and the last-access time of every
/// word and register touched in the current shard.
final class Tracer {
    let shardSize: Int
    var buffer: TraceRows
    var spare: TraceRows?
    var rows: UnsafeMutablePointer<TraceRow> { buffer.base }
    let tsPages: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    let regTs: UnsafeMutablePointer<UInt32>
    var touched: [UInt32] = []
    var initial: [[UInt8]] = []
    var pool: [UnsafeMutablePointer<UInt32>] = []
    var events: [SyscallEvent] = []
    var event: SyscallEvent?
    var currentRow = 0
    var shardIndex = 0
    var startCycle: UInt64 = 0
    var startPC: UInt32 = 0
    var startRegisters: [UInt32] = []

    init(shardSize: Int) {
        self.shardSize = shardSize
        buffer = TraceRows(capacity: shardSize)
        tsPages = zeroedTable(Memory.pageCount, of: UnsafeMutablePointer<UInt32>?.self)
        regTs = .allocate(capacity: 40)
        regTs.initialize(repeating: 0, count: 40)
    }

    deinit {
        for p in touched { tsPages[Int(p)]?.deallocate() }
        for p in pool { p.deallocate() }
        free(tsPages)
        regTs.deallocate()
    }

    /// First access to a page in this shard: snapshot it and give it fresh timestamps.
    @inline(never)
    func firstTouch(_ index: Int, _ page: UnsafeMutableRawPointer) -> UnsafeMutablePointer<UInt32> {
        let ts = pool.popLast() ?? .allocate(capacity: 1024)
        ts.initialize(repeating: 0, count: 1024)
        tsPages[index] = ts
        touched.append(UInt32(index))
        initial.append(Array(UnsafeRawBufferPointer(start: page, count: Memory.pageSize)))
        return ts
    }

    func beginEvent(number: UInt32, clk: UInt32) {
        event = SyscallEvent(row: currentRow, number: number, result: nil, registerReads: [], memory: [])
    }

    func endEvent() {
        if let e = event { events.append(e) }
        event = nil
    }

    func setResult(_ r: UInt32?) { event?.result = r }

    func readRegister(_ r: Int, _ regs: UnsafeMutablePointer<UInt32>) -> UInt32 {
        let ts = TraceRow.clk(row: currentRow) &+ 2
        event?.registerReads.append(
            RegisterRead(register: UInt8(r), value: regs[r], prevTimestamp: regTs[r], timestamp: ts)
        )
        regTs[r] = ts
        return regs[r]
    }

    func recordSyscallAccess(
        _ address: UInt32,
        page: UnsafeMutableRawPointer,
        old: UInt32,
        new: UInt32,
        write: Bool,
        clk: UInt32
    ) {
        let index = Int(address >> Memory.pageShift)
        // The snapshot must show the value before this access.
        let ts: UnsafeMutablePointer<UInt32>
        if let t = tsPages[index] {
            ts = t
        } else {
            ts = firstTouch(index, page)
            if write {
                initial[initial.count - 1].withUnsafeMutableBytes {
                    $0.storeBytes(of: old, toByteOffset: Int(address & 0xffc), as: UInt32.self)
                }
            }
        }
        let w = Int(address & 0xfff) >> 2
        let stamp = TraceRow.clk(row: currentRow) &+ (write ? 3 : 2)
        event?.memory.append(
            MemoryAccess(address: address, value: new, prevValue: old, prevTimestamp: ts[w], timestamp: stamp)
        )
        ts[w] = stamp
    }

    /// Closes the current shard and hands it over; resets the per-shard state.
    func finishShard(machine m: Machine, rowCount: Int, exitCode: Int32?) -> Shard {
        var finalPages: [MemoryPage] = []
        var initialPages: [MemoryPage] = []
        finalPages.reserveCapacity(touched.count)
        for (k, p) in touched.enumerated() {
            let ts = tsPages[Int(p)]!
            finalPages.append(
                MemoryPage(
                    index: p,
                    bytes: m.memory.pageContents(p),
                    timestamps: Array(UnsafeBufferPointer(start: ts, count: 1024))
                )
            )
            initialPages.append(MemoryPage(index: p, bytes: initial[k], timestamps: []))
            tsPages[Int(p)] = nil
            pool.append(ts)
        }
        let shard = Shard(
            index: shardIndex,
            startCycle: startCycle,
            startPC: startPC,
            startRegisters: startRegisters,
            rows: buffer,
            syscalls: events,
            initialPages: initialPages,
            finalPages: finalPages,
            endPC: m.pc,
            endRegisters: m.registers,
            endRegisterTimestamps: (0..<32).map { regTs[$0] },
            exitCode: exitCode
        )
        buffer.count = rowCount
        touched.removeAll(keepingCapacity: true)
        initial.removeAll(keepingCapacity: true)
        events.removeAll()
        regTs.update(repeating: 0, count: 40)
        shardIndex += 1
        startCycle = m.cycles
        startPC = m.pc
        startRegisters = m.registers
        // Double buffering: the next shard writes into the buffer handed over one shard ago if
        // its consumer has dropped it (no new allocation, no page faults), else a fresh one.
        var next: TraceRows? = nil
        if var s = spare {
            spare = nil
            if isKnownUniquelyReferenced(&s) { next = s }
        }
        spare = buffer
        buffer = next ?? TraceRows(capacity: shardSize)
        buffer.count = 0
        return shard
    }
}

/// The rows of a shard: an immutable, random-access view of a buffer owned by the shard
/// (a class so that handing a shard over copies nothing).
public final class TraceRows: RandomAccessCollection, @unchecked Sendable {
    let base: UnsafeMutablePointer<TraceRow>
    let capacity: Int
    /// Rows in use.
    public internal(set) var count: Int = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(i: Int) -> TraceRow {
        precondition(i >= 0 && i < count, "row index out of range")
        return base[i]
    }

    /// The rows as a buffer (valid while this object lives).
    public var buffer: UnsafeBufferPointer<TraceRow> { UnsafeBufferPointer(start: base, count: count) }
}
