import Foundation
import Testing

@testable import Rollup

/// The direct writer of string replies (`JSONRPCServer.encodeStringResult`) gives what
/// JSONSerialization reads back as the reply, and leaves other replies to JSONSerialization.
@Suite struct JSONRPCEncodingTests {
    @Test func stringRepliesAreWrittenDirectly() throws {
        let ids = try #require(
            try JSONSerialization.jsonObject(with: Data(#"[7, -3, "a-1", null, true, 1.5, "q\"x"]"#.utf8)) as? [Any]
        )
        for (i, id) in ids.enumerated() {
            let reply: [String: Any] = ["jsonrpc": "2.0", "id": id, "result": "0x1f"]
            let direct = JSONRPCServer.encodeStringResult(reply)
            // Booleans, doubles and ids needing escapes take the general path.
            #expect((direct == nil) == (i >= 4), "id \(id)")
            guard let direct else { continue }
            let back = try #require(try JSONSerialization.jsonObject(with: direct) as? [String: Any])
            #expect(back["jsonrpc"] as? String == "2.0" && back["result"] as? String == "0x1f")
            #expect(String(describing: back["id"] ?? "") == String(describing: id))
        }
        #expect(JSONRPCServer.encodeStringResult(["jsonrpc": "2.0", "id": 1, "result": "a\"b"]) == nil)
        #expect(JSONRPCServer.encodeStringResult(["jsonrpc": "2.0", "id": 1, "result": 5]) == nil)
        #expect(JSONRPCServer.encodeStringResult(["jsonrpc": "2.0", "id": 1, "error": "x"]) == nil)
    }
}
