import EVMPrimitives
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-2 appendix B examples.
    @Test func fipsVectors() {
        #expect(
            SHA256.hash(Array("abc".utf8))
                == Bytes32(hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        )
        #expect(
            SHA256.hash([UInt8]()) == Bytes32(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        )
        #expect(
            SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == Bytes32(hex: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        )
    }

    /// FIPS 180-2: one million "a", fed in uneven pieces.
    @Test func millionA() {
        var h = SHA256.Hasher()
        let chunk = [UInt8](repeating: 0x61, count: 999)
        var left = 1_000_000
        while left > 0 {
            let n = min(left, chunk.count)
            h.update(Array(chunk[0..<n]))
            left -= n
        }
        #expect(h.finalize() == Bytes32(hex: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"))
    }

    /// RFC 4231 test cases 2 and 6 (long key).
    @Test func hmacVectors() {
        #expect(
            SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
                == Bytes32(hex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        )
        #expect(
            SHA256.hmac(
                key: [UInt8](repeating: 0xAA, count: 131),
                message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
            )
                == Bytes32(hex: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        )
    }
}
