import EVM
import EVMPrimitives
import Foundation
import Keccak
import Precompiles
import TestSupport

/// Runs the precompile vectors embedded in execution-spec-tests state tests.
///
/// The state tests drive each precompile from a small wrapper contract (copy calldata, CALL the
/// precompile, store the success flag, the return data size, words of the output or the gas it
/// used). This harness interprets just those wrapper contracts — a few dozen opcodes, with exact gas
/// for them — calling `Precompiles.run` for the precompile, and compares every storage slot it writes
/// with the fixture's post-state. Vectors whose contract does anything else (calls a non-precompile,
/// transfers value, unknown opcodes) are skipped and counted. Values that depend on things the
/// harness does not model (balances, addresses, the gas left after an SSTORE) are tracked as
/// "unknown" and never compared.
enum PrecompileFixtureHarness {
    struct Word: Hashable {
        var bytes: [UInt8]  // 32, big-endian
        static let zero = Word(bytes: [UInt8](repeating: 0, count: 32))
        init(bytes: [UInt8]) {
            precondition(bytes.count == 32)
            self.bytes = bytes
        }
        init(_ v: UInt64) {
            var b = [UInt8](repeating: 0, count: 32)
            for i in 0..<8 { b[31 - i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
            self.bytes = b
        }
        init(hex: String) {
            let raw = PrecompileFixtureHarness.bytes(hex)
            self.bytes = [UInt8](repeating: 0, count: max(0, 32 - raw.count)) + raw.suffix(32)
        }
        /// The value if it fits in 63 bits, else nil.
        var small: Int? {
            for i in 0..<24 where bytes[i] != 0 { return nil }
            var v: UInt64 = 0
            for i in 24..<32 { v = (v << 8) | UInt64(bytes[i]) }
            return v > UInt64(Int.max) ? nil : Int(v)
        }
        var u64Saturating: UInt64 {
            for i in 0..<24 where bytes[i] != 0 { return UInt64.max }
            var v: UInt64 = 0
            for i in 24..<32 { v = (v << 8) | UInt64(bytes[i]) }
            return v
        }
        static func + (a: Word, b: Word) -> Word {
            var r = [UInt8](repeating: 0, count: 32)
            var c = 0
            for i in stride(from: 31, through: 0, by: -1) {
                let s = Int(a.bytes[i]) + Int(b.bytes[i]) + c
                r[i] = UInt8(s & 0xff)
                c = s >> 8
            }
            return Word(bytes: r)
        }
        static func - (a: Word, b: Word) -> Word {
            var r = [UInt8](repeating: 0, count: 32)
            var c = 0
            for i in stride(from: 31, through: 0, by: -1) {
                var s = Int(a.bytes[i]) - Int(b.bytes[i]) - c
                c = 0
                if s < 0 {
                    s += 256
                    c = 1
                }
                r[i] = UInt8(s)
            }
            return Word(bytes: r)
        }
        var isZero: Bool { bytes.allSatisfy { $0 == 0 } }
    }

    /// A stack value: known, or unknown to the harness.
    struct Value {
        var word: Word
        var known: Bool
    }

    enum Outcome {
        case skipped(String)
        case checked(mismatches: [String], precompileCalls: Int)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var s = Substring(hex)
        if s.hasPrefix("0x") { s = s.dropFirst(2) }
        var out = [UInt8]()
        out.reserveCapacity(s.count / 2)
        var it = s.utf8.makeIterator()
        func nib(_ c: UInt8) -> UInt8 {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return 0
            }
        }
        while let h = it.next(), let l = it.next() { out.append(nib(h) << 4 | nib(l)) }
        return out
    }

    static func precompileID(_ w: Word) -> Int? {
        guard let v = w.small, v >= 1, v <= 0x100 else { return nil }
        return v
    }

