import Keccak

/// Why an execution witness could not answer: a node, code or header it should carry is
/// missing (an altered entry hashes differently, so it is missing too), or a node is malformed.
public enum WitnessError: Error, Equatable, Sendable {
    /// No witness node hashes to this value.
    case missingNode(Bytes32)
    /// The node with this hash is not a valid trie node.
    case malformedNode(Bytes32)
    /// No witness code hashes to this value.
    case missingCode(Bytes32)
    /// The witness lacks the ancestor header with this number (for `BLOCKHASH`).
    case missingHeader(UInt64)
    /// A witness header is not valid RLP.
    case malformedHeader
    /// An account leaf is not `rlp([nonce, balance, storageRoot, codeHash])`.
    case malformedAccount(Bytes32)
}

/// Trie nodes by the Keccak-256 hash of their RLP encoding, as an execution witness carries
/// them, with their decoded forms cached. When `visited` is set, every node looked up is
/// recorded in it (how a witness is recorded from a store holding every node).
public final class TrieNodeStore {
    /// RLP encodings by hash.
    public private(set) var nodes: [Bytes32: [UInt8]] = [:]
    /// Hashes of the nodes looked up so far, when recording.
    public var visited: Set<Bytes32>?
    var decoded: [Bytes32: PartialNode] = [:]

    /// A store of `nodes`, each indexed by its hash.
    public init(nodes: [[UInt8]] = []) {
        self.nodes.reserveCapacity(nodes.count)
        for n in nodes { self.nodes[Keccak256.digest(n)] = n }
    }

    /// Adds one encoded node.
    public func add(_ encoding: [UInt8]) { nodes[Keccak256.digest(encoding)] = encoding }

    /// The encodings of the visited nodes, sorted by hash.
    public var visitedEncodings: [[UInt8]] {
        guard let visited else { return [] }
        return visited.sorted().compactMap { nodes[$0] }
    }

    /// The decoded node with `hash`, or `missingNode`.
    func node(_ hash: Bytes32) throws(WitnessError) -> PartialNode {
        visited?.insert(hash)
        if let n = decoded[hash] { return n }
        guard let enc = nodes[hash] else { throw .missingNode(hash) }
        var r = RLPReader(enc)
        let n: PartialNode
        do { n = try PartialNode.decode(&r) } catch { throw .malformedNode(hash) }
        if !r.isAtEnd { throw .malformedNode(hash) }
        n.cachedReference = [0xA0] + hash.bytes
        decoded[hash] = n
        return n
    }
}

/// A node of a ``PartialTrie``: a hash reference not yet resolved, or a decoded node.
final class PartialNode {
    enum Kind {
        case hash(Bytes32)
        case leaf(path: [UInt8], value: [UInt8])
        case ext(path: [UInt8], child: PartialNode)
        case branch(children: [PartialNode?], value: [UInt8]?)
    }

    let kind: Kind
    var cachedReference: [UInt8]?

    init(_ kind: Kind) { self.kind = kind }

    /// Decodes one node (a list of 2 or 17 items) from `r`; 32-byte child references stay
    /// unresolved.
    static func decode(_ r: inout RLPReader) throws(RLPError) -> PartialNode {
        let l = try r.readList()
        var count = 0
        var probe = l
        while !probe.isAtEnd {
            _ = try probe.readRaw()
            count += 1
        }
        var items = l
        if count == 2 { return try short(try items.readBytes(), &items) }
        guard count == 17 else { throw .wrongSize }
        var children = [PartialNode?](repeating: nil, count: 16)
        for i in 0..<16 { children[i] = try child(&items) }
        let value = try items.readBytes()
        return PartialNode(.branch(children: children, value: value.isEmpty ? nil : value))
    }

    /// A leaf or extension node whose encoded path is `encodedPath`; `l` holds the second item.
    static func short(_ encodedPath: [UInt8], _ l: inout RLPReader) throws(RLPError) -> PartialNode {
        guard let flagByte = encodedPath.first else { throw .wrongSize }
        let flag = flagByte >> 4
        guard flag <= 3, flag & 1 == 1 || flagByte & 0xF == 0 else { throw .wrongSize }
        var path: [UInt8] = []
        path.reserveCapacity(2 &* encodedPath.count)
        if flag & 1 == 1 { path.append(flagByte & 0xF) }
        for b in encodedPath.dropFirst() {
            path.append(b >> 4)
            path.append(b & 0xF)
        }
        if flag & 2 == 2 {
            let value = try l.readBytes()
            try l.finish()
            return PartialNode(.leaf(path: path, value: value))
        }
        guard let c = try child(&l), !path.isEmpty else { throw .wrongSize }
        try l.finish()
        return PartialNode(.ext(path: path, child: c))
    }

