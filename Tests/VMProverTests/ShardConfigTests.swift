import Stark
import Testing
import VMProver
import VMTestSupport

/// The production shard configuration (``StarkConfig/vmShard``) proves ≥ 100 bits for every
/// shard the prover can make: every accelerator set, tables from 2^4 up to 2^maxLogShardSize rows.
@Suite struct ShardConfigTests {
    static let key = try! VMProgramKey(program: TestProgram.program(RV.exit(0)), config: .vmShard)

    /// Every subset of ``ShardAccelerators/all``.
    static let acceleratorSets: [ShardAccelerators] = (0..<16).map { bits in
        let all: [ShardAccelerators] = [.keccak, .mulMod, .secp256k1, .sha256]
        return ShardAccelerators(all.indices.filter { bits >> $0 & 1 == 1 }.map { all[$0] })
    }

    static func bits(_ accelerators: ShardAccelerators, logHeight: Int, fri: FriParameters) -> Int {
        key.provenBits(
            accelerators: accelerators,
            logHeights: [Int](repeating: logHeight, count: ShardTable.tables(accelerators).count),
            fri: fri,
            regime: StarkConfig<VMField>.vmShard.regime
        )
    }

    @Test(arguments: acceleratorSets)
    func everyShardShapeHas100ProvenBits(_ accelerators: ShardAccelerators) {
        for logHeight in [4, 16, maxLogShardSize] {
            let bits = Self.bits(accelerators, logHeight: logHeight, fri: .vmShard)
            #expect(bits >= 100, "accelerators \(accelerators.rawValue), tables of 2^\(logHeight) rows: \(bits) bits")
        }
    }

    /// The bound is tight enough to matter: fewer queries or less grinding fall below 100 bits at
    /// the largest shard.
    @Test func weakerParametersFallShort() {
        var fewerQueries = FriParameters.vmShard
        fewerQueries.numQueries -= 8
        var lessGrinding = FriParameters.vmShard
        lessGrinding.phasePowBits -= 6
        lessGrinding.commitPowBits -= 6
        for fri in [fewerQueries, lessGrinding] {
            #expect(Self.bits(.all, logHeight: maxLogShardSize, fri: fri) < 100)
        }
    }
}
