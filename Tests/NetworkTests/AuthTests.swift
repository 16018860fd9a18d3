import Foundation
import NetworkCore
import Testing

@testable import ProverNetwork

/// Login by signed challenge and signed requests with nonces.
@Suite struct AuthTests {
    @Test func loginWithSignedChallenge() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        let key = try NodeKey.generate()
        let c = try await f.core.challenge(address: key.address)
        let session = try await f.core.login(
            address: key.address,
            challenge: c.challenge,
            signature: key.sign(message: c.message)
        )
        #expect(try await f.core.authenticate(token: session.token) == key.address)
        // A challenge works once.
        await #expect(throws: NetworkError.unauthorized("unknown, used or expired challenge")) {
            _ = try await f.core.login(
                address: key.address,
                challenge: c.challenge,
                signature: key.sign(message: c.message)
            )
        }
        // Sessions expire.
        f.clock.advance(millis: f.core.config.sessionMillis + 1)
        await #expect(throws: NetworkError.self) { _ = try await f.core.authenticate(token: session.token) }
    }

    @Test func forgedAndExpiredChallengesAreRefused() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        let key = try NodeKey.generate()
        let mallory = try NodeKey.generate()
        let c = try await f.core.challenge(address: key.address)
        // Signed by someone else.
        await #expect(throws: NetworkError.self) {
            _ = try await f.core.login(
                address: key.address,
                challenge: c.challenge,
                signature: mallory.sign(message: c.message)
            )
        }
        // Malformed signatures.
        for bad in ["", "0x", "0x" + String(repeating: "00", count: 65), "zz"] {
            await #expect(throws: NetworkError.self) {
                _ = try await f.core.login(address: key.address, challenge: c.challenge, signature: bad)
            }
        }
        // Expired.
        f.clock.advance(millis: f.core.config.challengeMillis + 1)
        await #expect(throws: NetworkError.self) {
            _ = try await f.core.login(
                address: key.address,
                challenge: c.challenge,
                signature: key.sign(message: c.message)
            )
        }
    }

    @Test func signedRequestsNeedIncreasingNonces() async throws {
        let f = try await CoreFixture.make()
        defer { Task { await f.close() } }
        let key = try NodeKey.generate()
        let body = Array("{}".utf8)
        func sign(_ n: Int64) -> String {
            key.sign(message: Identity.requestMessage(method: "POST", path: "/v1/leases", nonce: n, body: body))
        }
        #expect(
            try await f.core.authenticate(
                address: key.address,
                nonce: 5,
                signature: sign(5),
                method: "POST",
                path: "/v1/leases",
                body: body
            ) == key.address
        )
        for n: Int64 in [5, 4] {
            await #expect(throws: NetworkError.unauthorized("nonce \(n) already used")) {
                _ = try await f.core.authenticate(
                    address: key.address,
                    nonce: n,
                    signature: sign(n),
                    method: "POST",
                    path: "/v1/leases",
                    body: body
                )
            }
        }
        // A valid signature for another path does not transfer.
        await #expect(throws: NetworkError.self) {
            _ = try await f.core.authenticate(
                address: key.address,
                nonce: 9,
                signature: sign(9),
                method: "POST",
                path: "/v1/faucet",
                body: body
            )
        }
        #expect(
            try await f.core.authenticate(
                address: key.address,
                nonce: 6,
                signature: sign(6),
                method: "POST",
                path: "/v1/leases",
                body: body
            ) == key.address
        )
    }

    @Test func keyFileRoundTrip() throws {
        let path = NSTemporaryDirectory() + "zk-key-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try NodeKey.loadOrCreate(path: path)
        let b = try NodeKey.loadOrCreate(path: path)
        #expect(a.address == b.address)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
