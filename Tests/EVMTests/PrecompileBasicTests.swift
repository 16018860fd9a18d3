import EVMPrimitives
import Precompiles
import Testing

/// Known answers for the hash and signature precompiles and the public API.
@Suite struct PrecompileBasicTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var id: Int
        var input: [UInt8]
        var expected: String
        var gas: UInt64
        var testDescription: String { name }
    }

    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let pad12 = "000000000000000000000000"

    static let vectors: [Vector] = [
        // RIPEMD-160 test vectors from Dobbertin, Bosselaers, Preneel, "RIPEMD-160: A strengthened version
        // of RIPEMD" (the authors' published test suite); output left-padded to 32 bytes.
        Vector(
            name: "ripemd160 empty",
            id: 3,
            input: [],
            expected: pad12 + "9c1185a5c5e9fc54612808977ee8f548b2258d31",
            gas: 600
        ),
        Vector(
            name: "ripemd160 abc",
            id: 3,
            input: ascii("abc"),
            expected: pad12 + "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc",
            gas: 720
        ),
        Vector(
            name: "ripemd160 message digest",
            id: 3,
            input: ascii("message digest"),
            expected: pad12 + "5d0689ef49d2fae572b881b123a85ffa21595f36",
            gas: 720
        ),
        Vector(
            name: "ripemd160 a-z",
            id: 3,
            input: ascii("abcdefghijklmnopqrstuvwxyz"),
            expected: pad12 + "f71c27109c692c1b56bbdceb5b9d2865b3708dbc",
            gas: 720
        ),
        Vector(
            name: "ripemd160 448 bits",
            id: 3,
            input: ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            expected: pad12 + "12a053384a9c0c88e405a06c27dcf49ada62eb2b",
            gas: 840
        ),
        Vector(
            name: "ripemd160 8x1234567890",
            id: 3,
            input: ascii(String(repeating: "1234567890", count: 8)),
            expected: pad12 + "9b752e45573d4b39f4dbd3323cab82bf63326bfb",
            gas: 960
        ),
        // SHA-256 FIPS 180-2 appendix B examples.
        Vector(
            name: "sha256 abc",
            id: 2,
            input: ascii("abc"),
            expected: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            gas: 72
        ),
        Vector(
            name: "sha256 448 bits",
            id: 2,
            input: ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            expected: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            gas: 84
        ),
        // ecrecover: go-ethereum core/vm/testdata/precompiles/ecRecover.json.
        Vector(
            name: "ecrecover ValidKey",
            id: 1,
            input: PrecompileTestSupport.bytes(
                "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
            ),
            expected: pad12 + "a94f5374fce5edbc8e2a8697c15331677e6ebf0b",
            gas: 3000
        ),
        Vector(
            name: "ecrecover CallEcrecoverUnrecoverableKey",
            id: 1,
            input: PrecompileTestSupport.bytes(
                "a8b53bdf3306a35a7103ab5504a0c9b492295564b6202b1942a84ef300107281000000000000000000000000000000000000000000000000000000000000001b307835653165303366353363653138623737326363623030393366663731663366353366356337356237346463623331613835616138623838393262346538621122334455667788991011121314151617181920212223242526272829303132"
            ),
            expected: "",
            gas: 3000
        ),
        Vector(
            name: "ecrecover InvalidHighV-bits-1",
            id: 1,
            input: PrecompileTestSupport.bytes(
                "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c100000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
            ),
            expected: "",
            gas: 3000
        ),
        Vector(
            name: "ecrecover InvalidHighV-bits-2",
            id: 1,
            input: PrecompileTestSupport.bytes(
                "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000001000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
            ),
            expected: "",
            gas: 3000
        ),
        Vector(name: "identity", id: 4, input: [1, 2, 3], expected: "010203", gas: 18),
    ]

    @Test(arguments: vectors)
    func vector(_ v: Vector) {
        let result = Precompiles.run(id: v.id, input: v.input, gasLimit: 100_000, fork: .osaka)
        guard case .success(let out) = result else {
            Issue.record("failed: \(result)")
            return
        }
        #expect(PrecompileTestSupport.hex(out.output) == v.expected)
        #expect(out.gasUsed == v.gas)
    }

    @Test func outOfGas() {
        #expect(Precompiles.run(id: 1, input: [], gasLimit: 2999, fork: .osaka) == .failure(.outOfGas))
        #expect(Precompiles.run(id: 2, input: [0], gasLimit: 71, fork: .osaka) == .failure(.outOfGas))
        #expect(Precompiles.run(id: 3, input: [0], gasLimit: 719, fork: .osaka) == .failure(.outOfGas))
        #expect(Precompiles.run(id: 4, input: [0], gasLimit: 17, fork: .osaka) == .failure(.outOfGas))
    }

    @Test func activation() {
        #expect(Precompiles.activeIDs(fork: .frontier) == [1, 2, 3, 4])
        #expect(Precompiles.activeIDs(fork: .byzantium) == Array(1...8))
        #expect(Precompiles.activeIDs(fork: .istanbul) == Array(1...9))
        #expect(Precompiles.activeIDs(fork: .cancun) == Array(1...10))
        #expect(Precompiles.activeIDs(fork: .prague) == Array(1...17))
        #expect(Precompiles.activeIDs(fork: .osaka) == Array(1...17) + [0x100])
        #expect(!Precompiles.isActive(id: 0x12, fork: .osaka))
        #expect(!Precompiles.isActive(id: 0, fork: .osaka))
    }
}