    /// A child reference: empty string (none), 32-byte hash, or an inline node. A hash is read
    /// in place (most children of a decoded branch are never resolved nor re-encoded).
    static func child(_ l: inout RLPReader) throws(RLPError) -> PartialNode? {
        let h = try l.peekHeader()
        if h.isList { return try decode(&l) }
        if h.payloadLength == 32 { return PartialNode(.hash(try l.readBytes32())) }
        return try reference(try l.readBytes())
    }

    static func reference(_ bytes: [UInt8]) throws(RLPError) -> PartialNode? {
        if bytes.isEmpty { return nil }
        guard bytes.count == 32, let h = Bytes32(bytes) else { throw .wrongSize }
        let n = PartialNode(.hash(h))
        n.cachedReference = [0xA0] + bytes
        return n
    }

    /// The node's RLP encoding (not for unresolved nodes), written into a buffer reserved for
    /// its size so that it does not grow while written.
    func encode() -> [UInt8] {
        switch kind {
        case .hash(let h):
            var w = RLPWriter(capacity: 33)
            w.append(h)
            return w.bytes
        case .leaf(let p, let v):
            var w = RLPWriter(capacity: p.count / 2 &+ v.count &+ 12)
            w.appendList { w in
                w.append(bytes: hexPrefix(p, leaf: true))
                w.append(bytes: v)
            }
            return w.bytes
        case .ext(let p, let child):
            var w = RLPWriter(capacity: p.count / 2 &+ 40)
            w.appendList { w in
                w.append(bytes: hexPrefix(p, leaf: false))
                child.appendReference(to: &w)
            }
            return w.bytes
        case .branch(let children, let v):
            var w = RLPWriter(capacity: 16 * 33 &+ (v?.count ?? 0) &+ 12)
            w.appendList { w in
                for c in children {
                    if let c { c.appendReference(to: &w) } else { w.bytes.append(0x80) }
                }
                w.append(bytes: v ?? [])
            }
            return w.bytes
        }
    }

    /// Appends how a parent embeds this node (``reference()``) to `w`; a hash reference is
    /// written from the hash itself.
    func appendReference(to w: inout RLPWriter) {
        if let r = cachedReference {
            w.append(raw: r)
        } else if case .hash(let h) = kind {
            w.append(h)
        } else {
            w.append(raw: reference())
        }
    }

    /// How a parent embeds this node (inline under 32 bytes, else the RLP of its hash).
    func reference() -> [UInt8] {
        if let r = cachedReference { return r }
        if case .hash(let h) = kind {
            let ref = [0xA0] + h.bytes
            cachedReference = ref
            return ref
        }
        let enc = encode()
        let ref: [UInt8]
        if enc.count < 32 {
            ref = enc
        } else {
            ref = [UInt8](unsafeUninitializedCapacity: 33) { out, n in
                out[0] = 0xA0
                enc.withUnsafeBytes { Keccak256.hash($0, into: UnsafeMutableRawPointer(out.baseAddress! + 1)) }
                n = 33
            }
        }
        cachedReference = ref
        return ref
    }
}

/// A Merkle-Patricia trie of which only some nodes are known: the rest are hash references
/// resolved on demand through a ``TrieNodeStore``. Reads and updates that need a node the store
/// lacks throw ``WitnessError/missingNode(_:)`` and never give a wrong answer; deleting a key
/// that leaves a branch with one child resolves that child (the sibling a witness must carry).
/// Keys are raw bytes: use hashed keys for the state and storage tries.
public struct PartialTrie {
    var root: PartialNode?
    /// Where unresolved nodes are looked up.
    public let store: TrieNodeStore

    /// The trie with root hash `root` (``MerklePatriciaTrie/emptyRoot`` for an empty trie).
    public init(root: Bytes32, store: TrieNodeStore) {
        self.store = store
        if root != MerklePatriciaTrie.emptyRoot {
            let n = PartialNode(.hash(root))
            n.cachedReference = [0xA0] + root.bytes
            self.root = n
        }
    }

    func resolve(_ n: PartialNode) throws(WitnessError) -> PartialNode {
        if case .hash(let h) = n.kind { return try store.node(h) }
        return n
    }

