// swift-tools-version:6.0
// Trit: a Swift toolchain for ternary (MatMul-free) language-model accelerators.
// Dependencies point one way: HDL <- HDLEmit <- HDLSim; HDL <- HDLLib;
// ISA <- Assembler, Interpreter; Core <- Shells; Model <- Compiler <- Runner; the `trit` executable sits on top.
import PackageDescription

/// The interpreter, its numeric contract and the float reference carry every
/// token of `trit run`, `eval` and `generate` and of the model tests: they
/// are optimized in debug builds too (about 20x faster, still debuggable
/// enough): `trit eval` on the debug build gets through the trained
/// model's whole validation split in about a minute.
let hotPaths: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Trit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trit", targets: ["TritCLI"]),
        .executable(name: "trit-bench", targets: ["TritBench"]),
        .library(name: "HDL", targets: ["HDL", "HDLEmit", "HDLSim", "HDLLib"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Hardware DSL: the language and its elaboration checks.
        .target(name: "HDL"),
        // SystemVerilog back-end.
        .target(name: "HDLEmit", dependencies: ["HDL"]),
        // Verilator-backed simulation driven from Swift.
        .target(name: "HDLSim", dependencies: ["HDL", "HDLEmit"]),
        // Reusable circuits written in the DSL (FIFO, adder tree, ...).
        .target(name: "HDLLib", dependencies: ["HDL"]),
        // JSON values, the one parser and writer (and UTF-8 checks) every part uses.
        .target(name: "TritJSON", swiftSettings: hotPaths),
        // The instruction set, described once.
        .target(name: "ISA", dependencies: ["TritJSON"], swiftSettings: hotPaths),
        .target(name: "Assembler", dependencies: ["ISA"]),
        // The one interface a host drives a core through; engines implement it.
        .target(name: "DeviceAPI", dependencies: ["ISA", "TritJSON"]),
        .target(name: "Interpreter", dependencies: ["ISA", "DeviceAPI"], swiftSettings: hotPaths),
        // Hugging Face tokenizer.json (Llama / Mistral and GPT-2 byte-level BPE), exact to the `tokenizers` library.
        .target(name: "Tokenizer", dependencies: ["TritJSON"], swiftSettings: hotPaths),
        // Checkpoints (config.json, safetensors), the float reference, NumPy files.
        .target(name: "Model", dependencies: ["TritJSON"], swiftSettings: hotPaths),
        // Checkpoint to build directory: quantize, pack, plan memory, emit programs.
        .target(name: "Compiler", dependencies: ["Model", "ISA", "Assembler", "TritJSON"]),
        // A card through libopae-c (loaded at run time), as a DeviceAPI engine.
        .target(name: "OPAE", dependencies: ["DeviceAPI", "ISA", "Core"]),
        // Runs build directories token by token on any engine: it imports no simulator.
        .target(name: "Runner", dependencies: ["Compiler", "Model", "ISA", "DeviceAPI", "TritJSON"], swiftSettings: hotPaths),
        // The accelerator core, generated with the DSL from the ISA description.
        .target(name: "Core", dependencies: ["HDL", "HDLLib", "ISA"]),
        // Lock-step co-simulation of the generated core against the interpreter.
        .target(name: "Cosim", dependencies: ["Core", "HDL", "HDLEmit", "HDLSim", "ISA", "Assembler", "Interpreter", "DeviceAPI", "TritJSON"]),
        // A simulated card: libopae-c's C interface over the Verilated AFU, for host code to run against.
        .target(name: "SimCard", dependencies: ["Core", "HDL", "HDLSim"]),
        // Board shells around the core: the generic file set and the Intel OFS (D5005) AFU.
        .target(name: "Shells", dependencies: ["Core", "HDL", "HDLEmit", "HDLSim", "ISA", "TritJSON"]),
        .executableTarget(
            name: "TritCLI",
            dependencies: [
                "HDL", "HDLEmit", "HDLSim", "HDLLib", "ISA", "Assembler", "Interpreter", "Core", "Cosim", "Shells",
                "Model", "Compiler", "Runner", "DeviceAPI", "OPAE", "SimCard", "Tokenizer", "BenchKit", "TritJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks (`make bench`): the measurements and the report, and the driver around them.
        .target(name: "BenchKit", dependencies: ["HDL", "HDLEmit", "HDLSim", "ISA", "Interpreter", "Core", "Cosim", "Shells",
                                                "Model", "Compiler", "Runner", "DeviceAPI", "OPAE", "SimCard", "Tokenizer"],
                path: "bench/BenchKit"),
        .executableTarget(name: "TritBench", dependencies: ["BenchKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "bench/TritBench"),

        // Seeded random generators and helpers shared by the test targets.
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "HDLTests", dependencies: ["HDL", "HDLLib"]),
        .testTarget(name: "HDLEmitTests", dependencies: ["HDL", "HDLEmit", "HDLLib", "HDLSim", "TestSupport"]),
        .testTarget(name: "HDLSimTests", dependencies: ["HDL", "HDLEmit", "HDLSim", "HDLLib", "TestSupport"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "HDL", "HDLEmit", "HDLSim", "ISA", "Assembler", "Interpreter", "TestSupport"]),
        // The PIM stand-ins are SystemVerilog read by the lint tests, not resources.
        .testTarget(name: "ShellTests", dependencies: ["Shells", "Core", "HDL", "HDLEmit", "HDLSim", "ISA", "TestSupport"],
                    exclude: ["PIMStandIns"]),
        .testTarget(name: "TritJSONTests", dependencies: ["TritJSON"]),
        .testTarget(name: "ISATests", dependencies: ["ISA", "HDLEmit", "TestSupport"]),
        .testTarget(name: "AssemblerTests", dependencies: ["ISA", "Assembler", "TestSupport"]),
        // Runs the built `trit` binary (an executable: no module dependency on it).
        .testTarget(name: "TritCLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "InterpreterTests", dependencies: ["ISA", "Assembler", "Interpreter", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TritJSON", "TestSupport"]),
        // Every reference encoding of the `tokenizers` library (fixtures and Data/), errors, streaming decode.
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "TritJSON", "TestSupport"], exclude: ["Data"]),
        .testTarget(name: "CompilerTests", dependencies: ["Compiler", "Model", "ISA", "Assembler", "Interpreter", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Compiler", "Model", "ISA", "Interpreter", "Cosim", "Core", "DeviceAPI", "TestSupport"]),
        // The benchmark driver's quick run, checked for structure only.
        .testTarget(name: "BenchTests", dependencies: ["BenchKit", "ISA"]),
        .testTarget(name: "SimCardTests", dependencies: ["SimCard", "OPAE", "Core", "ISA", "Assembler", "Interpreter", "Compiler",
                                                         "Model", "Runner", "DeviceAPI", "TestSupport"]),
        .testTarget(name: "CosimTests", dependencies: ["TritJSON", "Cosim", "Core", "HDL", "HDLSim", "ISA", "Assembler", "Interpreter", "DeviceAPI", "TestSupport"]),
    ]
)
