import Algebra
import Foundation
import TestSupport
import Testing

@testable import Hashing

/// One instance of `../shared/vectors/poseidon2.json`.
struct Poseidon2Vector: Decodable, Sendable, CustomTestStringConvertible {
    var field: String
    var prime: UInt32
    var width: Int
    var full_rounds: Int
    var partial_rounds: Int
    var external_initial: [[UInt32]]
    var external_final: [[UInt32]]
    var internalRounds: [UInt32]
    var test_input: [UInt32]
    var test_expected_output: [UInt32]
    var internal_diagonal: [UInt32]
    var sbox_degree: Int
    var name: String = ""

    var testDescription: String { name }

    enum CodingKeys: String, CodingKey {
        case field, prime, width, full_rounds, partial_rounds, external_initial, external_final
        case test_input, test_expected_output, internal_diagonal, sbox_degree
        case internalRounds = "internal"
    }

    /// Reads the vectors from `../shared/vectors/poseidon2.json` next to the package root.
    static func load() throws -> [Poseidon2Vector] {
        struct File: Decodable { var instances: [String: Poseidon2Vector] }
        let data = try Data(contentsOf: PackagePaths.vector("poseidon2.json"))
        let file = try JSONDecoder().decode(File.self, from: data)
        return file.instances.map { name, v in
            var v = v
            v.name = name
            return v
        }.sorted { $0.name < $1.name }
    }

    static let all: [Poseidon2Vector] = (try? load()) ?? []
}

@Suite("Poseidon2 known answers")
struct Poseidon2VectorTests {
    @Test func vectorFileHasFourInstances() throws {
        let names = try Poseidon2Vector.load().map(\.name)
        #expect(names == ["babybear_w16", "babybear_w24", "koalabear_w16", "koalabear_w24"])
    }

    @Test("Grain-derived constants equal the published ones", arguments: Poseidon2Vector.all)
    func constants(_ v: Poseidon2Vector) {
        let rc = Poseidon2RoundConstants(
            prime: v.prime,
            width: v.width,
            fullRounds: v.full_rounds,
            partialRounds: v.partial_rounds
        )
        #expect(rc.externalInitial == v.external_initial)
        #expect(rc.internalRounds == v.internalRounds)
        #expect(rc.externalFinal == v.external_final)
    }

    @Test("Permutation matches the known answer", arguments: Poseidon2Vector.all)
    func permutation(_ v: Poseidon2Vector) {
        switch v.field {
        case "koalabear": check(KoalaBear.self, v)
        case "babybear": check(BabyBear.self, v)
        default: Issue.record("unknown field \(v.field)")
        }
    }

    @Test("Internal diagonal as written equals the published diagonal", arguments: Poseidon2Vector.all)
    func internalDiagonal(_ v: Poseidon2Vector) {
        switch v.field {
        case "koalabear": checkDiagonal(KoalaBear.self, v)
        case "babybear": checkDiagonal(BabyBear.self, v)
        default: Issue.record("unknown field \(v.field)")
        }
    }

    private func check<F: Poseidon2Field>(_: F.Type, _ v: Poseidon2Vector) {
        #expect(F.modulus == v.prime)
        #expect(F.Parameters.sboxDegree == v.sbox_degree)
        let p = Poseidon2<F>(width: v.width)
        #expect(p.partialRounds == v.partial_rounds)
        #expect(p.fullRounds == v.full_rounds)
        #expect(p.internalDiagonal.map(\.canonical) == v.internal_diagonal)
        let rc = p.roundConstants
        #expect(rc.externalInitial.map { $0.map(\.canonical) } == v.external_initial)
        #expect(rc.internalRounds.map(\.canonical) == v.internalRounds)
        #expect(rc.externalFinal.map { $0.map(\.canonical) } == v.external_final)
        var state = v.test_input.map { F($0) }
        p.permute(&state)
        #expect(state.map(\.canonical) == v.test_expected_output)
    }

    private func checkDiagonal<F: Poseidon2Field>(_: F.Type, _ v: Poseidon2Vector) {
        // (1 + Diag(V)) e_j has V[j] + 1 at position j.
        for j in 0..<v.width {
            var state = [F](repeating: .zero, count: v.width)
            state[j] = .one
            state.withUnsafeMutableBufferPointer { F.Parameters.internalLayer($0.baseAddress!, width: v.width) }
            #expect(state[j] == F(v.internal_diagonal[j]) + .one, "diagonal entry \(j)")
            for i in 0..<v.width where i != j { #expect(state[i] == .one) }
        }
    }
}
