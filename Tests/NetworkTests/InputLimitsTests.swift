import Foundation
import NIOHTTP1
import NetworkCore
import Testing

@testable import ProverNetwork

/// The findings of hostile testing over HTTP: each refusal is the right 4xx and changes nothing,
/// no client string is stored unbounded, every list is paged, only strict JSON is read, and an
/// undeclared method on a known path is 405.
@Suite(.serialized) struct InputLimitsTests {
    static func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    func post(
        _ s: ServedFixture,
        _ client: CoordinatorClient,
        _ path: String,
        _ body: [UInt8]
    ) async throws -> (Int, String) {
        let (status, bytes) = try await client.raw(
            .POST,
            path,
            body: body,
            headers: [("Authorization", "Bearer " + client.sessionToken!)]
        )
        return (status, String(decoding: bytes, as: UTF8.self))
    }

    /// `POST /v1/faucet {"amount": Int64.max}` twice used to kill the coordinator (SIGILL).
    @Test func faucetOverflowIsA409AndTheProcessLives() async throws {
        let s = try await ServedFixture.make(faucetLimit: .max)
        defer { Task { await s.stop() } }
        let mint = Self.body("{\"amount\":9223372036854775807}")
        let (first, _) = try await post(s, s.requester, "/v1/faucet", mint)
        #expect(first == 409)  // 5000 already minted per client by the fixture: Int64.max more overflows
        let (second, text) = try await post(s, s.requester, "/v1/faucet", mint)
        #expect(second == 409 && text.contains("ledger_overflow"))
        #expect(try await s.requester.health().status == "ok")
        try await s.f.expectBalanced()
    }

