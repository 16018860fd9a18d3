import EVMPrimitives
import Keccak

/// Contract bytecode with its Keccak-256 hash and a cached `JUMPDEST` analysis.
///
/// The bytes are kept in a buffer padded with 33 zero bytes so the interpreter can read a
/// `PUSH32` immediate or the implicit `STOP` past the end without bounds checks.
public final class Code {
    /// The bytecode.
    public let bytes: [UInt8]
    /// Keccak-256 of `bytes`, as a number (what `EXTCODEHASH` pushes).
    public let hash: UInt256
    @usableFromInline let padded: UnsafeMutablePointer<UInt8>
    @usableFromInline var jumpBitmap: UnsafeMutablePointer<UInt8>?

    /// Code with the given bytes (the hash is computed here).
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.hash = bytes.isEmpty ? Code.emptyHash : UInt256(Keccak256.digest(bytes))
        let n = bytes.count
        padded = UnsafeMutablePointer<UInt8>.allocate(capacity: n &+ 33)
        padded.initialize(repeating: 0, count: n &+ 33)
        bytes.withUnsafeBufferPointer { b in
            if n > 0 { padded.update(from: b.baseAddress!, count: n) }
        }
    }

    deinit {
        padded.deallocate()
        jumpBitmap?.deallocate()
    }

    /// The number of bytes.
    @inlinable public var count: Int { bytes.count }

    /// Whether the code is empty.
    @inlinable public var isEmpty: Bool { bytes.isEmpty }

    /// Keccak-256 of the empty string.
    public static var emptyHash: UInt256 {
        UInt256(0x7bfa_d804_5d85_a470, 0xe500_b653_ca82_273b, 0x927e_7db2_dcc7_03c0, 0xc5d2_4601_86f7_233c)
    }

    /// A bitmap with bit `i` set when byte `i` is a `JUMPDEST` opcode (not push data).
    @usableFromInline
    func jumpdests() -> UnsafeMutablePointer<UInt8> {
        if let j = jumpBitmap { return j }
        let n = bytes.count
        let words = (n &+ 8) / 8
        let map = UnsafeMutablePointer<UInt8>.allocate(capacity: words)
        map.initialize(repeating: 0, count: words)
        var i = 0
        while i < n {
            let op = padded[i]
            if op == Opcode.JUMPDEST {
                map[i >> 3] |= UInt8(1) << UInt8(i & 7)
                i &+= 1
            } else if op >= Opcode.PUSH1 && op <= Opcode.PUSH32 {
                // Skip the opcode and its op - PUSH1 + 1 immediate bytes.
                i &+= Int(op) &- Int(Opcode.PUSH1) &+ 2
            } else {
                i &+= 1
            }
        }
        jumpBitmap = map
        return map
    }

    /// New code may not start with this byte, reserved for the EVM Object Format (EIP-3541,
    /// London); EIP-7702 delegation designators start with it.
    public static let reservedFirstByte: UInt8 = 0xef

    /// The first three bytes of an EIP-7702 delegation designator, `0xef0100 ‖ address`.
    public static let delegationPrefix: [UInt8] = [reservedFirstByte, 0x01, 0x00]

    /// The EIP-7702 delegation designator `0xef0100 ‖ address` pointing to `address`.
    public static func delegation(to address: Address) -> Code {
        Code(delegationPrefix + address.bytes)
    }

    /// The delegation target when the code is an EIP-7702 delegation designator
    /// (`0xef0100 ‖ address`), else nil.
    public var delegationTarget: Address? {
        guard bytes.count == 23, bytes[0] == 0xef, bytes[1] == 0x01, bytes[2] == 0x00 else { return nil }
        return Address(loading: UnsafeRawPointer(padded + 3))
    }

    /// The shared empty code object.
    public static let empty = Code([])
}
