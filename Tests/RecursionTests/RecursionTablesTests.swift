import Algebra
import Hashing
import Stark
import Testing

@testable import Recursion

/// The tables that prove a recursion circuit: an honest circuit with every kind of op proves
/// and verifies, and forged witnesses, traces, public values and keys are refused.
@Suite struct RecursionTablesTests {
    /// Insecure (about 20 bits), explicitly allowed: fast tests only.
    static let config = StarkConfig<RF>.testing

    /// A circuit with arithmetic of every form (asserts, inverse, bits, select included),
    /// Poseidon2 with and without swap, and four public values; `scale` is one coefficient,
    /// so two circuits differing in it have the same shape.
    static func circuit(scale: UInt32 = 2) -> (circuit: RecursionCircuit, witness: CircuitWitness) {
        let b = CircuitBuilder()
        let x = b.input(RE(RF(3), RF(1), .zero, RF(7)))
        let y = b.input(base: RF(5))
        let p = b.mul(x, y)
        let q = b.mulAdd(x, y, p)
        b.assertEqual(q, b.scale(p, by: RF(2)))
        let sc = b.scale(q, by: RF(scale))
        let d = b.sub(b.add(sc, x), b.mulSub(x, x, y))
        let e = b.add(b.negate(d), constant: RE(RF(1), RF(2), RF(3), RF(4)))
        _ = b.mul(e, constant: RE(.zero, RF(9), .zero, .zero))
        let inv = b.inverse(x)
        b.assertEqual(b.mul(inv, x), b.constant(.one))
        _ = b.div(e, x)
        let bit = b.input(base: .one)
        b.assertBool(bit)
        let sel = b.select(bit, ifZero: x, ifOne: y)
        b.assertEqual(sel, y)
        b.assertZero(b.sub(y, y))
        let bits = b.bits(b.input(base: RF(0x1234_5678)), count: 8)
        let l = b.inputs(base: (0..<8).map { RF(UInt32($0 * 7 + 1)) })
        let r = Array(bits.prefix(4)) + [y, y, bit, b.constant(base: RF(11))]
        let plain = b.permute(l + r)
        let swapped = b.compress(Array(plain[8..<16]), l, swap: bit)
        b.makePublic(y)
        b.makePublic(plain[0])
        b.makePublic(swapped[3])
        b.makePublic(swapped[7])
        precondition(b.failures.isEmpty, "\(b.failures)")
        return b.build()
    }

    /// A small circuit: one base input (slot 1), its square, and a Poseidon2 permutation of
    /// sixteen base inputs under an input swap slot that nothing else checks (slot 19), whose
    /// outputs are not read.
    static func small() -> (circuit: RecursionCircuit, witness: CircuitWitness, swap: Slot) {
        let b = CircuitBuilder()
        let y = b.input(base: RF(5))
        _ = b.mul(y, y)
        let state = b.inputs(base: (0..<16).map { RF(UInt32($0)) })
        let swap = b.input(base: .zero)
        _ = b.permute(state, swap: swap)
        let (c, w) = b.build()
        return (c, w, swap)
    }

    static func tables(_ c: RecursionCircuit, _ w: CircuitWitness) -> [TableInput<RF>] {
        RecursionTableSet(circuit: c).tableInputs(circuit: c, witness: w)
    }

    /// The first constraint failure among `tables`, with the table's name.
    static func constraintFailure(_ tables: [TableInput<RF>]) -> ConstraintFailure? {
        for t in tables {
            if let f = checkConstraints(air: t.air, trace: t.trace, publicValues: t.publicValues) { return f }
        }
        return nil
    }

    /// Whether the buses of `tables` balance (the prover's check, constraints unchecked).
    static func busesBalance(_ tables: [TableInput<RF>]) -> Bool {
        do {
            _ = try StarkProver(config: config).prove(tables, options: ProvingOptions(checkConstraints: false))
            return true
        } catch {
            return false
        }
    }

