import Algebra
import Hashing
import NetworkCore
import Recursion
import Stark
import VM
import VMProver
import VMRecursion

/// The zkVM's proof kinds for the prover network: a run of a known guest program is proven as
/// one `vm-shard` job per shard (the shard's STARK and its leaf recursion proof), `vm-aggregate`
/// jobs that join two adjacent segments, following the tree `RunAggregator` builds, and one
/// `vm-final` job over the tree's root. Each job after the shards builds on its dependencies'
/// verified proofs (``ProofKind/dependencyProofs``): the node proves from them and the
/// coordinator checks the new proof's statement against them.
///
/// The kinds know a set of programs, by program id (``VMProgramKey/programId`` under the shard
/// configuration): a job for another program is refused. The production kinds
/// (`vm-shard`, `vm-aggregate`, `vm-final`) prove at ≥ 100 bits (``RunRecursion/init(key:)``);
/// the `-testing` kinds use ``RunRecursion/testing(key:)``, INSECURE parameters (about 20
/// bits) for tests and development only.
///
/// Every kind's proof is the encoding of what `VMRecursion` proves: a ``SegmentProof`` (`ZKSG`)
/// for `vm-shard` and `vm-aggregate`, a ``FinalProof`` (`ZKAG`) for `vm-final`.
public struct VMProofKinds: Sendable {
    public static let shardKindName = "vm-shard"
    public static let aggregateKindName = "vm-aggregate"
    public static let finalKindName = "vm-final"
    /// The suffix of the testing kinds' names.
    public static let testingSuffix = "-testing"
    /// Most shards of one run (the recursion verifier's bound).
    public static var maxShards: Int { RunRecursion.maxShards }
    /// Largest shard size (`log2` of cycles): a shard's CPU table is as tall as its cycles.
    public static var maxLogShardSize: Int { VMProver.maxLogShardSize }
    /// Largest guest input a `vm-shard` job carries (a job's input is at most 1 MiB).
    public static var maxGuestInputBytes: Int { (1 << 20) - 256 }

    /// Whether these are the INSECURE testing kinds.
    public let insecure: Bool
    let programs: [[UInt32]: RunRecursion]
    let work: VMWorkModel

    /// The kinds for `programs`, at production parameters, or at INSECURE test parameters when
    /// `insecure`, with shard tables up to 2^`maxLogShardHeight` rows (by default
    /// ``RunRecursion``'s: every shard size for production, 2^16 for testing; a smaller bound
    /// makes a smaller recursion shape, so faster recursion proofs, for small guests). Deriving
    /// each program's key commits its program table (seconds for a large guest).
    public init(programs: [Program], insecure: Bool = false, maxLogShardHeight: Int? = nil) throws(ProofKindError) {
        let config = StarkConfig<VMField>.vm(insecure: insecure)
        var keys: [VMProgramKey] = []
        for p in programs {
            do { keys.append(try VMProgramKey(program: p, config: config)) } catch {
                throw ProofKindError("program: \(error)")
            }
        }
        let recursions = keys.map { key in
            switch (insecure, maxLogShardHeight) {
            case (true, let h?): RunRecursion.testing(key: key, maxLogShardHeight: h)
            case (true, nil): RunRecursion.testing(key: key)
            case (false, let h?): RunRecursion(key: key, maxLogShardHeight: h)
            case (false, nil): RunRecursion(key: key)
            }
        }
        self.init(recursions: recursions, insecure: insecure)
    }

    /// The kinds for programs whose recursion configurations are given: the production kinds'
    /// names, or the testing kinds' when `insecure` (say so for any configuration below 100
    /// bits).
    public init(recursions: [RunRecursion], insecure: Bool) {
        self.insecure = insecure
        var programs: [[UInt32]: RunRecursion] = [:]
        for r in recursions { programs[r.key.programId.elements.map(\.canonical)] = r }
        self.programs = programs
        work = insecure ? .testing : .production
    }

    /// The recursion of a known program.
    public func recursion(_ programId: StarkDigest<VMField>) throws(ProofKindError) -> RunRecursion {
        guard let r = programs[programId.elements.map(\.canonical)] else {
            throw ProofKindError("unknown program \(programId)")
        }
        return r
    }

    /// The program ids these kinds know.
    public var programIds: [StarkDigest<VMField>] { programs.values.map(\.key.programId) }

