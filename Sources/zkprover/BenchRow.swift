/// One line of a benchmark table printed by `zkprover bench` and friends.
struct BenchRow: Codable, Sendable {
    /// What was measured, e.g. "Poseidon2 KoalaBear w16 packed".
    var name: String
    /// Threads used.
    var threads: Int
    /// The measured figure.
    var value: Double
    /// Unit of `value`, e.g. "M perm/s" or "ms".
    var unit: String
    /// The reference figure (Plonky3, revm, ...) when one is known.
    var reference: Double?
    /// Extra facts (proof size, security bits, ...).
    var note: String?
}
