import Algebra
import Recursion
import Stark
import Testing
import VM
import VMProver
import VMRecursion
import VMTestSupport

/// Shard proofs verified by a recursion circuit (run natively here): the statement slots hold
/// the shard's statement, and a tampered shard proof fails a check.
///
/// Proofs use `StarkConfig.testing` (INSECURE test parameters, about 20 bits).
@Suite struct ShardCircuitTests {
    static let config = StarkConfig<VMField>.testing

    /// A loop that stores, loads and multiplies `bound` times, then exits with 3: several
    /// shards of 2^8 cycles.
    static func loop(bound: UInt32) -> Program {
        var w: [UInt32] = []
        w += RV.li(5, 0)
        w += RV.li(6, bound)
        w += RV.li(7, TestProgram.dataBase)
        // loop: x8 = x5 * x5; sw x8, 0(x7); lw x9, 0(x7); x5 += 1; bne x5, x6, loop
        w.append(RV.op("mul", 8, 5, 5))
        w.append(RV.sw(8, 7, 0))
        w.append(RV.lw(9, 7, 0))
        w.append(RV.addi(5, 5, 1))
        w.append(RV.b(-16, 6, 5, 1))
        w += RV.exit(3)
        return TestProgram.program(w)
    }

    static var program: Program { loop(bound: 200) }

    /// `program`'s key and its run proven in shards of 2^8 cycles: proven once for this suite and
    /// `AggregationTests`, which aggregates the same shard proofs.
    struct ProvenRun: Sendable {
        var key: VMProgramKey
        var proof: VMProof
    }
    static let run = Result {
        let key = try VMProgramKey(program: program, config: config)
        return ProvenRun(key: key, proof: try RunProver(key: key, config: config).prove(input: [], shardSize: 1 << 8))
    }

    @Test func shardStatementsAreTheProofs() throws {
        let (key, proof) = try (Self.run.get().key, Self.run.get().proof)
        #expect(proof.shards.count >= 2)
        for shard in proof.shards {
            let b = CircuitBuilder()
            let s = try verifyShard(shard, key: key, config: Self.config, builder: b)
            #expect(b.failures == [])
            let (c, w) = b.build()
            #expect(c.check(w) == nil)
            func values(_ slots: [Slot]) -> [VMField] { slots.map { w[$0].c0 } }
            let roots = shard.stark.preprocessedRoots.map(\.elements)
            #expect(values(s.programId) == key.programId.elements)
            #expect(values(s.startImage) == roots[ShardCommitmentGroup.startImage])
            #expect(values(s.finalImage) == roots[ShardCommitmentGroup.finalImage])
            #expect(values(s.outputRoot) == roots[ShardCommitmentGroup.output])
            #expect(values(s.cpu) == shard.stark.tables[ShardTable.cpu.rawValue].publicValues)
            // The same circuit from a zero proof of the shard's shape.
            let placeholder = try StarkProof<VMField>.placeholder(
                airs: key.airs(output: shard.output, start: nil, final: nil, accelerators: shard.accelerators),
                logHeights: shard.stark.tables.map(\.logHeight),
                fri: Self.config.fri
            )
            let p = CircuitBuilder()
            _ = try verifyShard(
                ShardProof(output: shard.output, accelerators: shard.accelerators, stark: placeholder),
                key: key,
                config: Self.config,
                builder: p
            )
            #expect(p.build().circuit == c)
        }
    }
}