    var suffix: String { insecure ? Self.testingSuffix : "" }
    /// The names of the three kinds.
    public var shardName: String { Self.shardKindName + suffix }
    public var aggregateName: String { Self.aggregateKindName + suffix }
    public var finalName: String { Self.finalKindName + suffix }

    public var shard: VMShardKind { VMShardKind(kinds: self) }
    public var aggregate: VMAggregateKind { VMAggregateKind(kinds: self) }
    public var final: VMFinalKind { VMFinalKind(kinds: self) }
    /// The three kinds, to register with a coordinator or node.
    public var all: [any ProofKind] { [shard, aggregate, final] }

    /// The segment proof of a dependency, whose kind must be `vm-shard` for a leaf and
    /// `vm-aggregate` for an aggregate, of this security level.
    func segment(_ d: ProofDependency) throws(ProofKindError) -> SegmentProof {
        let p: SegmentProof
        do { p = try SegmentProof(decoding: d.proof) } catch {
            throw ProofKindError("dependency \(d.jobId): not a segment proof: \(error)")
        }
        let expected = p.isAggregate ? aggregateName : shardName
        guard d.kind == expected else {
            throw ProofKindError(
                "dependency \(d.jobId): a \(p.isAggregate ? "aggregate" : "leaf") proof from a \(d.kind) job, not \(expected)"
            )
        }
        return p
    }

    /// Refuses shards whose CPU table would be taller than the recursion shape holds (their
    /// other tables, the memory images among them, may still be: such a shard's leaf is refused
    /// when proven).
    static func checkShardSize(_ size: Int, _ recursion: RunRecursion) throws(ProofKindError) {
        guard size <= 1 << recursion.maxLogShardHeight else {
            throw ProofKindError(
                "shards of \(size) cycles: above the 2^\(recursion.maxLogShardHeight) rows of these kinds"
            )
        }
    }

    /// The key digest an aggregate or final circuit takes from `child`: its stated key digest for
    /// an aggregate, its leaf key for a leaf.
    static func keyDigest(_ child: SegmentProof, _ recursion: RunRecursion) throws(ProofKindError) -> [RF] {
        if child.isAggregate { return child.statement.keysDigest }
        guard child.shards.count == 1 else { throw ProofKindError("a leaf of \(child.shards.count) shards") }
        do { return try recursion.leafKey(child.shards[0]).root.elements } catch {
            throw ProofKindError("leaf key: \(error)")
        }
    }
}

/// Rough work estimates of the VM kinds, in work units (about a millisecond on one reference
/// core), from `docs/recursion.md` and `zkprover vm bench --prove` on the 2-core development
/// machine: shards prove at about 20,000 cycles per second per core at 100 bits (about ten
/// times that at the testing parameters); an aggregate recursion proof is about 11 core seconds
/// at 100 bits (4.6–6 s on 2 threads), a leaf as much, or about three times that when it is
/// taller than the recursion shape and normalized, a final proof (compress and wrap) about 60
/// (30 s on 2 threads);
/// re-executing the cycles before a shard in tracing mode costs about 0.2 µs a cycle.
struct VMWorkModel: Sendable {
    var perCycle: Double
    var leaf: Double
    var aggregate: Double
    var final: Double
    var perTracedCycle = 0.0002

    static let production = VMWorkModel(perCycle: 0.05, leaf: 16_000, aggregate: 11_000, final: 60_000)
    static let testing = VMWorkModel(perCycle: 0.005, leaf: 1_500, aggregate: 1_500, final: 1_000)
}

/// `vm-shard`: one shard of a run, proven from scratch. The node runs the program on the job's
/// guest input in tracing mode up to the shard (advancing the memory image shard by shard
/// without proving), proves the shard's STARK and its leaf recursion proof; the proof is the
/// leaf's ``SegmentProof`` encoding. The coordinator accepts a leaf proof of exactly that shard
/// of that program: a valid segment (``RunRecursion/verifySegment(_:)``) of one shard, index
/// `index`, from the input's start boundary to its end boundary, halting as the input says,
/// with `shardSize` cycles unless it halts. Input: ``VMShardInput``.
public struct VMShardKind: ProofKind {
    let kinds: VMProofKinds
    public var name: String { kinds.shardName }

