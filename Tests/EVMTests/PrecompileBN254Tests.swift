import EVMPrimitives
import Precompiles
import Testing

/// bn254 vectors from go-ethereum's published precompile test data
/// (core/vm/testdata/precompiles/bn256Pairing.json, names as there), typed from that file.
@Suite struct PrecompileBN254Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var id: Int
        var input: String
        var expected: String
        var gas: UInt64
        var testDescription: String { name }
    }

    static let g1 =
        "0000000000000000000000000000000000000000000000000000000000000001"
        + "0000000000000000000000000000000000000000000000000000000000000002"
    static let g2 =
        "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
        + "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
        + "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
        + "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
    static let minusG2 =
        "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
        + "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
        + "275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec"
        + "1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d"
    static let jeffPrefix1 =
        "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"

    static let vectors: [Vector] = [
        Vector(
            name: "jeff1",
            id: 8,
            input: jeffPrefix1
                + "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411" + g2,
            expected: "0000000000000000000000000000000000000000000000000000000000000001",
            gas: 113000
        ),
        Vector(
            name: "jeff6",
            id: 8,
            input: jeffPrefix1
                + "103188585e2364128fe25c70558f1560f4f9350baf3959e603cc91486e110936" + g2,
            expected: "0000000000000000000000000000000000000000000000000000000000000000",
            gas: 113000
        ),
        Vector(
            name: "empty_data",
            id: 8,
            input: "",
            expected: "0000000000000000000000000000000000000000000000000000000000000001",
            gas: 45000
        ),
        Vector(
            name: "one_point",
            id: 8,
            input: g1 + g2,
            expected: "0000000000000000000000000000000000000000000000000000000000000000",
            gas: 79000
        ),
        Vector(
            name: "two_point_match_2",
            id: 8,
            input: g1 + g2 + g1 + minusG2,
            expected: "0000000000000000000000000000000000000000000000000000000000000001",
            gas: 113000
        ),
    ]

    @Test(arguments: vectors)
    func vector(_ v: Vector) {
        let result = Precompiles.run(
            id: v.id,
            input: PrecompileTestSupport.bytes(v.input),
            gasLimit: 1_000_000,
            fork: .osaka
        )
        guard case .success(let out) = result else {
            Issue.record("failed: \(result)")
            return
        }
        #expect(PrecompileTestSupport.hex(out.output) == v.expected)
        #expect(out.gasUsed == v.gas)
    }
}
