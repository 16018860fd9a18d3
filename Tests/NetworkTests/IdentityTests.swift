import NetworkCore
import Testing

/// Ethereum `personal_sign` compatibility, checked against the web3.js documentation's published
/// example (web3.eth.accounts.sign / privateKeyToAccount).
@Suite struct IdentityTests {
    static let privateKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"

    @Test func addressOfPublishedKey() throws {
        let key = try NodeKey(privateKeyHex: Self.privateKey)
        #expect(key.address == "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23")
    }

    @Test func personalSignMatchesPublishedVector() throws {
        #expect(
            Identity.hex(Identity.personalDigest("Some data"))
                == "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
        )
        let key = try NodeKey(privateKeyHex: Self.privateKey)
        let signature = key.sign(message: "Some data")
        #expect(
            signature
                == "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
        )
        #expect(Identity.recoverAddress(message: "Some data", signatureHex: signature) == key.address)
        #expect(Identity.recoverAddress(message: "Some datb", signatureHex: signature) != key.address)
    }

    @Test func malformedSignaturesRecoverNothing() {
        for s in ["", "0x", "0x1234", "0x" + String(repeating: "ff", count: 65), "not hex at all"] {
            #expect(Identity.recoverAddress(message: "m", signatureHex: s) == nil)
        }
    }

    @Test func addressesAreNormalised() throws {
        #expect(
            try Identity.normalize("0x2C7536E3605D9C16a7a3D7b1898e529396a65c23")
                == "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"
        )
        #expect(throws: NetworkError.self) { try Identity.normalize("0x1234") }
        #expect(throws: NetworkError.self) { try Identity.normalize("2c7536e3605d9c16a7a3d7b1898e529396a65c23") }
    }
}