    /// The re-execution of the shards before this one, the shard's STARK and its leaf.
    public func estimateWork(input: [UInt8]) throws(ProofKindError) -> Double {
        let s = try VMShardInput(decoding: input)
        try VMProofKinds.checkShardSize(s.shardSize, try kinds.recursion(s.programId))
        let w = kinds.work
        return Double(s.index) * Double(s.shardSize) * w.perTracedCycle + Double(s.shardSize) * w.perCycle + w.leaf
    }

    public func prove(input: [UInt8]) throws(ProofKindError) -> [UInt8] {
        let s = try VMShardInput(decoding: input)
        let recursion = try kinds.recursion(s.programId)
        try VMProofKinds.checkShardSize(s.shardSize, recursion)
        let (shard, start) = try Self.reexecute(s, key: recursion.key)
        guard shard.startPC == s.start.pc, shard.endPC == s.end.pc, (shard.exitCode != nil) == s.halts else {
            throw ProofKindError("shard \(s.index) of the run is not the input's (pc or halting differ)")
        }
        let leaf: SegmentProof
        do {
            let (proof, _) = try RunProver(key: recursion.key, config: recursion.shardConfig).proveShard(
                shard,
                start: start
            )
            leaf = try recursion.proveLeaf(proof)
        } catch {
            throw ProofKindError("shard \(s.index): \(error)")
        }
        try Self.check(leaf, s)
        return leaf.encoded()
    }

    public func verify(input: [UInt8], proof: [UInt8]) throws(ProofKindError) {
        let s = try VMShardInput(decoding: input)
        let recursion = try kinds.recursion(s.programId)
        let p: SegmentProof
        do { p = try SegmentProof(decoding: proof) } catch { throw ProofKindError("not a segment proof: \(error)") }
        try Self.check(p, s)
        do { try recursion.verifySegment(p) } catch { throw ProofKindError("leaf proof: \(error)") }
    }

    /// A `vm-shard` input is made from a run, not a seed (``VMRunPlan``): empty, which
    /// ``estimateWork(input:)`` refuses.
    public func sampleInput(size: Int, seed: UInt64) -> [UInt8] { [] }

    /// Whether `p`'s statement is the leaf of shard `s` (its proof aside).
    static func check(_ p: SegmentProof, _ s: VMShardInput) throws(ProofKindError) {
        let st = p.statement
        guard !p.isAggregate, p.shards.count == 1 else { throw ProofKindError("not a leaf proof of one shard") }
        guard st.firstShard.canonical == UInt32(s.index), st.lastShard.canonical == UInt32(s.index) else {
            throw ProofKindError("a proof of shard \(st.firstShard), not \(s.index)")
        }
        guard st.startImage == s.start.imageRoot.elements, st.startPC.canonical == s.start.pc else {
            throw ProofKindError("shard \(s.index) starts from another memory image or pc")
        }
        guard st.finalImage == s.end.imageRoot.elements, st.endPC.canonical == s.end.pc else {
            throw ProofKindError("shard \(s.index) ends in another memory image or pc")
        }
        guard st.halted.canonical == (s.halts ? 1 : 0) else {
            throw ProofKindError(s.halts ? "shard \(s.index) does not halt" : "shard \(s.index) halts")
        }
        let cycles = Int(st.cycles.canonical)
        guard s.halts ? (1...s.shardSize).contains(cycles) : cycles == s.shardSize else {
            throw ProofKindError("shard \(s.index) runs \(cycles) cycles in shards of \(s.shardSize)")
        }
    }

    /// Runs the program on the input in tracing mode up to shard `s.index` (and no further):
    /// that shard and the memory image it starts from.
    static func reexecute(_ s: VMShardInput, key: VMProgramKey) throws(ProofKindError) -> (Shard, MemoryImage) {
        let machine: Machine
        do {
            machine = try Machine(
                program: key.program,
                input: s.input,
                config: MachineConfig(maxCycles: UInt64(s.index + 1) * UInt64(s.shardSize))
            )
        } catch {
            throw ProofKindError("the program cannot be loaded: \(error)")
        }
        var image = key.startImage
        var found: (Shard, MemoryImage)? = nil
        do {
            try machine.trace(shardSize: s.shardSize) { shard in
                if shard.index < s.index {
                    image = ImageTransition(start: image, shard: shard).final
                } else if shard.index == s.index {
                    found = (shard, image)
                }
            }
        } catch {
            // The cycle limit stops the run right after the shard.
            guard found != nil, case .cycleLimitExceeded = error else {
                throw ProofKindError("the run fails before shard \(s.index) ends: \(error)")
            }
        }
        guard let found else { throw ProofKindError("the run has no shard \(s.index)") }
        return found
    }
}

