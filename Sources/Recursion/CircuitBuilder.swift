import Algebra
import Hashing
import Synchronization

/// Builds a ``RecursionCircuit`` and its witness together: every op computes its value as it
/// is recorded, the way a verifier runs.
///
/// The circuit's shape must not depend on the values: a check that fails (``assertEqual(_:_:)``
/// on unequal values, ``inverse(_:)`` of zero) is recorded in ``failures`` and building goes
/// on with the same ops, so a forged proof yields the same circuit as an honest one and only
/// the witness is unsatisfiable. The verifier programs built on this call only shape-dependent
/// control flow; a test builds twice and compares.
public final class CircuitBuilder {
    public private(set) var values: [RE] = []
    public private(set) var inputs: [InputOp] = []
    public private(set) var packs: [InputPack] = []
    public private(set) var arith: [ArithOp] = []
    public private(set) var poseidon2: [Poseidon2Op] = []
    public private(set) var publics: [Slot] = []
    /// The checks that failed, in order, with a short reason each. Empty for a valid statement.
    public private(set) var failures: [String] = []
    private var constants: [RE: Slot] = [:]
    /// Bits whose booleanity a caller left to the Poseidon2 table (``bits(_:count:swapBits:)``):
    /// each must be some Poseidon2 op's swap by the time the circuit is built.
    private var swapPromised: Set<Slot> = []
    private let permutation = Poseidon2<RF>(width: 16)

    /// An empty circuit holding only the zero slot.
    public init() {
        let z = allocate(.zero)
        arith.append(ArithOp(out: z))
        constants[.zero] = z
    }

    private func allocate(_ v: RE) -> Slot {
        values.append(v)
        return Slot(values.count - 1)
    }

    /// The value of `slot` in the witness being built.
    public func value(_ slot: Slot) -> RE { values[slot.index] }

    /// Records a failed check (the reason) without changing the circuit.
    public func fail(_ reason: String) { failures.append(reason) }

    // MARK: - Values from outside

    /// An extension value the prover supplies (a hint): four base inputs in one input row, and
    /// their pack (no arithmetic rows).
    public func input(_ v: RE) -> Slot { inputExtension(v).value }

    /// An extension value the prover supplies, as its four base coordinates (which a
    /// transcript observes) and the value, the input table's pack of them.
    public func inputExtension(_ v: RE) -> (coefficients: [Slot], value: Slot) {
        let (c, packs) = packedInputs(base: [v.c0, v.c1, v.c2, v.c3])
        return (c, packs[0])
    }

    /// Base-field values the prover supplies, starting a new group of four inputs (unread zero
    /// inputs fill the previous one), with the pack of each complete four:
    /// `packs[j] = v₄ⱼ + v₄ⱼ₊₁X + v₄ⱼ₊₂X² + v₄ⱼ₊₃X³`.
    public func packedInputs(base vs: [RF]) -> (values: [Slot], packs: [Slot]) {
        while inputs.count % 4 != 0 { _ = input(base: .zero) }
        let first = inputs.count
        let values = inputs(base: vs)
        let packed = (0..<(vs.count / 4)).map { j in
            let out = allocate(RE(coefficients: Array(vs[(4 * j)..<(4 * j + 4)])))
            packs.append(InputPack(first: first + 4 * j, out: out))
            return out
        }
        return (values, packed)
    }

    /// A base-field value the prover supplies (proof data, a hint).
    public func input(base v: RF) -> Slot {
        let s = allocate(RE(v))
        inputs.append(InputOp(out: s))
        return s
    }

    /// Base-field values the prover supplies.
    public func inputs(base vs: [RF]) -> [Slot] { vs.map { input(base: $0) } }

    /// Makes `slot` the next public value of the circuit (its value must be a base element).
    public func makePublic(_ slot: Slot) {
        if !isBase(value(slot)) { fail("public value \(publics.count) is not a base-field element") }
        publics.append(slot)
    }

    // MARK: - Arithmetic

    /// Records one arithmetic row writing a new slot.
    public func arith(
        a: Slot = RecursionCircuit.zero,
        b: Slot = RecursionCircuit.zero,
        c: Slot = RecursionCircuit.zero,
        cm: RF = .zero,
        ca: RF = .zero,
        cb: RF = .zero,
        cc: RF = .zero,
        k: RE = .zero
    ) -> Slot {
        var op = ArithOp(a: a, b: b, c: c, out: Slot(values.count), cm: cm, ca: ca, cb: cb, cc: cc, k: k)
        let out = allocate(op.evaluate(value(a), value(b), value(c)))
        op.out = out
        arith.append(op)
        return out
    }

