import Algebra
import Foundation
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// The `uint256_mulmod` table: proven results agree with Python's integers, and a result that is
/// congruent but not reduced, a zero modulus and a wrong result word are refused.
@Suite(.serialized, .oneProofAtATime)
struct MulModTableTests {
    typealias F = VMField
    typealias C = MulModAir.Col
    static let config = StarkConfig<VMField>.testing
    static let d = TestProgram.dataBase

    /// 32 little-endian bytes of a number given as 8 words.
    static func le(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }

    /// Operand triples: edge cases (m = 1, m = 2^256 − 1, x = 0, operands above m, a small m) and
    /// random ones.
    static var triples: [[[UInt32]]] {
        var rng = SplitMix(state: 0x3D)
        func random() -> [UInt32] { (0..<8).map { _ in rng.word() } }
        let ones = [UInt32](repeating: 0xFFFF_FFFF, count: 8)
        let one: [UInt32] = [1, 0, 0, 0, 0, 0, 0, 0]
        let seven: [UInt32] = [7, 0, 0, 0, 0, 0, 0, 0]
        let zero = [UInt32](repeating: 0, count: 8)
        var t: [[[UInt32]]] = [
            [ones, ones, one], [ones, ones, ones], [zero, random(), random()], [ones, random(), seven],
            [random(), ones, [0, 0, 0, 0, 0, 0, 0, 0x8000_0000]], [random(), random(), [0, 0, 0, 0, 0, 0, 0, 1]],
        ]
        for _ in 0..<6 { t.append([random(), random(), random()]) }
        return t
    }

    /// Each triple at its own 128-byte slot (x, y, m at +0, +32, +64), x := x·y mod m, then every
    /// x committed.
    static func program(_ triples: [[[UInt32]]]) -> Program {
        var data: [UInt8] = []
        var code: [UInt32] = []
        for (i, t) in triples.enumerated() {
            data += le(t[0]) + le(t[1]) + le(t[2]) + [UInt8](repeating: 0, count: 32)
            let base = d + UInt32(128 * i)
            code += RV.li(17, 0x1013) + RV.li(10, base) + RV.li(11, base + 32) + RV.li(12, base + 64) + [RV.ecall]
        }
        for i in triples.indices {
            code += RV.li(17, 0x1000) + RV.li(10, d + UInt32(128 * i)) + RV.li(11, 32) + [RV.ecall]
        }
        return TestProgram.program(code + RV.exit(0), data: data)
    }

    /// `x·y mod m` of each triple by Python's integers, as 32 little-endian bytes each.
    static func python(_ triples: [[[UInt32]]]) throws -> [UInt8] {
        func hex(_ w: [UInt32]) -> String { le(w).reversed().map { String(format: "%02x", $0) }.joined() }
        let arg = triples.map { $0.map(hex).joined(separator: ":") }.joined(separator: ",")
        let script = """
            import sys
            out = b''
            for t in sys.argv[1].split(','):
                x, y, m = (int(v, 16) for v in t.split(':'))
                out += ((x * y) % m).to_bytes(32, 'little')
            print(out.hex())
            """
        return try pythonHexOutput(script, [arg])
    }

    @Test(.enabled(if: pythonAvailable, "python3 not found"))
    func provenResultsEqualPython() throws {
        let triples = Self.triples
        let program = Self.program(triples)
        let key = try VMProgramKey(program: program, config: Self.config)
        let proof = try RunProver(key: key, config: Self.config).prove(input: [], shardSize: 1 << 10)
        #expect(proof.shards.contains { $0.accelerators.contains(.mulMod) })
        let run = try RunVerifier(key: key, config: Self.config).verify(bytes: proof.encoded())
        #expect(run.output == (try Self.python(triples)))
    }

    // MARK: - Forgeries

    /// The witness of the forgeries, built once for the suite (every test edits its own copy).
    static let sharedWitness = Result { try makeWitness() }

    static func witness() throws -> ShardWitness { try sharedWitness.get() }

    static func makeWitness() throws -> ShardWitness {
        let program = Self.program(Array(Self.triples.prefix(4)))
        let key = try VMProgramKey(program: program, config: Self.config)
        let shard = try Machine(program: program).traceAll(shardSize: 1 << 10)[0]
        return try ShardWitness(shard: shard, start: key.startImage, key: key)
    }

    static func get(_ m: RowMajorMatrix<F>, _ row: Int, _ col: Int) -> F { m.values[row * m.width + col] }
    static func set(_ m: inout RowMajorMatrix<F>, _ row: Int, _ col: Int, _ v: F) { m.values[row * m.width + col] = v }