    struct Frame {
        var code: [UInt8]
        var calldata: [UInt8]
        var fork: Fork
        var gas: Int64
        var gasReliable = true
        var stack: [Value] = []
        var memory: [UInt8] = []
        var memoryKnown: [Bool] = []
        var returnData: [UInt8] = []
        var returnDataKnown = true
        var storage: [Word: Value] = [:]  // writes
        var original: [Word: Word]
        var warmSlots: Set<Word> = []
        var createdCodes: [[UInt8]] = []
        var precompileCalls = 0
        var callValue: Word
    }

    enum Halt {
        case stop(output: [UInt8])
        case revert
        case outOfGas
        case unsupported(String)
    }

    static func memoryCost(_ words: Int64) -> Int64 { 3 * words + words * words / 512 }

    /// Expands memory to cover [offset, offset+size), charging gas; false when out of gas / absurd.
    static func expand(_ f: inout Frame, _ offset: Int, _ size: Int) -> Bool {
        if size == 0 { return true }
        let end = offset + size
        guard end <= 1 << 26 else { return false }
        let oldWords = Int64((f.memory.count + 31) / 32)
        let newWords = Int64((end + 31) / 32)
        if newWords > oldWords {
            f.gas -= memoryCost(newWords) - memoryCost(oldWords)
            let n = Int(newWords) * 32 - f.memory.count
            f.memory += [UInt8](repeating: 0, count: n)
            f.memoryKnown += [Bool](repeating: true, count: n)
        }
        return f.gas >= 0
    }

