import EVMPrimitives
import Keccak
import Secp256k1

extension Transaction {
    /// Decodes a transaction from its network encoding: an RLP list (legacy) or
    /// `type ‖ rlp(fields)` for types 1–4. Rejects non-canonical RLP, wrong field counts
    /// and wrong field sizes.
    public static func decode(_ raw: [UInt8]) throws(EVMError) -> Transaction {
        guard let first = raw.first else { throw .malformedEncoding("empty transaction") }
        if first < 0xc0 && (first < 1 || first > 4) { throw .malformedEncoding("unknown transaction type \(first)") }
        let t: Transaction
        do {
            t = try decodeFields(raw, first)
        } catch {
            throw .malformedEncoding("RLP: \(error)")
        }
        if t.type == 3 && t.to == nil { throw .invalidTransaction(.blobCreate) }
        return t
    }

    private static func decodeFields(_ raw: [UInt8], _ first: UInt8) throws(RLPError) -> Transaction {
        do {
            if first >= 0xc0 {
                var r = RLPReader(raw)
                var l = try r.readList()
                try r.finish()
                var t = Transaction()
                t.type = 0
                t.nonce = try l.readUInt256()
                t.gasPrice = try l.readUInt256()
                t.gasLimit = try l.readUInt256()
                t.to = try readTo(&l)
                t.value = try l.readUInt256()
                t.data = try l.readBytes()
                t.v = try l.readUInt256()
                t.r = try l.readUInt256()
                t.s = try l.readUInt256()
                try l.finish()
                if t.v >= UInt256(35) { t.chainId = (t.v &- UInt256(35)) >> 1 }
                return t
            }
            var r = RLPReader(Array(raw[1...]))
            var l = try r.readList()
            try r.finish()
            var t = Transaction()
            t.type = first
            t.chainId = try l.readUInt256()
            t.nonce = try l.readUInt256()
            if first == 1 {
                t.gasPrice = try l.readUInt256()
            } else {
                t.maxPriorityFeePerGas = try l.readUInt256()
                t.maxFeePerGas = try l.readUInt256()
            }
            t.gasLimit = try l.readUInt256()
            t.to = try readTo(&l)
            t.value = try l.readUInt256()
            t.data = try l.readBytes()
            var al = try l.readList()
            while !al.isAtEnd {
                var e = try al.readList()
                let a = try e.readAddress()
                var keys: [UInt256] = []
                var kl = try e.readList()
                while !kl.isAtEnd { keys.append(UInt256(try kl.readBytes32())) }
                try e.finish()
                t.accessList.append(AccessListEntry(address: a, storageKeys: keys))
            }
            if first == 3 {
                t.maxFeePerBlobGas = try l.readUInt256()
                var hl = try l.readList()
                while !hl.isAtEnd { t.blobVersionedHashes.append(UInt256(try hl.readBytes32())) }
            }
            if first == 4 {
                var authl = try l.readList()
                while !authl.isAtEnd {
                    var a = try authl.readList()
                    let auth = Authorization(
                        chainId: try a.readUInt256(),
                        address: try a.readAddress(),
                        nonce: try a.readUInt256(),
                        yParity: try a.readUInt256(),
                        r: try a.readUInt256(),
                        s: try a.readUInt256()
                    )
                    try a.finish()
                    t.authorizations.append(auth)
                }
            }
            t.v = try l.readUInt256()
            t.r = try l.readUInt256()
            t.s = try l.readUInt256()
            try l.finish()
            return t
        }
    }

    private static func readTo(_ l: inout RLPReader) throws(RLPError) -> Address? {
        let b = try l.readBytes()
        if b.isEmpty { return nil }
        guard b.count == 20, let a = Address(b) else { throw .wrongSize }
        return a
    }

    /// Appends the fields covered by the signature (without v, r, s) to `w`, as list items.
    func appendUnsignedFields(to w: inout RLPWriter) {
        if type != 0 { w.append(chainId ?? .zero) }
        w.append(nonce)
        if type <= 1 {
            w.append(gasPrice)
        } else {
            w.append(maxPriorityFeePerGas)
            w.append(maxFeePerGas)
        }
        w.append(gasLimit)
        if let to { w.append(to) } else { w.append(bytes: []) }
        w.append(value)
        w.append(bytes: data)
        if type != 0 {
            w.appendList { w in
                for entry in accessList {
                    w.appendList { w in
                        w.append(entry.address)
                        w.appendList { w in
                            for key in entry.storageKeys { w.append(bytes: key.bigEndianBytes) }
                        }
                    }
                }
            }
        }
        if type == 3 {
            w.append(maxFeePerBlobGas)
            w.appendList { w in
                for h in blobVersionedHashes { w.append(bytes: h.bigEndianBytes) }
            }
        }
        if type == 4 {
            w.appendList { w in
                for a in authorizations {
                    w.appendList { w in
                        w.append(a.chainId)
                        w.append(a.address)
                        w.append(a.nonce)
                        w.append(a.yParity)
                        w.append(a.r)
                        w.append(a.s)
                    }
                }
            }
        }
    }

