import Foundation

/// Host tooling that turns an Embedded Swift guest (a directory of `.swift` files) into an
/// rv32im ELF: swiftc (Embedded, the flags of docs/ARCHITECTURE.md) + the SDK, clang for the runtime,
/// `ld.lld` with `Guests/runtime/link.ld`, and the rv32im `libgcc.a` of Debian's
/// `gcc-riscv64-unknown-elf`.
public struct GuestBuilder: Sendable {
    /// Why a guest could not be built.
    public enum BuildError: Error, CustomStringConvertible, Sendable {
        case toolNotFound(String)
        case noSources(String)
        case commandFailed(command: String, output: String)

        public var description: String {
            switch self {
            case .toolNotFound(let t): "guest toolchain: \(t) not found"
            case .noSources(let d): "guest build: no .swift files in \(d)"
            case .commandFailed(let c, let o): "guest build failed: \(c)\n\(o)"
            }
        }
    }

    /// The `Guests/` directory (runtime, SDK, examples).
    public var guestsDirectory: URL
    /// Directory holding swiftc, clang and ld.lld.
    public var toolchainBin: URL
    /// The rv32im/ilp32 `libgcc.a`.
    public var libgcc: String

    /// Locates the tools; `guestsDirectory` defaults to `Guests/` of the package containing `#filePath`.
    public init(guestsDirectory: URL? = nil) throws(BuildError) {
        self.guestsDirectory = guestsDirectory ?? GuestBuilder.packageRoot().appendingPathComponent("Guests")
        guard let bin = GuestBuilder.findToolchain() else { throw .toolNotFound("swiftc with ld.lld and clang") }
        toolchainBin = bin
        guard let lib = GuestBuilder.findLibgcc() else {
            throw .toolNotFound("rv32im libgcc.a (apt-get install gcc-riscv64-unknown-elf)")
        }
        libgcc = lib
    }

    /// The package root: the nearest directory above this source file holding Package.swift.
    public static func packageRoot(from file: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: file).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    static func findToolchain() -> URL? {
        var dirs: [String] = []
        if let path = ProcessInfo.processInfo.environment["PATH"] {
            dirs += path.split(separator: ":").map(String.init)
        }
        dirs += ["/opt/swift/usr/bin", "/usr/bin"]
        for d in dirs {
            let fm = FileManager.default
            if fm.isExecutableFile(atPath: d + "/swiftc"), fm.isExecutableFile(atPath: d + "/ld.lld"),
                fm.isExecutableFile(atPath: d + "/clang")
            {
                return URL(fileURLWithPath: d)
            }
        }
        return nil
    }

    static func findLibgcc() -> String? {
        if let out = try? run(
            "/usr/bin/env",
            ["riscv64-unknown-elf-gcc", "-march=rv32im", "-mabi=ilp32", "-print-libgcc-file-name"]
        ) {
            let p = out.trimmingCharacters(in: .whitespacesAndNewlines)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        let base = "/usr/lib/gcc/riscv64-unknown-elf"
        for v in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
            let p = "\(base)/\(v)/rv32im/ilp32/libgcc.a"
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let out = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw BuildError.commandFailed(command: ([tool] + args).joined(separator: " "), output: out)
        }
        return out
    }

    /// The Embedded Swift symbol of `Keccak.keccakF1600(_:)`, wrapped to use the syscall.
    public static var keccakPermutationSymbol: String { "$e6Keccak11keccakF1600yySpys6UInt64VGF" }
    /// The Embedded Swift symbol of `Secp256k1.secp256k1FieldMul(_:_:_:)`, wrapped to use the
    /// `uint256_mulmod` syscall.
    public static var secp256k1FieldMulSymbol: String { "$e9Secp256k117secp256k1FieldMulyySpys6UInt32VG_SPyADGAFtF" }
    /// The symbol of `Secp256k1.secp256k1ScalarMul(_:_:_:)`, wrapped likewise (m = n).
    public static var secp256k1ScalarMulSymbol: String { "$e9Secp256k118secp256k1ScalarMulyySpys6UInt32VG_SPyADGAFtF" }
    /// The symbol of `Secp256k1.secp256k1AffineAdd(_:_:)`, wrapped to use the `secp256k1_add` syscall.
    public static var secp256k1AffineAddSymbol: String { "$e9Secp256k118secp256k1AffineAddyySpys6UInt32VG_SPyADGtF" }
    /// The symbol of `Secp256k1.secp256k1AffineDouble(_:)`, wrapped to use `secp256k1_double`.
    public static var secp256k1AffineDoubleSymbol: String { "$e9Secp256k121secp256k1AffineDoubleyySpys6UInt32VGF" }
    /// The symbol of `Precompiles.montgomeryProduct256(_:_:_:_:)` (the bn254 and P-256 field
    /// products), wrapped to make two `uint256_mulmod` syscalls.
    public static var montgomeryProduct256Symbol: String {
        "$e11Precompiles20montgomeryProduct256yySpys6UInt64VG_SPyADGA2FtF"
    }