/// `vm-aggregate`: the aggregate proof of a segment of a run, over the proofs of its two
/// dependencies (the segment's two halves in the aggregation tree, each a `vm-shard` leaf or a
/// `vm-aggregate` proof), ordered by the shards they state: they must be exactly
/// `first...mid − 1` and `mid...last` of the input. The coordinator accepts a valid segment
/// whose statement is exactly the join of the two (one program, left end = right start, output
/// and key digests compressed, cycles summed) and whose shards are theirs. Input:
/// ``VMAggregateInput``.
public struct VMAggregateKind: ProofKind {
    let kinds: VMProofKinds
    public var name: String { kinds.aggregateName }
    public var dependencyProofs: ClosedRange<Int>? { 2...2 }

    public func estimateWork(input: [UInt8]) throws(ProofKindError) -> Double {
        let a = try VMAggregateInput(decoding: input)
        _ = try kinds.recursion(a.programId)
        return kinds.work.aggregate
    }

    public func prove(input: [UInt8]) throws(ProofKindError) -> [UInt8] {
        throw ProofKindError("\(name) proves from its two dependencies' proofs")
    }

    public func verify(input: [UInt8], proof: [UInt8]) throws(ProofKindError) {
        throw ProofKindError("\(name) verifies against its two dependencies' proofs")
    }

    public func prove(input: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) -> [UInt8] {
        let (a, recursion) = try parse(input)
        let (left, right) = try children(a, dependencies)
        do { return try recursion.proveAggregate(left, right).encoded() } catch {
            throw ProofKindError("aggregate of shards \(a.first)...\(a.last): \(error)")
        }
    }

    public func verify(input: [UInt8], proof: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) {
        let (a, recursion) = try parse(input)
        let (left, right) = try children(a, dependencies)
        let p: SegmentProof
        do { p = try SegmentProof(decoding: proof) } catch { throw ProofKindError("not a segment proof: \(error)") }
        guard p.isAggregate else { throw ProofKindError("a leaf proof, not an aggregate") }
        guard p.shards == left.shards + right.shards else {
            throw ProofKindError("the proof's shards are not its children's")
        }
        let l = left.statement
        let r = right.statement
        let joined = SegmentStatement(
            programId: l.programId,
            startImage: l.startImage,
            startPC: l.startPC,
            firstShard: l.firstShard,
            finalImage: r.finalImage,
            endPC: r.endPC,
            lastShard: r.lastShard,
            outputDigest: RunRecursion.treeDigest([l.outputDigest, r.outputDigest]),
            halted: r.halted,
            exitLo: r.exitLo,
            exitHi: r.exitHi,
            aggregateKey: l.aggregateKey,
            keysDigest: RunRecursion.treeDigest([
                try VMProofKinds.keyDigest(left, recursion), try VMProofKinds.keyDigest(right, recursion),
            ]),
            cycles: l.cycles + r.cycles
        )
        guard p.statement == joined else { throw ProofKindError("the statement is not the join of its children's") }
        do { try recursion.verifySegment(p) } catch { throw ProofKindError("aggregate proof: \(error)") }
    }

    /// An aggregate input is made from a run's plan (``VMRunPlan``): empty here, refused.
    public func sampleInput(size: Int, seed: UInt64) -> [UInt8] { [] }

    func parse(_ input: [UInt8]) throws(ProofKindError) -> (VMAggregateInput, RunRecursion) {
        let a = try VMAggregateInput(decoding: input)
        return (a, try kinds.recursion(a.programId))
    }

