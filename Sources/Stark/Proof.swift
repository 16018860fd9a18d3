import Algebra
import Hashing

/// The rows at one index of the matrices committed in one Merkle tree, with the path.
public struct RowOpening<F: StarkField>: Sendable, Equatable {
    /// One opened row per committed matrix (shorter matrices at the scaled-down index).
    public var rows: [[F]]
    /// Sibling digests from the leaf level up.
    public var path: [StarkDigest<F>]

    public init(rows: [[F]], path: [StarkDigest<F>]) {
        self.rows = rows
        self.path = path
    }
}

/// One FRI round of one query: the other values of the coset that folds to one point (the
/// round's leaf without the value the folding chain brings), and the leaf's path.
public struct FriLayerOpening<F: StarkField>: Sendable, Equatable {
    /// `2^s − 1` values for a round that folds by `2^s`, in leaf order without the chain's own.
    public var siblings: [QuarticExtension<F>]
    public var path: [StarkDigest<F>]

    public init(siblings: [QuarticExtension<F>], path: [StarkDigest<F>]) {
        self.siblings = siblings
        self.path = path
    }

    public init(sibling: QuarticExtension<F>, path: [StarkDigest<F>]) {
        self.init(siblings: [sibling], path: path)
    }

    /// The one sibling of a round that folds by 2.
    public var sibling: QuarticExtension<F> {
        get { siblings[0] }
        set { siblings[0] = newValue }
    }
}

/// Everything opened for one query index.
public struct QueryProof<F: StarkField>: Sendable, Equatable {
    /// One opening per committed tree, in commitment order: one per preprocessed group (in
    /// ascending group order), main, aux (when some table has interactions), quotient.
    public var inputs: [RowOpening<F>]
    /// One opening per FRI folding round.
    public var layers: [FriLayerOpening<F>]
}

/// The values of one table's polynomials at ζ and ωζ.
public struct TableOpenings<F: StarkField>: Sendable, Equatable {
    public var mainLocal: [QuarticExtension<F>]
    public var mainNext: [QuarticExtension<F>]
    public var prepLocal: [QuarticExtension<F>]
    public var prepNext: [QuarticExtension<F>]
    /// Aux columns as base coordinates (4 per extension column).
    public var auxLocal: [QuarticExtension<F>]
    public var auxNext: [QuarticExtension<F>]
    /// Quotient chunk coordinates at ζ (4 per chunk).
    public var quotient: [QuarticExtension<F>]
}

/// One table's part of a proof.
public struct TableProof<F: StarkField>: Sendable, Equatable {
    /// `log2` of the table's height.
    public var logHeight: Int
    /// The table's public values.
    public var publicValues: [F]
    /// The LogUp running sum over the whole table (zero-length tables have none).
    public var cumulativeSum: QuarticExtension<F>?
    public var openings: TableOpenings<F>
}

/// A multi-table STARK proof.
public struct StarkProof<F: StarkField>: Sendable, Equatable {
    /// The FRI parameters the proof was made with.
    public var fri: FriParameters
    public var tables: [TableProof<F>]
    /// One root per preprocessed commitment group present in the statement (a group with at
    /// least one table with fixed columns), in ascending group order: the tree over the
    /// low-degree extensions of that group's fixed columns, tables in statement order.
    public var preprocessedRoots: [StarkDigest<F>]
    /// The root of the tree over all tables' main traces.
    public var mainRoots: [StarkDigest<F>]
    /// The root of the tree over the LogUp traces (empty without interactions).
    public var auxRoots: [StarkDigest<F>]
    /// The root of the tree over all quotient chunks.
    public var quotientRoots: [StarkDigest<F>]
    /// One root per FRI folding round.
    public var friRoots: [StarkDigest<F>]
    /// One proof-of-work witness per FRI folding round, before its folding challenge
    /// (``FriParameters/commitPowBits`` each; zero when that is 0).
    public var commitWitnesses: [F]
    /// Coefficients of the final polynomial.
    public var finalPoly: [QuarticExtension<F>]
    /// The proof-of-work witnesses before the LogUp challenges, the out-of-domain point and the
    /// DEEP batching coefficients (``FriParameters/phasePowBits`` each; zero when that is 0).
    public var phaseWitnesses: [F]
    /// The query-phase proof-of-work witness.
    public var powWitness: F
    public var queries: [QueryProof<F>]
}

