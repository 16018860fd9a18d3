import Algebra
import Foundation
import Keccak
import Stark
import Testing
import VM
import VMProver
import VMTestSupport

/// End-to-end: runs are traced, every shard is proven (test parameters: ~20 bits, clearly not
/// for production), and the chain verifier checks the whole proof against the ELF.
@Suite(.serialized, .oneProofAtATime)
struct RunProofTests {
    static let config = StarkConfig<VMField>.testing

    /// One program touching every RV32IM instruction class, with the RISC-V edge cases of
    /// division and shifts, byte / halfword loads and stores with sign extension, branches both
    /// ways, jal / jalr, lui / auipc, fence, a write to x0 that must not stick, and syscalls.
    static var everyInstruction: [UInt32] {
        var w: [UInt32] = []
        let d = TestProgram.dataBase
        w += RV.li(1, 0x8000_0000)  // INT_MIN
        w += RV.li(2, 0xFFFF_FFFF)  // -1
        w += RV.li(3, 7)
        w += RV.li(4, 0)
        w += RV.li(5, 0x1234_5678)
        for name in [
            "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
            "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
        ] {
            w.append(RV.op(name, 6, 1, 2))  // INT_MIN op -1 (div overflow)
            w.append(RV.op(name, 7, 5, 4))  // x op 0 (division by zero)
            w.append(RV.op(name, 8, 5, 3))
            w.append(RV.op(name, 9, 2, 5))
        }
        // I-type ALU (funct3 0..7, srai with funct7 0x20).
        for (f3, imm) in [(0, -5), (2, -1), (3, -1), (4, 0x7ff), (6, 0x123), (7, -16)] as [(UInt32, Int32)] {
            w.append(RV.i(imm, 5, f3, 10, 0x13))
        }
        w.append(RV.i(31, 5, 1, 11, 0x13))  // slli 31
        w.append(RV.i(4, 1, 5, 11, 0x13))  // srli 4
        w.append(RV.i(0x400 | 4, 1, 5, 11, 0x13))  // srai 4
        w.append(RV.addi(0, 5, 1))  // write to x0: must not stick
        w.append(RV.op("add", 12, 0, 0))  // x12 = x0 + x0 = 0
        // Memory: data area.
        w += RV.li(13, d)
        w.append(RV.sw(5, 13, 0))
        w.append(RV.s(5, 1, 13, 0))  // sb INT_MIN's low byte at +5
        w.append(RV.s(6, 2, 13, 1))  // sh -1 at +6
        for (f3, off) in [(0, 0), (0, 3), (1, 2), (4, 1), (5, 2), (2, 4), (0, 6), (4, 7)] as [(UInt32, Int32)] {
            w.append(RV.i(off, 13, f3, 14, 0x03))
        }
        w.append(RV.lw(15, 13, 0))
        // Branches both ways.
        for f3: UInt32 in [0, 1, 4, 5, 6, 7] {
            w.append(RV.b(8, 1, 2, f3))  // skip the next instruction when taken
            w.append(RV.addi(16, 16, 1))
        }
        // lui, auipc, jal, jalr, fence.
        w.append(RV.lui(18, 0xABCD_E000))
        w.append(RV.u(0x1000, 19, 0x17))
        w.append(RV.j(8, 20))
        w.append(RV.addi(16, 16, 100))  // skipped
        w.append(RV.u(0, 21, 0x17))  // auipc x21, 0 → pc
        w.append(RV.jalr(22, 21, 13))  // target pc + 13 → cleared bit 0 → pc + 12
        w.append(RV.addi(16, 16, 100))  // skipped
        w.append(RV.addi(16, 16, 100))  // skipped
        w.append(0x0ff0_000f)  // fence
        // commit 4 bytes of the data area, write 3 bytes to fd 2, then exit 3.
        w += RV.li(17, 0x1000) + RV.li(10, d) + RV.li(11, 4) + [RV.ecall]
        w += RV.li(17, 64) + RV.li(10, 2) + RV.li(11, d + 1) + RV.li(12, 3) + [RV.ecall]
        w += RV.exit(3)
        return w
    }