    static func run(_ f: inout Frame) -> Halt {
        var pc = 0
        let code = f.code
        func pop() -> Value? { f.stack.popLast() }
        while pc < code.count {
            let op = code[pc]
            pc += 1
            switch op {
            case Opcode.STOP: return .stop(output: [])
            case Opcode.ADD, Opcode.SUB:
                guard let a = pop(), let b = pop() else { return .unsupported("stack") }
                f.gas -= 3
                f.stack.append(
                    Value(word: op == Opcode.ADD ? a.word + b.word : a.word - b.word, known: a.known && b.known)
                )
            case Opcode.KECCAK256:
                guard let o = pop(), let s = pop(), o.known, s.known, let off = o.word.small, let size = s.word.small
                else {
                    return .unsupported("keccak args")
                }
                f.gas -= 30 + 6 * Int64((size + 31) / 32)
                guard expand(&f, off, size) else { return .outOfGas }
                // The digest itself is not modelled (no Keccak dependency here): unknown.
                f.stack.append(Value(word: .zero, known: false))
            case Opcode.BALANCE, Opcode.ORIGIN, Opcode.CALLER, Opcode.GASPRICE, Opcode.EXTCODESIZE, Opcode.NUMBER,
                Opcode.SELFBALANCE, Opcode.BLOBHASH:
                // Results not modelled: unknown.
                let cost: Int64 =
                    [Opcode.BALANCE: 100, Opcode.EXTCODESIZE: 100, Opcode.SELFBALANCE: 5, Opcode.BLOBHASH: 3][op] ?? 2
                if op == Opcode.BALANCE || op == Opcode.EXTCODESIZE || op == Opcode.BLOBHASH { _ = pop() }
                f.gas -= cost
                f.gasReliable = f.gasReliable && op != Opcode.BALANCE && op != Opcode.EXTCODESIZE  // warm/cold unknown
                f.stack.append(Value(word: .zero, known: false))
            case Opcode.CALLVALUE:
                f.gas -= 2
                f.stack.append(Value(word: f.callValue, known: true))
            case Opcode.CALLDATALOAD:
                guard let o = pop() else { return .unsupported("stack") }
                f.gas -= 3
                var w = [UInt8](repeating: 0, count: 32)
                if let off = o.word.small {
                    for i in 0..<32 where off + i < f.calldata.count { w[i] = f.calldata[off + i] }
                }
                f.stack.append(Value(word: Word(bytes: w), known: o.known))
            case Opcode.CALLDATASIZE:
                f.gas -= 2
                f.stack.append(Value(word: Word(UInt64(f.calldata.count)), known: true))
            case Opcode.CALLDATACOPY, Opcode.CODECOPY, Opcode.RETURNDATACOPY:
                guard let d = pop(), let s = pop(), let n = pop(), d.known, s.known, n.known,
                    let dst = d.word.small, let size = n.word.small
                else { return .unsupported("copy args") }
                f.gas -= 3 + 3 * Int64((size + 31) / 32)
                let src: [UInt8] =
                    op == Opcode.CALLDATACOPY ? f.calldata : op == Opcode.CODECOPY ? f.code : f.returnData
                let srcOff = s.word.small ?? Int.max
                // Reading past the return data is an exceptional halt.
                if op == Opcode.RETURNDATACOPY && (srcOff == Int.max || srcOff + size > src.count) { return .revert }
                guard expand(&f, dst, size) else { return .outOfGas }
                let known = op != Opcode.RETURNDATACOPY || f.returnDataKnown
                for i in 0..<size {
                    f.memory[dst + i] = srcOff < src.count && srcOff + i < src.count ? src[srcOff + i] : 0
                    f.memoryKnown[dst + i] = known
                }
            case Opcode.CODESIZE:
                f.gas -= 2
                f.stack.append(Value(word: Word(UInt64(code.count)), known: true))
            case Opcode.RETURNDATASIZE:
                f.gas -= 2
                f.stack.append(Value(word: Word(UInt64(f.returnData.count)), known: true))
            case Opcode.POP:
                guard pop() != nil else { return .unsupported("stack") }
                f.gas -= 2
            case Opcode.MLOAD:
                guard let o = pop(), o.known, let off = o.word.small else { return .unsupported("mload") }
                f.gas -= 3
                guard expand(&f, off, 32) else { return .outOfGas }
                let known = f.memoryKnown[off..<off + 32].allSatisfy { $0 }
                f.stack.append(Value(word: Word(bytes: Array(f.memory[off..<off + 32])), known: known))
            case Opcode.MSTORE, Opcode.MSTORE8:
                guard let o = pop(), let v = pop(), o.known, let off = o.word.small else {
                    return .unsupported("mstore")
                }
                f.gas -= 3
                let n = op == Opcode.MSTORE ? 32 : 1
                guard expand(&f, off, n) else { return .outOfGas }
                for i in 0..<n {
                    f.memory[off + i] = op == Opcode.MSTORE ? v.word.bytes[i] : v.word.bytes[31]
                    f.memoryKnown[off + i] = v.known
                }
            case Opcode.SSTORE:
                guard let k = pop(), let v = pop(), k.known else { return .unsupported("sstore key") }
                if f.fork >= .istanbul && f.gas <= 2300 { return .outOfGas }
                let orig = f.original[k.word] ?? .zero
                let current = f.storage[k.word]?.word ?? orig
                var cost: Int64
                if f.fork >= .berlin {
                    cost = f.warmSlots.contains(k.word) ? 0 : 2100
                    f.warmSlots.insert(k.word)
                    if current == v.word {
                        cost += 100
                    } else if orig == current {
                        cost += orig.isZero ? 20000 : 2900
                    } else {
                        cost += 100
                    }
                } else if f.fork >= .istanbul {
                    if current == v.word {
                        cost = 800
                    } else if orig == current {
                        cost = orig.isZero ? 20000 : 5000
                    } else {
                        cost = 800
                    }
                } else {
                    cost = current.isZero && !v.word.isZero ? 20000 : 5000
                }
                f.gas -= cost
                if !v.known { f.gasReliable = false }
                if f.gas < 0 { return .outOfGas }
                f.storage[k.word] = v
            case Opcode.MSIZE:
                f.gas -= 2
                f.stack.append(Value(word: Word(UInt64(f.memory.count)), known: true))
            case Opcode.GAS:
                f.gas -= 2
                f.stack.append(Value(word: Word(UInt64(max(0, f.gas))), known: f.gasReliable))
            case Opcode.JUMPDEST: f.gas -= 1
            case Opcode.PUSH0:
                f.gas -= 2
                f.stack.append(Value(word: .zero, known: true))
            case Opcode.PUSH1...Opcode.PUSH32:
                let n = Int(op - Opcode.PUSH1) + 1
                var w = [UInt8](repeating: 0, count: 32)
                for i in 0..<n where pc + i < code.count { w[32 - n + i] = code[pc + i] }
                pc += n
                f.gas -= 3
                f.stack.append(Value(word: Word(bytes: w), known: true))
            case Opcode.DUP1...Opcode.DUP16:
                let i = Int(op - Opcode.DUP1) + 1
                guard f.stack.count >= i else { return .unsupported("stack") }
                f.gas -= 3
                f.stack.append(f.stack[f.stack.count - i])
            case Opcode.SWAP1...Opcode.SWAP16:
                let i = Int(op - Opcode.SWAP1) + 1
                guard f.stack.count > i else { return .unsupported("stack") }
                f.gas -= 3
                f.stack.swapAt(f.stack.count - 1, f.stack.count - 1 - i)
            case Opcode.CREATE, Opcode.CREATE2:
                guard let v = pop(), let o = pop(), let s = pop(), v.known, v.word.isZero, o.known, s.known,
                    let off = o.word.small, let size = s.word.small
                else { return .unsupported("create args") }
                if op == Opcode.CREATE2 { _ = pop() }
                guard expand(&f, off, size) else { return .outOfGas }
                guard f.memoryKnown[off..<off + size].allSatisfy({ $0 }) else {
                    return .unsupported("unknown initcode")
                }
                var child = Frame(
                    code: Array(f.memory[off..<off + size]),
                    calldata: [],
                    fork: f.fork,
                    gas: f.gas - f.gas / 64,
                    original: [:],
                    callValue: .zero
                )
                let halt = run(&child)
                f.gasReliable = false
                if case .stop(let out) = halt {
                    f.createdCodes.append(out)
                    f.stack.append(Value(word: .zero, known: false))
                } else {
                    return .unsupported("create failed")
                }
                f.returnData = []
            case Opcode.CALL, Opcode.CALLCODE, Opcode.DELEGATECALL, Opcode.STATICCALL:
                guard let g = pop(), let a = pop() else { return .unsupported("stack") }
                var value = Value(word: .zero, known: true)
                if op == Opcode.CALL || op == Opcode.CALLCODE {
                    guard let v = pop() else { return .unsupported("stack") }
                    value = v
                }
                guard let io = pop(), let isz = pop(), let oo = pop(), let osz = pop() else {
                    return .unsupported("stack")
                }
                guard a.known, io.known, isz.known, oo.known, osz.known, value.known, value.word.isZero else {
                    return .unsupported("call args")
                }
                guard let id = precompileID(a.word) else { return .unsupported("call to non-precompile") }
                guard let inOff = io.word.small, let inSize = isz.word.small, let outOff = oo.word.small,
                    let outSize = osz.word.small
                else { return .unsupported("call ranges") }
                let active = Precompiles.isActive(id: id, fork: f.fork)
                var cost: Int64
                if f.fork >= .berlin {
                    cost = active ? 100 : 2600
                } else if f.fork >= .tangerineWhistle {
                    cost = 700
                } else {
                    cost = 40
                }
                f.gas -= cost
                guard expand(&f, inOff, inSize), expand(&f, outOff, outSize) else { return .outOfGas }
                if inSize > 0 && !f.memoryKnown[inOff..<inOff + inSize].allSatisfy({ $0 }) {
                    return .unsupported("unknown call input")
                }
                let available = f.gas
                let requested = g.word.u64Saturating
                var forwarded: Int64
                if f.fork >= .tangerineWhistle {
                    let cap = UInt64(available - available / 64)
                    forwarded = Int64(min(requested, cap))
                    if !g.known { f.gasReliable = false }
                } else {
                    guard g.known, requested <= UInt64(available) else { return .outOfGas }
                    forwarded = Int64(requested)
                }
                f.gas -= forwarded
                if !active {
                    // An empty account: succeeds, returns nothing, uses no gas.
                    f.gas += forwarded
                    f.returnData = []
                    f.returnDataKnown = true
                    f.stack.append(Value(word: Word(1), known: true))
                    continue
                }
                f.precompileCalls += 1
                let input = inSize == 0 ? [] : Array(f.memory[inOff..<inOff + inSize])
                switch Precompiles.run(id: id, input: input, gasLimit: UInt64(forwarded), fork: f.fork) {
                case .success(let out):
                    f.gas += forwarded - Int64(out.gasUsed)
                    f.returnData = out.output
                    f.returnDataKnown = true
                    for i in 0..<min(outSize, out.output.count) {
                        f.memory[outOff + i] = out.output[i]
                        f.memoryKnown[outOff + i] = true
                    }
                    f.stack.append(Value(word: Word(1), known: true))
                case .failure:
                    f.returnData = []
                    f.returnDataKnown = true
                    f.stack.append(Value(word: .zero, known: true))
                }
            case Opcode.RETURN:
                guard let o = pop(), let s = pop(), o.known, s.known, let off = o.word.small, let size = s.word.small
                else {
                    return .unsupported("return args")
                }
                guard expand(&f, off, size) else { return .outOfGas }
                return .stop(output: size == 0 ? [] : Array(f.memory[off..<off + size]))
            case Opcode.REVERT: return .revert
            default:
                return .unsupported("opcode \(op)")
            }
            if f.gas < 0 { return .outOfGas }
        }
        return .stop(output: [])
    }

