import Algebra
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small process-wide cache of preprocessed (fixed-column) commitments, so that proving or
/// verifying many statements over the same fixed tables — every shard of one program, a range
/// table shared by every proof — extends and hashes those tables once.
///
/// An entry is keyed by the field, the blowup and the fixed traces themselves: a lookup compares
/// the traces value for value (a `memcmp`, far cheaper than the LDE and the Merkle tree it
/// saves), so a hit is exactly the commitment a recomputation would give. The permutation is not
/// part of the key because ``StarkConfig`` always uses the field's width-16 Poseidon2.
///
/// Bounded: at most ``maxEntries`` entries of each kind, and the prover entries' extensions
/// together hold at most ``maxCells`` field elements (least recently used dropped first; a group
/// larger than that is never kept). Verifier roots keep only the unextended traces and a digest.
enum PreprocessedCache {
    /// The most entries of each kind kept.
    static let maxEntries = 8
    /// The most committed extension cells (base-field elements, all prover entries) kept: 256 MiB.
    static let maxCells = 1 << 26

    private struct Entry: @unchecked Sendable {
        let field: ObjectIdentifier
        let logBlowup: Int
        let traces: Any
        /// A `CommittedBatch<F>` (prover) or a `StarkDigest<F>` (verifier).
        let value: Any
        /// Cells of the extension held (0 for a root).
        let cells: Int
    }

    private static let provers = Mutex<[Entry]>([])
    private static let roots = Mutex<[Entry]>([])

    /// The commitment to the low-degree extensions of `traces` under `config`: from the cache
    /// when these exact traces were committed at this blowup before, computed (and kept, when
    /// small enough) otherwise.
    static func batch<F: StarkField>(_ traces: [RowMajorMatrix<F>], config: StarkConfig<F>) -> CommittedBatch<F> {
        let b = config.fri.logBlowup
        if let hit: CommittedBatch<F> = lookup(provers, traces, logBlowup: b) { return hit }
        let batch = Backend.commit(traces.map { Backend.lde($0, logBlowup: b) }, config: config)
        let cells = batch.matrices.reduce(0) { $0 + $1.values.count }
        if cells <= maxCells { insert(provers, traces, logBlowup: b, value: batch, cells: cells) }
        return batch
    }

    /// The root of ``batch(_:config:)`` without keeping the extension (for verifiers).
    static func root<F: StarkField>(_ traces: [RowMajorMatrix<F>], config: StarkConfig<F>) -> StarkDigest<F> {
        let b = config.fri.logBlowup
        if let hit: StarkDigest<F> = lookup(roots, traces, logBlowup: b) { return hit }
        if let hit: CommittedBatch<F> = lookup(provers, traces, logBlowup: b) { return hit.root }
        let root = Backend.commit(traces.map { Backend.lde($0, logBlowup: b) }, config: config).root
        insert(roots, traces, logBlowup: b, value: root, cells: 0)
        return root
    }

    private static func lookup<F: Field, V>(
        _ store: borrowing Mutex<[Entry]>,
        _ traces: [RowMajorMatrix<F>],
        logBlowup: Int
    ) -> V? {
        let field = ObjectIdentifier(F.self)
        return store.withLock { entries -> V? in
            guard
                let i = entries.firstIndex(where: {
                    $0.field == field && $0.logBlowup == logBlowup && $0.value is V
                        && ($0.traces as? [RowMajorMatrix<F>]).map { sameTraces($0, traces) } == true
                })
            else { return nil }
            let e = entries.remove(at: i)
            entries.append(e)  // most recently used last
            return e.value as? V
        }
    }

    private static func insert<F: Field>(
        _ store: borrowing Mutex<[Entry]>,
        _ traces: [RowMajorMatrix<F>],
        logBlowup: Int,
        value: Any,
        cells: Int
    ) {
        let e = Entry(field: ObjectIdentifier(F.self), logBlowup: logBlowup, traces: traces, value: value, cells: cells)
        store.withLock { entries in
            entries.append(e)
            var total = entries.reduce(0) { $0 + $1.cells }
            while entries.count > maxEntries || total > maxCells {
                total -= entries.removeFirst().cells
            }
        }
    }

    /// Whether `a` and `b` hold the same matrices: their bytes compared by `memcmp` (a field
    /// element's representation is canonical, so equal words are equal elements). The generic
    /// `==` compares element by element through the `Equatable` witness: tens of milliseconds for
    /// a recursion circuit's fixed columns, in every proof.
    private static func sameTraces<F: Field>(_ a: [RowMajorMatrix<F>], _ b: [RowMajorMatrix<F>]) -> Bool {
        guard _isPOD(F.self) else { return a == b }
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.width == y.width, x.values.count == y.values.count else { return false }
            let equal = x.values.withUnsafeBytes { p in
                y.values.withUnsafeBytes { q in p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0 }
            }
            guard equal else { return false }
        }
        return true
    }
}