    /// The symbol of `EVMPrimitives.sha256Compress(_:_:)`, wrapped to use the `sha256_compress` syscall.
    public static var sha256CompressSymbol: String { "$e13EVMPrimitives14sha256CompressyySpys6UInt32VG_SVtF" }

    /// The swiftc flags for rv32im Embedded Swift (docs/ARCHITECTURE.md §2). `-O`, not `-Osize`:
    /// every executed instruction is proven, and `-O` inlines and specialises enough to save 12%
    /// of the block guest's cycles for 2% more code.
    public static var swiftFlags: [String] {
        [
            "-target", "riscv32-none-none-eabi", "-enable-experimental-feature", "Embedded",
            "-enable-experimental-feature", "Extern", "-wmo", "-O", "-parse-as-library",
            "-Xcc", "-march=rv32im", "-Xcc", "-mabi=ilp32", "-Xfrontend", "-disable-stack-protector",
            "-Xfrontend", "-function-sections",
        ]
    }

    /// Compiles the portable package modules `names` (in dependency order) for rv32im into
    /// `cache` as objects and `.swiftmodule`s, skipping those already newer than their sources.
    public func buildModules(_ names: [String], cache: URL) throws -> [String] {
        let fm = FileManager.default
        try fm.createDirectory(at: cache, withIntermediateDirectories: true)
        let sourcesRoot = guestsDirectory.deletingLastPathComponent().appendingPathComponent("Sources")
        var objects: [String] = []
        // Objects built with other flags are stale too.
        let flagsStamp = cache.appendingPathComponent("swift-flags").path
        let flagsText = Data(GuestBuilder.swiftFlags.joined(separator: " ").utf8)
        var rebuilt = fm.contents(atPath: flagsStamp) != flagsText
        for name in names {
            let dir = sourcesRoot.appendingPathComponent(name)
            guard let files = fm.enumerator(atPath: dir.path) else { throw BuildError.noSources(dir.path) }
            let sources = files.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted()
                .map { dir.appendingPathComponent($0).path }
            guard !sources.isEmpty else { throw BuildError.noSources(dir.path) }
            let obj = cache.appendingPathComponent("\(name).o").path
            let newest = sources.compactMap { try? fm.attributesOfItem(atPath: $0)[.modificationDate] as? Date }.max()
            let built = (try? fm.attributesOfItem(atPath: obj)[.modificationDate] as? Date) ?? nil
            if rebuilt || built == nil || newest == nil || built! < newest! {
                try GuestBuilder.run(
                    toolchainBin.path + "/swiftc",
                    GuestBuilder.swiftFlags + [
                        "-I", cache.path, "-module-name", name, "-package-name", "ZKProver", "-emit-module",
                        "-emit-module-path", cache.appendingPathComponent("\(name).swiftmodule").path, "-c", "-o", obj,
                    ] + sources
                )
                rebuilt = true
            }
            objects.append(obj)
        }
        if rebuilt { _ = fm.createFile(atPath: flagsStamp, contents: flagsText) }
        return objects
    }

