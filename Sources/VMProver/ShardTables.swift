import Algebra
import Hashing
import Stark
import VM

/// The tables of shard proofs, in proof order: every shard has the base tables (`program` …
/// `output`); an accelerator's tables follow only in shards that call it (see
/// ``ShardAccelerators``).
public enum ShardTable: Int, CaseIterable, Sendable {
    case program, range, bytes, cpu, startImage, finalImage, fresh
    case addSub, bitwise, compare, shift, mul, divRem
    case loadStore, syscall, syscallMemory, output
    case keccak, keccakMemory, mulMod
    case secp256k1
    case sha256, sha256Memory

    /// The tables of a shard with `accelerators`, in proof order.
    public static func tables(_ accelerators: ShardAccelerators) -> [ShardTable] {
        allCases.filter { t in
            switch t {
            case .keccak, .keccakMemory: accelerators.contains(.keccak)
            case .mulMod: accelerators.contains(.mulMod)
            case .secp256k1: accelerators.contains(.secp256k1)
            case .sha256, .sha256Memory: accelerators.contains(.sha256)
            default: true
            }
        }
    }
}

/// The accelerator tables a shard proof includes. A shard includes a table only when it makes
/// the table's syscalls, so that shards without them pay nothing (a table's columns are opened
/// in every query). The set is part of the proof and fixes the verifier's list of AIRs; a
/// prover that leaves out a table the shard needs leaves that syscall's tuples unanswered on
/// ``Bus/vmSyscall``, and an unneeded table balances only with no call in it.
public struct ShardAccelerators: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// ``KeccakAir`` and ``KeccakMemoryAir`` (`keccak_f`).
    public static let keccak = ShardAccelerators(rawValue: 1)
    /// ``MulModAir`` (`uint256_mulmod`).
    public static let mulMod = ShardAccelerators(rawValue: 2)
    /// ``Secp256k1Air`` (`secp256k1_add`, `secp256k1_double`).
    public static let secp256k1 = ShardAccelerators(rawValue: 8)
    /// ``SHA256Air`` and ``SHA256MemoryAir`` (`sha256_compress`).
    public static let sha256 = ShardAccelerators(rawValue: 16)
    /// Every accelerator this prover has tables for.
    public static let all: ShardAccelerators = [.keccak, .mulMod, .secp256k1, .sha256]

    /// The accelerator whose tables prove `call`: nil for the base syscalls, which the syscall
    /// tables prove, and for accelerated calls without a table yet.
    public static func table(for call: Syscall) -> ShardAccelerators? {
        switch call {
        case .keccakF: .keccak
        case .uint256MulMod: .mulMod
        case .secp256k1Add, .secp256k1Double: .secp256k1
        case .sha256Compress: .sha256
        default: nil
        }
    }

    /// Whether this prover can prove `call`: a base syscall, or an accelerated one with a table.
    public static func canProve(_ call: Syscall) -> Bool { !call.isAccelerated || table(for: call) != nil }

    /// The accelerators the syscalls of `shard` need.
    public init(shard: Shard) {
        self = []
        for e in shard.syscalls {
            if let call = Syscall(rawValue: e.number), let t = Self.table(for: call) { insert(t) }
        }
    }
}

/// What the prover and the verifier derive from the ELF, once: the program table, the code
/// range, the start image, and the roots of the fixed tables (the **program id**) and of the
/// start image.
public struct VMProgramKey: Sendable {
    public let program: Program
    public let programAir: ProgramAir
    public let codeRange: Range<UInt32>
    public let startImage: MemoryImage
    /// Root of the fixed group (program, range and byte tables): the program id.
    public let programId: StarkDigest<VMField>
    /// Root of the ELF's start image (group 2 of the first shard).
    public let startImageRoot: StarkDigest<VMField>

    /// Derives the key of `program` under `config` (the roots depend on the blowup).
    public init(program: Program, config: StarkConfig<VMField>) throws(ProgramTableError) {
        self.program = program
        programAir = try ProgramAir(program: program)
        codeRange = program.codeRange
        startImage = MemoryImage(program: program)
        let verifier = StarkVerifier<VMField>(config: config)
        let fixed: [any Air<VMField>] = [programAir, RangeTableAir(), BytePairTableAir()]
        // Both groups are non-empty and their AIRs provide their fixed columns, so neither call fails.
        programId = try! verifier.preprocessedRoot(airs: fixed, group: ShardCommitmentGroup.fixed)!
        startImageRoot = try! verifier.preprocessedRoot(
            airs: [StartImageAir(image: startImage)],
            group: ShardCommitmentGroup.startImage
        )!
    }

    /// The AIRs of a shard with `accelerators` in ``ShardTable`` order. `output` is the shard's
    /// committed output; the images are given when proving and nil when verifying.
    public func airs(
        output: [UInt8],
        start: MemoryImage?,
        final: MemoryImage?,
        accelerators: ShardAccelerators
    ) -> [any Air<VMField>] {
        ShardTable.tables(accelerators).map { t -> any Air<VMField> in
            switch t {
            case .program: programAir
            case .range: RangeTableAir()
            case .bytes: BytePairTableAir()
            case .cpu: CPUAir()
            case .startImage: StartImageAir(image: start)
            case .finalImage: FinalImageAir(image: final)
            case .fresh: FreshMemoryAir()
            case .addSub: AddSubAir()
            case .bitwise: BitwiseAir()
            case .compare: CompareAir()
            case .shift: ShiftAir()
            case .mul: MulAir()
            case .divRem: DivRemAir()
            case .loadStore: LoadStoreAir(codeRange: codeRange)
            case .syscall: SyscallAir(codeRange: codeRange)
            case .syscallMemory: SyscallMemoryAir(codeRange: codeRange)
            case .output: OutputAir(output: output)
            case .keccak: KeccakAir(codeRange: codeRange)
            case .keccakMemory: KeccakMemoryAir()
            case .mulMod: MulModAir(codeRange: codeRange)
            case .secp256k1: Secp256k1Air(codeRange: codeRange)
            case .sha256: SHA256Air(codeRange: codeRange)
            case .sha256Memory: SHA256MemoryAir()
            }
        }
    }
}