    /// The two children, ordered by their first shard: exactly the two halves of `a`, adjacent,
    /// of `a`'s program, the left one not halting.
    func children(
        _ a: VMAggregateInput,
        _ dependencies: [ProofDependency]
    ) throws(ProofKindError) -> (SegmentProof, SegmentProof) {
        guard dependencies.count == 2 else { throw ProofKindError("\(dependencies.count) dependencies, not 2") }
        var c: [SegmentProof] = []
        for d in dependencies { c.append(try kinds.segment(d)) }
        c.sort { $0.statement.firstShard.canonical < $1.statement.firstShard.canonical }
        let ranges = c.map { (Int($0.statement.firstShard.canonical), Int($0.statement.lastShard.canonical)) }
        guard ranges[0] == (a.first, a.mid - 1), ranges[1] == (a.mid, a.last) else {
            throw ProofKindError(
                "children of shards \(ranges[0].0)...\(ranges[0].1) and \(ranges[1].0)...\(ranges[1].1), not \(a.first)...\(a.mid - 1) and \(a.mid)...\(a.last)"
            )
        }
        for s in c where s.statement.programId != a.programId.elements {
            throw ProofKindError("a child proves another program")
        }
        guard c[0].statement.halted == .zero else { throw ProofKindError("the left child halts") }
        return (c[0], c[1])
    }
}

/// `vm-final`: the final proof of a whole run, over the proof of its one dependency, the root
/// of the aggregation tree (shards `0...shards − 1`). The coordinator accepts a final proof
/// that ``RunRecursion/verify(_:)`` accepts (this program from the ELF's entry, every shard,
/// halted) whose statement and shards are the root's. Input: ``VMFinalInput``.
public struct VMFinalKind: ProofKind {
    let kinds: VMProofKinds
    public var name: String { kinds.finalName }
    public var dependencyProofs: ClosedRange<Int>? { 1...1 }

    public func estimateWork(input: [UInt8]) throws(ProofKindError) -> Double {
        let f = try VMFinalInput(decoding: input)
        _ = try kinds.recursion(f.programId)
        return kinds.work.final
    }

    public func prove(input: [UInt8]) throws(ProofKindError) -> [UInt8] {
        throw ProofKindError("\(name) proves from the root's proof")
    }

    public func verify(input: [UInt8], proof: [UInt8]) throws(ProofKindError) {
        throw ProofKindError("\(name) verifies against the root's proof")
    }

    public func prove(input: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) -> [UInt8] {
        let (_, recursion, root) = try parse(input, dependencies)
        do { return try recursion.proveFinal(root).encoded() } catch { throw ProofKindError("final proof: \(error)") }
    }

    public func verify(input: [UInt8], proof: [UInt8], dependencies: [ProofDependency]) throws(ProofKindError) {
        _ = try verified(input: input, proof: proof, dependencies: dependencies)
    }

    /// Verifies as ``verify(input:proof:dependencies:)`` and returns what the run proves.
    public func verified(
        input: [UInt8],
        proof: [UInt8],
        dependencies: [ProofDependency]
    ) throws(ProofKindError) -> VerifiedAggregatedRun {
        let (f, recursion, root) = try parse(input, dependencies)
        let p: FinalProof
        do { p = try FinalProof(decoding: proof) } catch { throw ProofKindError("not a final proof: \(error)") }
        guard p.shards == root.shards else { throw ProofKindError("the proof's shards are not the root's") }
        var expected = root.statement
        expected.keysDigest = try VMProofKinds.keyDigest(root, recursion)
        guard p.statement == expected else { throw ProofKindError("the statement is not the root's") }
        let run: VerifiedAggregatedRun
        do { run = try recursion.verify(p) } catch { throw ProofKindError("final proof: \(error)") }
        guard run.shards == f.shards else { throw ProofKindError("a run of \(run.shards) shards, not \(f.shards)") }
        return run
    }

    /// A final input is made from a run's plan (``VMRunPlan``): empty here, refused.
    public func sampleInput(size: Int, seed: UInt64) -> [UInt8] { [] }

    func parse(
        _ input: [UInt8],
        _ dependencies: [ProofDependency]
    ) throws(ProofKindError) -> (VMFinalInput, RunRecursion, SegmentProof) {
        let f = try VMFinalInput(decoding: input)
        let recursion = try kinds.recursion(f.programId)
        guard dependencies.count == 1 else { throw ProofKindError("\(dependencies.count) dependencies, not 1") }
        let root = try kinds.segment(dependencies[0])
        let s = root.statement
        guard s.programId == f.programId.elements else { throw ProofKindError("the root proves another program") }
        guard s.firstShard == .zero, s.lastShard.canonical == UInt32(f.shards - 1) else {
            throw ProofKindError("a root of shards \(s.firstShard)...\(s.lastShard), not 0...\(f.shards - 1)")
        }
        return (f, recursion, root)
    }
}
