import EVMPrimitives
import Keccak
import Testing

@testable import Secp256k1

@Suite struct Secp256k1Tests {
    /// (private key, message hash, r, s, recovery id, public key x‖y). Produced by libsecp256k1
    /// (coincurve 20.0.0, `sign_recoverable`, RFC 6979 nonces) — an independent implementation.
    static let libsecp256k1Vectors: [(String, String, String, String, UInt8, String)] = [
        (
            "0000000000000000000000000000000000000000000000000000000000000001",
            "881e9800d9112edf56fbe48fd31aba1f0989796399f8e9a61235fb74808a80e3",
            "e8fa946fce92b5a002c75554ef11331f4186483939b8f1182f75807efc77ed8d",
            "11941d0ae2c98881a2608e7f0ce742bf8e46704164ce085d146b4ab22e2e6d52", 0,
            "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
        ),
        (
            "0000000000000000000000000000000000000000000000000000000000000002",
            "f69728e366b37087ebe36d1c276fb6475d54176440843967f2c1b69162d72e57",
            "ac167d6e5f723a4664f5321c008a0fb860eb37615d8d318fa8a9655cb6117988",
            "0cb7e13dfa7e173ca4653709d5ea77a3f74949e829713319f1691a521e3cffde", 0,
            "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee51ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a"
        ),
        (
            "0000000000000000000000000000000000000000000000000000000000000003",
            "0f7a5f26953980dbb2a0360b2c2f498d2b400fe0d35f4ad459560abffbf15c0a",
            "08d6c3bfb7fdbefb7fd455719b266fcb12a61db4ef9e7d20baf486231eca794a",
            "5ce53fc8300da83f8788fbaea3a4d5bf4ab6b5deb5be8c7669bc207c3eeb9fe4", 0,
            "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9388f7b0f632de8140fe337e62a37f3566500a99934c2231b6cb9fd7584b8e672"
        ),
        (
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
            "1b71e5e9922632f5bb5fde43ebb187a9ba35110a8b57423cf9ee455bcdb02ae1",
            "d57164af5fd27eface2c6b32843b211734183d27ffce381f2d92e24da9b1fdac",
            "22c70dbd3e4894760c3df8f14848653254b707057dec059f999bbc3e2cc631df", 0,
            "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798b7c52588d95c3b9aa25b0403f1eef75702e84bb7597aabe663b82f6f04ef2777"
        ),
        (
            "45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
            "ecd509bf6347589b3d94241d1e637c08d6dd50eaee1f69aff4cb3395a8d4a25f",
            "0a29e7ccb5968e30e6ed170e30195c1bf9545e5fdae7949d1217b613875d3581",
            "6fa50b5f9acbbfc546f1a7b916e98980063585cfa097109ed1a73b294cac771c", 1,
            "3a514176466fa815ed481ffad09110a2d344f6c9b78c1d14afc351c3a51be33d8072e77939dc03ba44790779b7a1025baf3003f6732430e20cd9b76d953391b3"
        ),
        (
            "f3f49249dc28ff90a5aec7978306d03bf38b2ffc80a4df5a51c9bc701e7ea41a",
            "46ba98a8c4434bdefb2b7af7744d293e5576f0418484018d411d80696b95a10a",
            "b06b8235b374b4e93e10c96c19c3b3b944e614191012d2c1854c6ce42fd1a1b3",
            "74810fc39fe8f38879cfd9576c8260b9a2f557e839e801ac84553c8c42d4e950", 1,
            "ff6d32cb9bb9b1e836c9355834741ff2ff538d96f52119c25191254803d3291a3ba69743f404b554f033cf79e03edcbc2fdf6dbcda6d066d51ed56f21d5e648a"
        ),
        (
            "6bad6be28e7aa6e99f19950499dd251de512148239292d22e255accb1a466885",
            "8d8768df542cda19442debba4ede26179a753871bd0f101116c3a7cd07512c45",
            "258a6995e30a23c6a3b2c8d455dc0ad9825f5094ea78e0500b94aba562392217",
            "3a188540d769e2c5220f8dc53d77f8039e2b4a41b253656e5fd42ccc609da6d1", 1,
            "07d30c8ddbf198787706c0cacca1a905d6d5fd42a900ad102e924859e61a7dacc0d47ac30e81db3a232a62fa4806a9c6afd7ddedd3a122a4ca0e2eae7f982532"
        ),
        (
            "7dabe929c4a334bfc6cd75e9bb049a79d7a7a3cc8c3d5f169293de8fc88b2876",
            "46e1dd0681109c851b6b4ff7998331c6e891f85903b23ed34f6bc4d8daa6628e",
            "d62e122ac8d7db2773191b40a71fab68e45b148d35d0eec1aa0906083c2ef256",
            "36f7f4fbd93e66789403bc5f00372dc596dc5610f5a2f1dff199131e151c9871", 0,
            "8f01d6882adce4117b943d4d326d50ce4035d3cafab82636abc46e7b593b40487497a1f9ce3cd230363c207924a15cc576e6ec5b711453f220c4a04885113256"
        ),
        (
            "14aa4e719d3c7dec00a61f933d6c51e370eb9a0a96263ae6c5e818fac0433cbe",
            "75c3a7ca612437dfdc949b11f810840f937edfbf5565762d4e4253359fecae62",
            "e075c3c1ca7637ab0ffc682a78760860a70deadd258a6de3d63b0f3b5006e16e",
            "7c4079105096a5f7c55351c19e58ac96334105f8ccfa185fb93167eb2c78b270", 1,
            "dd46bb7151f9ea752ec2e9d5a8ae2ea75d3e9ea28bbca1c2fc57f13bb8d1ea1f1c69673df9716064f6c9334291ad54c2764c256a56e15b1474f61e309f533496"
        ),
        (
            "e4163207d094499602f0ee99731c94521919e93ad11745ad498893101c593af6",
            "a71c7389d856d00b2f0dd69922ebfb931089c6f1f7c0b89b151ab2cc98cd2a5d",
            "3dd52f99a11c1d90c988bd02e378ca0062a00be3a5f44a3c60e13153f99f30f7",
            "7b2c27c9a40b4d772286a92278af548c97de840e030f7966127b4feeea1a81d2", 0,
            "ee416229a1279f9b21270596709e6675fc0c15b060f2165c3b48517b0b003176bf16a1486ecf8d0c949e4d3834bca7653ad400967e3db28f746ad09d9af32459"
        ),
    ]