    /// Builds the guest whose sources are in `directory` and returns the path of the ELF, written
    /// to `output` (default: `directory/.build/guest.elf`). A file `guest.modules` in the directory
    /// lists portable package modules (e.g. `Keccak EVMPrimitives EVM`) to compile and link in; a
    /// file `guest.sources` lists more Swift files, relative to the package root, compiled into the
    /// guest module (code the host also builds as a module of its own, such as `EVMGuestInput`).
    ///
    /// When the Keccak module is linked in and `accelerateKeccak` is set, its `keccakF1600` is
    /// wrapped (`ld.lld --wrap`) to call the `keccak_f` syscall (`runtime/keccak_accel.c`). When
    /// the Secp256k1 module is linked in, its `secp256k1FieldMul` and `secp256k1ScalarMul` (every
    /// field and scalar product on 32-bit targets) are wrapped to call `uint256_mulmod`, and its
    /// `secp256k1AffineAdd` / `secp256k1AffineDouble` (every point step of the guests' `a·G + b·P`)
    /// to call `secp256k1_add` / `secp256k1_double` (`runtime/secp256k1_accel.c`). When the
    /// Precompiles module is linked in, its `montgomeryProduct256` (every bn254 and P-256 field
    /// product on 32-bit targets) is wrapped to make two `uint256_mulmod` syscalls
    /// (`runtime/precompiles_accel.c`). When the EVMPrimitives module is linked in and `accelerateSHA256` is set, its
    /// `sha256Compress` (every SHA-256 block) is wrapped to call `sha256_compress`
    /// (`runtime/sha256_accel.c`); without it the SDK's `Guest.sha256Compress` is compiled with
    /// `ZK_SOFTWARE_SHA256` and compresses in software too.
    /// Without `accelerateKeccak`, the SDK's `Guest.keccakF` is compiled with
    /// `ZK_SOFTWARE_KECCAK` and permutes in software too: the guest never calls `keccak_f`.
    public func build(
        directory: URL,
        extraSources: [String] = [],
        output: URL? = nil,
        accelerateKeccak: Bool = true,
        accelerateSHA256: Bool = true
    ) throws -> URL {
        let fm = FileManager.default
        var sources = try fm.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }.sorted()
            .map { directory.appendingPathComponent($0).path }
        guard !sources.isEmpty else { throw BuildError.noSources(directory.path) }
        let sourcesFile = directory.appendingPathComponent("guest.sources").path
        if let text = fm.contents(atPath: sourcesFile) {
            let root = guestsDirectory.deletingLastPathComponent()
            sources += String(decoding: text, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
                .map { root.appendingPathComponent(String($0)).path }
        }
        let out = output ?? directory.appendingPathComponent(".build/guest.elf")
        let work = out.deletingLastPathComponent().appendingPathComponent("obj-\(out.lastPathComponent)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        let sdk = try fm.contentsOfDirectory(atPath: guestsDirectory.appendingPathComponent("SDK").path)
            .filter { $0.hasSuffix(".swift") }.sorted().map { guestsDirectory.appendingPathComponent("SDK/" + $0).path }
        var moduleObjects: [String] = []
        var moduleFlags: [String] = []
        var linkFlags: [String] = []
        var accelerate = false
        var accelerateSecp256k1 = false
        var acceleratePrecompiles = false
        var wrapSHA256 = false
        let modulesFile = directory.appendingPathComponent("guest.modules").path
        if let text = fm.contents(atPath: modulesFile) {
            let names = String(decoding: text, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
                .map(String.init)
            let cache = out.deletingLastPathComponent().appendingPathComponent("modules-rv32im")
            moduleObjects = try buildModules(names, cache: cache)
            moduleFlags = ["-I", cache.path]
            accelerate = accelerateKeccak && names.contains("Keccak")
            accelerateSecp256k1 = names.contains("Secp256k1")
            acceleratePrecompiles = names.contains("Precompiles")
            wrapSHA256 = accelerateSHA256 && names.contains("EVMPrimitives")
        }
        // Up to date? (the ELF is newer than every input and was built with the same options)
        let runtimeDir = guestsDirectory.appendingPathComponent("runtime")
        let runtimeFiles = [
            "link.ld", "runtime.c", "start.S", "ecall.h", "keccak_accel.c", "secp256k1_accel.c",
            "precompiles_accel.c", "sha256_accel.c",
        ].map {
            runtimeDir.appendingPathComponent($0).path
        }
        let inputs = sources + sdk + extraSources + runtimeFiles + moduleObjects + [modulesFile, sourcesFile, libgcc]
        let stamp = out.path + ".options"
        let options =
            "accelerateKeccak=\(accelerate) softwareKeccak=\(!accelerateKeccak) accelerateSecp256k1=\(accelerateSecp256k1)"
            + " acceleratePrecompiles=\(acceleratePrecompiles) accelerateSHA256=\(wrapSHA256) softwareSHA256=\(!accelerateSHA256)"
            + " swiftFlags=\(GuestBuilder.swiftFlags.joined(separator: " "))"
        let defines =
            (accelerateKeccak ? [] : ["-D", "ZK_SOFTWARE_KECCAK"])
            + (accelerateSHA256 ? [] : ["-D", "ZK_SOFTWARE_SHA256"])
        func mtime(_ p: String) -> Date? { (try? fm.attributesOfItem(atPath: p)[.modificationDate]) as? Date }
        if let built = mtime(out.path), fm.contents(atPath: stamp) == Data(options.utf8),
            inputs.allSatisfy({ (mtime($0) ?? .distantPast) < built })
        {
            return out
        }
        let bin = toolchainBin.path
        let guestObj = work.appendingPathComponent("guest.o").path
        try GuestBuilder.run(
            bin + "/swiftc",
            GuestBuilder.swiftFlags + moduleFlags + defines + ["-module-name", "Guest", "-c", "-o", guestObj] + sdk
                + extraSources
                + sources
        )
        let cflags = ["--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32"]
        let runtime = guestsDirectory.appendingPathComponent("runtime")
        let rtObj = work.appendingPathComponent("runtime.o").path
        let startObj = work.appendingPathComponent("start.o").path
        try GuestBuilder.run(
            bin + "/clang",
            cflags + [
                "-O2", "-ffreestanding", "-fno-builtin", "-ffunction-sections", "-fdata-sections", "-c",
                runtime.appendingPathComponent("runtime.c").path, "-o", rtObj,
            ]
        )
        try GuestBuilder.run(
            bin + "/clang",
            cflags + ["-c", runtime.appendingPathComponent("start.S").path, "-o", startObj]
        )
        /// Compiles `runtime/NAME.c` (a syscall wrapper) and returns the object's path.
        func accelerator(_ name: String) throws -> String {
            let object = work.appendingPathComponent(name + ".o").path
            try GuestBuilder.run(
                bin + "/clang",
                cflags + [
                    "-O2", "-ffreestanding", "-c", runtime.appendingPathComponent(name + ".c").path, "-o", object,
                ]
            )
            return object
        }
        if accelerate {
            linkFlags = ["--wrap=" + GuestBuilder.keccakPermutationSymbol, try accelerator("keccak_accel")]
        }
        if accelerateSecp256k1 {
            let accelObj = try accelerator("secp256k1_accel")
            linkFlags += [
                "--wrap=" + GuestBuilder.secp256k1FieldMulSymbol, "--wrap=" + GuestBuilder.secp256k1ScalarMulSymbol,
                "--wrap=" + GuestBuilder.secp256k1AffineAddSymbol, "--wrap=" + GuestBuilder.secp256k1AffineDoubleSymbol,
                accelObj,
            ]
        }
        if acceleratePrecompiles {
            linkFlags += ["--wrap=" + GuestBuilder.montgomeryProduct256Symbol, try accelerator("precompiles_accel")]
        }
        if wrapSHA256 {
            linkFlags += ["--wrap=" + GuestBuilder.sha256CompressSymbol, try accelerator("sha256_accel")]
        }
        try GuestBuilder.run(
            bin + "/ld.lld",
            [
                "-T", runtime.appendingPathComponent("link.ld").path, "--gc-sections", "-o", out.path, startObj, rtObj,
            ] + linkFlags + [
                guestObj
            ] + moduleObjects + [libgcc]
        )
        _ = fm.createFile(atPath: stamp, contents: Data(options.utf8))
        return out
    }
}
