import Algebra
import Hashing

extension StarkProof {
    /// A proof of the given shape with every value zero: what a verifier circuit needs to be
    /// built without a real proof (the circuit depends only on the shape), for instance to
    /// compute a recursion circuit's verifying key from the shape of the proofs it verifies.
    /// It does not verify. Throws `.shape` for heights no proof can have.
    ///
    /// `airs` and `logHeights` fix the tables; `fri` the commitments, queries and layers.
    public static func placeholder(
        airs: [any Air<F>],
        logHeights: [Int],
        fri: FriParameters
    ) throws(VerificationError) -> StarkProof<F> {
        guard airs.count == logHeights.count, !airs.isEmpty else { throw .shape("number of tables") }
        for (i, lh) in logHeights.enumerated()
        where lh < max(1, fri.logFinalPolyLength) || lh > ProofLimits.maxLogHeight || lh + fri.logBlowup > F.twoAdicity
        {
            throw .shape("table \(i): height 2^\(lh)")
        }
        let shapes = airs.map { AirShape(of: $0) }
        let zeroDigest = StarkDigest<F>([F](repeating: .zero, count: 8))
        let lb = fri.logBlowup
        var tables: [TableProof<F>] = []
        for (s, lh) in zip(shapes, logHeights) {
            let e = QuarticExtension<F>.zero
            let aux = 4 * s.auxExtensionColumns
            let openings = TableOpenings(
                mainLocal: Array(repeating: e, count: s.width),
                mainNext: Array(repeating: e, count: s.width),
                prepLocal: Array(repeating: e, count: s.preprocessedWidth),
                prepNext: Array(repeating: e, count: s.preprocessedWidth),
                auxLocal: Array(repeating: e, count: aux),
                auxNext: Array(repeating: e, count: aux),
                quotient: Array(repeating: e, count: 4 << s.logQuotientDegree)
            )
            tables.append(
                TableProof(
                    logHeight: lh,
                    publicValues: Array(repeating: .zero, count: s.numPublicValues),
                    cumulativeSum: s.interactions.isEmpty ? nil : .zero,
                    openings: openings
                )
            )
        }
        // The trees each query opens: one per preprocessed group present (ascending), main,
        // aux (when some table has interactions), quotient; rows per member table.
        let groups = preprocessedGroups(shapes)
        let all = Array(shapes.indices)
        var trees: [[(table: Int, width: Int)]] = groups.map { g in g.members.map { ($0, shapes[$0].preprocessedWidth) }
        }
        trees.append(all.map { ($0, shapes[$0].width) })
        let withAux = all.filter { !shapes[$0].interactions.isEmpty }
        if !withAux.isEmpty { trees.append(withAux.map { ($0, 4 * shapes[$0].auxExtensionColumns) }) }
        trees.append(all.map { ($0, 4 << shapes[$0].logQuotientDegree) })
        let maxLog = logHeights.max()! + lb
        let schedule = Fri.foldSchedule(
            maxLog: maxLog,
            finalLog: fri.logFinalPolyLength + lb,
            heights: Set(logHeights.map { $0 + lb }),
            logArity: fri.logFoldingArity
        )
        let rounds = schedule.count
        // The height of each round's tree: the codeword's size over its leaves of 2^s rows.
        var leafLogs: [Int] = []
        var level = maxLog
        for s in schedule {
            level -= s
            leafLogs.append(level)
        }
        let query = QueryProof(
            inputs: trees.map { members in
                RowOpening(
                    rows: members.map { [F](repeating: .zero, count: $0.width) },
                    path: Array(repeating: zeroDigest, count: members.map { logHeights[$0.table] + lb }.max()!)
                )
            },
            layers: (0..<rounds).map { r in
                FriLayerOpening(
                    siblings: Array(repeating: .zero, count: (1 << schedule[r]) - 1),
                    path: Array(repeating: zeroDigest, count: leafLogs[r])
                )
            }
        )
        return StarkProof(
            fri: fri,
            tables: tables,
            preprocessedRoots: Array(repeating: zeroDigest, count: groups.count),
            mainRoots: [zeroDigest],
            auxRoots: withAux.isEmpty ? [] : [zeroDigest],
            quotientRoots: [zeroDigest],
            friRoots: Array(repeating: zeroDigest, count: rounds),
            commitWitnesses: Array(repeating: .zero, count: rounds),
            finalPoly: Array(repeating: .zero, count: 1 << fri.logFinalPolyLength),
            phaseWitnesses: [.zero, .zero, .zero],
            powWitness: .zero,
            queries: Array(repeating: query, count: fri.numQueries)
        )
    }
}
