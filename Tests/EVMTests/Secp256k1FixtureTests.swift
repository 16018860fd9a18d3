import EVMPrimitives
import Foundation
import Keccak
import Secp256k1
import Testing

/// Sender recovery on the signed transactions of ethereum/tests `TransactionTests`: RLP decoding,
/// the signing hash (legacy, EIP-155 and typed envelopes) and `ecrecover` together must give the
/// fixture's sender wherever it names one.
@Suite struct Secp256k1FixtureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var txbytes: String
        var sender: String
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let root = EVMPrimitivesFixtures.url("ethereum-tests/TransactionTests")
        var out = [Case]()
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return out }
        for case let rel as String in e where rel.hasSuffix(".json") {
            guard let data = try? Data(contentsOf: root.appendingPathComponent(rel)),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { continue }
            for (name, v) in json {
                guard let t = v as? [String: Any], let tx = t["txbytes"] as? String,
                    let results = t["result"] as? [String: Any]
                else { continue }
                let senders = Set(results.values.compactMap { ($0 as? [String: Any])?["sender"] as? String })
                if let s = senders.first { out.append(Case(name: rel + "/" + name, txbytes: tx, sender: s)) }
            }
        }
        return out.sorted { $0.name < $1.name }
    }()

    @Test func fixturesPresent() { #expect(Self.cases.count >= 50) }

    /// An integer field that may be written with leading zeros (accepted here; validity is the
    /// transaction layer's business).
    static func lenientUInt(_ r: inout RLPReader) throws -> UInt256 {
        let b = try r.readBytes()
        return try #require(UInt256(bigEndianBytes: Array(b.drop { $0 == 0 })))
    }

    @Test(arguments: cases)
    func senderIsRecovered(_ c: Case) throws {
        let bytes = try EVMPrimitivesFixtures.hexBytes(c.txbytes)
        let hash: Bytes32
        let recoveryId: Int
        let r: UInt256
        let s: UInt256
        if bytes[0] >= 0xC0 {
            // Legacy: [nonce, gasPrice, gas, to, value, data, v, r, s].
            var outer = RLPReader(bytes)
            var list = try outer.readList()
            var fields = [ArraySlice<UInt8>]()
            for _ in 0..<6 { fields.append(try list.readRaw()) }
            let v = try Self.lenientUInt(&list)
            r = try Self.lenientUInt(&list)
            s = try Self.lenientUInt(&list)
            var w = RLPWriter()
            if v == 27 || v == 28 {
                recoveryId = Int(v.w0 - 27)
                w.appendList { w in for f in fields { w.append(raw: f) } }
            } else {
                let chainId = (v - 35) / 2
                recoveryId = Int((v - 35).w0 & 1)
                w.appendList { w in
                    for f in fields { w.append(raw: f) }
                    w.append(chainId)
                    w.append(uint: 0)
                    w.append(uint: 0)
                }
            }
            hash = Keccak256.digest(w.bytes)
        } else {
            // Typed envelope: type ‖ rlp([fields…, yParity, r, s]); the hash covers type ‖ rlp(fields…).
            var outer = RLPReader(Array(bytes.dropFirst()))
            var list = try outer.readList()
            var items = [ArraySlice<UInt8>]()
            while !list.isAtEnd { items.append(try list.readRaw()) }
            try #require(items.count >= 3)
            var tail = RLPReader(Array(items[(items.count - 3)...].joined()))
            recoveryId = Int(try Self.lenientUInt(&tail).w0)
            r = try Self.lenientUInt(&tail)
            s = try Self.lenientUInt(&tail)
            var w = RLPWriter()
            w.appendList { w in for f in items.dropLast(3) { w.append(raw: f) } }
            hash = Keccak256.digest([bytes[0]] + w.bytes)
        }
        let sender = try ECDSA.recoverAddress(messageHash: hash, r: r, s: s, recoveryId: recoveryId)
        #expect(sender == Address(hex: c.sender))
    }
}
