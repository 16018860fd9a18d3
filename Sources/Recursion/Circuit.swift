import Algebra

/// The base field of recursion circuits: the field of the proofs they verify.
public typealias RF = KoalaBear
/// The degree-4 extension the circuits compute in (the STARK's challenge field).
public typealias RE = QuarticExtension<KoalaBear>

/// One cell of a circuit's witness: an extension-field element, written by exactly one op
/// and read by any number of later ops.
///
/// Slot 0 is the constant zero (``RecursionCircuit/zero``); an op that has no use for an
/// operand reads it.
public struct Slot: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Position in the witness.
    public let index: Int

    public init(_ index: Int) { self.index = index }

    public static func < (lhs: Slot, rhs: Slot) -> Bool { lhs.index < rhs.index }
    public var description: String { "w\(index)" }
}

/// One row of the arithmetic table: `out = cm·a·b + ca·a + cb·b + cc·c + k`, in the extension
/// field, with base-field coefficients `cm … cc` and an extension constant `k`.
///
/// When `asserts` is false the op writes `out`; when true, `out` names an existing slot that
/// the right-hand side must equal (the op reads it). One row form covers constants,
/// additions, products, multiply-adds, scalings, equality checks and inverse checks.
public struct ArithOp: Hashable, Sendable {
    public var a: Slot
    public var b: Slot
    public var c: Slot
    public var out: Slot
    public var cm: RF
    public var ca: RF
    public var cb: RF
    public var cc: RF
    public var k: RE
    /// Whether `out` is read (an equality check) rather than written.
    public var asserts: Bool

    public init(
        a: Slot = RecursionCircuit.zero,
        b: Slot = RecursionCircuit.zero,
        c: Slot = RecursionCircuit.zero,
        out: Slot,
        cm: RF = .zero,
        ca: RF = .zero,
        cb: RF = .zero,
        cc: RF = .zero,
        k: RE = .zero,
        asserts: Bool = false
    ) {
        self.a = a
        self.b = b
        self.c = c
        self.out = out
        self.cm = cm
        self.ca = ca
        self.cb = cb
        self.cc = cc
        self.k = k
        self.asserts = asserts
    }

    /// The right-hand side on operand values `a`, `b`, `c`.
    @inlinable
    public func evaluate(_ a: RE, _ b: RE, _ c: RE) -> RE {
        let ab: RE = a * b
        var r: RE = ab * cm
        r += a * ca
        r += b * cb
        r += c * cc
        return r + k
    }
}

/// One row of the Poseidon2 table: the width-16 permutation of `left ‖ right`, or of
/// `right ‖ left` when the bit in `swap` is 1 (a Merkle path step), writing all 16 outputs.
///
/// Inputs and outputs are base-field values (the table reads and writes them with zero upper
/// coefficients, so an extension value with a non-zero upper coefficient cannot be an input).
///
/// Outputs 0…7 and 8…15 are each 8 consecutive slots (the table keeps two slot columns).
/// With ``checksDigest`` the first 8 outputs are not written: `out[0..<8]` are existing slots
/// (a Merkle root) that the permutation's first 8 outputs must equal, read by the table, which
/// saves a Merkle opening's 8 equality rows.
public struct Poseidon2Op: Hashable, Sendable {
    /// State elements 0..<8 (before the swap).
    public var left: [Slot]
    /// State elements 8..<16 (before the swap).
    public var right: [Slot]
    /// A boolean slot; ``RecursionCircuit/zero`` for a plain permutation.
    public var swap: Slot
    /// The 16 outputs.
    public var out: [Slot]
    /// Whether `out[0..<8]` are read (checked) rather than written.
    public var checksDigest: Bool

    public init(left: [Slot], right: [Slot], swap: Slot, out: [Slot], checksDigest: Bool = false) {
        precondition(left.count == 8 && right.count == 8 && out.count == 16)
        self.left = left
        self.right = right
        self.swap = swap
        self.out = out
        self.checksDigest = checksDigest
    }

    /// Whether output `j` is read (checked) rather than written.
    public func checks(output j: Int) -> Bool { checksDigest && j < 8 }
}

/// A base-field value the prover supplies: a proof's data or a hint (an inverse, a bit
/// decomposition; an extension hint is four of them). Constrained only by the ops that read
/// it, and base by construction: the input table writes it with zero upper coordinates.
public struct InputOp: Hashable, Sendable {
    public var out: Slot

