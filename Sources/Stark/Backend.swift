import Algebra
import Hashing

/// Several matrices committed in one Merkle tree (the prover keeps them for openings).
struct CommittedBatch<F: StarkField>: Sendable {
    let matrices: [RowMajorMatrix<F>]
    let tree: MerkleTree<Poseidon2MerkleHasher<F>>
    var root: StarkDigest<F> { tree.root }
    var maxLogHeight: Int { log2Strict(matrices.map(\.height).max()!) }
    var dimensions: [MatrixDimensions] { matrices.map { MatrixDimensions(width: $0.width, height: $0.height) } }

    /// The rows at `index` (of the tallest matrix; shorter ones at `index >> Δ`) and the path.
    func open(_ index: Int) -> RowOpening<F> {
        let o = try! tree.open(index: index)
        return RowOpening(rows: o.openedRows, path: o.siblings)
    }
}

/// Adapters over the `Algebra` DFTs and the `Hashing` Merkle trees.
enum Backend {
    static func mmcs<F: StarkField>(_ config: StarkConfig<F>) -> StarkMMCS<F> {
        StarkMMCS(hasher: Poseidon2MerkleHasher(permutation: config.permutation), threads: Parallel.maxThreads)
    }

    /// Low-degree extension on `g·H'` (g the field generator), rows bit-reversed.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func lde<F: PrimeField31>(_ m: RowMajorMatrix<F>, logBlowup: Int) -> RowMajorMatrix<F> {
        m.cosetLDEBitReversed(logBlowup: logBlowup, shift: F.generator)
    }

    /// Coefficients of the polynomials whose values on `shift·H` (natural order) are the rows.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func interpolateCoset<F: PrimeField31>(_ m: RowMajorMatrix<F>, shift: F) -> RowMajorMatrix<F> {
        m.cosetIDFT(shift: shift)
    }

    /// Evaluations on `shift·H` of size `2^logSize`, rows bit-reversed, of the polynomials
    /// whose coefficients are the rows of `coefficients`.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func evaluateCoefficients<F: PrimeField31>(
        _ coefficients: RowMajorMatrix<F>,
        logSize: Int,
        shift: F
    )
        -> RowMajorMatrix<F>
    {
        let logHeight = log2Strict(coefficients.height)
        precondition(logSize >= logHeight, "fewer evaluation points than coefficients")
        return coefficients.cosetDFTBitReversed(shift: shift, logBlowup: logSize - logHeight)
    }

    /// Commits to `matrices` in one tree.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func commit<F: StarkField>(_ matrices: [RowMajorMatrix<F>], config: StarkConfig<F>) -> CommittedBatch<F> {
        let (_, tree) = try! mmcs(config).commit(matrices)
        return CommittedBatch(matrices: matrices, tree: tree)
    }

    /// Checks the openings of many queries of one tree at once; returns the position of the
    /// first that does not verify, or `nil` when all do.
    @_specialize(where F == KoalaBear)
    @_specialize(where F == BabyBear)
    static func firstFailure<F: StarkField>(
        root: StarkDigest<F>,
        dimensions: [MatrixDimensions],
        indices: [Int],
        openings: [RowOpening<F>],
        config: StarkConfig<F>
    ) -> Int? {
        do {
            try MerkleTree<Poseidon2MerkleHasher<F>>.verifyBatch(
                hasher: mmcs(config).hasher,
                root: root,
                dimensions: dimensions,
                indices: indices,
                openings: openings.map { Hashing.MerkleOpening(openedRows: $0.rows, siblings: $0.path) }
            )
            return nil
        } catch {
            return error.position
        }
    }
}