    /// The witness with `edit` applied to the MulMod trace: the table's own constraints must fail or
    /// one of its range lookups must be out of range, and the whole shard must be refused by the
    /// checks a proof stands on (`traceRefusal`, the prover's own); with `endToEnd` (one forgery of
    /// the table), a proof made with the checks off must be rejected by the verifier.
    static func expectRejected(
        _ what: String,
        endToEnd: Bool = false,
        edit: (inout RowMajorMatrix<F>) -> Void
    ) throws {
        let w = try witness()
        var tables = w.tables
        let index = try #require(ShardTable.tables(w.accelerators).firstIndex(of: .mulMod))
        edit(&tables[index].trace)
        let failure = checkConstraints(air: tables[index].air, trace: tables[index].trace, publicValues: [])
        let badLookup = interactions(of: tables[index].air, trace: tables[index].trace, publicValues: []).contains {
            i in
            let v = i.values.map(\.canonical)
            return i.bus == .vmRange && i.multiplicity != .zero && (v[0] > 16 || v[1] >= 1 << v[0])
        }
        #expect(failure != nil || badLookup, "\(what): the MulMod constraints and lookups hold")
        #expect(traceRefusal(tables) != nil, "\(what): the checks accepted")
        if endToEnd { #expect(forgedProofRejected(tables), "\(what): the verifier accepted") }
    }

    /// Row `row`'s (x, y, m, r, q) as integers, with r := r + m and q := q − 1: the same product
    /// identity, but r not reduced. Carries are recomputed so that only `r < m` can catch it.
    @Test func unreducedResult() throws {
        try Self.expectRejected("r + m") { t in
            let row = 0  // triple 0: x = y = 2^256 − 1, m = 1, r = 0, q = (2^256 − 1)^2 ≥ 1
            func bytes(_ base: Int, _ n: Int) -> [Int64] {
                (0..<n).map { Int64(Self.get(t, row, base + $0).canonical) }
            }
            let x = bytes(C.x, 32)
            let y = bytes(C.y, 32)
            let m = bytes(C.m, 32)
            var r = bytes(C.r, 32)
            var q = bytes(C.q, 64)
            var carry: Int64 = 0
            for k in 0..<32 {  // r += m (no overflow: r = 0 here)
                let s = r[k] + m[k] + carry
                r[k] = s & 0xff
                carry = s >> 8
            }
            var borrow: Int64 = 1
            for k in 0..<64 {  // q -= 1
                let v = q[k] - borrow
                q[k] = v & 0xff
                borrow = v < 0 ? 1 : 0
            }
            for (k, v) in r.enumerated() { Self.set(&t, row, C.r + k, F(UInt32(v))) }
            for (k, v) in q.enumerated() { Self.set(&t, row, C.q + k, F(UInt32(v))) }
            carry = 0
            for k in 0..<C.carries {
                var s = carry
                for i in 0..<32 where (0..<32).contains(k - i) { s += x[i] * y[k - i] }
                for i in 0..<64 where (0..<32).contains(k - i) { s -= q[i] * m[k - i] }
                if k < 32 { s -= r[k] }
                carry = s / 256
                Self.set(&t, row, C.carry + k, carry >= 0 ? F(UInt32(carry)) : -F(UInt32(-carry)))
            }
        }
    }

    /// A zero modulus with x = 0, r = 0 (the product identity holds for any q).
    @Test func zeroModulus() throws {
        try Self.expectRejected("m = 0") { t in
            let row = 2  // triple 2: x = 0
            for k in 0..<32 {
                Self.set(&t, row, C.m + k, .zero)
                Self.set(&t, row, C.r + k, .zero)
            }
            for k in 0..<64 { Self.set(&t, row, C.q + k, .zero) }
            for k in 0..<C.carries { Self.set(&t, row, C.carry + k, .zero) }
        }
    }

    /// A result byte off by one.
    @Test func wrongResultByte() throws {
        // The MulMod table's end-to-end forgery.
        try Self.expectRejected("r + 1", endToEnd: true) { t in
            Self.set(&t, 3, C.r + 5, Self.get(t, 3, C.r + 5) + .one)
        }
    }

    /// The disjointness and code checks taken on the wrong side: y claimed after x when it lies
    /// before it, x claimed below the code when it lies above it. The gap turns negative.
    @Test func wrongSideOfAGap() throws {
        for (what, col) in [("y after x", C.sXY), ("x below the code", C.below)] {
            try Self.expectRejected(what) { t in
                Self.set(&t, 0, col, .one - Self.get(t, 0, col))
            }
        }
    }
}
