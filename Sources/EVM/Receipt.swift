import EVMPrimitives
import Keccak

extension Log {
    /// The RLP encoding `[address, [topics...], data]`.
    public var rlp: [UInt8] {
        var w = RLPWriter()
        append(to: &w)
        return w.bytes
    }

    /// Appends `[address, [topics...], data]` to `w`.
    func append(to w: inout RLPWriter) {
        w.appendList { w in
            w.append(address)
            w.appendList { w in
                for t in topics { w.append(bytes: t.bigEndianBytes) }
            }
            w.append(bytes: data)
        }
    }

    /// Appends the list of `logs` to `w`.
    static func append(_ logs: [Log], to w: inout RLPWriter) {
        w.appendList { w in
            for l in logs { l.append(to: &w) }
        }
    }

    /// keccak(rlp(logs)): the logs hash checked by state tests.
    public static func hash(_ logs: [Log]) -> Bytes32 {
        var w = RLPWriter()
        append(logs, to: &w)
        return Keccak256.digest(w.bytes)
    }

    /// The 2048-bit logs bloom of `logs` (256 bytes).
    public static func bloom(_ logs: [Log]) -> [UInt8] {
        var bloom = [UInt8](repeating: 0, count: 256)
        func add(_ bytes: [UInt8]) {
            let h = Keccak256.digest(bytes)
            for i in stride(from: 0, to: 6, by: 2) {
                let bit = (Int(h[i]) << 8 | Int(h[i + 1])) & 2047
                bloom[255 - bit / 8] |= UInt8(1) << UInt8(bit % 8)
            }
        }
        for l in logs {
            add(l.address.bytes)
            for t in l.topics { add(t.bigEndianBytes) }
        }
        return bloom
    }
}

/// A transaction receipt: status, cumulative gas, logs bloom and logs.
public struct Receipt: Sendable {
    public var type: UInt8
    public var success: Bool
    public var cumulativeGasUsed: UInt64
    public var logs: [Log]
    public var bloom: [UInt8]

    public init(type: UInt8, success: Bool, cumulativeGasUsed: UInt64, logs: [Log]) {
        self.type = type
        self.success = success
        self.cumulativeGasUsed = cumulativeGasUsed
        self.logs = logs
        self.bloom = Log.bloom(logs)
    }

    /// The consensus encoding (Byzantium+ status form): `type ‖ rlp([status, cumulativeGas, bloom, logs])`.
    public var encoded: [UInt8] {
        var w = RLPWriter()
        if type != 0 { w.bytes.append(type) }
        w.appendList { w in
            w.append(uint: success ? 1 : 0)
            w.append(uint: cumulativeGasUsed)
            w.append(bytes: bloom)
            Log.append(logs, to: &w)
        }
        return w.bytes
    }
}