    public init(out: Slot) { self.out = out }
}

/// An extension value the input table writes from four base inputs of one of its rows:
/// `v₀ + v₁X + v₂X² + v₃X³` for the inputs `first ..< first + 4` (`first` a multiple of 4, so
/// the four sit in lanes 0…3 or 4…7 of one row). It makes an extension hint, or four opened
/// base values that a query combines with one coefficient, one slot without recombination rows.
public struct InputPack: Hashable, Sendable {
    /// The index in ``RecursionCircuit/inputs`` of the first of the four inputs.
    public var first: Int
    /// The slot written.
    public var out: Slot

    public init(first: Int, out: Slot) {
        self.first = first
        self.out = out
    }
}

/// A fixed circuit: everything but the values. Built by ``CircuitBuilder`` from the shape of
/// what it verifies, so two builds for statements of the same shape are equal — the circuit
/// (through its tables' fixed columns) is the verifying key of the proofs made with it.
///
/// Every slot is written exactly once: by an input, an input pack, an arithmetic op or a
/// Poseidon2 op.
/// The public values are base-field slots, in order; the proof of the circuit states them.
public struct RecursionCircuit: Hashable, Sendable {
    /// The constant-zero slot, written first by an arithmetic op with `k = 0`.
    public static let zero = Slot(0)

    public var slotCount: Int
    public var inputs: [InputOp]
    /// Extension values written from four inputs each.
    public var packs: [InputPack]
    public var arith: [ArithOp]
    public var poseidon2: [Poseidon2Op]
    /// Slots whose values are the circuit's public values (base field).
    public var publics: [Slot]
    /// The smallest heights of the tables that prove the circuit (arithmetic, Poseidon2, input;
    /// powers of two), so that circuits of different sizes can be proven in proofs of one
    /// shape (``RecursionShape``). Padding rows do nothing.
    public var shape: RecursionShape

    public init(
        slotCount: Int,
        inputs: [InputOp],
        packs: [InputPack] = [],
        arith: [ArithOp],
        poseidon2: [Poseidon2Op],
        publics: [Slot],
        shape: RecursionShape = .minimal
    ) {
        self.slotCount = slotCount
        self.inputs = inputs
        self.packs = packs
        self.arith = arith
        self.poseidon2 = poseidon2
        self.publics = publics
        self.shape = shape
    }

    /// The tables' heights: each op count rounded up to a power of two, at least 2 and at
    /// least the shape's.
    public var heights: RecursionShape {
        func height(_ n: Int, _ minimum: Int) -> Int {
            var h = max(2, minimum)
            while h < n { h <<= 1 }
            return h
        }
        return RecursionShape(
            arith: height(arith.count, shape.arith),
            poseidon2: height(poseidon2.count, shape.poseidon2),
            input: height((inputs.count + InputAir.lanes - 1) / InputAir.lanes, shape.input)
        )
    }

    /// How many times each slot is read, by every op and the public values.
    public func readCounts() -> [Int] {
        var reads = [Int](repeating: 0, count: slotCount)
        for op in arith {
            reads[op.a.index] += 1
            reads[op.b.index] += 1
            reads[op.c.index] += 1
            if op.asserts { reads[op.out.index] += 1 }
        }
        for op in poseidon2 {
            for s in op.left { reads[s.index] += 1 }
            for s in op.right { reads[s.index] += 1 }
            reads[op.swap.index] += 1
            for (j, s) in op.out.enumerated() where op.checks(output: j) { reads[s.index] += 1 }
        }
        for s in publics { reads[s.index] += 1 }
        return reads
    }