// MARK: - Binary format

/// Bounds enforced while decoding (before any allocation).
public enum ProofLimits {
    public static var maxTables: Int { 256 }
    public static var maxColumns: Int { 1 << 16 }
    public static var maxPublicValues: Int { 1 << 12 }
    public static var maxLogHeight: Int { 28 }
    public static var maxQueries: Int { 1024 }
    public static var maxPath: Int { 40 }
    public static var maxFinalPoly: Int { 1 << 12 }
    /// Preprocessed commitment groups are numbered `0..<maxPreprocessedGroups`.
    public static var maxPreprocessedGroups: Int { 16 }
    /// One tree per preprocessed group, then main, aux and quotient.
    public static var maxInputsPerQuery: Int { maxPreprocessedGroups + 3 }
}

extension StarkProof {
    /// Magic bytes `ZKPS`.
    public static var magic: [UInt8] { [0x5a, 0x4b, 0x50, 0x53] }
    /// The current format version. Version 2 writes every Merkle path node once per tree and
    /// level: a node that an earlier query of the proof already carried is a back-reference.
    /// Version 3 commits fixed columns in one tree per preprocessed group and carries the
    /// roots (``preprocessedRoots``, written before the main roots). Version 4 adds the phase
    /// proof-of-work bits (after the final-polynomial length) and the three phase witnesses
    /// (before the query witness); its statements pack LogUp interactions into shared columns.
    /// Version 5 adds FRI's folding arity (after the phase proof-of-work bits) and writes each
    /// round's siblings as a list. Version 6 adds the commit rounds' proof-of-work bits (after
    /// the folding arity) and one witness per FRI round (after the FRI roots). Version 7 marks a
    /// path's back-references in a bit mask after its length instead of a tag byte per node.
    public static var formatVersion: UInt16 { 7 }

    /// Field identifier stored in the header (1 KoalaBear, 2 BabyBear, 0 other).
    static var fieldTag: UInt8 {
        switch F.modulus {
        case KoalaBearParameters.prime: return 1
        case BabyBearParameters.prime: return 2
        default: return 0
        }
    }

    /// The compact binary encoding: magic, version, field tag, parameters, then the body.
    public func encoded() -> [UInt8] {
        var sizes = ProofSizes()
        return encoded(sizes: &sizes)
    }

    /// The encoded proof's bytes by component (they add up to ``encoded()``'s length).
    public var sizes: ProofSizes {
        var sizes = ProofSizes()
        _ = encoded(sizes: &sizes)
        return sizes
    }

