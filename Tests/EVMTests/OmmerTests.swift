import EVM
import EVMPrimitives
import Keccak
import Testing

/// The ommer rules on a small proof-of-work (Frontier) chain built here: every header is derived
/// from its parent by the header rules, so only the ommer under test breaks a rule.
@Suite struct OmmerTests {
    static let genesis: BlockHeader = {
        var h = BlockHeader()
        h.ommersHash = BlockHeader.emptyOmmersHash
        h.stateRoot = MerklePatriciaTrie.emptyRoot
        h.transactionsRoot = MerklePatriciaTrie.emptyRoot
        h.receiptsRoot = MerklePatriciaTrie.emptyRoot
        h.difficulty = UInt256(BlockRules.minimumDifficulty)
        h.gasLimit = 5_000_000
        return h
    }()

    /// A valid child of `parent`, told apart from its siblings by `extra`.
    static func child(_ parent: BlockHeader, extra: [UInt8] = []) -> BlockHeader {
        var h = parent
        h.parentHash = parent.hash
        h.number = parent.number + 1
        h.timestamp = parent.timestamp + 10
        h.extraData = extra
        h.difficulty = BlockRules.difficulty(parent: parent, timestamp: h.timestamp, number: h.number, fork: .frontier)
        return h
    }

    /// The block `[header, [], ommers]`.
    static func block(_ header: BlockHeader, ommers: [BlockHeader]) throws(BlockError) -> Block {
        var w = RLPWriter()
        w.appendList { w in
            w.append(raw: header.encoded)
            w.appendList { _ in }
            w.appendList { w in for o in ommers { w.append(raw: o.encoded) } }
        }
        return try Block.decode(w.bytes)
    }

    /// The chain genesis → a1 → ... → a8 (newest last).
    static let chain: [BlockHeader] = {
        var c = [genesis]
        for _ in 0..<8 { c.append(child(c.last!)) }
        return c
    }()

    /// The recent blocks seen by a child of `chain[n]` (newest first), with `ommersOf` as the
    /// ommer hashes of every one of them.
    static func recent(below n: Int, ommersOf: [Bytes32] = []) -> [RecentBlock] {
        chain[0...n].reversed().map { RecentBlock(header: $0, ommerHashes: ommersOf) }
    }

    static func refusal(_ ommers: [BlockHeader], at n: Int = 1, ommersOf: [Bytes32] = []) -> BlockError? {
        do {
            let b = try block(child(chain[n]), ommers: ommers)
            try b.validateOmmers(recent: recent(below: n, ommersOf: ommersOf), fork: .frontier)
            return nil
        } catch {
            return error
        }
    }

    @Test func validOmmers() throws {
        let uncle = Self.child(Self.genesis, extra: [1])
        let other = Self.child(Self.genesis, extra: [2])
        #expect(Self.refusal([uncle]) == nil)
        #expect(Self.refusal([uncle, other]) == nil)
        // Six generations back is the deepest allowed.
        #expect(Self.refusal([Self.child(Self.chain[0], extra: [1])], at: 6) == nil)
    }

    @Test func refusedOmmers() {
        let uncle = Self.child(Self.genesis, extra: [1])
        #expect(Self.refusal([uncle, uncle]) == .duplicateOmmer)
        #expect(
            Self.refusal([uncle, Self.child(Self.genesis, extra: [2]), Self.child(Self.genesis, extra: [3])])
                == .tooManyOmmers
        )
        #expect(Self.refusal([Self.chain[1]]) == .ommerAlreadyIncluded(index: 0))
        #expect(Self.refusal([uncle], ommersOf: [uncle.hash]) == .ommerAlreadyIncluded(index: 0))
        #expect(Self.refusal([Self.child(Self.chain[0], extra: [1])], at: 7) == .ommerNotRelated(index: 0))
        var orphan = uncle
        orphan.parentHash = .zero
        #expect(Self.refusal([orphan]) == .ommerNotRelated(index: 0))
        // A sibling of the including block (same parent).
        #expect(Self.refusal([Self.child(Self.chain[2], extra: [1])], at: 2) == .ommerNotRelated(index: 0))
        var wrongDifficulty = uncle
        wrongDifficulty.difficulty = wrongDifficulty.difficulty + .one
        #expect(Self.refusal([wrongDifficulty]) == .invalidOmmer(index: 0, .difficultyMismatch))
    }

    /// Applying a block with one ommer pays the miner the block reward plus 1/32 of it, and the
    /// ommer's miner (8 − age)/8 of it (the header's state root is that of those two balances).
    @Test func ommerRewards() throws {
        var uncle = Self.child(Self.genesis, extra: [1])
        uncle.coinbase = Address(truncating: UInt256(0xAA))
        var header = Self.child(Self.chain[1])
        header.coinbase = Address(truncating: UInt256(0xBB))
        let reward = Block.blockReward(.frontier)
        let expected: [Address: Account] = [
            header.coinbase: Account(balance: reward + reward / UInt256(32)),
            uncle.coinbase: Account(balance: reward * UInt256(7) / UInt256(8)),
        ]
        header.stateRoot = StateRoot.compute(expected)!
        var w = RLPWriter()
        w.appendList { w in w.append(raw: uncle.encoded) }
        header.ommersHash = Keccak256.digest(w.bytes)
        let b = try Self.block(header, ommers: [uncle])
        let post = try b.apply(
            parent: Self.chain[1],
            parentState: [:],
            fork: .frontier,
            parentFork: .frontier,
            blobSchedule: nil,
            chainId: .one,
            blockHashes: [:],
            recent: Self.recent(below: 1)
        )
        #expect(post.accounts[header.coinbase]?.balance == expected[header.coinbase]?.balance)
        #expect(post.accounts[uncle.coinbase]?.balance == expected[uncle.coinbase]?.balance)
    }
}