/// Everything needed to prove one shard: the table traces, in ``ShardTable`` order.
public struct ShardWitness: Sendable {
    public var tables: [TableInput<VMField>]
    /// Bytes committed in the shard.
    public var output: [UInt8]
    /// The image after the shard (the next shard's start image).
    public var finalImage: MemoryImage
    /// The accelerator tables among ``tables``.
    public var accelerators: ShardAccelerators

    /// Builds every trace of `shard`, which starts from `start`.
    public init(shard: Shard, start: MemoryImage, key: VMProgramKey) throws(ShardWitnessError) {
        var counter = LookupCounter()
        for e in shard.syscalls {
            if let call = Syscall(rawValue: e.number), !ShardAccelerators.canProve(call) {
                throw .unsupportedSyscall(number: e.number, pc: shard.rows[e.row].pc)
            }
        }
        let accelerators = ShardAccelerators(shard: shard)
        let cpu = try CPUTrace(shard: shard, program: key.programAir, counter: &counter)
        let transition = ImageTransition(start: start, shard: shard)
        let finalMain = FinalImageAir.trace(transition, counter: &counter)
        func events(_ ops: Set<AluOp>) -> [AluEvent] { cpu.aluEvents.filter { ops.contains($0.op) } }
        let addSub = AddSubAir.trace(events: events(AddSubAir.ops), counter: &counter)
        let bitwise = BitwiseAir.trace(events: events(BitwiseAir.ops), counter: &counter)
        let compare = CompareAir.trace(events: events(CompareAir.ops), counter: &counter)
        let shift = ShiftAir.trace(events: events(ShiftAir.ops), counter: &counter)
        let mul = MulAir.trace(events: events(MulAir.ops), counter: &counter)
        let divRem = DivRemAir.trace(events: events(DivRemAir.ops), counter: &counter)
        let loadStore = LoadStoreAir.trace(events: cpu.loadStoreEvents, codeRange: key.codeRange, counter: &counter)
        let sys = SyscallAir.traces(
            events: shard.syscalls.filter { e in
                e.result != nil && Syscall(rawValue: e.number).flatMap { ShardAccelerators.table(for: $0) } == nil
            },
            rows: shard.rows,
            codeRange: key.codeRange,
            counter: &counter
        )
        let keccak = KeccakAir(codeRange: key.codeRange)
        let keccakTraces =
            accelerators.contains(.keccak)
            ? try keccak.traces(
                events: shard.syscalls.filter { $0.number == Syscall.keccakF.rawValue },
                rows: shard.rows,
                counter: &counter
            ) : nil
        let mulMod =
            accelerators.contains(.mulMod)
            ? try MulModAir(codeRange: key.codeRange).trace(
                events: shard.syscalls.filter { $0.number == Syscall.uint256MulMod.rawValue },
                rows: shard.rows,
                counter: &counter
            ) : nil
        let secp256k1 =
            accelerators.contains(.secp256k1)
            ? try Secp256k1Air(codeRange: key.codeRange).trace(
                events: shard.syscalls.filter {
                    $0.number == Syscall.secp256k1Add.rawValue || $0.number == Syscall.secp256k1Double.rawValue
                },
                rows: shard.rows,
                counter: &counter
            ) : nil
        let sha256 =
            accelerators.contains(.sha256)
            ? try SHA256Air(codeRange: key.codeRange).traces(
                events: shard.syscalls.filter { $0.number == Syscall.sha256Compress.rawValue },
                rows: shard.rows,
                counter: &counter
            ) : nil
        let airs = key.airs(output: sys.output, start: start, final: transition.final, accelerators: accelerators)
        var program = [VMField](repeating: .zero, count: key.programAir.height)
        for (i, c) in cpu.programCounts.enumerated() { program[i] = VMField(c) }
        var mains: [ShardTable: RowMajorMatrix<VMField>] = [
            .program: RowMajorMatrix(values: program, width: 1),
            .range: RangeTableAir.trace(counter),
            .bytes: BytePairTableAir.trace(counter),
            .cpu: cpu.matrix,
            .startImage: RowMajorMatrix(width: 1, height: start.height),
            .finalImage: finalMain,
            .fresh: FreshMemoryAir.trace(fresh: transition.fresh),
            .addSub: addSub, .bitwise: bitwise, .compare: compare, .shift: shift, .mul: mul, .divRem: divRem,
            .loadStore: loadStore,
            .syscall: sys.header,
            .syscallMemory: sys.memory,
            .output: RowMajorMatrix(width: 1, height: OutputAir(output: sys.output).height),
        ]
        mains[.keccak] = keccakTraces?.keccak
        mains[.keccakMemory] = keccakTraces?.memory
        mains[.mulMod] = mulMod
        mains[.secp256k1] = secp256k1
        mains[.sha256] = sha256?.sha256
        mains[.sha256Memory] = sha256?.memory
        tables = zip(ShardTable.tables(accelerators), airs).map { t, air in
            TableInput(air: air, trace: mains[t]!, publicValues: t == .cpu ? cpu.publicValues : [])
        }
        output = sys.output
        finalImage = transition.final
        self.accelerators = accelerators
    }
}