    func encoded(sizes: inout ProofSizes) -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: Self.magic)
        w.u16(Self.formatVersion)
        w.u8(Self.fieldTag)
        w.u8(UInt8(fri.logBlowup))
        w.count(fri.numQueries)
        w.u8(UInt8(fri.queryPowBits))
        w.u8(UInt8(fri.logFinalPolyLength))
        w.u8(UInt8(fri.phasePowBits))
        w.u8(UInt8(fri.logFoldingArity))
        w.u8(UInt8(fri.commitPowBits))
        w.count(tables.count)
        sizes.header = w.bytes.count
        for t in tables {
            w.u8(UInt8(t.logHeight))
            w.fields(t.publicValues)
            if let c = t.cumulativeSum {
                w.u8(1)
                w.ext(c)
            } else {
                w.u8(0)
            }
            let o = t.openings
            for v in [o.mainLocal, o.mainNext, o.prepLocal, o.prepNext, o.auxLocal, o.auxNext, o.quotient] {
                w.exts(v)
            }
        }
        sizes.outOfDomain = w.bytes.count - sizes.header
        var mark = w.bytes.count
        for roots in [preprocessedRoots, mainRoots, auxRoots, quotientRoots, friRoots] {
            w.count(roots.count)
            for r in roots { Self.writeDigest(&w, r) }
        }
        for k in 0..<friRoots.count { w.field(k < commitWitnesses.count ? commitWitnesses[k] : .zero) }
        w.exts(finalPoly)
        for k in 0..<3 { w.field(k < phaseWitnesses.count ? phaseWitnesses[k] : .zero) }
        w.field(powWitness)
        w.count(queries.count)
        sizes.commitments = w.bytes.count - mark
        var written = PathNodes<F>()
        func tally(_ part: inout Int) {
            part += w.bytes.count - mark
            mark = w.bytes.count
        }
        for q in queries {
            mark = w.bytes.count
            w.count(q.inputs.count)
            for (i, o) in q.inputs.enumerated() {
                w.count(o.rows.count)
                for row in o.rows { w.fields(row) }
                tally(&sizes.openedRows)
                Self.writePath(&w, o.path, tree: i, nodes: &written)
                tally(&sizes.tracePaths)
            }
            w.count(q.layers.count)
            for (k, l) in q.layers.enumerated() {
                w.exts(l.siblings)
                tally(&sizes.friSiblings)
                Self.writePath(&w, l.path, tree: ProofLimits.maxInputsPerQuery + k, nodes: &written)
                tally(&sizes.friPaths)
            }
            tally(&sizes.openedRows)
        }
        return w.bytes
    }

    static var digestWidth: Int { 8 }

    static func writeDigest(_ w: inout ByteWriter, _ d: StarkDigest<F>) {
        for e in d.elements { w.field(e) }
    }

    /// A path: its length `n`, a mask of `⌈n/8⌉` bytes (bit `l % 8` of byte `l / 8` set when the
    /// node at level `l` is a back-reference; the bits past `n` zero), then per node either its
    /// digest or, for a back-reference, `k` for the `k`-th (from 0) distinct node already written
    /// at this tree and level. Most nodes are new, so the mask costs a bit where a tag cost a
    /// byte.
    static func writePath(_ w: inout ByteWriter, _ p: [StarkDigest<F>], tree: Int, nodes: inout PathNodes<F>) {
        w.count(p.count)
        let known = p.enumerated().map { level, d in
            nodes.written[PathNodes<F>.key(tree: tree, level: level), default: [:]][d]
        }
        for byte in 0..<(p.count + 7) / 8 {
            var mask: UInt8 = 0
            for bit in 0..<8 where byte * 8 + bit < p.count && known[byte * 8 + bit] != nil { mask |= 1 << bit }
            w.u8(mask)
        }
        for (level, d) in p.enumerated() {
            if let k = known[level] {
                w.count(k)
            } else {
                writeDigest(&w, d)
                let key = PathNodes<F>.key(tree: tree, level: level)
                let n = nodes.written[key, default: [:]].count
                nodes.written[key, default: [:]][d] = n
            }
        }
    }

    static func readDigest(_ r: inout ByteReader) throws(DecodingError) -> StarkDigest<F> {
        var e: [F] = []
        e.reserveCapacity(digestWidth)
        for _ in 0..<digestWidth { e.append(try r.field(F.self)) }
        return StarkDigest(e)
    }

    static func readPath(
        _ r: inout ByteReader,
        tree: Int,
        nodes: inout PathNodes<F>
    ) throws(DecodingError)
        -> [StarkDigest<F>]
    {
        let n = try r.count("Merkle path", limit: ProofLimits.maxPath, minBytesPerItem: 1)
        var mask: [UInt8] = []
        for _ in 0..<(n + 7) / 8 { mask.append(try r.u8()) }
        if n % 8 != 0, let last = mask.last, last >> (n % 8) != 0 { throw .invalidTag("Merkle path mask") }
        var p: [StarkDigest<F>] = []
        p.reserveCapacity(n)
        for level in 0..<n {
            let key = PathNodes<F>.key(tree: tree, level: level)
            if mask[level / 8] >> (level % 8) & 1 == 1 {
                let known = nodes.read[key, default: []]
                guard !known.isEmpty else { throw .invalidTag("Merkle path node reference") }
                p.append(known[try r.count("Merkle path node reference", limit: known.count - 1)])
            } else {
                let d = try readDigest(&r)
                // One encoding per proof: a node already carried must be referenced.
                guard nodes.readSet[key, default: []].insert(d).inserted else {
                    throw .invalidTag("Merkle path node written twice")
                }
                nodes.read[key, default: []].append(d)
                p.append(d)
            }
        }
        return p
    }

    /// Decodes a proof; throws a ``DecodingError`` for any malformed, truncated or oversized input.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        for m in Self.magic { guard try r.u8() == m else { throw .badMagic } }
        let version = try r.u16()
        guard version == Self.formatVersion else { throw .unsupportedVersion(version) }
        guard try r.u8() == Self.fieldTag else { throw .invalidTag("field") }
        let logBlowup = Int(try r.u8())
        guard (1...8).contains(logBlowup) else {
            throw .lengthOutOfBounds(what: "log blowup", value: logBlowup, limit: 8)
        }
        let numQueries = try r.count("queries", limit: ProofLimits.maxQueries)
        let pow = Int(try r.u8())
        guard pow <= 30 else { throw .lengthOutOfBounds(what: "PoW bits", value: pow, limit: 30) }
        let logFinal = Int(try r.u8())
        guard logFinal <= 12 else { throw .lengthOutOfBounds(what: "final poly", value: logFinal, limit: 12) }
        let phasePow = Int(try r.u8())
        guard phasePow <= 30 else { throw .lengthOutOfBounds(what: "phase PoW bits", value: phasePow, limit: 30) }
        let logArity = Int(try r.u8())
        guard (1...FriParameters.maxLogFoldingArity).contains(logArity) else {
            throw .lengthOutOfBounds(
                what: "log folding arity",
                value: logArity,
                limit: FriParameters.maxLogFoldingArity
            )
        }
        let commitPow = Int(try r.u8())
        guard commitPow <= 30 else { throw .lengthOutOfBounds(what: "commit PoW bits", value: commitPow, limit: 30) }
        let fri = FriParameters(
            logBlowup: logBlowup,
            numQueries: numQueries,
            queryPowBits: pow,
            logFinalPolyLength: logFinal,
            phasePowBits: phasePow,
            logFoldingArity: logArity,
            commitPowBits: commitPow
        )

        let numTables = try r.count("tables", limit: ProofLimits.maxTables, minBytesPerItem: 10)
        var tables: [TableProof<F>] = []
        tables.reserveCapacity(numTables)
        for _ in 0..<numTables {
            let lh = Int(try r.u8())
            guard lh <= ProofLimits.maxLogHeight else {
                throw .lengthOutOfBounds(what: "log height", value: lh, limit: ProofLimits.maxLogHeight)
            }
            let pv = try r.fields("public values", limit: ProofLimits.maxPublicValues, F.self)
            let flag = try r.u8()
            var cs: QuarticExtension<F>? = nil
            switch flag {
            case 0: break
            case 1: cs = try r.ext(F.self)
            default: throw .invalidTag("cumulative sum flag")
            }
            var lists: [[QuarticExtension<F>]] = []
            for _ in 0..<7 { lists.append(try r.exts("opened values", limit: ProofLimits.maxColumns, F.self)) }
            let o = TableOpenings(
                mainLocal: lists[0],
                mainNext: lists[1],
                prepLocal: lists[2],
                prepNext: lists[3],
                auxLocal: lists[4],
                auxNext: lists[5],
                quotient: lists[6]
            )
            tables.append(TableProof(logHeight: lh, publicValues: pv, cumulativeSum: cs, openings: o))
        }
        var rootLists: [[StarkDigest<F>]] = []
        let rootLimits = [
            ("preprocessed roots", ProofLimits.maxPreprocessedGroups), ("main roots", ProofLimits.maxTables),
            ("aux roots", ProofLimits.maxTables), ("quotient roots", ProofLimits.maxTables),
            ("FRI roots", ProofLimits.maxPath),
        ]
        for (what, limit) in rootLimits {
            let n = try r.count(what, limit: limit, minBytesPerItem: 4 * Self.digestWidth)
            var l: [StarkDigest<F>] = []
            l.reserveCapacity(n)
            for _ in 0..<n { l.append(try Self.readDigest(&r)) }
            rootLists.append(l)
        }
        var commitWitnesses: [F] = []
        commitWitnesses.reserveCapacity(rootLists[4].count)
        for _ in rootLists[4] { commitWitnesses.append(try r.field(F.self)) }
        let finalPoly = try r.exts("final polynomial", limit: ProofLimits.maxFinalPoly, F.self)
        let phaseWitnesses = [try r.field(F.self), try r.field(F.self), try r.field(F.self)]
        let witness = try r.field(F.self)
        let nq = try r.count("query proofs", limit: ProofLimits.maxQueries, minBytesPerItem: 2)
        var queries: [QueryProof<F>] = []
        queries.reserveCapacity(nq)
        var seen = PathNodes<F>()
        for _ in 0..<nq {
            let ni = try r.count("query inputs", limit: ProofLimits.maxInputsPerQuery, minBytesPerItem: 2)
            var inputs: [RowOpening<F>] = []
            inputs.reserveCapacity(ni)
            for i in 0..<ni {
                let nr = try r.count("opened rows", limit: ProofLimits.maxTables, minBytesPerItem: 1)
                var rows: [[F]] = []
                rows.reserveCapacity(nr)
                for _ in 0..<nr { rows.append(try r.fields("opened row", limit: ProofLimits.maxColumns, F.self)) }
                let path = try Self.readPath(&r, tree: i, nodes: &seen)
                inputs.append(RowOpening(rows: rows, path: path))
            }
            let nl = try r.count("query layers", limit: ProofLimits.maxPath, minBytesPerItem: 17)
            var layers: [FriLayerOpening<F>] = []
            layers.reserveCapacity(nl)
            for k in 0..<nl {
                let s = try r.exts("FRI siblings", limit: (1 << logArity) - 1, F.self)
                let p = try Self.readPath(&r, tree: ProofLimits.maxInputsPerQuery + k, nodes: &seen)
                layers.append(FriLayerOpening(siblings: s, path: p))
            }
            queries.append(QueryProof(inputs: inputs, layers: layers))
        }
        try r.finish()
        self.init(
            fri: fri,
            tables: tables,
            preprocessedRoots: rootLists[0],
            mainRoots: rootLists[1],
            auxRoots: rootLists[2],
            quotientRoots: rootLists[3],
            friRoots: rootLists[4],
            commitWitnesses: commitWitnesses,
            finalPoly: finalPoly,
            phaseWitnesses: phaseWitnesses,
            powWitness: witness,
            queries: queries
        )
    }
}

