import Keccak

/// A node of the Merkle-Patricia trie. Nodes are immutable once built (updates copy the path
/// from the root), so tries share structure and copy in O(1); each node caches its reference
/// (inline RLP under 32 bytes, else the RLP of its Keccak hash) once computed.
@usableFromInline
final class TrieNode {
    @usableFromInline
    enum Kind {
        /// The rest of the key (nibbles) and the value.
        case leaf(path: [UInt8], value: [UInt8])
        /// A shared run of nibbles leading to a branch.
        case ext(path: [UInt8], child: TrieNode)
        /// Sixteen children by next nibble, and the value of a key ending here.
        case branch(children: [TrieNode?], value: [UInt8]?)
    }

    @usableFromInline let kind: Kind
    /// The node's reference as its parent embeds it, once computed.
    @usableFromInline var cachedReference: [UInt8]?

    @usableFromInline
    init(_ kind: Kind) { self.kind = kind }
}

/// Ethereum's hexary Merkle-Patricia trie over byte keys and byte values, held in memory.
///
/// Updates are incremental and the root hash is cached per node: after a few updates,
/// ``rootHash`` re-hashes only the changed paths. Inserting an empty value removes the key
/// (Ethereum's rule). For the state trie and storage tries use ``SecureTrie``, which keys by
/// `keccak256(key)`.
public struct MerklePatriciaTrie {
    @usableFromInline var root: TrieNode?

    /// An empty trie.
    public init() {}

    /// The root of the empty trie: `keccak256(rlp(""))`.
    public static var emptyRoot: Bytes32 {
        Bytes32(UInt256(0x0162_2fb5_e363_b421, 0x5b48_e01b_996c_adc0, 0xff83_45e6_92c0_f86e, 0x56e8_1f17_1bcc_55a6))
    }

    /// Whether the trie holds no keys.
    public var isEmpty: Bool { root == nil }

    /// Sets `key` to `value`; an empty `value` removes the key.
    public mutating func insert(_ key: [UInt8], _ value: [UInt8]) {
        let path = nibbles(key)
        if value.isEmpty {
            root = TrieNode.remove(root, path[...])
        } else {
            root = TrieNode.insert(root, path[...], value)
        }
    }

    /// Removes `key` if present.
    public mutating func remove(_ key: [UInt8]) {
        root = TrieNode.remove(root, nibbles(key)[...])
    }

    /// The value stored for `key`, or `nil`.
    public func value(for key: [UInt8]) -> [UInt8]? {
        let path = nibbles(key)
        var node = root
        var i = 0
        while let n = node {
            switch n.kind {
            case .leaf(let p, let v):
                return path.count - i == p.count && path[i...].elementsEqual(p) ? v : nil
            case .ext(let p, let child):
                guard path.count - i >= p.count && path[i..<(i + p.count)].elementsEqual(p) else { return nil }
                i += p.count
                node = child
            case .branch(let children, let v):
                if i == path.count { return v }
                node = children[Int(path[i])]
                i += 1
            }
        }
        return nil
    }

    /// The Keccak-256 root hash (``emptyRoot`` when empty).
    public var rootHash: Bytes32 {
        guard let root else { return MerklePatriciaTrie.emptyRoot }
        let ref = root.reference()
        if ref.count == 33 && ref[0] == 0xA0 {
            return ref.withUnsafeBytes { Bytes32(loading: $0.baseAddress! + 1) }
        }
        // A root encoding under 32 bytes is still hashed.
        return Keccak256.digest(ref)
    }

    /// All keys and values in ascending key order.
    public var entries: [(key: [UInt8], value: [UInt8])] {
        var out = [(key: [UInt8], value: [UInt8])]()
        var prefix = [UInt8]()
        TrieNode.collect(root, &prefix, &out)
        return out
    }

    /// The smallest key greater than `key`, or `nil`. Walks the keys in order (linear time).
    public func key(after key: [UInt8]) -> [UInt8]? {
        for e in entries where key.lexicographicallyPrecedes(e.key) { return e.key }
        return nil
    }

    /// The greatest key less than `key`, or `nil`. Walks the keys in order (linear time).
    public func key(before key: [UInt8]) -> [UInt8]? {
        var best: [UInt8]? = nil
        for e in entries {
            if e.key.lexicographicallyPrecedes(key) { best = e.key } else { break }
        }
        return best
    }
}

/// A trie keyed by `keccak256(key)`: Ethereum's state trie (keys: addresses) and storage tries
/// (keys: 32-byte slots, values: RLP of the slot value).
public struct SecureTrie {
    /// The underlying trie, keyed by hashed keys.
    public var trie = MerklePatriciaTrie()