    /// Records one arithmetic row that checks `slot == right-hand side`.
    public func arithAssert(
        _ slot: Slot,
        a: Slot = RecursionCircuit.zero,
        b: Slot = RecursionCircuit.zero,
        c: Slot = RecursionCircuit.zero,
        cm: RF = .zero,
        ca: RF = .zero,
        cb: RF = .zero,
        cc: RF = .zero,
        k: RE = .zero,
        _ reason: @autoclosure () -> String
    ) {
        let op = ArithOp(a: a, b: b, c: c, out: slot, cm: cm, ca: ca, cb: cb, cc: cc, k: k, asserts: true)
        if op.evaluate(value(a), value(b), value(c)) != value(slot) { fail(reason()) }
        arith.append(op)
    }

    /// The constant `c` (one row per distinct constant).
    public func constant(_ c: RE) -> Slot {
        if let s = constants[c] { return s }
        let s = arith(k: c)
        constants[c] = s
        return s
    }

    /// The base-field constant `c`.
    public func constant(base c: RF) -> Slot { constant(RE(c)) }

    public func add(_ x: Slot, _ y: Slot) -> Slot { arith(a: x, b: y, ca: .one, cb: .one) }
    public func sub(_ x: Slot, _ y: Slot) -> Slot { arith(a: x, b: y, ca: .one, cb: -.one) }
    public func mul(_ x: Slot, _ y: Slot) -> Slot { arith(a: x, b: y, cm: .one) }
    /// `x·y + z`.
    public func mulAdd(_ x: Slot, _ y: Slot, _ z: Slot) -> Slot { arith(a: x, b: y, c: z, cm: .one, cc: .one) }
    /// `x·y − z`.
    public func mulSub(_ x: Slot, _ y: Slot, _ z: Slot) -> Slot { arith(a: x, b: y, c: z, cm: .one, cc: -.one) }
    /// `s·x` for a base constant `s`.
    public func scale(_ x: Slot, by s: RF) -> Slot { arith(a: x, ca: s) }
    /// `x + k` for a constant `k`.
    public func add(_ x: Slot, constant k: RE) -> Slot { arith(a: x, ca: .one, k: k) }
    /// `x·k` for an extension constant `k` (two rows when `k` is not in the base field).
    public func mul(_ x: Slot, constant k: RE) -> Slot {
        if isBase(k) { return scale(x, by: k.c0) }
        return mul(x, constant(k))
    }
    public func negate(_ x: Slot) -> Slot { arith(a: x, ca: -.one) }

    /// Requires `x == y`.
    public func assertEqual(_ x: Slot, _ y: Slot, _ reason: @autoclosure () -> String = "values differ") {
        arithAssert(y, a: x, ca: .one, reason())
    }

    /// Requires `x == 0`.
    public func assertZero(_ x: Slot, _ reason: @autoclosure () -> String = "value is not zero") {
        assertEqual(x, RecursionCircuit.zero, reason())
    }

    /// Requires `x ∈ {0, 1}`: `x·x − x = 0`.
    public func assertBool(_ x: Slot, _ reason: @autoclosure () -> String = "value is not a bit") {
        arithAssert(RecursionCircuit.zero, a: x, b: x, cm: .one, ca: -.one, reason())
    }

    /// `1/x`: a hint checked by `hint·x = 1`. When `x` is zero the check fails (recorded) and
    /// the hint is zero.
    public func inverse(_ x: Slot, _ reason: @autoclosure () -> String = "inverse of zero") -> Slot {
        let h = input(value(x).inverse() ?? .zero)
        arithAssert(constant(.one), a: h, b: x, cm: .one, reason())
        return h
    }

    /// `x/y` (`y` non-zero, or a recorded failure).
    public func div(_ x: Slot, _ y: Slot, _ reason: @autoclosure () -> String = "division by zero") -> Slot {
        mul(x, inverse(y, reason()))
    }

    /// `bit ? ifOne : ifZero` for a boolean `bit` (the caller checks it is boolean): two rows.
    public func select(_ bit: Slot, ifZero: Slot, ifOne: Slot) -> Slot {
        let d = sub(ifOne, ifZero)
        return mulAdd(bit, d, ifZero)
    }