    /// The first structural defect, or `nil`: a slot out of range, written twice or never, a
    /// pack not on four inputs of one row (or two on the same four), or a first arithmetic op
    /// that does not write the zero constant. Reads may come in any order:
    /// the tables check values, not an order of evaluation.
    public func structuralError() -> String? {
        // `what` is an autoclosure: naming the op costs a string only when it is reported.
        var writer = [Bool](repeating: false, count: slotCount)
        func write(_ s: Slot, _ what: @autoclosure () -> String) -> String? {
            guard s.index >= 0 && s.index < slotCount else { return "\(what()) writes \(s), out of range" }
            guard !writer[s.index] else { return "\(s) is written twice (again by \(what()))" }
            writer[s.index] = true
            return nil
        }
        func read(_ s: Slot, _ what: @autoclosure () -> String) -> String? {
            s.index >= 0 && s.index < slotCount ? nil : "\(what()) reads \(s), out of range"
        }
        guard let first = arith.first, first.out == Self.zero, !first.asserts, first.k == .zero,
            first.cm == .zero, first.ca == .zero, first.cb == .zero, first.cc == .zero
        else { return "the first arithmetic op must write the zero slot" }
        for (i, op) in inputs.enumerated() { if let e = write(op.out, "input \(i)") { return e } }
        var packed = Set<Int>()
        for (i, p) in packs.enumerated() {
            guard p.first >= 0, p.first % 4 == 0, p.first + 4 <= inputs.count else {
                return "pack \(i) is not on four inputs of one row (first input \(p.first))"
            }
            guard packed.insert(p.first).inserted else { return "pack \(i): inputs \(p.first)… are packed twice" }
            if let e = write(p.out, "pack \(i)") { return e }
        }
        for (i, op) in arith.enumerated() {
            if let e = read(op.a, "arith \(i)") ?? read(op.b, "arith \(i)") ?? read(op.c, "arith \(i)") { return e }
            if op.asserts {
                if let e = read(op.out, "arith \(i)") { return e }
            } else if let e = write(op.out, "arith \(i)") {
                return e
            }
        }
        for (i, op) in poseidon2.enumerated() {
            guard (0..<16).allSatisfy({ op.out[$0].index == op.out[$0 < 8 ? 0 : 8].index + $0 % 8 }) else {
                return "poseidon2 \(i): outputs are not two runs of 8 consecutive slots"
            }
            guard !op.checksDigest || abs(op.out[8].index - op.out[0].index) >= 8 else {
                return "poseidon2 \(i): the checked digest overlaps the written outputs"
            }
            for s in op.left { if let e = read(s, "poseidon2 \(i)") { return e } }
            for s in op.right { if let e = read(s, "poseidon2 \(i)") { return e } }
            if let e = read(op.swap, "poseidon2 \(i)") { return e }
            for (j, s) in op.out.enumerated() {
                if op.checks(output: j) {
                    if let e = read(s, "poseidon2 \(i)") { return e }
                } else if let e = write(s, "poseidon2 \(i)") {
                    return e
                }
            }
        }
        for s in publics { if let e = read(s, "public values") { return e } }
        if let unwritten = writer.firstIndex(of: false) { return "\(Slot(unwritten)) is never written" }
        return nil
    }
}

/// Heights of the tables that prove a circuit: ``ArithAir``, ``Poseidon2CircuitAir`` and
/// ``InputAir`` (rows, powers of two; the input table holds ``InputAir/lanes`` inputs a row). As a circuit's ``RecursionCircuit/shape`` it is a minimum:
/// proofs of circuits padded to one shape have one statement shape, which is what lets a
/// recursion circuit verify proofs of different circuits (leaves of different shards, and
/// aggregates) with one set of tables.
public struct RecursionShape: Hashable, Sendable, CustomStringConvertible {
    public var arith: Int
    public var poseidon2: Int
    public var input: Int

    public init(arith: Int, poseidon2: Int, input: Int) {
        precondition([arith, poseidon2, input].allSatisfy { $0 > 0 && $0 & ($0 - 1) == 0 }, "powers of two")
        self.arith = arith
        self.poseidon2 = poseidon2
        self.input = input
    }

    /// No minimum.
    public static let minimal = RecursionShape(arith: 2, poseidon2: 2, input: 2)

    /// Whether every table of this shape is at most as tall as `other`'s.
    public func fits(in other: RecursionShape) -> Bool {
        arith <= other.arith && poseidon2 <= other.poseidon2 && input <= other.input
    }

    /// The larger of each height.
    public func union(_ other: RecursionShape) -> RecursionShape {
        RecursionShape(
            arith: max(arith, other.arith),
            poseidon2: max(poseidon2, other.poseidon2),
            input: max(input, other.input)
        )
    }

    public var description: String { "arith \(arith), Poseidon2 \(poseidon2), input \(input) rows" }
}

/// The values of every slot of a circuit, as the prover computed them.
public struct CircuitWitness: Hashable, Sendable {
    public var values: [RE]

    public init(values: [RE]) { self.values = values }

    public subscript(_ s: Slot) -> RE { values[s.index] }

    /// The public values (base field) of `circuit` under this witness.
    public func publicValues(of circuit: RecursionCircuit) -> [RF] { circuit.publics.map { values[$0.index].c0 } }
}