    /// A program's key and a proof of one of its runs.
    struct ProvenRun: Sendable {
        var key: VMProgramKey
        var proof: VMProof
    }

    static func prove(_ program: Program, input: [UInt8] = [], shardSize: Int) throws -> ProvenRun {
        let key = try VMProgramKey(program: program, config: config)
        // With the constraint check on, a failure names the table and the constraint.
        let proof = try RunProver(key: key, config: config).prove(
            input: input,
            shardSize: shardSize,
            options: ProvingOptions(checkConstraints: true)
        )
        return ProvenRun(key: key, proof: proof)
    }

    /// `everyInstruction` proven in one shard and in shards of 64 cycles (three), each once for the
    /// suite: the tests that check or tamper with these proofs share them (editing copies).
    static let oneShard = Result { try prove(TestProgram.program(everyInstruction), shardSize: 1 << 12) }
    static let shardsOf64 = Result { try prove(TestProgram.program(everyInstruction), shardSize: 64) }

    func proveAndCheck(_ program: Program, input: [UInt8] = [], shardSize: Int) throws -> VMProof {
        try check(program, input: input, Self.prove(program, input: input, shardSize: shardSize))
    }

    /// Verifies `run` and compares what it proves with the executor's run of `program`.
    @discardableResult
    func check(_ program: Program, input: [UInt8] = [], _ run: ProvenRun) throws -> VMProof {
        let (key, proof) = (run.key, run.proof)
        let m = try Machine(program: program, input: input)
        let code = try m.run()
        let run = try RunVerifier(key: key, config: Self.config).verify(bytes: proof.encoded())
        #expect(run.exitCode == UInt32(bitPattern: code))
        #expect(run.output == m.publicOutput)
        #expect(run.cycles == m.cycles)
        return proof
    }

    @Test func everyInstructionProves() throws {
        let proof = try check(TestProgram.program(Self.everyInstruction), Self.oneShard.get())
        #expect(proof.shards.count == 1)
    }

    @Test(arguments: [16, 37, 64])
    func shardChainsProve(shardSize: Int) throws {
        let program = TestProgram.program(Self.everyInstruction)
        let run = shardSize == 64 ? try Self.shardsOf64.get() : try Self.prove(program, shardSize: shardSize)
        let proof = try check(program, run)
        #expect(proof.shards.count > 1)
    }

    @Test(.enabled(if: GuestCache.toolchainPresent, "guest toolchain absent"))
    func fibonacciGuestProves() async throws {
        let elf = try await GuestCache.shared.elf("fibonacci")
        let input: [UInt8] = [30, 0, 0, 0]
        _ = try proveAndCheck(try ELFLoader.load(elf), input: input, shardSize: 1 << 14)
    }