    /// The `bits` low bits of the base-field element in `x`, least significant first, from its
    /// canonical 31-bit decomposition: every bit is boolean, `Σ bᵢ·2ⁱ = x`, and the
    /// decomposition is the canonical one (below the modulus), so the low bits are those of
    /// the canonical value, as ``Stark/DuplexChallenger/sampleBits(_:)`` takes them.
    ///
    /// The low `swapBits` bits are not checked boolean here: the caller must use each of them
    /// as a Poseidon2 swap bit, which the Poseidon2 table checks boolean (`s·(s − 1) = 0`).
    public func bits(_ x: Slot, count bits: Int, swapBits: Int = 0) -> [Slot] {
        precondition(swapBits >= 0 && swapBits <= bits)
        precondition(bits >= 0 && bits <= 31)
        let v = value(x)
        if !isBase(v) { fail("bit decomposition of a non-base value") }
        let canonical = v.c0.canonical
        // Canonical: 31-bit values at or above p = 2^31 − 2^s + 1 have bits s…30 all one and
        // a non-zero low part; so (Π_{i≥s} bᵢ)·(Σ_{i<s} bᵢ2ⁱ) must vanish.
        let lowBits = ((UInt32.max >> 1) &- (RF.modulus &- 1) &+ 1).trailingZeroBitCount  // s
        let all = (0..<31).map { i in input(base: RF((canonical >> UInt32(i)) & 1)) }
        for b in all[swapBits...] { assertBool(b) }
        swapPromised.formUnion(all[0..<swapBits])
        // The sum two bits a row, never across the low part's end (whose partial sum is kept).
        var acc = RecursionCircuit.zero
        var low = RecursionCircuit.zero
        var i = 0
        while i < 31 {
            let pair = i + 1 < 31 && i + 1 != lowBits
            acc = arith(
                a: all[i],
                b: pair ? all[i + 1] : RecursionCircuit.zero,
                c: acc,
                ca: RF(UInt32(1) << UInt32(i)),
                cb: pair ? RF(UInt32(1) << UInt32(i + 1)) : .zero,
                cc: .one
            )
            i += pair ? 2 : 1
            if i == lowBits { low = acc }
        }
        assertEqual(acc, x, "bit decomposition does not add up")
        var high = all[lowBits]
        for i in (lowBits + 1)..<31 { high = mul(high, all[i]) }
        arithAssert(RecursionCircuit.zero, a: high, b: low, cm: .one, "bit decomposition is not canonical")
        return Array(all[0..<bits])
    }

    // MARK: - Poseidon2

    /// The width-16 Poseidon2 permutation of `state`, or of its halves swapped when `swap`
    /// holds 1 (the caller checks `swap` is boolean).
    public func permute(_ state: [Slot], swap: Slot = RecursionCircuit.zero) -> [Slot] {
        precondition(state.count == 16)
        let out = permutationOutput(state, swap: swap).map { allocate(RE($0)) }
        poseidon2.append(Poseidon2Op(left: Array(state[0..<8]), right: Array(state[8..<16]), swap: swap, out: out))
        return out
    }

    /// The permutation of the values in `state` (its halves swapped when `swap` holds 1), as the
    /// Poseidon2 table computes it; a non-base input is recorded as a failure.
    private func permutationOutput(_ state: [Slot], swap: Slot) -> [RF] {
        var input = state.map { value($0) }
        if !input.allSatisfy(isBase) { fail("Poseidon2 input is not a base-field element") }
        if value(swap) == .one { input = Array(input[8..<16] + input[0..<8]) }
        var s = input.map(\.c0)
        permutation.permute(&s)
        return s
    }

    /// Plonky3's truncated-permutation compression of `left ‖ right` (swapped when `swap` holds
    /// 1), required to equal `digest` (8 existing slots, a root): the Poseidon2 table reads
    /// them as the permutation's first 8 outputs, no equality rows.
    public func compress(
        _ left: [Slot],
        _ right: [Slot],
        swap: Slot = RecursionCircuit.zero,
        checking digest: [Slot],
        _ reason: @autoclosure () -> String
    ) {
        precondition(digest.count == 8)
        guard (0..<8).allSatisfy({ digest[$0].index == digest[0].index + $0 }) else {
            // Not a run of consecutive slots (the table's output columns need one): compare.
            assertDigestsEqual(compress(left, right, swap: swap), digest, reason())
            return
        }
        let s = permutationOutput(left + right, swap: swap)
        if (0..<8).contains(where: { RE(s[$0]) != value(digest[$0]) }) { fail(reason()) }
        let out = digest + s[8..<16].map { allocate(RE($0)) }
        poseidon2.append(Poseidon2Op(left: left, right: right, swap: swap, out: out, checksDigest: true))
    }

