import EVM
import EVMFixtures
import EVMPrimitives
import Foundation
import Keccak
import Testing

/// Blockchain-test files for the header and body checks.
enum BlockchainFixtures {
    static var base: String { FixturePaths.fixtures + "/eest/blockchain_tests" }

    /// Every blockchain-test file, relative to `eest/blockchain_tests`.
    static var all: [String] {
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String { if rel.hasSuffix(".json") { out.append(rel) } }
        return out.sorted()
    }
}

/// Every valid block of an EEST blockchain test decodes, re-encodes byte-identically, hashes to
/// the fixture's hash, has the transactions and withdrawals roots of its body and validates against
/// its parent; every invalid block whose exception is a header or body rule is refused.
@Test("EEST blockchain tests: headers and bodies", arguments: BlockchainFixtures.all)
func blockHeaderFile(_ file: String) {
    let results = BlockHeaderChecks.check(file: BlockchainFixtures.base + "/" + file)
    #expect(!results.isEmpty)
    let failures = results.filter { !$0.failures.isEmpty }
    #expect(
        failures.isEmpty,
        "\(failures.count) of \(results.count) tests failed, first: \(failures.first.map { "\($0.id): \($0.failures.prefix(3).joined(separator: "; "))" } ?? "")"
    )
    #expect(results.reduce(0) { $0 + $1.validBlocks + $1.refusedInvalid + $1.uncheckedInvalid } > 0)
    let unmapped = Set(results.flatMap(\.unmappedExceptions)).sorted()
    if !unmapped.isEmpty { print("\(file): exceptions that need execution (not checked): \(unmapped)") }
}

@Test func blockchainFixturesArePresent() {
    #expect(BlockchainFixtures.all.count >= 300)
}

/// Forged encodings of a header and a block are refused with the error that names the fault.
@Suite struct BlockHeaderForgeryTests {
    /// A Prague header built field by field (no fixture values needed: only its shape is tested).
    static func header() -> BlockHeader {
        var h = BlockHeader()
        h.ommersHash = BlockHeader.emptyOmmersHash
        h.transactionsRoot = MerklePatriciaTrie.emptyRoot
        h.receiptsRoot = MerklePatriciaTrie.emptyRoot
        h.number = 1
        h.gasLimit = 30_000_000
        h.timestamp = 12
        h.baseFeePerGas = UInt256(7)
        h.withdrawalsRoot = MerklePatriciaTrie.emptyRoot
        h.blobGasUsed = 0
        h.excessBlobGas = 0
        h.parentBeaconBlockRoot = .zero
        h.requestsHash = .zero
        return h
    }

    /// The header's items re-wrapped after `edit`.
    static func reencode(_ edit: (inout [[UInt8]]) -> Void) -> [UInt8] {
        var r = RLPReader(header().encoded)
        var l = try! r.readList()
        var items: [[UInt8]] = []
        while !l.isAtEnd { items.append(Array(try! l.readRaw())) }
        edit(&items)
        return RLP.encodeList(items)
    }