/// A proof's encoded bytes by component.
public struct ProofSizes: Sendable, Equatable, Codable {
    /// Magic, version, parameters and the table count.
    public var header = 0
    /// Per table: height, public values, LogUp sum and the values at the out-of-domain point.
    public var outOfDomain = 0
    /// Commitment roots, the final polynomial and the proof-of-work witnesses.
    public var commitments = 0
    /// The committed rows opened at the query indices (trace, LogUp and quotient values).
    public var openedRows = 0
    /// The Merkle paths of those rows (nodes shared with an earlier query are back-references).
    public var tracePaths = 0
    /// The sibling values of the FRI folds.
    public var friSiblings = 0
    /// The Merkle paths of the FRI layers.
    public var friPaths = 0

    /// The whole proof.
    public var total: Int { header + outOfDomain + commitments + openedRows + tracePaths + friSiblings + friPaths }
}

/// The Merkle path nodes a proof's encoding has carried so far, per tree and level (trees:
/// the query inputs `0..<maxInputsPerQuery`, then one per FRI round).
struct PathNodes<F: StarkField> {
    /// Encoder: digest → its number among the distinct nodes of its tree and level.
    var written: [Int: [StarkDigest<F>: Int]] = [:]
    /// Decoder: the distinct nodes of each tree and level, in order, and as a set.
    var read: [Int: [StarkDigest<F>]] = [:]
    var readSet: [Int: Set<StarkDigest<F>>] = [:]

    static func key(tree: Int, level: Int) -> Int { tree &* (ProofLimits.maxPath + 1) &+ level }
}