    /// Client strings are capped (they were stored three times, unbounded: 137 MB in 1.1 s).
    @Test func oversizedStringsAreRefusedAndStoreNothing() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        _ = try await s.submitJob("j")
        let grant = try #require(try await s.node.lease(requestId: "r"))
        let before = try await s.snapshot()
        let big = String(repeating: "x", count: 900 << 10)  // the fixture's body limit is 1 MiB
        let key = String(repeating: "k", count: Limits.maxKeyLength + 1)
        let refused: [(String, String)] = [
            ("/v1/leases", "{\"requestId\":\"\(big)\"}"),
            ("/v1/leases", "{\"requestId\":\"\(key)\"}"),
            ("/v1/leases", "{\"jobId\":\"\(key)\"}"),
            ("/v1/leases/\(grant.lease.id)/release", "{\"reason\":\"\(big)\"}"),
            (
                "/v1/leases/\(grant.lease.id)/release",
                "{\"reason\":\"\(String(repeating: "r", count: Limits.maxReasonLength + 1))\"}"
            ),
            (
                "/v1/jobs",
                "{\"requestKey\":\"\(key)\",\"kind\":\"\(Proofs.kind.name)\",\"input\":\"\",\"reward\":1,\"deadlineSeconds\":60}"
            ),
            (
                "/v1/jobs",
                "{\"requestKey\":\"d\",\"kind\":\"\(Proofs.kind.name)\",\"input\":\"\(Proofs.base64(1))\",\"reward\":1,\"deadlineSeconds\":60,\"dependsOn\":[\"\(key)\"]}"
            ),
            (
                "/v1/nodes",
                "{\"kinds\":[\"\(String(repeating: "n", count: Limits.maxKindLength + 1))\"],\"workPerSecond\":1,\"slots\":1,\"stake\":0}"
            ),
            (
                "/v1/nodes",
                "{\"kinds\":[\(Array(repeating: "\"\(Proofs.kind.name)\"", count: Limits.maxKinds + 1).joined(separator: ","))],\"workPerSecond\":1,\"slots\":1,\"stake\":0}"
            ),
        ]
        for (path, body) in refused {
            let (status, text) = try await post(s, s.node, path, Self.body(body))
            #expect(status == 400, "\(path): \(status) \(text.prefix(200))")
            #expect(text.utf8.count < 1000, "the refusal must not echo the input back")
        }
        #expect(try await s.snapshot() == before)
        // At the limit, accepted.
        let (ok, _) = try await post(s, s.other, "/v1/leases", Self.body("{\"requestId\":\"\(key.dropLast())\"}"))
        #expect(ok == 200 || ok == 204)
    }

    /// Numbers that no node or job could ever honour are refused at the door.
    @Test func impossibleNumbersAreRefused() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        let before = try await s.snapshot()
        let kind = Proofs.kind.name
        let refused: [(String, String)] = [
            ("/v1/nodes", "{\"kinds\":[\"\(kind)\"],\"workPerSecond\":1e308,\"slots\":1,\"stake\":0}"),
            ("/v1/nodes", "{\"kinds\":[\"\(kind)\"],\"workPerSecond\":1000000000001,\"slots\":1,\"stake\":0}"),
            ("/v1/nodes", "{\"kinds\":[\"\(kind)\"],\"workPerSecond\":0,\"slots\":1,\"stake\":0}"),
            (
                "/v1/jobs",
                "{\"requestKey\":\"c\",\"kind\":\"\(kind)\",\"input\":\"\(Proofs.base64(1))\",\"reward\":1,\"collateral\":9223372036854775807,\"deadlineSeconds\":60}"
            ),
            ("/v1/nodes/withdraw", "{\"amount\":0}"),
            ("/v1/nodes/withdraw", "{\"amount\":-5}"),
            ("/v1/faucet", "{\"amount\":0}"),
        ]
        for (path, body) in refused {
            let (status, text) = try await post(s, s.node, path, Self.body(body))
            #expect(status == 400, "\(path) \(body.prefix(120)): \(status) \(text)")
        }
        #expect(try await s.snapshot() == before)
        let (fast, _) = try await post(
            s,
            s.node,
            "/v1/nodes",
            Self.body("{\"kinds\":[\"\(kind)\"],\"workPerSecond\":1000000000000,\"slots\":1,\"stake\":0}")
        )
        #expect(fast == 200)
    }

    /// Only strict JSON (RFC 8259) is read: Foundation alone accepted each of these.
    @Test func lenientJSONIsRefused() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        let before = try await s.snapshot()
        var utf16 = [UInt8]([0xFF, 0xFE])
        for unit in "{\"amount\":1}".utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let bodies: [[UInt8]] = [
            Self.body("{\"amount\":1,}"),
            Self.body("{\"amount\":1,\"amount\":2}"),
            Self.body("{\"amount\":1,\"\\u0061mount\":2}"),
            // Non-ASCII keys: JSONDecoder matches keys by canonical equivalence, so "request\u212Aey"
            // (KELVIN SIGN) would decode as requestKey.
            Self.body("{\"amount\":1,\"\u{212A}\":2}"),
            Self.body("{\"amount\":1,\"\\u212A\":2}"),
            utf16,
            Array("{\"amount\":1}".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
            Self.body("{\"amount\":01}"),
            Self.body("{\"amount\":1} x"),
        ]
        for body in bodies {
            let (status, text) = try await post(s, s.node, "/v1/faucet", body)
            #expect(status == 400 && text.contains("malformed JSON"), "\(body.prefix(40)): \(status) \(text)")
        }
        let (ok, _) = try await post(s, s.node, "/v1/faucet", Self.body(" {\"amount\" : 1 }\n"))
        #expect(ok == 200)
        #expect(try await s.snapshot() != before)
    }

    /// Every list is paged: `limit` 1...1000 (default 100), `offset` from 0; anything else is 400.
    @Test func listsArePaged() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        var ids: [String] = []
        for i in 0..<5 { ids.append(try await s.submitJob("p\(i)").id) }
        let lists = [
            "/v1/jobs", "/v1/nodes", "/v1/ledger/entries", "/v1/jobs/\(ids[0])/transitions",
            "/v1/jobs/\(ids[0])/leases", "/v1/jobs/\(ids[0])/entries", "/v1/nodes/\(s.node.key.address)/leases",
            "/v1/ledger",
        ]
        for path in lists {
            for bad in ["limit=0", "limit=1001", "limit=x", "offset=-1", "offset=1.5", "limit=99999999999999999999"] {
                let (status, _) = try await s.node.raw(.GET, path + "?" + bad)
                #expect(status == 400, "\(path)?\(bad): \(status)")
            }
            let (status, _) = try await s.node.raw(.GET, path + "?limit=1000&offset=0")
            #expect(status == 200, "\(path): \(status)")
        }
        let page1 = try await s.node.jobs(limit: 2, offset: 0).map(\.id)
        let page2 = try await s.node.jobs(limit: 2, offset: 2).map(\.id)
        let page3 = try await s.node.jobs(limit: 2, offset: 4).map(\.id)
        #expect(page1.count == 2 && page2.count == 2 && page3.count == 1)
        #expect(Set(page1 + page2 + page3) == Set(ids))
        let (status, bytes) = try await s.node.raw(.GET, "/v1/jobs/\(ids[0])/transitions?limit=1&offset=1")
        let transitions = try JSONDecoder().decode([Transition].self, from: Data(bytes))
        #expect(status == 200 && transitions.map(\.seq) == [2])
        let (missing, _) = try await s.node.raw(.GET, "/v1/jobs/nope/leases")
        #expect(missing == 404)
    }

    /// A known path asked with an undeclared method is 405 with `Allow`; an unknown path is 404.
    @Test func undeclaredMethodsAre405() async throws {
        let s = try await ServedFixture.make()
        defer { Task { await s.stop() } }
        let cases: [(HTTPMethod, String, String)] = [
            (.PUT, "/v1/jobs", "GET, POST"),
            (.DELETE, "/v1/jobs/abc", "GET"),
            (.PATCH, "/v1/leases/abc/heartbeat", "POST"),
            (.GET, "/v1/faucet", "POST"),
            (.POST, "/v1/health", "GET"),
            (.GET, "/v1/nodes/withdraw", "POST"),  // a literal segment wins over /v1/nodes/{address}
            (.OPTIONS, "/v1/nodes/0x\(String(repeating: "1", count: 40))", "GET"),
        ]
        for (method, path, allow) in cases {
            let response = try await s.node.rawResponse(method, path)
            #expect(response.status == 405, "\(method) \(path)")
            #expect(response.headers["Allow"].first == allow, "\(method) \(path)")
        }
        let (unknown, _) = try await s.node.raw(.GET, "/v1/nothing-here")
        #expect(unknown == 404)
    }
}
