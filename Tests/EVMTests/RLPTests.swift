import EVMPrimitives
import Foundation
import TestSupport
import Testing

/// Reads `../shared/fixtures/...` (located by ``PackagePaths``).
enum EVMPrimitivesFixtures {
    static func url(_ relative: String) -> URL { PackagePaths.fixture(relative) }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(relative))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func hexBytes(_ s: String) throws -> [UInt8] {
        try #require(Hex.decode(s), "bad hex \(s)")
    }
}

@Suite struct RLPTests {
    /// Minimal big-endian bytes of a decimal number of any size.
    static func decimalBytes(_ s: Substring) -> [UInt8] {
        var out = [UInt8]()  // big-endian
        for c in s.utf8 {
            var carry = Int(c - 48)
            for i in stride(from: out.count - 1, through: 0, by: -1) {
                let t = Int(out[i]) * 10 + carry
                out[i] = UInt8(t & 0xFF)
                carry = t >> 8
            }
            while carry > 0 {
                out.insert(UInt8(carry & 0xFF), at: 0)
                carry >>= 8
            }
        }
        return out
    }

    /// The item a fixture's `in` value denotes.
    static func item(_ v: Any) throws -> RLPItem {
        if let s = v as? String {
            if s.hasPrefix("#") { return .bytes(decimalBytes(s.dropFirst())) }
            return .bytes(Array(s.utf8))
        }
        if let a = v as? [Any] { return .list(try a.map(item)) }
        let n = try #require(v as? NSNumber).uint64Value
        var b = [UInt8]()
        var x = n
        while x > 0 {
            b.insert(UInt8(x & 0xFF), at: 0)
            x >>= 8
        }
        return .bytes(b)
    }

    nonisolated(unsafe) static let valid: [String: Any] =
        (try? EVMPrimitivesFixtures.json("ethereum-tests/RLPTests/rlptest.json")) ?? [:]
    nonisolated(unsafe) static let invalid: [String: Any] =
        (try? EVMPrimitivesFixtures.json("ethereum-tests/RLPTests/invalidRLPTest.json")) ?? [:]

    @Test func fixturesPresent() {
        #expect(Self.valid.count == 28)
        #expect(Self.invalid.count == 26)
    }

    @Test(arguments: valid.keys.sorted())
    func validVector(_ name: String) throws {
        let t = try #require(Self.valid[name] as? [String: Any])
        let expected = try EVMPrimitivesFixtures.hexBytes(try #require(t["out"] as? String))
        let item = try Self.item(try #require(t["in"]))
        #expect(item.encoded == expected)
        #expect(try RLPItem.decode(expected) == item)
    }

    @Test(arguments: invalid.keys.sorted())
    func invalidVector(_ name: String) throws {
        let t = try #require(Self.invalid[name] as? [String: Any])
        let bytes = try EVMPrimitivesFixtures.hexBytes(try #require(t["out"] as? String))
        #expect(throws: RLPError.self) { try RLPItem.decode(bytes) }
    }

    @Test func randomValidVectors() throws {
        let dir = EVMPrimitivesFixtures.url("ethereum-tests/RLPTests/RandomRLPTests")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for f in files {
            let j = try EVMPrimitivesFixtures.json("ethereum-tests/RLPTests/RandomRLPTests/" + f)
            for (_, v) in j {
                let t = try #require(v as? [String: Any])
                let bytes = try EVMPrimitivesFixtures.hexBytes(try #require(t["out"] as? String))
                let item = try RLPItem.decode(bytes)
                #expect(item.encoded == bytes)
            }
        }
    }

    @Test func typedReaders() throws {
        var w = RLPWriter()
        let addr = Address(hex: "0x00000000000000000000000000000000000000aa")!
        w.appendList { w in
            w.append(uint: 0)
            w.append(uint: 0x7F)
            w.append(uint: 0x80)
            w.append(UInt256.max)
            w.append(addr)
            w.append(Bytes32(UInt256(5)))
            w.append(bytes: [UInt8](repeating: 0xAB, count: 60))
        }
        var r = RLPReader(w.bytes)
        var l = try r.readList()
        try r.finish()
        #expect(try l.readUInt64() == 0)
        #expect(try l.readUInt64() == 0x7F)
        #expect(try l.readUInt64() == 0x80)
        #expect(try l.readUInt256() == .max)
        #expect(try l.readAddress() == addr)
        #expect(try l.readBytes32() == Bytes32(UInt256(5)))
        #expect(try l.readBytes() == [UInt8](repeating: 0xAB, count: 60))
        #expect(l.isAtEnd)
        #expect(throws: RLPError.truncated) { try l.readBytes() }

        // Integers with leading zeros and oversize values are refused.
        var z = RLPReader([0x82, 0x00, 0x01])
        #expect(throws: RLPError.leadingZeroInteger) { try z.readUInt64() }
        var big = RLPReader([0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(throws: RLPError.wrongSize) { try big.readUInt64() }
        var notList = RLPReader([0x80])
        #expect(throws: RLPError.expectedList) { try notList.readList() }
        var list = RLPReader([0xC0])
        #expect(throws: RLPError.expectedBytes) { try list.readBytes() }
        #expect(throws: RLPError.trailingBytes) { try RLPItem.decode([0x80, 0x80]) }
    }

    @Test func deepNestingIsRefused() {
        // 2000 nested empty lists: each header is one byte, so lengths decrease inward.
        var bytes = [UInt8]()
        let depth = 2000
        for i in 0..<depth {
            let inner = depth - 1 - i
            if inner < 56 {
                bytes.append(0xC0 + UInt8(inner))
            } else {
                bytes.append(contentsOf: [0xF9, UInt8(inner >> 8), UInt8(inner & 0xFF)])
            }
        }
        #expect(throws: RLPError.self) { try RLPItem.decode(bytes) }
    }
}