    static func error(_ bytes: [UInt8]) -> BlockError? {
        do {
            _ = try BlockHeader.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func roundTrip() throws {
        let h = Self.header()
        #expect(try BlockHeader.decode(h.encoded) == h)
        #expect(h.hash == Keccak256.digest(h.encoded))
        #expect(h.fieldCount == 21)
    }

    @Test func truncatedAndTrailing() {
        let e = Self.header().encoded
        #expect(Self.error(Array(e.dropLast())) == .malformedHeader(.parentHash, .truncated))
        #expect(Self.error(e + [0x80]) == .trailingBytes)
        #expect(Self.error(Self.reencode { $0.append([0x80]) }) == .malformedHeader(.requestsHash, .trailingBytes))
        #expect(Self.error(Self.reencode { $0.removeLast(21 - 14) }) == .malformedHeader(.nonce, .truncated))
    }

    @Test func wrongSizes() {
        #expect(
            Self.error(Self.reencode { $0[0] = RLP.encode(bytes: [UInt8](repeating: 1, count: 31)) })
                == .malformedHeader(.parentHash, .wrongSize)
        )
        #expect(
            Self.error(Self.reencode { $0[2] = RLP.encode(bytes: [UInt8](repeating: 1, count: 21)) })
                == .malformedHeader(.coinbase, .wrongSize)
        )
        #expect(
            Self.error(Self.reencode { $0[6] = RLP.encode(bytes: [UInt8](repeating: 0, count: 255)) })
                == .malformedHeader(.logsBloom, .wrongSize)
        )
        #expect(
            Self.error(Self.reencode { $0[8] = RLP.encode(bytes: [UInt8](repeating: 1, count: 9)) })
                == .malformedHeader(.number, .wrongSize)
        )
        #expect(Self.error(Self.reencode { $0[8] = [0x81, 0x00] }) == .malformedHeader(.number, .nonCanonicalSize))
        #expect(
            Self.error(Self.reencode { $0[8] = [0x82, 0x00, 0x01] }) == .malformedHeader(.number, .leadingZeroInteger)
        )
        #expect(
            Self.error(Self.reencode { $0[14] = RLP.encode(bytes: [0, 0, 0, 0, 0, 0, 0]) })
                == .malformedHeader(.nonce, .wrongSize)
        )
        #expect(Self.error(Self.reencode { $0[9] = [0xC0] }) == .malformedHeader(.gasLimit, .expectedBytes))
    }

    @Test func optionalFieldsOutOfOrder() {
        // Blob gas used without the excess blob gas (18 fields).
        #expect(Self.error(Self.reencode { $0.removeLast(3) }) == .malformedHeader(.excessBlobGas, .truncated))
        // The withdrawals root dropped: the blob gas used (an integer) stands where a root belongs.
        #expect(Self.error(Self.reencode { $0.remove(at: 16) }) == .malformedHeader(.withdrawalsRoot, .wrongSize))
    }

    @Test func fieldsPerFork() throws {
        let h = Self.header()
        try h.validateFields(fork: .prague)
        #expect(throws: BlockError.unexpectedField(.requestsHash)) { try h.validateFields(fork: .cancun) }
        var old = h
        old.requestsHash = nil
        #expect(throws: BlockError.missingField(.requestsHash)) { try old.validateFields(fork: .osaka) }
        old.baseFeePerGas = nil
        #expect(throws: BlockError.missingField(.baseFeePerGas)) { try old.validateFields(fork: .london) }
    }

    @Test func rulesAgainstParent() throws {
        let parent = Self.header()
        var child = parent
        child.parentHash = parent.hash
        child.number = 2
        child.timestamp = 24
        child.baseFeePerGas = BlockRules.baseFee(parent: parent, isForkBlock: false)
        try child.validate(parent: parent, fork: .prague, parentFork: .prague)
        func refused(_ edit: (inout BlockHeader) -> Void) -> BlockError? {
            var c = child
            edit(&c)
            do {
                try c.validate(parent: parent, fork: .prague, parentFork: .prague)
                return nil
            } catch { return error }
        }
        #expect(refused { $0.number = 3 } == .numberNotParentPlusOne)
        #expect(refused { $0.timestamp = 12 } == .timestampNotAfterParent)
        #expect(refused { $0.gasLimit = parent.gasLimit + parent.gasLimit / 1024 } == .gasLimitOutOfBounds)
        #expect(refused { $0.gasLimit = parent.gasLimit - parent.gasLimit / 1024 } == .gasLimitOutOfBounds)
        #expect(refused { $0.gasUsed = $0.gasLimit + 1 } == .gasUsedExceedsGasLimit)
        #expect(refused { $0.extraData = [UInt8](repeating: 0, count: 33) } == .extraDataTooLong)
        #expect(refused { $0.baseFeePerGas = $0.baseFeePerGas! + .one } == .baseFeeMismatch)
        #expect(refused { $0.excessBlobGas = 1 } == .excessBlobGasMismatch)
        #expect(refused { $0.blobGasUsed = 10 * Transaction.gasPerBlob } == .blobGasUsedAboveMaximum)
        #expect(refused { $0.difficulty = .one } == .nonZeroDifficulty)
        #expect(refused { $0.nonce = 1 } == .nonZeroNonce)
        #expect(refused { $0.ommersHash = .zero } == .ommersHashNotEmpty)
        #expect(refused { $0.parentHash = .zero } == .parentHashMismatch)
    }

    @Test func blockTrailingBytesAndBadTransaction() {
        var w = RLPWriter()
        w.appendList { w in
            w.append(raw: Self.header().encoded)
            w.appendList { w in w.append(bytes: [0xC1, 0x80]) }
            w.appendList { _ in }
            w.appendList { _ in }
        }
        do {
            _ = try Block.decode(w.bytes)
            Issue.record("a byte string wrapping a list was accepted as a transaction")
        } catch {
            guard case .malformedTransaction(index: 0, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
        }
        var ok = RLPWriter()
        ok.appendList { w in
            w.append(raw: Self.header().encoded)
            w.appendList { _ in }
            w.appendList { _ in }
            w.appendList { _ in }
        }
        #expect((try? Block.decode(ok.bytes)) != nil)
        #expect(throws: BlockError.trailingBytes) { try Block.decode(ok.bytes + [0x80]) }
    }

    /// The first London block: the parent's gas limit counts twice (elasticity) and the base
    /// fee starts at ``BlockRules/initialBaseFee``.
    @Test func londonForkBlock() throws {
        var parent = Self.header()
        parent.baseFeePerGas = nil
        parent.withdrawalsRoot = nil
        parent.blobGasUsed = nil
        parent.excessBlobGas = nil
        parent.parentBeaconBlockRoot = nil
        parent.requestsHash = nil
        parent.difficulty = UInt256(BlockRules.minimumDifficulty)
        var child = parent
        child.parentHash = parent.hash
        child.number = parent.number + 1
        child.timestamp = parent.timestamp + 13
        child.gasLimit = parent.gasLimit * BlockRules.elasticityMultiplier
        child.difficulty = BlockRules.difficulty(
            parent: parent,
            timestamp: child.timestamp,
            number: child.number,
            fork: .london
        )
        child.baseFeePerGas = UInt256(BlockRules.initialBaseFee)
        try child.validate(parent: parent, fork: .london, parentFork: .berlin)
        var wrongFee = child
        wrongFee.baseFeePerGas = BlockRules.baseFee(parent: parent, isForkBlock: false)
        #expect(throws: BlockError.baseFeeMismatch) {
            try wrongFee.validate(parent: parent, fork: .london, parentFork: .berlin)
        }
        #expect(throws: BlockError.gasLimitOutOfBounds) {
            try child.validate(parent: parent, fork: .london, parentFork: .london)
        }
    }
}
