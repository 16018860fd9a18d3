import Algebra
import Stark
import Testing
import VMProver
import VMTestSupport

/// AddSub, Bitwise, Compare and Shift driven on their own (shifts with the Mul and DivRem
/// tables that prove what they delegate). Expected results are RV32IM's (`AluOp.evaluate`,
/// checked against the spec's edge cases in `referenceEdgeCases`).
@Suite struct ALUBasicTests {
    static let config = StarkConfig<VMField>.testing
    static let edge: [UInt32] = [0, 1, 2, 31, 32, 33, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1234_5678, 0xffff_0000, 0x0000_ffff]

    static func events(_ ops: Set<AluOp>) -> [AluEvent] {
        var out: [AluEvent] = []
        var rng = SplitMix(state: 5)
        for op in ops.sorted(by: { $0.rawValue < $1.rawValue }) {
            for a in edge { for b in edge { out.append(AluEvent(op: op, a: a, b: b)) } }
            for _ in 0..<40 {
                out.append(AluEvent(op: op, a: UInt32(truncatingIfNeeded: rng.next()), b: UInt32(truncatingIfNeeded: rng.next())))
            }
        }
        // Shift amounts with garbage above the low five bits (srai's immediate carries 0x400).
        if ops.contains(.sra) { out.append(AluEvent(op: .sra, a: 0x8000_0000, b: 0x404)) }
        return out
    }

    static func tuple(_ e: AluEvent, c: UInt32? = nil) -> [VMField] {
        let r = c ?? e.c
        return [e.op.field, VMField(e.a & 0xffff), VMField(e.a >> 16), VMField(e.b & 0xffff), VMField(e.b >> 16),
            VMField(r & 0xffff), VMField(r >> 16)]
    }

    /// The driver, the table under test, and the lookup tables (plus Mul/DivRem for shifts).
    static func tables(_ ops: Set<AluOp>, forge: Int? = nil) -> [TableInput<VMField>] {
        let evs = events(ops)
        var counter = LookupCounter()
        var tuples = evs.map { tuple($0) }
        if let k = forge { tuples[k][5] += .one }
        var out = [TableInput(air: BusDriverAir(bus: .vmAlu, arity: 7), trace: BusDriverAir.trace(arity: 7, tuples: tuples))]
        if ops == AddSubAir.ops {
            out.append(TableInput(air: AddSubAir(), trace: AddSubAir.trace(events: evs, counter: &counter)))
        } else if ops == BitwiseAir.ops {
            out.append(TableInput(air: BitwiseAir(), trace: BitwiseAir.trace(events: evs, counter: &counter)))
        } else if ops == CompareAir.ops {
            out.append(TableInput(air: CompareAir(), trace: CompareAir.trace(events: evs, counter: &counter)))
        } else {
            let (shift, delegated) = ShiftAir.trace(events: evs, counter: &counter)
            out.append(TableInput(air: ShiftAir(), trace: shift))
            out.append(TableInput(air: MulAir(), trace: MulAir.trace(events: delegated.filter { $0.op == .mul }, counter: &counter)))
            out.append(
                TableInput(air: DivRemAir(), trace: DivRemAir.trace(events: delegated.filter { $0.op == .divu }, counter: &counter)))
        }
        out.append(TableInput(air: RangeTableAir(), trace: RangeTableAir.trace(counter)))
        out.append(TableInput(air: BytePairTableAir(), trace: BytePairTableAir.trace(counter)))
        return out
    }

    @Test func referenceEdgeCases() {
        #expect(AluOp.sra.evaluate(0x8000_0000, 0x404) == 0xF800_0000)
        #expect(AluOp.sll.evaluate(1, 33) == 2)
        #expect(AluOp.srl.evaluate(0xffff_ffff, 31) == 1)
        #expect(AluOp.slt.evaluate(0xffff_ffff, 0) == 1)
        #expect(AluOp.sltu.evaluate(0xffff_ffff, 0) == 0)
        #expect(AluOp.sub.evaluate(0, 1) == 0xffff_ffff)
    }

    @Test(arguments: [AddSubAir.ops, BitwiseAir.ops, CompareAir.ops, ShiftAir.ops])
    func honestOperationsProve(_ ops: Set<AluOp>) throws {
        let t = Self.tables(ops)
        #expect(busImbalances(t).isEmpty)
        let proof = try StarkProver(config: Self.config).prove(t, options: ProvingOptions(checkConstraints: true))
        try StarkVerifier(config: Self.config).verify(airs: t.map(\.air), proof: proof)
    }

    /// A wrong result claimed by the sender: the prover refuses, and a proof made anyway fails.
    @Test(arguments: [AddSubAir.ops, BitwiseAir.ops, CompareAir.ops, ShiftAir.ops])
    func wrongResultRejected(_ ops: Set<AluOp>) throws {
        let t = Self.tables(ops, forge: 7)
        #expect(!busImbalances(t).isEmpty)
        let prover = StarkProver(config: Self.config)
        #expect(throws: ProverError.unbalancedBuses) { try prover.prove(t) }
        let proof = try prover.prove(t, options: ProvingOptions(checkBuses: false))
        #expect(throws: VerificationError.self) {
            try StarkVerifier(config: Self.config).verify(airs: t.map(\.air), proof: proof)
        }
    }

    /// Forged rows of the tables themselves: a carry of 2, a non-boolean flag, a non-boolean
    /// borrow with compensating limbs, a shift bit out of range.
    @Test func forgedRowsRejected() throws {
        let cases: [(Set<AluOp>, (inout RowMajorMatrix<VMField>) -> Void)] = [
            (AddSubAir.ops, { m in m.values[1 * m.width + 8] += VMField(2) }),
            (BitwiseAir.ops, { m in m.values[0] = VMField(2) }),
            (CompareAir.ops, { m in m.values[2 * m.width + 8] = VMField(2) }),
            (ShiftAir.ops, { m in m.values[3 * m.width + 9] = VMField(2) }),
        ]
        for (ops, edit) in cases {
            var t = Self.tables(ops)
            edit(&t[1].trace)
            let prover = StarkProver(config: Self.config)
            #expect(throws: ProverError.self) { try prover.prove(t, options: ProvingOptions(checkConstraints: true)) }
            let proof = try prover.prove(t, options: ProvingOptions(checkConstraints: false, checkBuses: false))
            #expect(throws: VerificationError.self) {
                try StarkVerifier(config: Self.config).verify(airs: t.map(\.air), proof: proof)
            }
        }
    }
}