    /// An empty trie.
    public init() {}

    /// Sets `key` to `value`; an empty `value` removes the key.
    public mutating func insert(_ key: [UInt8], _ value: [UInt8]) {
        trie.insert(Keccak256.hash(key), value)
    }

    /// Removes `key` if present.
    public mutating func remove(_ key: [UInt8]) {
        trie.remove(Keccak256.hash(key))
    }

    /// The value stored for `key`, or `nil`.
    public func value(for key: [UInt8]) -> [UInt8]? {
        trie.value(for: Keccak256.hash(key))
    }

    /// The root hash.
    public var rootHash: Bytes32 { trie.rootHash }
}

/// The nibbles of `key`, high nibble first.
@usableFromInline
func nibbles(_ key: [UInt8]) -> [UInt8] {
    let n = key.count
    return [UInt8](unsafeUninitializedCapacity: n &* 2) { out, count in
        key.withUnsafeBufferPointer { k in
            for i in 0..<n {
                out[2 &* i] = k[i] >> 4
                out[2 &* i &+ 1] = k[i] & 0xF
            }
        }
        count = n &* 2
    }
}

/// Ethereum's hex-prefix encoding of a nibble path with the leaf flag.
@usableFromInline
func hexPrefix(_ path: [UInt8], leaf: Bool) -> [UInt8] {
    let flag: UInt8 = leaf ? 2 : 0
    let odd = path.count & 1
    let size = path.count / 2 &+ 1
    return [UInt8](unsafeUninitializedCapacity: size) { out, count in
        path.withUnsafeBufferPointer { p in
            var i = 0
            if odd == 1 {
                out[0] = (flag | 1) << 4 | p[0]
                i = 1
            } else {
                out[0] = flag << 4
            }
            var o = 1
            while i < p.count {
                out[o] = p[i] << 4 | p[i &+ 1]
                i &+= 2
                o &+= 1
            }
        }
        count = size
    }
}

extension TrieNode {
    static func commonPrefix(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        var n = 0
        var i = a.startIndex
        var j = b.startIndex
        while i < a.endIndex && j < b.endIndex && a[i] == b[j] {
            n += 1
            i += 1
            j += 1
        }
        return n
    }

    static func emptyChildren() -> [TrieNode?] { [TrieNode?](repeating: nil, count: 16) }

    /// Wraps `node` under a shared `path` (nothing when empty).
    static func extended(_ path: ArraySlice<UInt8>, _ node: TrieNode) -> TrieNode {
        path.isEmpty ? node : TrieNode(.ext(path: Array(path), child: node))
    }

    static func insert(_ node: TrieNode?, _ path: ArraySlice<UInt8>, _ value: [UInt8]) -> TrieNode {
        guard let node else { return TrieNode(.leaf(path: Array(path), value: value)) }
        switch node.kind {
        case .leaf(let lp, let lv):
            let c = commonPrefix(lp[...], path)
            if c == lp.count && c == path.count { return TrieNode(.leaf(path: lp, value: value)) }
            var children = emptyChildren()
            var branchValue: [UInt8]? = nil
            if c == lp.count {
                branchValue = lv
            } else {
                children[Int(lp[c])] = TrieNode(.leaf(path: Array(lp[(c + 1)...]), value: lv))
            }
            let rest = path.dropFirst(c)
            if rest.isEmpty {
                branchValue = value
            } else {
                children[Int(rest.first!)] = TrieNode(.leaf(path: Array(rest.dropFirst()), value: value))
            }
            return extended(path.prefix(c), TrieNode(.branch(children: children, value: branchValue)))
        case .ext(let ep, let child):
            let c = commonPrefix(ep[...], path)
            if c == ep.count {
                return TrieNode(.ext(path: ep, child: insert(child, path.dropFirst(c), value)))
            }
            var children = emptyChildren()
            var branchValue: [UInt8]? = nil
            children[Int(ep[c])] = extended(ep[(c + 1)...], child)
            let rest = path.dropFirst(c)
            if rest.isEmpty {
                branchValue = value
            } else {
                children[Int(rest.first!)] = TrieNode(.leaf(path: Array(rest.dropFirst()), value: value))
            }
            return extended(path.prefix(c), TrieNode(.branch(children: children, value: branchValue)))
        case .branch(var children, let bv):
            if path.isEmpty { return TrieNode(.branch(children: children, value: value)) }
            let i = Int(path.first!)
            children[i] = insert(children[i], path.dropFirst(), value)
            return TrieNode(.branch(children: children, value: bv))
        }
    }