    /// The value stored for `key`, or nil when the trie proves it absent.
    public func value(for key: [UInt8]) throws(WitnessError) -> [UInt8]? {
        let path = nibbles(key)
        var node = root
        var i = 0
        while let unresolved = node {
            let n = try resolve(unresolved)
            switch n.kind {
            case .hash: return nil
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

    /// Sets `key` to `value`; an empty `value` removes the key.
    public mutating func insert(_ key: [UInt8], _ value: [UInt8]) throws(WitnessError) {
        let path = nibbles(key)
        if value.isEmpty {
            root = try remove(root, path[...])
        } else {
            root = try insert(root, path[...], value)
        }
    }

    /// The root hash.
    public var rootHash: Bytes32 {
        guard let root else { return MerklePatriciaTrie.emptyRoot }
        if case .hash(let h) = root.kind { return h }
        let ref = root.reference()
        if ref.count == 33 && ref[0] == 0xA0 { return Bytes32(Array(ref[1...]))! }
        return Keccak256.digest(ref)
    }

    /// Adds the encoding of every node reachable without a lookup (the nodes built by inserts)
    /// to the store, so that a trie built in memory can be read back through it.
    public func persist() {
        guard let root else { return }
        if case .hash = root.kind { return }
        store.add(root.encode())
        persistChildren(root)
    }

    func persistChildren(_ n: PartialNode) {
        var kids: [PartialNode] = []
        switch n.kind {
        case .hash, .leaf: return
        case .ext(_, let c): kids = [c]
        case .branch(let children, _): kids = children.compactMap { $0 }
        }
        for c in kids {
            if case .hash = c.kind { continue }
            let enc = c.encode()
            if enc.count >= 32 { store.add(enc) }
            persistChildren(c)
        }
    }

    static func extended(_ path: ArraySlice<UInt8>, _ node: PartialNode) -> PartialNode {
        path.isEmpty ? node : PartialNode(.ext(path: Array(path), child: node))
    }

    func insert(_ node: PartialNode?, _ path: ArraySlice<UInt8>, _ value: [UInt8]) throws(WitnessError) -> PartialNode {
        guard let unresolved = node else { return PartialNode(.leaf(path: Array(path), value: value)) }
        let node = try resolve(unresolved)
        var children = [PartialNode?](repeating: nil, count: 16)
        var branchValue: [UInt8]? = nil
        switch node.kind {
        case .hash: return node
        case .leaf(let lp, let lv):
            let c = TrieNode.commonPrefix(lp[...], path)
            if c == lp.count && c == path.count { return PartialNode(.leaf(path: lp, value: value)) }
            if c == lp.count {
                branchValue = lv
            } else {
                children[Int(lp[c])] = PartialNode(.leaf(path: Array(lp[(c + 1)...]), value: lv))
            }
            return Self.extended(path.prefix(c), try branch(children, branchValue, path.dropFirst(c), value))
        case .ext(let ep, let child):
            let c = TrieNode.commonPrefix(ep[...], path)
            if c == ep.count {
                return PartialNode(.ext(path: ep, child: try insert(child, path.dropFirst(c), value)))
            }
            children[Int(ep[c])] = Self.extended(ep[(c + 1)...], child)
            return Self.extended(path.prefix(c), try branch(children, nil, path.dropFirst(c), value))
        case .branch(var kids, let bv):
            if path.isEmpty { return PartialNode(.branch(children: kids, value: value)) }
            let i = Int(path.first!)
            kids[i] = try insert(kids[i], path.dropFirst(), value)
            return PartialNode(.branch(children: kids, value: bv))
        }
    }

    /// A new branch with `children` and `value`, plus `newValue` at `rest`.
    func branch(
        _ children: [PartialNode?],
        _ value: [UInt8]?,
        _ rest: ArraySlice<UInt8>,
        _ newValue: [UInt8]
    ) throws(WitnessError) -> PartialNode {
        var children = children
        var value = value
        if rest.isEmpty {
            value = newValue
        } else {
            children[Int(rest.first!)] = PartialNode(.leaf(path: Array(rest.dropFirst()), value: newValue))
        }
        return PartialNode(.branch(children: children, value: value))
    }

    /// `node` (resolved here) with `path` prepended, for a collapsing branch or extension.
    func prefixed(_ path: [UInt8], _ node: PartialNode) throws(WitnessError) -> PartialNode {
        let n = try resolve(node)
        switch n.kind {
        case .leaf(let lp, let v): return PartialNode(.leaf(path: path + lp, value: v))
        case .ext(let ep, let c): return PartialNode(.ext(path: path + ep, child: c))
        case .branch, .hash: return PartialNode(.ext(path: path, child: n))
        }
    }

    func remove(_ node: PartialNode?, _ path: ArraySlice<UInt8>) throws(WitnessError) -> PartialNode? {
        guard let unresolved = node else { return nil }
        let node = try resolve(unresolved)
        switch node.kind {
        case .hash: return node
        case .leaf(let lp, _):
            return lp.elementsEqual(path) ? nil : unresolved
        case .ext(let ep, let child):
            guard TrieNode.commonPrefix(ep[...], path) == ep.count else { return unresolved }
            guard let newChild = try remove(child, path.dropFirst(ep.count)) else { return nil }
            if newChild === child { return unresolved }
            return try prefixed(ep, newChild)
        case .branch(var children, var bv):
            if path.isEmpty {
                if bv == nil { return unresolved }
                bv = nil
            } else {
                let i = Int(path.first!)
                guard let old = children[i] else { return unresolved }
                let new = try remove(old, path.dropFirst())
                if new === old { return unresolved }
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
                return PartialNode(.leaf(path: [], value: bv))
            }
            if count == 1 && bv == nil { return try prefixed([UInt8(only)], children[only]!) }
            return PartialNode(.branch(children: children, value: bv))
        }
    }
}
