/// A function symbol of an ELF file.
public struct ELFSymbol: Sendable, Equatable {
    public var name: String
    public var address: UInt32
    public var size: UInt32
}

extension ELFLoader {
    /// The function symbols (STT_FUNC) of `bytes`' `.symtab`, sorted by address; empty when stripped
    /// or malformed (symbols only label profiles, they never affect execution).
    public static func functionSymbols(_ bytes: [UInt8]) -> [ELFSymbol] {
        func u16(_ o: Int) -> Int? { o >= 0 && o + 2 <= bytes.count ? Int(bytes[o]) | Int(bytes[o + 1]) << 8 : nil }
        func u32(_ o: Int) -> UInt32? {
            guard o >= 0, o + 4 <= bytes.count else { return nil }
            return UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3])
                << 24
        }
        guard bytes.count >= 52, let shoff = u32(32), let shentsize = u16(46), let shnum = u16(48), shentsize >= 40
        else { return [] }
        var out: [ELFSymbol] = []
        for i in 0..<shnum {
            let sh = Int(shoff) + i * shentsize
            guard let type = u32(sh + 4), type == 2,  // SHT_SYMTAB
                let off = u32(sh + 16), let size = u32(sh + 20), let link = u32(sh + 24), let entsize = u32(sh + 36),
                entsize >= 16, Int(link) < shnum
            else { continue }
            let strSh = Int(shoff) + Int(link) * shentsize
            guard let strOff = u32(strSh + 16), let strSize = u32(strSh + 20),
                Int(strOff) + Int(strSize) <= bytes.count, Int(off) + Int(size) <= bytes.count
            else { continue }
            for k in 0..<Int(size / entsize) {
                let e = Int(off) + k * Int(entsize)
                guard let nameOff = u32(e), let value = u32(e + 4), let symSize = u32(e + 8) else { continue }
                guard bytes[e + 12] & 0xf == 2, nameOff < strSize else { continue }  // STT_FUNC
                var end = Int(strOff) + Int(nameOff)
                let start = end
                while end < Int(strOff) + Int(strSize), bytes[end] != 0 { end += 1 }
                out.append(
                    ELFSymbol(
                        name: String(decoding: bytes[start..<end], as: UTF8.self),
                        address: value,
                        size: symSize
                    )
                )
            }
        }
        return out.sorted { $0.address < $1.address }
    }
}

extension Machine {
    /// Runs at full speed counting executions per instruction address; returns the exit code.
    /// ``instructionCounts()`` then gives the histogram.
    @discardableResult
    public func runWithPCProfile() throws(VMError) -> Int32 {
        if let code = exitCode { return code }
        if pcCounts == nil {
            let p = UnsafeMutablePointer<UInt64>.allocate(capacity: codeCount + 1)
            p.initialize(repeating: 0, count: codeCount + 1)
            pcCounts = p
        }
        try fastLoop(PCProfiled.self)
        return exitCode ?? 0
    }

    /// Executions per instruction address (only after ``runWithPCProfile()``).
    public func instructionCounts() -> [(pc: UInt32, count: UInt64)] {
        guard let p = pcCounts else { return [] }
        return (0..<codeCount).compactMap { p[$0] > 0 ? (pcOf($0), p[$0]) : nil }
    }

    /// Cycles per function symbol (unknown addresses under "?").
    public func cyclesBySymbol(_ symbols: [ELFSymbol]) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        var k = 0
        for (pc, n) in instructionCounts() {
            while k + 1 < symbols.count && symbols[k + 1].address <= pc { k += 1 }
            let name =
                (k < symbols.count && symbols[k].address <= pc && pc < symbols[k].address &+ max(symbols[k].size, 4))
                ? symbols[k].name : "?"
            out[name, default: 0] += n
        }
        return out
    }
}

extension Machine {
    /// The cycles between the guest's marks: each debug write that starts with `prefix` (e.g.
    /// `"phase:"`) opens a span named by the rest of its text, which runs until the next mark
    /// or the end of the run. The cycles before the first mark are named `before`.
    public func markedSpans(prefix: String, before: String = "start") -> [(name: String, cycles: UInt64)] {
        let p = Array(prefix.utf8)
        var marks: [(name: String, at: UInt64)] = [(before, 0)]
        for (i, w) in debugWrites.enumerated() {
            let end = i + 1 < debugWrites.count ? debugWrites[i + 1].offset : stderr.count
            let text = stderr[w.offset..<end]
            guard text.starts(with: p) else { continue }
            marks.append((String(decoding: text.dropFirst(p.count), as: UTF8.self), w.cycles))
        }
        return marks.enumerated().map { i, m in
            (m.name, (i + 1 < marks.count ? marks[i + 1].at : cycles) &- m.at)
        }
    }
}
