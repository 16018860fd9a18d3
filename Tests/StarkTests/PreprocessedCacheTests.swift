import Algebra
import Testing

@testable import Stark

/// The process-wide cache of fixed-column commitments: a hit only for the very same traces.
@Suite("Preprocessed commitment cache")
struct PreprocessedCacheTests {
    typealias F = KoalaBear
    let config = StarkConfig<F>.testing

    static func traces(seed: UInt32, changed: Int? = nil) -> [RowMajorMatrix<F>] {
        var values = (0..<(64 * 3)).map { F(UInt32($0) &* 2_654_435_761 &+ seed) }
        if let changed { values[changed] = values[changed] + .one }
        return [RowMajorMatrix(values: values, width: 3), RowMajorMatrix(values: Array(values[0..<48]), width: 3)]
    }

    /// The root a fresh commitment (no cache) gives.
    func uncachedRoot(_ traces: [RowMajorMatrix<F>]) -> StarkDigest<F> {
        Backend.commit(traces.map { Backend.lde($0, logBlowup: config.fri.logBlowup) }, config: config).root
    }

    /// A trace differing in one element (the first, a middle or the last of a matrix) misses
    /// the cache: its root is its own.
    @Test(arguments: [0, 97, 191])
    func oneElementApart(changed: Int) {
        let seed = UInt32(7000 + changed)
        let a = Self.traces(seed: seed)
        let b = Self.traces(seed: seed, changed: changed)
        let rootA = PreprocessedCache.batch(a, config: config).root
        let rootB = PreprocessedCache.batch(b, config: config).root
        #expect(rootA == uncachedRoot(a))
        #expect(rootB == uncachedRoot(b))
        #expect(rootA != rootB)
        #expect(PreprocessedCache.root(b, config: config) == rootB)
    }

    /// The same traces (a separate copy) hit: the cached commitment is the one recomputed.
    @Test func sameTracesHit() {
        let a = Self.traces(seed: 42)
        let first = PreprocessedCache.batch(a, config: config)
        let again = PreprocessedCache.batch(Self.traces(seed: 42), config: config)
        #expect(again.root == first.root)
        #expect(again.root == uncachedRoot(a))
    }
}