    /// Intrinsic gas of a transaction (call, not create).
    static func intrinsicGas(data: [UInt8], accessList: [[String: Any]], fork: Fork) -> Int64 {
        var gas: Int64 = 21000
        for b in data { gas += b == 0 ? 4 : (fork >= .istanbul ? 16 : 68) }
        for entry in accessList {
            gas += 2400
            gas += 1900 * Int64((entry["storageKeys"] as? [Any])?.count ?? 0)
        }
        return gas
    }

    /// Checks one state-test vector (one fork, one post entry).
    static func check(test: [String: Any], forkName: String, postIndex: Int) -> Outcome {
        guard let fork = Fork(fixtureName: forkName) else { return .skipped("fork \(forkName)") }
        guard let tx = test["transaction"] as? [String: Any], let pre = test["pre"] as? [String: [String: Any]],
            let posts = (test["post"] as? [String: [[String: Any]]])?[forkName], postIndex < posts.count
        else { return .skipped("shape") }
        let post = posts[postIndex]
        if post["expectException"] != nil { return .skipped("invalid transaction") }
        guard let to = tx["to"] as? String, !to.isEmpty, let account = pre[to] ?? pre[to.lowercased()] else {
            return .skipped("no target contract")
        }
        guard let idx = post["indexes"] as? [String: Int], let datas = tx["data"] as? [String],
            let gasLimits = tx["gasLimit"] as? [String], let values = tx["value"] as? [String]
        else { return .skipped("shape") }
        let data = bytes(datas[idx["data"] ?? 0])
        let gasLimit = Int64(Word(hex: gasLimits[idx["gas"] ?? 0]).small ?? 0)
        let value = Word(hex: values[idx["value"] ?? 0])
        var accessList: [[String: Any]] = []
        if let lists = tx["accessLists"] as? [Any], (idx["data"] ?? 0) < lists.count {
            accessList = lists[idx["data"] ?? 0] as? [[String: Any]] ?? []
        }
        if tx["authorizationList"] != nil { return .skipped("set-code transaction") }
        let code = bytes(account["code"] as? String ?? "0x")
        if code.isEmpty { return .skipped("empty code") }
        var original: [Word: Word] = [:]
        for (k, v) in account["storage"] as? [String: String] ?? [:] { original[Word(hex: k)] = Word(hex: v) }
        var frame = Frame(
            code: code,
            calldata: data,
            fork: fork,
            gas: gasLimit - intrinsicGas(data: data, accessList: accessList, fork: fork),
            original: original,
            callValue: value
        )
        if frame.gas < 0 { return .skipped("intrinsic gas") }
        let halt = run(&frame)
        guard let state = post["state"] as? [String: [String: Any]],
            let postAccount = state[to] ?? state[to.lowercased()]
        else { return .skipped("no post account") }
        var expected: [Word: Word] = [:]
        for (k, v) in postAccount["storage"] as? [String: String] ?? [:] { expected[Word(hex: k)] = Word(hex: v) }
        var mismatches: [String] = []
        func hex(_ w: Word) -> String {
            "0x"
                + w.bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
                .joined()
        }
        switch halt {
        case .unsupported(let why): return .skipped(why)
        case .revert, .outOfGas:
            for (k, v) in original where (expected[k] ?? .zero) != v { mismatches.append("reverted, slot \(hex(k))") }
        case .stop:
            for (k, v) in frame.storage where v.known {
                let want = expected[k] ?? .zero
                if want != v.word { mismatches.append("slot \(hex(k)): got \(hex(v.word)) want \(hex(want))") }
            }
            if !frame.createdCodes.isEmpty {
                let preCodes = Set(pre.keys)
                let newCodes = state.filter { !preCodes.contains($0.key) }.map {
                    bytes($0.value["code"] as? String ?? "0x")
                }
                for c in frame.createdCodes where !newCodes.contains(c) {
                    mismatches.append("created code \(c.count) bytes not in post state")
                }
            }
        }
        return .checked(mismatches: mismatches, precompileCalls: frame.precompileCalls)
    }

