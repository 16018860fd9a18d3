import Algebra
import EVMPrimitives
import Secp256k1
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// The `secp256k1_add` / `secp256k1_double` table: proven results agree with Python's integers
/// and with the portable Swift point arithmetic; a wrong output word, a wrong slope, a point read
/// from the wrong address and the equal-x (or y = 0) case are refused. Insecure test parameters
/// (`StarkConfig.testing`).
@Suite(.serialized, .oneProofAtATime)
struct Secp256k1TableTests {
    typealias F = VMField
    typealias C = Secp256k1Air.Col
    static let config = StarkConfig<VMField>.testing
    static let d = TestProgram.dataBase
    /// Iterations of the chain `p := 2p; p := p + G`, starting at p = G.
    static let chain = 8

    /// One call: p and, for an add, q (16 words each).
    struct Call {
        var p: [UInt32]
        var q: [UInt32]?
    }

    static func point(_ k: UInt64) -> AffinePoint {
        JacobianPoint.multiplyGenerator(Scalar(reducing: UInt256(k))).affine!
    }

    /// Calls on curve points k·G (random k), on 256-bit values off the curve, on coordinates at
    /// or above P, and the doubling of G and G + 2G first (rows 0 and 1).
    static var calls: [Call] {
        var rng = SplitMix(state: 0x5EC9)
        func random() -> [UInt32] { (0..<16).map { _ in rng.word() } }
        let g = Accelerators.words(AffinePoint.generator)
        let ones = [UInt32](repeating: 0xFFFF_FFFF, count: 16)
        let modulus: [UInt32] = [0xFFFF_FC2F, 0xFFFF_FFFE] + [UInt32](repeating: 0xFFFF_FFFF, count: 6)
        var aboveP = modulus
        aboveP[0] += 5  // P + 5 ≡ 5
        var out = [
            Call(p: g, q: nil), Call(p: g, q: Accelerators.words(point(2))),
            Call(p: ones, q: nil), Call(p: aboveP + Array(ones[8..<16]), q: [7] + [UInt32](repeating: 0, count: 15)),
            Call(p: random(), q: random()), Call(p: random(), q: nil),
        ]
        for _ in 0..<3 {
            out.append(Call(p: Accelerators.words(point(rng.next())), q: Accelerators.words(point(rng.next()))))
            out.append(Call(p: Accelerators.words(point(rng.next())), q: nil))
        }
        return out
    }

    static func le(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    }

    /// Each call at its own 128-byte slot (p at +0, q at +64), then the chain in the next slot,
    /// then every slot's p committed.
    static func program(_ calls: [Call], chain: Int) -> Program {
        var data: [UInt8] = []
        var code: [UInt32] = []
        func call(_ base: UInt32, add: Bool) -> [UInt32] {
            RV.li(17, add ? 0x1011 : 0x1012) + RV.li(10, base) + RV.li(11, add ? base + 64 : 0) + [RV.ecall]
        }
        for (i, c) in calls.enumerated() {
            data += le(c.p) + le(c.q ?? [UInt32](repeating: 0, count: 16))
            code += call(d + UInt32(128 * i), add: c.q != nil)
        }
        let g = le(Accelerators.words(AffinePoint.generator))
        data += g + g
        let chainBase = d + UInt32(128 * calls.count)
        for _ in 0..<chain { code += call(chainBase, add: false) + call(chainBase, add: true) }
        for i in 0...calls.count {
            code += RV.li(17, 0x1000) + RV.li(10, d + UInt32(128 * i)) + RV.li(11, 64) + [RV.ecall]
        }
        return TestProgram.program(code + RV.exit(0), data: data)
    }

    /// The results by Python's integers (affine formulas, inverses by `pow(v, -1, P)`).
    static func python(_ calls: [Call], chain: Int) throws -> [UInt8] {
        func hex(_ w: [UInt32]) -> String { le(w).reversed().map { String(format: "%02x", $0) }.joined() }
        let arg = calls.map { c in
            ([c.p[0..<8], c.p[8..<16]] + (c.q.map { [$0[0..<8], $0[8..<16]] } ?? [])).map { hex(Array($0)) }
                .joined(separator: ":")
        }
        let script = """
            import sys
            P = 2**256 - 2**32 - 977
            def add(a, b):
                (x1, y1), (x2, y2) = [(x % P, y % P) for x, y in (a, b)]
                l = (y2 - y1) * pow(x2 - x1, -1, P) % P
                x3 = (l * l - x1 - x2) % P
                return x3, (l * (x1 - x3) - y1) % P
            def dbl(a):
                x1, y1 = a[0] % P, a[1] % P
                l = 3 * x1 * x1 * pow(2 * y1, -1, P) % P
                x3 = (l * l - 2 * x1) % P
                return x3, (l * (x1 - x3) - y1) % P
            out = []
            for c in sys.argv[2].split(','):
                v = [int(h, 16) for h in c.split(':')]
                out.append(add(v[0:2], v[2:4]) if len(v) == 4 else dbl(v))
            G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
                 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)
            p = G
            for _ in range(int(sys.argv[1])):
                p = add(dbl(p), G)
            out.append(p)
            print(b''.join(x.to_bytes(32, 'little') + y.to_bytes(32, 'little') for x, y in out).hex())
            """
        return try pythonHexOutput(script, [String(chain), arg.joined(separator: ",")])
    }