    /// `node` with its prefix `path` prepended (used when a branch or extension collapses).
    static func prefixed(_ path: [UInt8], _ node: TrieNode) -> TrieNode {
        switch node.kind {
        case .leaf(let lp, let v): return TrieNode(.leaf(path: path + lp, value: v))
        case .ext(let ep, let c): return TrieNode(.ext(path: path + ep, child: c))
        case .branch: return TrieNode(.ext(path: path, child: node))
        }
    }

    static func remove(_ node: TrieNode?, _ path: ArraySlice<UInt8>) -> TrieNode? {
        guard let node else { return nil }
        switch node.kind {
        case .leaf(let lp, _):
            return lp.elementsEqual(path) ? nil : node
        case .ext(let ep, let child):
            guard commonPrefix(ep[...], path) == ep.count else { return node }
            guard let newChild = remove(child, path.dropFirst(ep.count)) else { return nil }
            if newChild === child { return node }
            return prefixed(ep, newChild)
        case .branch(var children, var bv):
            if path.isEmpty {
                if bv == nil { return node }
                bv = nil
            } else {
                let i = Int(path.first!)
                guard let old = children[i] else { return node }
                let new = remove(old, path.dropFirst())
                if new === old { return node }
                children[i] = new
            }
            var count = 0
            var only = -1
            for (i, c) in children.enumerated() where c != nil {
                count += 1
                only = i
            }
            if count == 0 {
                guard let bv else { return nil }
                return TrieNode(.leaf(path: [], value: bv))
            }
            if count == 1 && bv == nil {
                return prefixed([UInt8(only)], children[only]!)
            }
            return TrieNode(.branch(children: children, value: bv))
        }
    }

    /// The node's RLP encoding, written into a buffer reserved for its size so that it does
    /// not grow while written.
    func encode() -> [UInt8] {
        switch kind {
        case .leaf(let p, let v):
            var w = RLPWriter(capacity: p.count / 2 &+ v.count &+ 12)
            w.appendList { w in
                w.append(bytes: hexPrefix(p, leaf: true))
                w.append(bytes: v)
            }
            return w.bytes
        case .ext(let p, let child):
            let ref = child.reference()
            var w = RLPWriter(capacity: p.count / 2 &+ ref.count &+ 8)
            w.appendList { w in
                w.append(bytes: hexPrefix(p, leaf: false))
                w.append(raw: ref)
            }
            return w.bytes
        case .branch(let children, let v):
            var w = RLPWriter(capacity: 16 * 33 &+ (v?.count ?? 0) &+ 12)
            w.appendList { w in
                for c in children {
                    if let c { w.append(raw: c.reference()) } else { w.bytes.append(0x80) }
                }
                w.append(bytes: v ?? [])
            }
            return w.bytes
        }
    }

    /// How a parent embeds this node: the encoding itself when shorter than 32 bytes, else the
    /// RLP string of its Keccak-256 hash. Cached.
    func reference() -> [UInt8] {
        if let r = cachedReference { return r }
        let enc = encode()
        var ref: [UInt8]
        if enc.count < 32 {
            ref = enc
        } else {
            ref = [UInt8](repeating: 0, count: 33)
            ref[0] = 0xA0
            ref.withUnsafeMutableBytes { out in
                enc.withUnsafeBytes { Keccak256.hash($0, into: out.baseAddress! + 1) }
            }
        }
        cachedReference = ref
        return ref
    }

    static func collect(_ node: TrieNode?, _ prefix: inout [UInt8], _ out: inout [(key: [UInt8], value: [UInt8])]) {
        guard let node else { return }
        func emit(_ path: [UInt8], _ value: [UInt8]) {
            var key = [UInt8]()
            var i = 0
            while i + 1 < path.count {
                key.append(path[i] << 4 | path[i + 1])
                i += 2
            }
            out.append((key, value))
        }
        switch node.kind {
        case .leaf(let p, let v):
            emit(prefix + p, v)
        case .ext(let p, let c):
            let n = prefix.count
            prefix.append(contentsOf: p)
            collect(c, &prefix, &out)
            prefix.removeLast(prefix.count - n)
        case .branch(let children, let v):
            if let v { emit(prefix, v) }
            for (i, c) in children.enumerated() where c != nil {
                prefix.append(UInt8(i))
                collect(c, &prefix, &out)
                prefix.removeLast()
            }
        }
    }
}