    /// The verifier's error on a proof of `tables` made with the prover's checks off, checked
    /// against `circuit`'s key with the tables' own public values; nil when it accepts.
    static func verifierError(_ tables: [TableInput<RF>], circuit: RecursionCircuit) -> VerificationError? {
        let options = ProvingOptions(checkConstraints: false, checkBuses: false)
        guard let proof = try? StarkProver(config: config).prove(tables, options: options) else {
            Issue.record("the forged tables could not be proven")
            return nil
        }
        do {
            try RecursionProver.verify(
                circuit: circuit,
                proof: proof,
                publicValues: tables[3].publicValues,
                config: config
            )
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Honest proofs

    @Test func shapes() {
        let (c, _) = Self.circuit()
        let t = RecursionTableSet(circuit: c)
        // The public table: 4 values on one row of 4 lanes: one selector, 4 slots, 4 multiplicities.
        let expected = [(16, 14), (181, 36), (8, 20), (1, 9)]
        for (air, (width, fixed)) in zip(t.airs, expected) {
            let s = AirShape(of: air)
            #expect(s.width == width && s.preprocessedWidth == fixed, "\(air.name)")
            #expect(s.maxConstraintDegree <= 3, "\(air.name): degree \(s.maxConstraintDegree)")
            #expect(s.interactions.allSatisfy { !$0.usesSelector })
        }
        #expect(AirShape(of: t.arith).logUpColumns.count == 2)
        #expect(AirShape(of: t.poseidon2).logUpColumns.count == 17)
        #expect(AirShape(of: t.input).logUpColumns.count == 5)
        // Each height: the op count rounded up to a power of two (at least 2).
        func rounded(_ n: Int) -> Int { n <= 2 ? 2 : 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount) }
        #expect(t.arith.height == rounded(c.arith.count))
        #expect(t.poseidon2.height == rounded(c.poseidon2.count) && t.input.height == rounded((c.inputs.count + 7) / 8))
    }

    @Test func provesAndVerifies() throws {
        let (c, w) = Self.circuit()
        #expect(c.check(w) == nil)
        let options = ProvingOptions(checkConstraints: true)
        let proof = try RecursionProver.prove(circuit: c, witness: w, config: Self.config, options: options)
        let publics = w.publicValues(of: c)
        #expect(publics.count == 4 && publics[0] == RF(5))
        try RecursionProver.verify(circuit: c, proof: proof, publicValues: publics, config: Self.config)
        let key = try RecursionVerifyingKey(circuit: c, config: Self.config)
        try RecursionProver.verify(key: key, proof: proof, publicValues: publics, config: Self.config)
        #expect(key == (try RecursionVerifyingKey(circuit: Self.circuit().circuit, config: Self.config)))
        // The encoded proof round-trips too.
        let decoded = try StarkProof<RF>(decoding: proof.encoded())
        try RecursionProver.verify(key: key, proof: decoded, publicValues: publics, config: Self.config)
    }

    /// No public values, a single Poseidon2 op, no arithmetic but the zero slot's.
    @Test func minimalCircuits() throws {
        let (s, sw, _) = Self.small()
        let proof = try RecursionProver.prove(circuit: s, witness: sw, config: Self.config)
        try RecursionProver.verify(circuit: s, proof: proof, publicValues: [], config: Self.config)
        let b = CircuitBuilder()
        b.makePublic(RecursionCircuit.zero)
        let (c, w) = b.build()
        let p = try RecursionProver.prove(circuit: c, witness: w, config: Self.config)
        try RecursionProver.verify(circuit: c, proof: p, publicValues: [.zero], config: Self.config)
    }

    @Test func refusesBadInputs() {
        let (c, w) = Self.circuit()
        var forged = w
        forged.values[5] = forged.values[5] + RE(.one)
        #expect(throws: RecursionProverError.self) {
            try RecursionProver.prove(circuit: c, witness: forged, config: Self.config)
        }
        var twice = c
        twice.arith[1].out = twice.arith[2].out
        #expect(throws: VerificationError.self) { try RecursionVerifyingKey(circuit: twice, config: Self.config) }
        #expect(throws: RecursionProverError.self) {
            try RecursionProver.prove(circuit: twice, witness: w, config: Self.config)
        }
    }

    // MARK: - Forgeries

    /// The forgery harness passes honest tables: what the tests below see is the forgery.
    @Test func harnessAcceptsHonestTables() {
        let small = Self.small()
        for (c, w) in [Self.circuit(), (small.circuit, small.witness)] {
            let t = Self.tables(c, w)
            #expect(Self.constraintFailure(t) == nil)
            #expect(Self.busesBalance(t))
            #expect(Self.verifierError(t, circuit: c) == nil)
        }
    }

    /// A written arithmetic result changed in the witness: every read sees the changed value
    /// (the traces are built from the forged witness, so the bus balances), but the op's
    /// identity fails.
    @Test func wrongArithOutput() throws {
        let (c, w) = Self.circuit()
        let op = try #require(c.arith.first { !$0.asserts && $0.cm == .one && $0.a != $0.b })
        var forged = w
        forged.values[op.out.index] = forged.values[op.out.index] + RE(.zero, .one, .zero, .zero)
        let t = Self.tables(c, forged)
        #expect(Self.constraintFailure(t)?.table == "RecursionArith")
        #expect(Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) != nil)
    }

    /// An equality check that reads both slots with a value other than the written one (the
    /// same on both sides, so the row's identity holds): only the bus catches it.
    @Test func readOfAnotherValue() throws {
        let (c, w) = Self.circuit()
        let row = try #require(c.arith.firstIndex { $0.asserts && $0.ca == .one && $0.cm == .zero })
        var t = Self.tables(c, w)
        for k in 0..<4 {
            let a = row * ArithAir.Col.count + ArithAir.Col.a + k
            let out = row * ArithAir.Col.count + ArithAir.Col.out + k
            t[0].trace.values[a] += RF(UInt32(k + 1))
            t[0].trace.values[out] += RF(UInt32(k + 1))
        }
        #expect(Self.constraintFailure(t) == nil)
        #expect(!Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) == .unbalancedBuses)
    }

    /// A Poseidon2 output changed: in the witness (the readers see it; the table sends the true
    /// output), or in the table's last S-box column (its constraint fails).
    @Test func wrongPoseidon2Output() throws {
        let (c, w) = Self.circuit()
        let out = c.poseidon2[0].out[0]
        var forged = w
        forged.values[out.index] = forged.values[out.index] + RE(.one)
        let t = Self.tables(c, forged)
        #expect(Self.constraintFailure(t) == nil)
        #expect(!Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) != nil)

        var u = Self.tables(c, w)
        let width = u[1].trace.width
        u[1].trace.values[width - 1] += .one  // row 0, the last S-box output
        #expect(Self.constraintFailure(u)?.table == "RecursionPoseidon2")
        #expect(Self.verifierError(u, circuit: c) != nil)
    }

    /// A swap bit of 2 (the circuit does not check it is boolean): the permutation's input is
    /// the "selected" `2r − l ‖ 2l − r`, consistent with the read values, so only `s·(s − 1)`
    /// fails.
    @Test func swapOfTwo() throws {
        let (c, w, swap) = Self.small()
        var forged = w
        forged.values[swap.index] = RE(RF(2))
        let t = Self.tables(c, forged)
        let failure = try #require(Self.constraintFailure(t))
        #expect(failure.table == "RecursionPoseidon2" && failure.row == 0)
        #expect(Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) != nil)
    }

    /// An input given a non-base value, read by arithmetic (which would accept it): the input
    /// table writes only the base coordinate, so the read does not match the write.
    @Test func nonBaseInput() throws {
        let (c, w, _) = Self.small()
        let y = Slot(1)
        #expect(c.inputs[0].out == y)
        var forged = w
        forged.values[y.index] = RE(RF(5), RF(1), .zero, .zero)
        for op in c.arith where !op.asserts {
            forged.values[op.out.index] = op.evaluate(forged[op.a], forged[op.b], forged[op.c])
        }
        #expect(c.check(forged) != nil)
        let t = Self.tables(c, forged)
        #expect(!Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) != nil)
    }

    /// A wrong public value: asked of an honest proof, or proven (the public table then reads a
    /// value no op wrote).
    @Test func wrongPublicValue() throws {
        let (c, w) = Self.circuit()
        let proof = try RecursionProver.prove(circuit: c, witness: w, config: Self.config)
        var publics = w.publicValues(of: c)
        publics[1] += .one
        #expect(throws: VerificationError.publicValuesMismatch(table: 3)) {
            try RecursionProver.verify(circuit: c, proof: proof, publicValues: publics, config: Self.config)
        }
        var t = Self.tables(c, w)
        t[3].publicValues = publics
        #expect(Self.constraintFailure(t) == nil)
        #expect(!Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) == .unbalancedBuses)
    }

    /// Eleven public values over three rows of the public table (the last one part filled):
    /// a proof verifies with them, and each one changed alone unbalances the witness bus.
    @Test func everyPublicValueIsBoundToItsSlot() throws {
        let b = CircuitBuilder()
        let values = (0..<11).map { RF(UInt32(100 + 7 * $0)) }
        let slots = b.inputs(base: values)
        _ = b.mul(slots[0], slots[1])
        for s in slots { b.makePublic(s) }
        let (c, w) = b.build()
        #expect(PublicAir(circuit: c).height == 4 && PublicAir(circuit: c).rowsUsed == 3)
        let proof = try RecursionProver.prove(circuit: c, witness: w, config: Self.config)
        try RecursionProver.verify(circuit: c, proof: proof, publicValues: values, config: Self.config)
        for j in values.indices {
            var t = Self.tables(c, w)
            t[3].publicValues[j] += .one
            #expect(Self.constraintFailure(t) == nil)
            #expect(Self.verifierError(t, circuit: c) == .unbalancedBuses, "public value \(j)")
        }
    }

    /// An honest proof checked against the key of a circuit differing in one coefficient.
    @Test func anotherCircuitsKey() throws {
        let (c, w) = Self.circuit()
        let other = Self.circuit(scale: 3).circuit
        #expect(other != c && other.arith.count == c.arith.count)
        let proof = try RecursionProver.prove(circuit: c, witness: w, config: Self.config)
        let publics = w.publicValues(of: c)
        #expect(throws: VerificationError.preprocessedRootMismatch(group: 0)) {
            try RecursionProver.verify(circuit: other, proof: proof, publicValues: publics, config: Self.config)
        }
    }
}