    /// The network encoding of the signed transaction.
    public var encoded: [UInt8] {
        var w = RLPWriter()
        if type != 0 { w.bytes.append(type) }
        w.appendList { w in
            appendUnsignedFields(to: &w)
            w.append(v)
            w.append(r)
            w.append(s)
        }
        return w.bytes
    }

    /// keccak of the encoding: the transaction hash.
    public var hash: Bytes32 { Keccak256.digest(encoded) }

    /// The hash the sender signed (EIP-155 replay protection for legacy transactions with a
    /// chain id, `type ‖ rlp(...)` for typed ones).
    public var signingHash: Bytes32 {
        var w = RLPWriter()
        if type != 0 { w.bytes.append(type) }
        w.appendList { w in
            appendUnsignedFields(to: &w)
            if type == 0, let c = chainId {
                w.append(c)
                w.append(uint: 0)
                w.append(uint: 0)
            }
        }
        return Keccak256.digest(w.bytes)
    }

    /// Checks the rules that need no state (signature form, chain id, sizes, intrinsic gas)
    /// under `fork`, recovers the sender and returns it with the intrinsic gas.
    public func validateStatelessly(
        fork: Fork,
        chainId expected: UInt256
    ) throws(EVMError) -> (
        sender: Address, intrinsicGas: UInt64
    ) {
        func fail(_ e: TransactionError) -> EVMError { .invalidTransaction(e) }
        switch type {
        case 0: break
        case 1: if fork < .berlin { throw fail(.typeNotSupported) }
        case 2: if fork < .london { throw fail(.typeNotSupported) }
        case 3: if fork < .cancun { throw fail(.typeNotSupported) }
        case 4: if fork < .prague { throw fail(.typeNotSupported) }
        default: throw fail(.typeNotSupported)
        }
        if (nonce.w1 | nonce.w2 | nonce.w3) != 0 || nonce.w0 == UInt64.max { throw fail(.nonceMaxValue) }
        if (gasLimit.w1 | gasLimit.w2 | gasLimit.w3) != 0 { throw fail(.gasLimitExceedsBlock) }
        let product = gasLimit.multipliedFullWidth(by: feeCap)
        if !product.high.isZero { throw fail(.insufficientFunds) }
        if type >= 2 && maxFeePerGas < maxPriorityFeePerGas { throw fail(.priorityFeeGreaterThanMaxFee) }
        var recId: Int
        if type == 0 {
            if v == UInt256(27) || v == UInt256(28) {
                recId = Int(v.w0 &- 27)
            } else if fork >= .spuriousDragon, let c = chainId, v >= UInt256(35) {
                if c != expected { throw fail(.invalidChainId) }
                recId = Int((v &- UInt256(35)).w0 & 1)
            } else {
                throw fail(.invalidSignature)
            }
        } else {
            if chainId != expected { throw fail(.invalidChainId) }
            guard v < UInt256(2) else { throw fail(.invalidSignature) }
            recId = Int(v.w0)
        }
        // r, s in 1…n−1 (n the secp256k1 order), and from Homestead s ≤ n/2 (EIP-2).
        if r.isZero || s.isZero || !(r < Scalar.n) || !(s < Scalar.n) { throw fail(.invalidSignature) }
        if fork >= .homestead && Scalar.halfN < s { throw fail(.invalidSignature) }
        if fork >= .shanghai && to == nil && data.count > EVM.maxInitcodeSize { throw fail(.initcodeSizeExceeded) }
        let (intrinsic, floor) = intrinsicGas(fork: fork)
        if gasLimit.w0 < intrinsic || gasLimit.w0 < floor { throw fail(.intrinsicGasTooLow) }
        if fork >= .osaka && gasLimit.w0 > EVM.maxTransactionGas { throw fail(.gasLimitExceedsCap) }
        guard let sender = SignatureRecovery.recover(hash: signingHash, r: r, s: s, yParity: recId) else {
            throw fail(.invalidSignature)
        }
        return (sender, intrinsic)
    }
}