    @Test(.enabled(if: pythonAvailable, "python3 not found"))
    func provenResultsEqualPythonAndSwift() throws {
        let calls = Self.calls
        let program = Self.program(calls, chain: Self.chain)
        let key = try VMProgramKey(program: program, config: Self.config)
        let proof = try RunProver(key: key, config: Self.config).prove(input: [], shardSize: 1 << 10)
        #expect(proof.shards.contains { $0.accelerators.contains(.secp256k1) })
        let run = try RunVerifier(key: key, config: Self.config).verify(bytes: proof.encoded())
        #expect(run.output == (try Self.python(calls, chain: Self.chain)))
        // The portable point arithmetic on the curve points (Jacobian formulas, another path).
        func words(_ p: JacobianPoint) -> [UInt8] { Self.le(Accelerators.words(p.affine!)) }
        func jacobian(_ w: [UInt32]) -> JacobianPoint {
            JacobianPoint(
                AffinePoint(x: Accelerators.uint256(Array(w[0..<8])), y: Accelerators.uint256(Array(w[8...])))!
            )
        }
        for i in [0, 1, 6, 7, 8, 9, 10, 11] {
            let p = jacobian(calls[i].p)
            let expected = calls[i].q.map { p + jacobian($0) } ?? p.doubled()
            #expect(Array(run.output[64 * i..<64 * (i + 1)]) == words(expected), "call \(i)")
        }
        var p = JacobianPoint.generator
        for _ in 0..<Self.chain { p = p.doubled() + .generator }
        #expect(Array(run.output.suffix(64)) == words(p))
    }

    // MARK: - Forgeries

    /// The first four calls (a double, an add, a double above P, an add with x1 = P + 5).
    /// The witness of the forgeries, built once for the suite (every test edits its own copy).
    static let sharedWitness = Result { try makeWitness() }

    static func witness() throws -> ShardWitness { try sharedWitness.get() }

    static func makeWitness() throws -> ShardWitness {
        let program = Self.program(Array(Self.calls.prefix(4)), chain: 0)
        let key = try VMProgramKey(program: program, config: Self.config)
        let shard = try Machine(program: program).traceAll(shardSize: 1 << 10)[0]
        return try ShardWitness(shard: shard, start: key.startImage, key: key)
    }

    static func get(_ m: RowMajorMatrix<F>, _ row: Int, _ col: Int) -> F { m.values[row * m.width + col] }
    static func set(_ m: inout RowMajorMatrix<F>, _ row: Int, _ col: Int, _ v: F) { m.values[row * m.width + col] = v }

    /// Whether the table's own constraints fail on `trace` or one of its range lookups is out of
    /// range.
    static func locallyRejected(_ air: any Air<VMField>, _ trace: RowMajorMatrix<F>) -> Bool {
        let badLookup = interactions(of: air, trace: trace, publicValues: []).contains { i in
            let v = i.values.map(\.canonical)
            return i.bus == .vmRange && i.multiplicity != .zero && (v[0] > 16 || v[1] >= 1 << v[0])
        }
        return checkConstraints(air: air, trace: trace, publicValues: []) != nil || badLookup
    }