extension RecursionTablesTests {
    /// The production configuration (the default: ≥ 100 proven bits) accepts the statement.
    @Test func productionConfiguration() throws {
        let (c, w) = Self.circuit()
        let proof = try RecursionProver.prove(circuit: c, witness: w)
        try RecursionProver.verify(circuit: c, proof: proof, publicValues: w.publicValues(of: c))
    }
}

extension RecursionTablesTests {
    /// An extension hint (a pack of four inputs) given another value in the witness: its
    /// readers see it, but the input table writes the pack from its four lanes.
    @Test func forgedPack() throws {
        let (c, w) = Self.circuit()
        let pack = try #require(c.packs.first)
        var forged = w
        forged.values[pack.out.index] = forged.values[pack.out.index] + RE(.zero, .zero, .one, .zero)
        #expect(c.check(forged) == "pack 0 is not its four inputs")
        let t = Self.tables(c, forged)
        #expect(!Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) != nil)
    }

    /// One packed lane changed in the input table's trace: the lane's input and the pack are
    /// written from the same cell, so the pack's readers no longer see what was written.
    @Test func packedLaneChanged() throws {
        let (c, w) = Self.circuit()
        let pack = try #require(c.packs.first)
        var t = Self.tables(c, w)
        t[2].trace.values[pack.first + 2] += .one
        #expect(!Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) == .unbalancedBuses)
    }