    /// `sort` hashes with the `keccak_f` syscall and proves end to end with the Keccak table; its
    /// committed output (count, Keccak-256 of the sorted words, smallest, largest) is checked
    /// against the `Keccak` module on the sorted input, not only against the executor.
    @Test(.enabled(if: GuestCache.toolchainPresent, "guest toolchain absent"))
    func sortGuestProvesWithKeccakTable() async throws {
        let elf = try await GuestCache.shared.elf("sort")
        let values: [UInt32] = [7, 0xFFFF_FFFF, 3, 0, 0x8000_0000, 3, 42]
        func le(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let proof = try proveAndCheck(
            try ELFLoader.load(elf),
            input: values.flatMap(le),
            shardSize: 1 << 15
        )
        #expect(proof.shards.contains { $0.accelerators.contains(.keccak) })
        let sorted = values.sorted()
        let expected =
            le(UInt32(values.count)) + Keccak256.hash(sorted.flatMap(le)) + le(sorted.first!) + le(sorted.last!)
        let run = try RunVerifier(
            key: try VMProgramKey(program: try ELFLoader.load(elf), config: Self.config),
            config: Self.config
        ).verify(bytes: proof.encoded())
        #expect(run.output == expected)
        #expect(run.exitCode == 0)
    }

    // MARK: - Chain forgeries

    @Test func shardsOutOfOrderRejected() throws {
        let (key, honest) = try (Self.shardsOf64.get().key, Self.shardsOf64.get().proof)
        var proof = honest
        #expect(proof.shards.count >= 3)
        proof.shards.swapAt(0, 1)
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: key, config: Self.config).verify(proof) }
    }

    @Test func droppedShardRejected() throws {
        let (key, honest) = try (Self.shardsOf64.get().key, Self.shardsOf64.get().proof)
        var proof = honest
        #expect(proof.shards.count >= 3)
        proof.shards.remove(at: 1)
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: key, config: Self.config).verify(proof) }
        proof.shards.removeLast()
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: key, config: Self.config).verify(proof) }
    }

    @Test func wrongClaimedOutputRejected() throws {
        let (key, honest) = try (Self.oneShard.get().key, Self.oneShard.get().proof)
        var proof = honest
        proof.shards[0].output[0] ^= 1
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: key, config: Self.config).verify(proof) }
    }

    @Test func otherProgramRejected() throws {
        let b = TestProgram.program(Self.everyInstruction.dropLast(2) + RV.exit(4))
        let keyB = try VMProgramKey(program: b, config: Self.config)
        var proof = try Self.oneShard.get().proof  // a proof of program a, `everyInstruction`
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: keyB, config: Self.config).verify(proof) }
        proof.programId = keyB.programId
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: keyB, config: Self.config).verify(proof) }
    }

    /// A shard proven from a start image other than the previous shard's final image. (Shards 0
    /// and 1 are the shared run's honest proofs; shard 2, the last, is proven from the forged state.)
    @Test func shardFromDifferentStateRejected() throws {
        let program = TestProgram.program(Self.everyInstruction)
        let (key, honest) = try (Self.shardsOf64.get().key, Self.shardsOf64.get().proof)
        let shards = try Machine(program: program).traceAll(shardSize: 64)
        try #require(shards.count == 3 && honest.shards.count == 3)
        let prover = RunProver(key: key, config: Self.config)
        var image = key.startImage
        var proofs: [ShardProof] = []
        for (k, s) in shards.enumerated() {
            if k < 2 {
                // The honest proof of shard k, and the image it ends in.
                proofs.append(honest.shards[k])
                image = try ShardWitness(shard: s, start: image, key: key).finalImage
                continue
            }
            var start = image
            if k == 2 {
                // Claim register x5 held another value: an honest-looking but different start state.
                var addrs = start.addresses
                var vals = start.values
                vals[5] ^= 1
                start = MemoryImage(addresses: addrs, values: vals)
                addrs.removeAll()
            }
            let (p, next) = try prover.proveShard(s, start: start, options: ProvingOptions(checkBuses: false))
            proofs.append(p)
            image = next
        }
        let proof = VMProof(programId: key.programId, shards: proofs)
        #expect(throws: RunVerificationError.self) { try RunVerifier(key: key, config: Self.config).verify(proof) }
    }

    @Test func decoderRejectsGarbage() throws {
        let key = try Self.oneShard.get().key
        let bytes = try Self.oneShard.get().proof.encoded()
        let verifier = RunVerifier(key: key, config: Self.config)
        var rng = SplitMix(state: 11)
        for _ in 0..<50 {
            var b = bytes
            let i = rng.below(b.count)
            b[i] ^= UInt8(1 + rng.below(255))
            #expect(throws: RunVerificationError.self) { try verifier.verify(bytes: b) }
        }
        for cut in [0, 3, 10, bytes.count / 2, bytes.count - 1] {
            #expect(throws: RunVerificationError.self) { try verifier.verify(bytes: Array(bytes.prefix(cut))) }
        }
    }
}
