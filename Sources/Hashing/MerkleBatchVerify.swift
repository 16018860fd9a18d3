import Algebra

/// The first opening of a batch that failed, and why.
public struct MerkleBatchError: Error, Hashable, Sendable {
    /// Position of the opening in the batch.
    public var position: Int
    /// What was wrong with it.
    public var error: MerkleError

    public init(position: Int, error: MerkleError) {
        self.position = position
        self.error = error
    }
}

extension MerkleTree {
    /// Checks many openings of one commitment at once: the same result as calling
    /// ``verify(hasher:root:dimensions:index:opening:)`` for every `(indices[i], openings[i])`,
    /// but leaves and nodes are hashed with the hasher's batch forms (eight at a time on packed
    /// lanes for Poseidon2), which is what makes a STARK verifier's query phase fast.
    ///
    /// Throws the first opening that is malformed or does not lead to `root`; never traps.
    public static func verifyBatch(
        hasher: H,
        root: H.Digest,
        dimensions: [MatrixDimensions],
        indices: [Int],
        openings: [MerkleOpening<H>]
    ) throws(MerkleBatchError) {
        let count = openings.count
        guard indices.count == count else {
            throw MerkleBatchError(
                position: min(indices.count, count),
                error: .wrongNumberOfRows(expected: indices.count, actual: count)
            )
        }
        if count == 0 { return }
        guard !dimensions.isEmpty else { throw MerkleBatchError(position: 0, error: .noMatrices) }
        for (k, d) in dimensions.enumerated() {
            guard d.width > 0, d.height > 0 else { throw MerkleBatchError(position: 0, error: .emptyMatrix(matrix: k)) }
            guard d.height & (d.height - 1) == 0 else {
                throw MerkleBatchError(position: 0, error: .heightNotPowerOfTwo(matrix: k, height: d.height))
            }
        }
        let maxHeight = dimensions.map(\.height).max()!
        let log = maxHeight.trailingZeroBitCount
        for (i, opening) in openings.enumerated() {
            guard opening.openedRows.count == dimensions.count else {
                throw MerkleBatchError(
                    position: i,
                    error: .wrongNumberOfRows(expected: dimensions.count, actual: opening.openedRows.count)
                )
            }
            for (k, d) in dimensions.enumerated() where opening.openedRows[k].count != d.width {
                throw MerkleBatchError(
                    position: i,
                    error: .wrongRowWidth(matrix: k, expected: d.width, actual: opening.openedRows[k].count)
                )
            }
            guard indices[i] >= 0, indices[i] < maxHeight else {
                throw MerkleBatchError(position: i, error: .indexOutOfRange(index: indices[i], height: maxHeight))
            }
            guard opening.siblings.count == log else {
                throw MerkleBatchError(
                    position: i,
                    error: .wrongPathLength(expected: log, actual: opening.siblings.count)
                )
            }
        }

        // The digests of the rows of every height, for all openings at once.
        func rowsDigests(height: Int) -> [H.Digest] {
            let members = dimensions.indices.filter { dimensions[$0].height == height }
            let widths = members.map { dimensions[$0].width }
            let columns: [[H.Field]] = members.map { k in
                var flat: [H.Field] = []
                flat.reserveCapacity(count * dimensions[k].width)
                for opening in openings { flat.append(contentsOf: opening.openedRows[k]) }
                return flat
            }
            return [H.Digest](unsafeUninitializedCapacity: count) { buffer, initialized in
                withBuffers(columns) { slices in
                    hasher.hashRows(of: slices, widths: widths, rows: 0..<count, into: buffer.baseAddress!)
                }
                initialized = count
            }
        }

        var nodes = rowsDigests(height: maxHeight)
        var left = nodes
        var right = nodes
        var position = indices
        var height = maxHeight
        for level in 0..<log {
            for i in 0..<count {
                let sibling = openings[i].siblings[level]
                if position[i] & 1 == 0 {
                    left[i] = nodes[i]
                    right[i] = sibling
                } else {
                    left[i] = sibling
                    right[i] = nodes[i]
                }
                position[i] >>= 1
            }
            compressAll(hasher, left, right, into: &nodes)
            height >>= 1
            if dimensions.contains(where: { $0.height == height }) {
                let injected = rowsDigests(height: height)
                compressAll(hasher, nodes, injected, into: &nodes)
            }
        }
        for i in 0..<count where nodes[i] != root {
            throw MerkleBatchError(position: i, error: .rootMismatch)
        }
    }

    /// `out[i] = compress(left[i], right[i])` with the hasher's batch form.
    static func compressAll(_ hasher: H, _ left: [H.Digest], _ right: [H.Digest], into out: inout [H.Digest]) {
        let count = left.count
        let result = [H.Digest](unsafeUninitializedCapacity: count) { buffer, initialized in
            left.withUnsafeBufferPointer { l in
                right.withUnsafeBufferPointer { r in
                    hasher.compress(
                        left: l.baseAddress!,
                        right: r.baseAddress!,
                        stride: 1,
                        count: count,
                        into: buffer.baseAddress!
                    )
                }
            }
            initialized = count
        }
        out = result
    }
}
