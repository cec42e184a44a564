import ArgumentParser

/// The `trit` command: one entry point for every stage of the toolchain.
/// Each subcommand lives in its own file in this directory.
@main
struct Trit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trit",
        abstract: "Toolchain for ternary (MatMul-free) language-model accelerators.",
        version: TritVersion.string,
        subcommands: [
            HDLDemoCommand.self,
            HDLBenchCommand.self,
            IsaCommand.self,
            RtlCommand.self,
            PresetsCommand.self,
            AsmCommand.self,
            DisasmCommand.self,
            CheckpointCommand.self,
            ReferenceCommand.self,
            CompileCommand.self,
            RunCommand.self,
            CosimCommand.self,
            GenerateCommand.self,
            EvalCommand.self,
            TokenizeCommand.self,
            DetokenizeCommand.self,
            SimCardCommand.self,
            BenchInterpCommand.self,
        ]
    )
}

enum TritVersion {
    static let string = "0.1.0"
}