    @Test(arguments: 0..<libsecp256k1Vectors.count)
    func matchesLibsecp256k1(_ i: Int) throws {
        let (d, h, r, s, v, pub) = Self.libsecp256k1Vectors[i]
        let key = try #require(UInt256(hex: d))
        let hash = try #require(Bytes32(hex: h))
        let expectedPub = try #require(Hex.decode(pub))
        #expect(try ECDSA.publicKey(privateKey: key).rawBytes == expectedPub)
        let sig = try ECDSA.sign(messageHash: hash, privateKey: key)
        #expect(sig.r == UInt256(hex: r))
        #expect(sig.s == UInt256(hex: s))
        #expect(sig.recoveryId == v)
        let rec = try ECDSA.recoverPublicKey(
            messageHash: hash,
            r: try #require(UInt256(hex: r)),
            s: try #require(UInt256(hex: s)),
            recoveryId: Int(v)
        )
        #expect(rec.rawBytes == expectedPub)
        #expect(ECDSA.verify(messageHash: hash, r: sig.r, s: sig.s, publicKey: rec))
    }

    /// The example transaction of EIP-155: key 0x4646…46, signing hash, v = 37 (recovery id 0).
    @Test func eip155Example() throws {
        let hash = try #require(Bytes32(hex: "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"))
        let r = try #require(
            UInt256(decimal: "18515461264373351373200002665853028612451056578545711640558177340181847433846")
        )
        let s = try #require(
            UInt256(decimal: "46948507304638947509940763649030358759909902576025900602547168820602576006531")
        )
        let key = try #require(Bytes32(hex: String(repeating: "46", count: 32)))
        let sig = try ECDSA.sign(messageHash: hash, privateKey: key)
        #expect(sig == Signature(r: r, s: s, recoveryId: 0))
        let sender = try ECDSA.recoverAddress(messageHash: hash, r: r, s: s, recoveryId: 0)
        #expect(sender == Address(hex: "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"))
    }

    /// Well-known Ethereum keys and their addresses.
    @Test func knownAddresses() throws {
        // The sender key of the ethereum/tests fixtures.
        let k = try #require(UInt256(hex: "45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"))
        #expect(
            try ECDSA.publicKey(privateKey: k).address == Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")
        )
        // Private key 1: the public key is G.
        #expect(
            try ECDSA.publicKey(privateKey: 1).address == Address(hex: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        )
    }

    @Test func invalidInputsAreRejected() throws {
        let hash = Keccak256.digest(Array("x".utf8))
        let n = Scalar.n
        let ok = try ECDSA.sign(messageHash: hash, privateKey: 7)
        #expect(throws: Secp256k1Error.signatureOutOfRange) {
            try ECDSA.recoverPublicKey(messageHash: hash, r: .zero, s: ok.s, recoveryId: 0)
        }
        #expect(throws: Secp256k1Error.signatureOutOfRange) {
            try ECDSA.recoverPublicKey(messageHash: hash, r: ok.r, s: .zero, recoveryId: 0)
        }
        #expect(throws: Secp256k1Error.signatureOutOfRange) {
            try ECDSA.recoverPublicKey(messageHash: hash, r: n, s: ok.s, recoveryId: 0)
        }
        #expect(throws: Secp256k1Error.signatureOutOfRange) {
            try ECDSA.recoverPublicKey(messageHash: hash, r: ok.r, s: n, recoveryId: 0)
        }
        #expect(throws: Secp256k1Error.invalidRecoveryId) {
            try ECDSA.recoverPublicKey(messageHash: hash, r: ok.r, s: ok.s, recoveryId: 4)
        }
        // r + n ≥ p: no point for recovery ids 2 and 3.
        #expect(throws: Secp256k1Error.noCurvePoint) {
            try ECDSA.recoverPublicKey(messageHash: hash, r: ok.r, s: ok.s, recoveryId: 2)
        }
        // x = 5 has no curve point (5³ + 7 = 132 is not a square mod p).
        #expect(throws: Secp256k1Error.noCurvePoint) {
            try ECDSA.recoverPublicKey(messageHash: hash, r: 5, s: ok.s, recoveryId: 0)
        }
        #expect(throws: Secp256k1Error.invalidPrivateKey) { try ECDSA.publicKey(privateKey: UInt256.zero) }
        #expect(throws: Secp256k1Error.invalidPrivateKey) { try ECDSA.publicKey(privateKey: n) }
        #expect(throws: Secp256k1Error.invalidPublicKey) { try PublicKey(x: 1, y: 1) }
        #expect(throws: Secp256k1Error.invalidPublicKey) { try PublicKey(bytes: [0x04, 1, 2]) }
    }

    /// sign → recover round trips; high-s variants recover the same key with the flipped parity.
    @Test func signRecoverRoundTrips() throws {
        var g = ValueGen(s: 42)
        for i in 0..<12 {
            let key = Scalar(reducing: UInt256(g.next64(), g.next64(), g.next64(), g.next64())).value
            let hash = Keccak256.digest([UInt8(i), 1, 2, 3])
            let pub = try ECDSA.publicKey(privateKey: key)
            let sig = try ECDSA.sign(messageHash: hash, privateKey: key)
            #expect(sig.s <= Scalar.halfN)
            let rec = try ECDSA.recoverPublicKey(messageHash: hash, r: sig.r, s: sig.s, recoveryId: Int(sig.recoveryId))
            #expect(rec == pub)
            let highS = Scalar.n &- sig.s
            let rec2 = try ECDSA.recoverPublicKey(
                messageHash: hash,
                r: sig.r,
                s: highS,
                recoveryId: Int(sig.recoveryId ^ 1)
            )
            #expect(rec2 == pub)
            #expect(try PublicKey(bytes: pub.compressed) == pub)
            #expect(try PublicKey(bytes: pub.uncompressed) == pub)
            // A different message recovers a different key.
            let other = try ECDSA.recoverPublicKey(
                messageHash: Keccak256.digest([UInt8(i)]),
                r: sig.r,
                s: sig.s,
                recoveryId: Int(sig.recoveryId)
            )
            #expect(other != pub)
        }
    }

    @Test func fieldAndScalarIdentities() {
        var g = ValueGen(s: 8)
        for _ in 0..<100 {
            let a = FieldElement(reducing: UInt256(g.limb(), g.limb(), g.limb(), g.limb()))
            let b = FieldElement(reducing: UInt256(g.limb(), g.limb(), g.limb(), g.limb()))
            // Against generic 512-bit reduction.
            #expect((a * b).value == UInt256.mulMod(a.value, b.value, FieldElement.p))
            #expect((a + b).value == UInt256.addMod(a.value, b.value, FieldElement.p))
            #expect((a - b + b) == a)
            if !a.isZero { #expect(a * a.inverse() == .one) }
            if let r = (a * a).squareRoot() { #expect(r == a || r == -a) } else { Issue.record("square has no root") }
            let x = Scalar(reducing: UInt256(g.limb(), g.limb(), g.limb(), g.limb()))
            let y = Scalar(reducing: UInt256(g.limb(), g.limb(), g.limb(), g.limb()))
            #expect((x * y).value == UInt256.mulMod(x.value, y.value, Scalar.n))
            #expect((x + y).value == UInt256.addMod(x.value, y.value, Scalar.n))
            if !x.isZero { #expect(x * x.inverse() == .one) }
        }
        // n·G is infinity, (n−1)·G = −G.
        #expect(
            JacobianPoint.multiplyGenerator(Scalar(unchecked: Scalar.n &- 1)).affine == AffinePoint.generator.negated
        )
        let sum = JacobianPoint.multiplyGenerator(Scalar(unchecked: Scalar.n &- 1)).adding(.generator)
        #expect(sum.isInfinity)
    }

    /// The GLV split gives halves below 2^128 that recombine to k (k ≡ k1 + k2·λ mod n).
    @Test func glvSplit() {
        var g = ValueGen(s: 77)
        for _ in 0..<50 {
            let k = Scalar(reducing: UInt256(g.limb(), g.limb(), g.limb(), g.limb()))
            let (m1, n1, m2, n2) = GLV.split(k)
            #expect(m1.bitWidth <= 128 && m2.bitWidth <= 128)
            let k1 = n1 ? -Scalar(unchecked: m1) : Scalar(unchecked: m1)
            let k2 = n2 ? -Scalar(unchecked: m2) : Scalar(unchecked: m2)
            #expect(k1 + k2 * GLV.lambda == k)
        }
        // λ·G = (β·Gx, Gy).
        let lg = JacobianPoint.multiply(GLV.lambda, .generator).affine
        #expect(lg == AffinePoint(unchecked: AffinePoint.generator.x * GLV.beta, AffinePoint.generator.y))
    }

    /// Every entry of the constant generator table is (2i + 1)·G.
    @Test func generatorTable() {
        let g = JacobianPoint.generator
        let twoG = g.doubled()
        var p = g
        for i in 0..<64 {
            #expect(p.affine == generatorMultiple(i), "entry \(i)")
            p = p + twoG
        }
    }
}
