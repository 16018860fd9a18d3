#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which packed width-16 Poseidon2 kernel runs: the AVX-512 one (module `Poseidon2AVX512`)
/// where the processor has AVX-512 F, VL and BW, the AVX2 one (`Poseidon2Packed16`) elsewhere.
///
/// The choice is made once per process, from `/proc/cpuinfo`'s flags (Linux on x86_64; other
/// systems use the AVX2 kernel). `ZKPROVER_AVX512=0` in the environment forces the AVX2 kernel
/// (for side-by-side measurements); both kernels compute the same permutation.
public enum Poseidon2Kernels {
    /// Whether ``Poseidon2Parameters/permute16(lanes:constants:)`` uses the AVX-512 kernel.
    public static let useAVX512: Bool = {
        if let v = getenv("ZKPROVER_AVX512"), String(cString: v) == "0" { return false }
        return processorHasAVX512
    }()

    /// Whether the processor has what the AVX-512 kernel is compiled for (F, VL and BW), whatever
    /// the environment says.
    static var processorHasAVX512: Bool { processorFlags().isSuperset(of: ["avx512f", "avx512vl", "avx512bw"]) }

    /// The name of the kernel in use, for benchmark output.
    public static var name: String { useAVX512 ? "AVX-512" : "AVX2" }

    /// The first `flags` line of `/proc/cpuinfo` as a set (empty where there is none).
    static func processorFlags() -> Set<String> {
        #if os(Linux) && arch(x86_64)
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let l = line {
            let text = String(cString: l)
            guard text.hasPrefix("flags"), let colon = text.firstIndex(of: ":") else { continue }
            return Set(
                text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            )
        }
        return []
        #else
        return []
        #endif
    }
}
