import EVMPrimitives
import Keccak
import Testing

@Suite struct KeccakTests {
    /// Published Keccak-256 digests that Ethereum uses as constants.
    static let knownAnswers: [(input: [UInt8], digest: String)] = [
        // KEC(()) — the code hash of an account without code.
        ([], "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        // KEC(RLP("")) — the root of the empty trie.
        ([0x80], "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"),
        // KEC(RLP([])) — the ommers hash of a block without ommers.
        ([0xC0], "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"),
        // The ERC-20 Transfer event topic.
        (
            Array("Transfer(address,address,uint256)".utf8),
            "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
        ),
    ]

    @Test(arguments: 0..<knownAnswers.count)
    func knownAnswer(_ i: Int) {
        let (input, digest) = Self.knownAnswers[i]
        #expect(Hex.encode(Keccak256.hash(input), prefix: false) == digest)
        #expect(Keccak256.digest(input) == Bytes32(hex: digest))
    }

    @Test func functionSelector() {
        // transfer(address,uint256) has the selector 0xa9059cbb.
        let h = Keccak256.hash(Array("transfer(address,uint256)".utf8))
        #expect(Array(h[0..<4]) == [0xA9, 0x05, 0x9C, 0xBB])
    }

    /// Streaming in uneven pieces gives the same digest as hashing at once, across block boundaries.
    @Test func streamingMatchesOneShot() {
        var data = [UInt8]()
        var x: UInt32 = 12345
        for _ in 0..<700 {
            x = x &* 1_103_515_245 &+ 12345
            data.append(UInt8(truncatingIfNeeded: x >> 16))
        }
        for length in [0, 1, 135, 136, 137, 271, 272, 273, 500, 700] {
            let oneShot = Keccak256.hash(Array(data[0..<length]))
            for piece in [1, 7, 64, 136, 200] {
                var h = Keccak256.Hasher()
                var i = 0
                while i < length {
                    let j = min(length, i + piece)
                    h.update(Array(data[i..<j]))
                    i = j
                }
                #expect(h.finalize() == oneShot, "length \(length) piece \(piece)")
            }
        }
    }

    /// Keccak-f[1600] applied to the all-zero state (the first state of the Keccak team's
    /// KeccakF-1600 intermediate values): first lane of the output.
    @Test func permutationOfZeroState() {
        var lanes: KeccakLanes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        keccakF1600(&lanes)
        #expect(lanes.0 == 0xF125_8F79_40E1_DDE7)
        #expect(lanes.1 == 0x84D5_CCF9_33C0_478A)
        keccakF1600(&lanes)
        #expect(lanes.0 == 0x2D5C_954D_F96E_CB3C)
    }
}
