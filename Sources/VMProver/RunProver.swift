import Algebra
import Foundation
import Hashing
import Stark
import VM

/// Why a run could not be proven.
public enum RunProvingError: Error, Sendable, CustomStringConvertible {
    /// The executor rejected the run: such a run cannot be proven.
    case execution(VMError)
    case load(ELFError)
    case witness(shard: Int, ShardWitnessError)
    case proving(shard: Int, ProverError)
    case program(ProgramTableError)

    public var description: String {
        switch self {
        case .execution(let e): return "the run fails: \(e)"
        case .load(let e): return "the program cannot be loaded: \(e)"
        case .witness(let s, let e): return "shard \(s): \(e)"
        case .proving(let s, let e): return "shard \(s): \(e)"
        case .program(let e): return "program: \(e)"
        }
    }
}

/// Proves runs of one program, shard by shard (each shard on its own: different machines may
/// prove different shards given the start image).
public struct RunProver: Sendable {
    public let key: VMProgramKey
    public let config: StarkConfig<VMField>

    public init(key: VMProgramKey, config: StarkConfig<VMField>) {
        self.key = key
        self.config = config
    }

    /// Proves one shard that starts from `start`; returns the proof and the next start image.
    public func proveShard(
        _ shard: Shard,
        start: MemoryImage,
        options: ProvingOptions = ProvingOptions()
    ) throws(RunProvingError) -> (ShardProof, MemoryImage) {
        let w: ShardWitness
        do { w = try ShardWitness(shard: shard, start: start, key: key) } catch {
            throw .witness(shard: shard.index, error)
        }
        let stark: StarkProof<VMField>
        do { stark = try StarkProver(config: config).prove(w.tables, options: options) } catch {
            throw .proving(shard: shard.index, error)
        }
        return (ShardProof(output: w.output, accelerators: w.accelerators, stark: stark), w.finalImage)
    }

    /// Runs the program on `input` and `hints` in tracing mode and proves every shard.
    /// `progress` receives a line per shard.
    public func prove(
        input: [UInt8],
        hints: [UInt8] = [],
        shardSize: Int,
        options: ProvingOptions = ProvingOptions(),
        progress: (String) -> Void = { _ in }
    ) throws(RunProvingError) -> VMProof {
        let machine: Machine
        do { machine = try Machine(program: key.program, input: input, hints: hints) } catch {
            throw .load(error)
        }
        var shards: [ShardProof] = []
        var image = key.startImage
        var failure: RunProvingError? = nil
        do throws(VMError) {
            try machine.trace(shardSize: shardSize) { shard in
                guard failure == nil else { return }
                let t0 = Date()
                do throws(RunProvingError) {
                    let (p, next) = try proveShard(shard, start: image, options: options)
                    shards.append(p)
                    image = next
                    let s = Date().timeIntervalSince(t0)
                    progress(
                        "shard \(shard.index): \(shard.rows.count) cycles proven in \(String(format: "%.2f", s)) s"
                    )
                } catch {
                    failure = error
                }
            }
        } catch {
            throw .execution(error)
        }
        if let failure { throw failure }
        return VMProof(programId: key.programId, shards: shards)
    }
}

/// Why a run proof was rejected.
public enum RunVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    case decoding(DecodingError)
    case noShards
    case wrongProgram
    case shard(Int, VerificationError)
    /// The shards do not form one run: index, pc or memory chain broken, or the end is wrong.
    case chain(shard: Int, String)

    public var description: String {
        switch self {
        case .decoding(let e): return "malformed proof: \(e)"
        case .noShards: return "the proof has no shards"
        case .wrongProgram: return "the proof is for another program (program id differs)"
        case .shard(let i, let e): return "shard \(i): \(e)"
        case .chain(let i, let s): return "shard \(i): \(s)"
        }
    }
}

/// What a verified run proof states.
public struct VerifiedRun: Sendable, Equatable {
    public var exitCode: UInt32
    public var output: [UInt8]
    public var cycles: UInt64
    public var shards: Int
}

