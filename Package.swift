// swift-tools-version: 6.1
import PackageDescription

/// Release-mode code generation for the hot paths: cross-module optimisation,
/// no dynamic exclusivity checks, AVX2 on x86_64.
/// The debug configuration optimises our own modules too (`-O` after SwiftPM's `-Onone`), so the
/// conformance suites (EEST state tests, STARK proofs) run in minutes, not hours, under `swift test`.
let fastSettings: [SwiftSetting] = [
  .unsafeFlags(["-O"], .when(configuration: .debug)),
  .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
  .unsafeFlags(["-Xcc", "-mavx2"], .when(platforms: [.linux], configuration: .release)),
]

/// `fastSettings` plus AVX-512 F, VL and BW, for the one module whose code runs only where the
/// processor has them (checked at run time by its caller).
let avx512Settings: [SwiftSetting] =
  fastSettings + [
    .unsafeFlags(["-Xcc", "-mavx512f", "-Xcc", "-mavx512vl", "-Xcc", "-mavx512bw"], .when(platforms: [.linux], configuration: .release))
  ]

let package = Package(
  name: "ZKProver",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "zkprover", targets: ["zkprover"]),
    .library(name: "Algebra", targets: ["Algebra"]),
    .library(name: "Hashing", targets: ["Hashing"]),
    .library(name: "Stark", targets: ["Stark"]),
    .library(name: "EVM", targets: ["EVM"]),
    .library(name: "VM", targets: ["VM"]),
    .library(name: "VMProver", targets: ["VMProver"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // Network (coordinator, prover node).
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    // WebSocket upgrade on the L2 node's JSON-RPC port (eth_subscribe).
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    // HMAC-SHA512 and PBKDF2 for the L2 node's development accounts (BIP-39/BIP-32).
    .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
  ],
  targets: [
    // Portable (Embedded Swift) modules: no Foundation, typed throws.
    .target(name: "Keccak", swiftSettings: fastSettings),
    .target(name: "EVMPrimitives", dependencies: ["Keccak"], swiftSettings: fastSettings),
    .target(name: "Secp256k1", dependencies: ["EVMPrimitives"], swiftSettings: fastSettings),
    .target(name: "Precompiles", dependencies: ["EVMPrimitives", "Secp256k1"], swiftSettings: fastSettings),
    .target(name: "EVM", dependencies: ["EVMPrimitives", "Secp256k1", "Precompiles", "Keccak"], swiftSettings: fastSettings),

    // Prover modules.
    .target(name: "Algebra", swiftSettings: fastSettings),
    // The AVX-512 Poseidon2 kernel: the only module compiled for AVX-512; `Hashing` calls it
    // only on processors that have it (`Poseidon2Kernels.useAVX512`).
    .target(name: "Poseidon2AVX512", dependencies: ["Algebra"], swiftSettings: avx512Settings),
    .target(name: "Hashing", dependencies: ["Algebra", "Keccak", "Poseidon2AVX512"], swiftSettings: fastSettings),
    .target(name: "Stark", dependencies: ["Algebra", "Hashing"], swiftSettings: fastSettings),
    // Recursion circuits: a STARK verifier as a fixed circuit of a few tables, proven by Stark.
    .target(name: "Recursion", dependencies: ["Algebra", "Hashing", "Stark"], swiftSettings: fastSettings),

    // Host-side tooling.
    .target(name: "EVMFixtures", dependencies: ["EVM"], swiftSettings: fastSettings),
    .target(name: "VM", dependencies: ["Keccak", "Secp256k1", "EVMPrimitives"], swiftSettings: fastSettings),
    // Test support shared by the VM and VMProver tests (assembler, test programs, host tools).
    // Test-only: where the package and ../shared (fixtures, vectors) are.
    .target(name: "TestSupport"),
    .target(name: "VMTestSupport", dependencies: ["VM", "TestSupport"], path: "Sources/VMTestSupport"),
    // Proving tables of the RV32IM zkVM (no server dependencies).
    .target(name: "VMProver", dependencies: ["Algebra", "Hashing", "Stark", "VM"], swiftSettings: fastSettings),
    // Recursion over shard proofs: shard verifier circuits, aggregation, the final proof.
    .target(name: "VMRecursion", dependencies: ["Algebra", "Hashing", "Stark", "Recursion", "VMProver", "VM"], swiftSettings: fastSettings),
    // The EVM guest's input codec: a host module, and compiled into the guest too
    // (`Guests/examples/evm/guest.sources`).
    .target(name: "EVMGuestInput", dependencies: ["EVM", "EVMPrimitives", "Keccak"], swiftSettings: fastSettings),
    // The system's SQLite 3 (Debian's libsqlite3-dev), driven through its C API by NetworkCore.
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    // The system's zlib (Debian's zlib1g-dev): the L2 node's batch data is stored deflated.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(
      name: "NetworkCore",
      dependencies: [
        "Stark", "Algebra", "Hashing", "Secp256k1", "Keccak", "EVMPrimitives",
        "CSQLite",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: fastSettings
    ),
    .target(
      name: "ProverNetwork",
      dependencies: [
        "NetworkCore",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
      ],
      resources: [.copy("Resources")],
      swiftSettings: fastSettings
    ),
    // The L2 node: genesis, transaction pool, block building, chain storage, Ethereum JSON-RPC.
    .target(
      name: "Rollup",
      dependencies: [
        "EVM", "EVMFixtures", "EVMPrimitives", "Secp256k1", "Keccak", "NetworkCore", "ProverNetwork", "EVMGuestInput",
        "CZlib",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "CryptoExtras", package: "swift-crypto"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
      ],
      swiftSettings: fastSettings
    ),
    // The `evm-block` proof kind: a zkVM proof of the block guest (server modules stay free of VMProver).
    .target(
      name: "BlockProofKind",
      dependencies: ["NetworkCore", "VMProver", "VM", "EVM", "EVMGuestInput", "Stark"],
      swiftSettings: fastSettings
    ),
    // The zkVM's network proof kinds: vm-shard, vm-aggregate, vm-final (no server dependencies).
    .target(
      name: "VMProofKinds",
      dependencies: ["NetworkCore", "VMProver", "VMRecursion", "Recursion", "VM", "Stark", "Algebra", "Hashing"],
      swiftSettings: fastSettings
    ),
    .executableTarget(
      name: "zkprover",
      dependencies: [
        "Algebra", "Hashing", "Stark", "EVM", "EVMFixtures", "VM", "VMProver", "EVMGuestInput", "Precompiles", "ProverNetwork", "NetworkCore", "Rollup", "BlockProofKind",
        "Recursion", "VMRecursion", "VMProofKinds",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: fastSettings
    ),

    .testTarget(name: "AlgebraTests", dependencies: ["Algebra"]),
    .testTarget(name: "HashingTests", dependencies: ["TestSupport", "Hashing", "Algebra", "Keccak", "Poseidon2AVX512"]),
    .testTarget(name: "StarkTests", dependencies: ["Stark", "Algebra", "Hashing"]),
    .testTarget(name: "RecursionTests", dependencies: ["Recursion", "Stark", "Algebra", "Hashing"]),
    .testTarget(
      name: "VMRecursionTests",
      dependencies: ["VMRecursion", "Recursion", "VMProver", "VM", "VMTestSupport", "Stark", "Algebra"]
    ),
    .testTarget(
      name: "EVMTests",
      dependencies: ["EVM", "EVMPrimitives", "Secp256k1", "Precompiles", "EVMFixtures", "Keccak", "TestSupport"]
    ),
    .testTarget(
      name: "VMProverTests",
      dependencies: [
        "VMProver", "VM", "VMTestSupport", "Stark", "Algebra", "Keccak", "EVMFixtures", "EVMGuestInput", "TestSupport",
        "Secp256k1", "EVMPrimitives",
      ]
    ),
    .testTarget(
      name: "VMTests",
      dependencies: [
        "VM", "VMTestSupport", "TestSupport", "EVMGuestInput", "EVM", "EVMPrimitives", "EVMFixtures", "Secp256k1",
      ]
    ),
    .testTarget(
      name: "NetworkTests",
      dependencies: [
        "ProverNetwork", "NetworkCore", "TestSupport", "VMProofKinds", "VMRecursion", "VMProver", "VM", "VMTestSupport",
        "Stark", "Algebra",
      ]
    ),
    .testTarget(
      name: "RollupTests",
      dependencies: [
        "Rollup", "EVM", "EVMPrimitives", "Secp256k1", "Keccak", "NetworkCore", "TestSupport", "ProverNetwork",
        "EVMGuestInput",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
      ]
    ),
  ]
)
