import EVMPrimitives
import Foundation
import Keccak
import Testing

@Suite struct TrieTests {
    /// A fixture key or value: `0x…` is hex, anything else its UTF-8 bytes; `null` is empty (delete).
    static func bytes(_ v: Any?, forceHex: Bool = false) throws -> [UInt8] {
        guard let s = v as? String else { return [] }
        if s.hasPrefix("0x") || forceHex { return try EVMPrimitivesFixtures.hexBytes(s) }
        return Array(s.utf8)
    }

    /// `(file, test name)` for every root-hash vector.
    static let cases: [String] = {
        var out = [String]()
        for f in [
            "trietest.json", "trieanyorder.json", "trietest_secureTrie.json", "trieanyorder_secureTrie.json",
            "hex_encoded_securetrie_test.json",
        ] {
            let j = (try? EVMPrimitivesFixtures.json("ethereum-tests/TrieTests/" + f)) ?? [:]
            for k in j.keys.sorted() { out.append(f + "/" + k) }
        }
        return out
    }()

    @Test func fixturesPresent() { #expect(Self.cases.count == 25) }

    @Test(arguments: cases)
    func rootVector(_ id: String) throws {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        let file = parts[0]
        let j = try EVMPrimitivesFixtures.json("ethereum-tests/TrieTests/" + file)
        let t = try #require(j[parts[1]] as? [String: Any])
        let secure = file.contains("secure")
        let hexAll = file.hasPrefix("hex_encoded")
        var pairs = [([UInt8], [UInt8])]()
        if let list = t["in"] as? [[Any]] {
            for p in list {
                pairs.append(
                    (
                        try Self.bytes(p[0], forceHex: hexAll),
                        try Self.bytes(p[1] is NSNull ? nil : p[1], forceHex: hexAll)
                    )
                )
            }
        } else {
            let dict = try #require(t["in"] as? [String: Any])
            for k in dict.keys.sorted() {
                pairs.append(
                    (
                        try Self.bytes(k, forceHex: hexAll),
                        try Self.bytes(dict[k] is NSNull ? nil : dict[k], forceHex: hexAll)
                    )
                )
            }
        }
        let rootText = try #require(t["root"] as? String)
        let expected = try #require(Bytes32(hex: rootText))
        if secure {
            var trie = SecureTrie()
            for (k, v) in pairs { trie.insert(k, v) }
            #expect(trie.rootHash == expected)
        } else {
            var trie = MerklePatriciaTrie()
            for (k, v) in pairs { trie.insert(k, v) }
            #expect(trie.rootHash == expected)
            // Any-order vectors: inserting in reverse order gives the same root.
            var reversed = MerklePatriciaTrie()
            if t["in"] is [String: Any] {
                for (k, v) in pairs.reversed() { reversed.insert(k, v) }
                #expect(reversed.rootHash == expected)
            }
        }
    }

    @Test func nextAndPrevious() throws {
        let j = try EVMPrimitivesFixtures.json("ethereum-tests/TrieTests/trietestnextprev.json")
        #expect(!j.isEmpty)
        for (_, v) in j {
            let t = try #require(v as? [String: Any])
            var trie = MerklePatriciaTrie()
            for k in try #require(t["in"] as? [String]) { trie.insert(Array(k.utf8), Array(k.utf8)) }
            for c in try #require(t["tests"] as? [[String]]) {
                let key = Array(c[0].utf8)
                #expect(trie.key(before: key) ?? [] == Array(c[1].utf8), "prev of \(c[0])")
                #expect(trie.key(after: key) ?? [] == Array(c[2].utf8), "next of \(c[0])")
            }
        }
    }

    @Test func emptyRoot() {
        #expect(MerklePatriciaTrie().rootHash == Keccak256.digest([0x80]))
        #expect(MerklePatriciaTrie.emptyRoot == Keccak256.digest([0x80]))
    }

    /// Removing keys restores the earlier roots exactly (the trie is canonical), lookups agree with a
    /// dictionary, and cached hashes stay right under incremental updates.
    @Test func incrementalUpdatesAreCanonical() {
        var g = ValueGen(s: 99)
        var trie = MerklePatriciaTrie()
        var model = [[UInt8]: [UInt8]]()
        var keys = [[UInt8]]()
        for i in 0..<300 {
            let len = Int(g.next64() % 5) + 1
            var k = [UInt8]()
            for _ in 0..<len { k.append(UInt8(g.next64() % 4)) }  // small alphabet: many shared prefixes
            let v = [UInt8](repeating: UInt8(i & 0xFF), count: Int(g.next64() % 40) + 1)
            trie.insert(k, v)
            model[k] = v
            keys.append(k)
            if i % 7 == 0, let victim = keys.randomElement(using: &g) {
                trie.remove(victim)
                model[victim] = nil
            }
            if i % 25 == 0 {
                var fresh = MerklePatriciaTrie()
                for (k, v) in model { fresh.insert(k, v) }
                #expect(fresh.rootHash == trie.rootHash)
            }
        }
        for k in keys { #expect(trie.value(for: k) == model[k]) }
        #expect(trie.entries.map(\.key) == model.keys.sorted { $0.lexicographicallyPrecedes($1) })
        for k in keys { trie.remove(k) }
        #expect(trie.isEmpty)
        #expect(trie.rootHash == MerklePatriciaTrie.emptyRoot)
    }
}

extension ValueGen: RandomNumberGenerator {
    mutating func next() -> UInt64 { next64() }
}