    /// A pack across two input rows' halves, and two packs of the same four inputs, are refused
    /// when a key is made.
    @Test func malformedPacks() throws {
        let (c, _) = Self.circuit()
        let pack = try #require(c.packs.first)
        var shifted = c
        shifted.packs[0].first = pack.first + 2
        #expect(shifted.structuralError()?.contains("four inputs of one row") == true)
        #expect(throws: VerificationError.self) { try RecursionVerifyingKey(circuit: shifted, config: Self.config) }
        var twice = c
        twice.packs.append(InputPack(first: pack.first, out: Slot(c.slotCount)))
        twice.slotCount += 1
        #expect(twice.structuralError()?.contains("packed twice") == true)
    }
}

extension RecursionTablesTests {
    /// A compression checked against a root of 8 input slots (the Merkle opening's last step):
    /// honest, it proves; a root input changed in the witness is read by the Poseidon2 row as
    /// its output (multiplicity −1), so the bus does not balance; the builder records the
    /// mismatch of a wrong root.
    @Test func checkedDigest() throws {
        func circuit(rootDelta: RF) -> (RecursionCircuit, CircuitWitness, [String]) {
            let b = CircuitBuilder()
            let l = b.inputs(base: (0..<8).map { RF(UInt32(3 * $0 + 1)) })
            let r = b.inputs(base: (0..<8).map { RF(UInt32(5 * $0 + 2)) })
            var digest = b.compress(l, r).map { b.value($0).c0 }
            digest[3] += rootDelta
            let root = b.inputs(base: digest)
            let swap = b.input(base: .zero)
            b.assertBool(swap)
            b.compress(l, r, swap: swap, checking: root, "root")
            let (c, w) = b.build()
            return (c, w, b.failures)
        }
        let (c, w, failures) = circuit(rootDelta: .zero)
        #expect(failures.isEmpty && c.check(w) == nil)
        let op = try #require(c.poseidon2.last)
        #expect(op.checksDigest && c.readCounts()[op.out[0].index] == 1)
        let proof = try RecursionProver.prove(circuit: c, witness: w, config: Self.config)
        try RecursionProver.verify(circuit: c, proof: proof, publicValues: [], config: Self.config)
        #expect(Self.verifierError(Self.tables(c, w), circuit: c) == nil)

        var forged = w
        forged.values[op.out[3].index] = forged.values[op.out[3].index] + RE(.one)
        #expect(c.check(forged)?.contains("wrong output") == true)
        let t = Self.tables(c, forged)
        #expect(Self.constraintFailure(t) == nil)
        #expect(!Self.busesBalance(t))
        #expect(Self.verifierError(t, circuit: c) == .unbalancedBuses)

        let (wrong, _, wrongFailures) = circuit(rootDelta: .one)
        #expect(wrongFailures == ["root"])
        #expect(wrong == c)

        // A checked digest overlapping the op's written outputs would check nothing.
        var overlapping = c
        let first = op.out[0].index
        overlapping.poseidon2[c.poseidon2.count - 1].out =
            (0..<8).map { Slot(first + $0) } + (0..<8).map { Slot(first + 4 + $0) }
        #expect(overlapping.structuralError()?.contains("overlaps") == true)
    }

    /// The Poseidon2 table keeps two output slot columns, so a circuit whose op writes its
    /// outputs anywhere but two runs of 8 consecutive slots is refused when a key is made.
    @Test func outputsOutOfRun() throws {
        var (c, _) = Self.circuit()
        c.poseidon2[0].out.swapAt(2, 3)
        #expect(c.structuralError()?.contains("consecutive") == true)
        #expect(throws: VerificationError.self) { try RecursionVerifyingKey(circuit: c, config: Self.config) }
    }
}