    static var fixturesRoot: URL { PackagePaths.fixture("eest/state_tests") }

    struct Summary: CustomStringConvertible {
        var checked = 0
        var calls = 0
        var skipped: [String: Int] = [:]
        var failures: [String] = []
        var description: String {
            "checked \(checked) vectors (\(calls) precompile calls), skipped \(skipped), \(failures.count) failures"
        }
    }

    /// Runs every vector in the JSON files under `directory` (relative to the state-test root).
    /// `limit` caps the vectors per file (nil: all); `forks` restricts the forks checked.
    static func runDirectory(_ directory: String, limit: Int?, files: [String]? = nil) throws -> Summary {
        let dir = fixturesRoot.appendingPathComponent(directory)
        var names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
            .sorted()
        if let files { names = names.filter { files.contains($0) } }
        var summary = Summary()
        for name in names {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            guard let json = try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else { continue }
            var count = 0
            // Spread the sample over the file rather than taking its first vectors.
            let keys = json.keys.sorted()
            let total = keys.reduce(0) {
                $0 + ((json[$1]?["post"] as? [String: [Any]])?.values.reduce(0) { $0 + $1.count } ?? 0)
            }
            let stride = limit.map { max(1, total / max($0, 1)) } ?? 1
            var ordinal = 0
            for key in keys {
                guard let test = json[key], let posts = test["post"] as? [String: [Any]] else { continue }
                for (forkName, entries) in posts.sorted(by: { $0.key < $1.key }) {
                    for i in 0..<entries.count {
                        ordinal += 1
                        if ordinal % stride != 0 { continue }
                        if let limit, count >= limit { continue }
                        switch check(test: test, forkName: forkName, postIndex: i) {
                        case .skipped(let why): summary.skipped[why, default: 0] += 1
                        case .checked(let mismatches, let calls):
                            count += 1
                            summary.checked += 1
                            summary.calls += calls
                            if !mismatches.isEmpty {
                                summary.failures.append(
                                    "\(name) \(key) [\(forkName) #\(i)]: \(mismatches.joined(separator: "; "))"
                                )
                            }
                        }
                    }
                }
            }
        }
        return summary
    }
}
