import EVM
import EVMPrimitives
import Keccak
import Precompiles
import Secp256k1
import Testing

/// The range rules on ECDSA signatures at their edges, through every path that checks them:
/// transaction validation (r and s in 1…n−1, and from Homestead s ≤ n/2, EIP-2), EIP-7702
/// authorisations (s ≤ n/2 in every fork), and the ecrecover precompile (r and s in 1…n−1,
/// high s allowed). The edges come from the `Secp256k1` module's group order n; the signer's
/// address comes from the private key, not from recovery.
@Suite("Signature bounds")
struct SignatureBoundsTests {
    static let key = UInt256(0x6231_471B_5DBB_6204, 0xFE51_2961_7082_792A, 0xE468_D01A_3F36_2318, 0x4C08_83A6_9102_937D)
    static let one = UInt256(1)
    static var n: UInt256 { Scalar.n }
    static var halfN: UInt256 { Scalar.halfN }
    /// Values of r or s that no path may accept: 0, n, n + 1, and n + 2^128 − 1 (inside the range
    /// that the hand-copied, wrong order constant let through).
    static var outOfRange: [UInt256] { [.zero, n, n + one, n + UInt256(0, 0, 1, 0) - one] }

    static func signer() throws -> Address { try ECDSA.publicKey(privateKey: key).address }

    /// A legacy transfer signed with `key`, v = 27 + parity (valid in every fork).
    static func signedTransfer() throws -> Transaction {
        var tx = Transaction(
            nonce: .zero,
            gasPrice: UInt256(10),
            gasLimit: UInt256(21_000),
            to: Address([UInt8](repeating: 0x11, count: 20)),
            value: one
        )
        let sig = try ECDSA.sign(messageHash: tx.signingHash, privateKey: key)
        tx.v = UInt256(27 + UInt64(sig.recoveryId & 1))
        tx.r = sig.r
        tx.s = sig.s
        return tx
    }

    /// `tx` with the high-s twin of its signature (s → n − s, parity flipped): the same signer.
    static func highS(_ tx: Transaction) -> Transaction {
        var t = tx
        t.s = n - tx.s
        t.v = tx.v == UInt256(27) ? UInt256(28) : UInt256(27)
        return t
    }

    static func sender(_ tx: Transaction, _ fork: Fork) -> Address? {
        try? tx.validateStatelessly(fork: fork, chainId: one).sender
    }

    @Test func transactionEdges() throws {
        let tx = try Self.signedTransfer()
        let signer = try Self.signer()
        #expect(!(Self.halfN < tx.s))
        for fork in [Fork.frontier, .homestead, .prague] { #expect(Self.sender(tx, fork) == signer) }
        // EIP-2: the high-s twin recovers the same signer before Homestead only.
        let twin = Self.highS(tx)
        #expect(Self.halfN < twin.s && twin.s < Self.n)
        #expect(Self.sender(twin, .frontier) == signer)
        #expect(Self.sender(twin, .homestead) == nil)
        #expect(Self.sender(twin, .prague) == nil)
        // s = n/2 + 1 passes the range in Frontier (recovery decides), never from Homestead.
        var justAbove = tx
        justAbove.s = Self.halfN + Self.one
        #expect(Self.sender(justAbove, .homestead) == nil)
        #expect(
            Self.sender(justAbove, .frontier)
                == (try? ECDSA.recoverAddress(
                    messageHash: tx.signingHash,
                    r: tx.r,
                    s: justAbove.s,
                    recoveryId: Int(tx.v.w0 - 27)
                ))
        )
        for bad in Self.outOfRange {
            var r = tx
            r.r = bad
            var s = tx
            s.s = bad
            for fork in [Fork.frontier, .homestead, .prague] {
                #expect(throws: EVMError.invalidTransaction(.invalidSignature)) {
                    try r.validateStatelessly(fork: fork, chainId: Self.one)
                }
                #expect(throws: EVMError.invalidTransaction(.invalidSignature)) {
                    try s.validateStatelessly(fork: fork, chainId: Self.one)
                }
            }
        }
        // r = n − 1 and s = n − 1 are in range: only recovery decides.
        for (r, s) in [(Self.n - Self.one, tx.s), (tx.r, Self.n - Self.one)] {
            var edge = tx
            edge.r = r
            edge.s = s
            let recovered = try? ECDSA.recoverAddress(
                messageHash: tx.signingHash,
                r: r,
                s: s,
                recoveryId: Int(tx.v.w0 - 27)
            )
            #expect(Self.sender(edge, .frontier) == recovered)
        }
    }

    @Test func authorizationEdges() throws {
        let chainId = Self.one
        let target = Address([UInt8](repeating: 0x22, count: 20))!
        let nonce = UInt256(7)
        let payload = RLP.encodeList([RLP.encode(chainId), RLP.encode(bytes: target.bytes), RLP.encode(nonce)])
        let digest = Keccak256.digest([0x05] + payload)
        let sig = try ECDSA.sign(messageHash: digest, privateKey: Self.key)
        func auth(_ parity: UInt8, _ r: UInt256, _ s: UInt256) -> Authorization {
            Authorization(chainId: chainId, address: target, nonce: nonce, yParity: UInt256(UInt64(parity)), r: r, s: s)
        }
        let parity = sig.recoveryId & 1
        #expect(EVM.recoverAuthority(auth(parity, sig.r, sig.s)) == (try Self.signer()))
        #expect(EVM.recoverAuthority(auth(parity ^ 1, sig.r, Self.n - sig.s)) == nil)
        #expect(EVM.recoverAuthority(auth(parity, sig.r, Self.halfN + Self.one)) == nil)
        for bad in Self.outOfRange {
            #expect(EVM.recoverAuthority(auth(parity, bad, sig.s)) == nil)
            #expect(EVM.recoverAuthority(auth(parity, sig.r, bad)) == nil)
        }
        let edge = try? ECDSA.recoverAddress(
            messageHash: digest,
            r: Self.n - Self.one,
            s: sig.s,
            recoveryId: Int(parity)
        )
        #expect(EVM.recoverAuthority(auth(parity, Self.n - Self.one, sig.s)) == edge)
    }

    @Test func ecrecoverEdges() throws {
        let digest = Keccak256.digest([0x61, 0x62, 0x63])
        let sig = try ECDSA.sign(messageHash: digest, privateKey: Self.key)
        func call(_ v: UInt8, _ r: UInt256, _ s: UInt256) -> [UInt8] {
            var input = digest.bytes
            input += [UInt8](repeating: 0, count: 31) + [v]
            input += r.bigEndianBytes + s.bigEndianBytes
            guard case .success(let out) = Precompiles.run(id: 0x01, input: input, gasLimit: 3000, fork: .prague)
            else { return [0xff] }
            return out.output
        }
        let expected = [UInt8](repeating: 0, count: 12) + (try Self.signer()).bytes
        let v = 27 + (sig.recoveryId & 1)
        #expect(call(v, sig.r, sig.s) == expected)
        // The precompile allows high s: the twin recovers the same signer.
        #expect(call(v == 27 ? 28 : 27, sig.r, Self.n - sig.s) == expected)
        for bad in Self.outOfRange {
            #expect(call(v, bad, sig.s) == [])
            #expect(call(v, sig.r, bad) == [])
        }
    }
}
