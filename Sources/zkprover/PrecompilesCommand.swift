import ArgumentParser
import EVMFixtures
import EVMPrimitives
import Foundation
import Precompiles

/// `zkprover precompiles bench`: times every precompile on representative inputs.
struct PrecompilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precompiles",
        abstract: "Ethereum precompiled contracts.",
        subcommands: [Bench.self]
    )

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time each precompile on a representative input; prints CPU and wall µs per call and Mgas/s."
        )

        @Option(help: "Minimum seconds to spend on each case.")
        var seconds: Double = 0.5

        @Option(help: "Only run cases whose name contains this text.")
        var filter: String?

        func run() throws {
            print("case                           gas   cpu µs/call   cpu Mgas/s   wall µs/call")
            for c in PrecompileBenchCases.all() where filter.map({ c.name.contains($0) }) ?? true {
                guard
                    case .success(let first) = Precompiles.run(
                        id: c.id,
                        input: c.input,
                        gasLimit: 100_000_000,
                        fork: .osaka
                    )
                else {
                    print("\(c.name): precompile rejected the benchmark input")
                    continue
                }
                var calls = 0
                let start = DispatchTime.now().uptimeNanoseconds
                let cpuStart = CPUTime.thread
                var elapsed: UInt64 = 0
                repeat {
                    _ = Precompiles.run(id: c.id, input: c.input, gasLimit: 100_000_000, fork: .osaka)
                    calls += 1
                    elapsed = DispatchTime.now().uptimeNanoseconds - start
                } while Double(elapsed) < seconds * 1e9
                let cpu = (CPUTime.thread - cpuStart) * 1e6 / Double(calls)
                let wall = Double(elapsed) / 1e3 / Double(calls)
                let name = c.name.padding(toLength: 26, withPad: " ", startingAt: 0)
                let gas = String(first.gasUsed).leftPad(8)
                let cpuText = String(format: "%13.2f", cpu)
                let mgasText = String(format: "%12.1f", Double(first.gasUsed) / cpu)
                let wallText = String(format: "%14.2f", wall)
                print("\(name) \(gas) \(cpuText) \(mgasText) \(wallText)")
            }
        }
    }
}

extension String {
    fileprivate func leftPad(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self }
}

/// Representative inputs (valid ones, so the full computation runs).
enum PrecompileBenchCases {
    struct Case {
        var name: String
        var id: Int
        var input: [UInt8]
    }

    static func hex(_ s: String) -> [UInt8] { Hex.decode(s) ?? [] }

    static func word(_ v: UInt64) -> [UInt8] {
        var w = [UInt8](repeating: 0, count: 32)
        for i in 0..<8 { w[31 - i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
        return w
    }

    static func all() -> [Case] {
        var cases: [Case] = []
        // go-ethereum's ecRecover.json "ValidKey".
        cases.append(
            Case(
                name: "ecrecover",
                id: 1,
                input: hex(
                    "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
                )
            )
        )
        let kb = [UInt8](repeating: 0xab, count: 1024)
        cases.append(Case(name: "sha256 1KiB", id: 2, input: kb))
        cases.append(Case(name: "ripemd160 1KiB", id: 3, input: kb))
        cases.append(Case(name: "identity 1KiB", id: 4, input: kb))
        // modexp: 32-byte odd modulus with a 32-byte exponent, and 256-byte operands.
        let m32 = [UInt8](repeating: 0xf3, count: 32)
        cases.append(Case(name: "modexp 256-bit", id: 5, input: word(32) + word(32) + word(32) + m32 + m32 + m32))
        let m256 = (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) | 1 }
        cases.append(
            Case(name: "modexp 2048-bit", id: 5, input: word(256) + word(256) + word(256) + m256 + m256 + m256)
        )
        // blake2f: 12 rounds.
        var b2 = [UInt8](repeating: 0x5a, count: 213)
        b2[0] = 0
        b2[1] = 0
        b2[2] = 0
        b2[3] = 12
        b2[212] = 1
        cases.append(Case(name: "blake2f 12 rounds", id: 9, input: b2))
        // bn254 with the generators.
        let g1 = word(1) + word(2)
        let g2 = hex(
            "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
        )
        let minusG2 = hex(
            "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d"
        )
        cases.append(Case(name: "bn254 add", id: 6, input: g1 + g1))
        cases.append(Case(name: "bn254 mul", id: 7, input: g1 + [UInt8](repeating: 0xc7, count: 32)))
        cases.append(Case(name: "bn254 pairing 2", id: 8, input: g1 + g2 + g1 + minusG2))
        // EEST osaka/eip7951_p256verify_precompiles test_valid "valid_r1_sig".
        cases.append(
            Case(
                name: "p256verify",
                id: 0x100,
                input: hex(
                    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9434287fa699ff2be2a4475ccd9c063d1a22a424b6ab357d9bb0b31f7a71307b9be6af716032d408183c53f6f76945363144555fad2a5ff7854159166e52fc1d0da3c553a4215893e6d95d5818df2519e13233a1e0e56e0ea7b4817a92a6973f9d8c8877a49383e20c3fdc21d4e8e280ef1feeb72c333036770369a4387168d33"
                )
            )
        )
        // BLS12-381: points from the map precompiles.
        let u = [UInt8](repeating: 0, count: 17) + [UInt8](repeating: 0x42, count: 47)
        guard case .success(let p1) = Precompiles.run(id: 0x10, input: u, gasLimit: 100_000, fork: .osaka),
            case .success(let q1) = Precompiles.run(id: 0x11, input: u + u, gasLimit: 100_000, fork: .osaka)
        else { return cases }
        let scalar = [UInt8](repeating: 0x9d, count: 32)
        cases.append(Case(name: "bls g1add", id: 0x0b, input: p1.output + p1.output))
        cases.append(Case(name: "bls g1msm 1", id: 0x0c, input: p1.output + scalar))
        cases.append(
            Case(name: "bls g1msm 64", id: 0x0c, input: Array((0..<64).map { _ in p1.output + scalar }.joined()))
        )
        cases.append(Case(name: "bls g2add", id: 0x0d, input: q1.output + q1.output))
        cases.append(Case(name: "bls g2msm 1", id: 0x0e, input: q1.output + scalar))
        cases.append(
            Case(name: "bls g2msm 32", id: 0x0e, input: Array((0..<32).map { _ in q1.output + scalar }.joined()))
        )
        cases.append(Case(name: "bls pairing 2", id: 0x0f, input: p1.output + q1.output + p1.output + q1.output))
        cases.append(Case(name: "bls map fp->g1", id: 0x10, input: u))
        cases.append(Case(name: "bls map fp2->g2", id: 0x11, input: u + u))
        // EEST cancun/eip4844_blobs test_valid_inputs "mainnet_1".
        cases.append(
            Case(
                name: "kzg point evaluation",
                id: 0x0a,
                input: hex(
                    "018156b94fe9735e573bab36dad05d60feb720d424ccd20aaf719343c31e4246019123bcb9d06356701f7be08b4494625b87a7b02edc566126fb81f6306e915f6c2eb1e94c2532935b8465351ba1bd88eabe2b3fa1aadff7d1cd816e8315bd38a9546d41993e10df2a7429b8490394ea9ee62807bae6f326d1044a51581306f58d4b9dfd5931e044688855280ff3799ea2ea83d9391e0ee42e0c650acc7a1f842a7d385189485ddb4fd54ade3d9fd50d608167dca6c776aad4b8ad5c20691bfe"
                )
            )
        )
        return cases
    }
}