/// Verifies run proofs of one program; the key (program id and start image root) is derived
/// once from the ELF and reused.
public struct RunVerifier: Sendable {
    public let key: VMProgramKey
    public let config: StarkConfig<VMField>

    public init(key: VMProgramKey, config: StarkConfig<VMField>) {
        self.key = key
        self.config = config
    }

    public func verify(bytes: [UInt8]) throws(RunVerificationError) -> VerifiedRun {
        let proof: VMProof
        do { proof = try VMProof(decoding: bytes) } catch { throw .decoding(error) }
        return try verify(proof)
    }

    /// Checks every shard proof and that the shards chain: shard k starts where shard k − 1
    /// ended (pc and memory image root), shard 0 starts at the ELF's entry from its image, and
    /// only the last shard halts.
    public func verify(_ proof: VMProof) throws(RunVerificationError) -> VerifiedRun {
        guard !proof.shards.isEmpty else { throw .noShards }
        guard proof.programId == key.programId else { throw .wrongProgram }
        let verifier = StarkVerifier<VMField>(config: config)
        var startRoot = key.startImageRoot
        var pc = key.program.entry
        var cycles: UInt64 = 0
        var exitCode: UInt32 = 0
        for (k, shard) in proof.shards.enumerated() {
            let roots = shard.stark.preprocessedRoots
            guard roots.count == 4 else { throw .chain(shard: k, "expected 4 preprocessed commitments") }
            let finalRoot = roots[ShardCommitmentGroup.finalImage]
            let airs = key.airs(output: shard.output, start: nil, final: nil, accelerators: shard.accelerators)
            do {
                try verifier.verify(
                    airs: airs,
                    proof: shard.stark,
                    preprocessedRoots: [
                        ShardCommitmentGroup.fixed: key.programId,
                        ShardCommitmentGroup.startImage: startRoot,
                        ShardCommitmentGroup.finalImage: finalRoot,
                    ]
                )
            } catch {
                throw .shard(k, error)
            }
            guard let pv = shard.cpu else { throw .chain(shard: k, "malformed public values") }
            guard pv.shardIndex == UInt32(k) else { throw .chain(shard: k, "shard index \(pv.shardIndex)") }
            guard pv.startPC == pc else { throw .chain(shard: k, "starts at pc 0x\(String(pv.startPC, radix: 16))") }
            let last = k == proof.shards.count - 1
            guard pv.halted == last else {
                throw .chain(shard: k, last ? "the run does not halt" : "halts before the last shard")
            }
            guard pv.cycles > 0 else { throw .chain(shard: k, "no cycles") }
            cycles += UInt64(pv.cycles)
            pc = pv.endPC
            startRoot = finalRoot
            exitCode = pv.exitCode
        }
        return VerifiedRun(exitCode: exitCode, output: proof.output, cycles: cycles, shards: proof.shards.count)
    }
}

extension VMProgramKey {
    /// The proven security of `proof` in `regime` (its configuration's): the smallest over its
    /// shards.
    public func provenBits(_ proof: VMProof, regime: SoundnessRegime) -> Int {
        proof.shards.map { shard in
            provenBits(
                accelerators: shard.accelerators,
                logHeights: shard.stark.tables.map(\.logHeight),
                fri: shard.stark.fri,
                regime: regime
            )
        }.min() ?? 0
    }

    /// The proven security in `regime` of a shard proof with `accelerators`, tables of
    /// 2^`logHeights` rows (in ``ShardTable`` order) and FRI parameters `fri` (its output bytes
    /// do not change a table's shape).
    public func provenBits(
        accelerators: ShardAccelerators,
        logHeights: [Int],
        fri: FriParameters,
        regime: SoundnessRegime
    ) -> Int {
        let shapes = airs(output: [], start: nil, final: nil, accelerators: accelerators).map { AirShape(of: $0) }
        let sp = soundnessParameters(shapes: shapes, logHeights: logHeights, fri: fri, fieldType: VMField.self)
        return Soundness.report(sp, regime: regime).bits
    }
}