    /// The witness with `edit` applied to the Secp256k1 trace: the whole shard must be refused by
    /// the checks a proof stands on (`traceRefusal`, the prover's own) and, with `endToEnd` (one
    /// forgery of the table), a proof made with the checks off by the verifier; with `local`, the
    /// table's constraints or range lookups must fail on their own too.
    static func expectRejected(
        _ what: String,
        local: Bool = true,
        endToEnd: Bool = false,
        edit: (inout RowMajorMatrix<F>) -> Void
    ) throws {
        let w = try witness()
        var tables = w.tables
        let index = try #require(ShardTable.tables(w.accelerators).firstIndex(of: .secp256k1))
        edit(&tables[index].trace)
        if local { #expect(locallyRejected(tables[index].air, tables[index].trace), "\(what): the constraints hold") }
        #expect(traceRefusal(tables) != nil, "\(what): the checks accepted")
        if endToEnd { #expect(forgedProofRejected(tables), "\(what): the verifier accepted") }
    }

    /// A result byte changed: the written word and the identities disagree.
    @Test func wrongOutputWord() throws {
        // The Secp256k1 table's end-to-end forgery.
        try Self.expectRejected("x3 byte", endToEnd: true) { t in
            Self.set(&t, 1, C.x3 + 4, Self.get(t, 1, C.x3 + 4) + .one)
        }
    }

    /// A slope byte changed (the result left as it is).
    @Test func wrongSlope() throws {
        try Self.expectRejected("λ byte") { t in Self.set(&t, 0, C.lambda + 3, Self.get(t, 0, C.lambda + 3) + .one) }
    }

    /// q read from the next word on (a1 and its word address moved together, so every local
    /// check holds): the register read and q's memory reads no longer match memory.
    @Test func pointReadFromWrongAddress() throws {
        try Self.expectRejected("q at a1 + 4", local: false) { t in
            Self.set(&t, 1, C.a1, Self.get(t, 1, C.a1) + F(4))
            Self.set(&t, 1, C.t + 1, Self.get(t, 1, C.t + 1) + .one)
        }
    }

    /// Fills row `row` from `o` as the trace does: bytes, quotients, result flags, and carries,
    /// which are divided out in the field where an identity does not close (so that only its last
    /// position fails, or a carry leaves its range). Returns which identities closed.
    static func fill(_ t: inout RowMajorMatrix<F>, _ row: Int, _ o: Secp256k1Air.Operands<Int64>) -> [Bool] {
        for (j, v) in [o.x1, o.y1, o.x2, o.y2, o.lambda, o.w, o.x3, o.y3].joined().enumerated() {
            set(&t, row, C.x1 + j, F(UInt32(v)))
        }
        set(&t, row, C.double, F(UInt32(o.double)))
        func field(_ v: Int64) -> F { v >= 0 ? F(UInt32(v)) : -F(UInt32(-v)) }
        var closed: [Bool] = []
        for (e, r) in Secp256k1Air.residues(o, zero: 0, constant: { $0 }, +, -, *).enumerated() {
            let q = Secp256k1Air.quotient(r)
            for (j, v) in q.enumerated() { set(&t, row, C.quotient + 33 * e + j, F(UInt32(v))) }
            let full = Secp256k1Air.withQuotient(r, q, zero: 0, constant: { $0 }, +, *)
            closed.append(ByteCarries.carries(full) != nil)
            let inverse256 = F(256).inverse()!
            var carry = F.zero
            for k in 0..<64 {
                carry = (field(full[k]) + carry) * inverse256
                set(&t, row, C.carry + 64 * e + k, carry)
            }
        }
        let modulus = Secp256k1Air.modulusBytes
        for (v, base) in [(o.x3, C.flagX), (o.y3, C.flagY)] {
            func limb(_ b: [Int64], _ k: Int) -> Int64 { b[2 * k] + 256 * b[2 * k + 1] }
            for k in 0..<16 { set(&t, row, base + k, .zero) }
            let top = (0..<16).reversed().first { limb(v, $0) != limb(modulus, $0) }!
            set(&t, row, base + top, .one)
        }
        return closed
    }

    /// The precondition: an add of a point to itself (x1 = x2, y1 = y2) and a double of (0, 0),
    /// with a slope of our choosing and the result it implies. The slope, x3 and y3 identities
    /// all close, and no inverse w exists, so only identity 4 stands in the way.
    @Test func preconditionCasesRejected() throws {
        let w = try Self.witness()
        let index = try #require(ShardTable.tables(w.accelerators).firstIndex(of: .secp256k1))
        let air = w.tables[index].air
        func bytes(_ v: FieldElement) -> [Int64] {
            Self.le(Accelerators.words(v.value)).map(Int64.init)
        }
        let g = AffinePoint.generator
        for (row, x, y) in [(1, g.x, g.y), (0, FieldElement(unchecked: .zero), FieldElement(unchecked: .zero))] {
            var t = w.tables[index].trace
            let lambda = FieldElement(unchecked: UInt256(5))
            let x3 = lambda.squared() - x - x
            let y3 = lambda * (x - x3) - y
            let o = Secp256k1Air.Operands<Int64>(
                x1: bytes(x),
                y1: bytes(y),
                x2: bytes(x),
                y2: bytes(y),
                lambda: bytes(lambda),
                w: [Int64](repeating: 0, count: 32),
                x3: bytes(x3),
                y3: bytes(y3),
                double: row == 0 ? 1 : 0,
                real: 1
            )
            let closed = Self.fill(&t, row, o)
            #expect(closed == [true, true, true, false], "row \(row): \(closed)")
            #expect(Self.locallyRejected(air, t), "row \(row): the constraints hold")
        }
    }
}