    /// Plonky3's truncated-permutation compression: the first 8 outputs of the permutation of
    /// `left ‖ right` (swapped when `swap` holds 1).
    public func compress(_ left: [Slot], _ right: [Slot], swap: Slot = RecursionCircuit.zero) -> [Slot] {
        Array(permute(left + right, swap: swap)[0..<8])
    }

    // MARK: - Result

    /// The circuit, padded to at least `shape`, and its witness.
    public func build(shape: RecursionShape = .minimal) -> (circuit: RecursionCircuit, witness: CircuitWitness) {
        precondition(
            swapPromised.isSubset(of: poseidon2.map(\.swap)),
            "a bit left unchecked for the Poseidon2 table is no Poseidon2 op's swap"
        )
        return (
            RecursionCircuit(
                slotCount: values.count,
                inputs: inputs,
                packs: packs,
                arith: arith,
                poseidon2: poseidon2,
                publics: publics,
                shape: shape
            ),
            CircuitWitness(values: values)
        )
    }
}

/// Whether `v` lies in the base field.
@inlinable
func isBase(_ v: RE) -> Bool { v.c1.isZero && v.c2.isZero && v.c3.isZero }

extension RecursionCircuit {
    /// Evaluates every op of the circuit on `witness` natively and returns the first op that
    /// does not hold, or `nil` when the witness satisfies the circuit (what the tables prove).
    public func check(_ witness: CircuitWitness) -> String? {
        if let e = structuralError() { return e }
        return witnessError(witness)
    }

    /// ``check(_:)`` for a circuit known to be well formed (``structuralError()`` is `nil`).
    package func witnessError(_ witness: CircuitWitness) -> String? {
        guard witness.values.count == slotCount else { return "witness has \(witness.values.count) values" }
        let w = witness.values
        for (i, op) in inputs.enumerated() where !isBase(w[op.out.index]) {
            return "input \(i) (\(op.out)) is not a base-field element"
        }
        for (i, p) in packs.enumerated() {
            let c = (p.first..<(p.first + 4)).map { w[inputs[$0].out.index].c0 }
            if w[p.out.index] != RE(coefficients: c) { return "pack \(i) is not its four inputs" }
        }
        for (i, op) in arith.enumerated()
        where op.evaluate(w[op.a.index], w[op.b.index], w[op.c.index]) != w[op.out.index] {
            return "arith \(i) does not hold"
        }
        if let e = poseidon2Error(w) { return e }
        for (i, s) in publics.enumerated() where !isBase(w[s.index]) {
            return "public value \(i) not in the base field"
        }
        return nil
    }

    /// The first Poseidon2 op that does not hold on `w` (the permutations checked in parallel,
    /// without allocating: 40k of them are a recursion step's).
    private func poseidon2Error(_ w: [RE]) -> String? {
        let permutation = Poseidon2<RF>(width: 16)
        let ops = poseidon2
        let first = Mutex<(index: Int, reason: String)?>(nil)
        Parallel.forEachChunk(count: ops.count, minChunk: 512) { range in
            withUnsafeTemporaryAllocation(of: RF.self, capacity: 16) { buffer in
                for i in range {
                    guard let reason = Self.poseidon2Failure(ops[i], w, permutation, scratch: buffer.baseAddress!)
                    else { continue }
                    first.withLock { if $0 == nil || i < $0!.index { $0 = (i, reason) } }
                    return
                }
            }
        }
        return first.withLock { $0 }.map { "poseidon2 \($0.index): \($0.reason)" }
    }

    /// Why `op` does not hold on `w`, or `nil`; `scratch` holds 16 elements.
    private static func poseidon2Failure(
        _ op: Poseidon2Op,
        _ w: [RE],
        _ permutation: Poseidon2<RF>,
        scratch s: UnsafeMutablePointer<RF>
    ) -> String? {
        let swap = w[op.swap.index]
        guard swap == .zero || swap == .one else { return "swap is not a bit" }
        let offset = swap == .one ? 8 : 0
        for j in 0..<16 {
            let v = w[(j < 8 ? op.left[j] : op.right[j - 8]).index]
            guard isBase(v) else { return "input not in the base field" }
            s[(j + offset) % 16] = v.c0
        }
        permutation.permute(s)
        for j in 0..<16 where w[op.out[j].index] != RE(s[j]) { return "wrong output" }
        return nil
    }
}
