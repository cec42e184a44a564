import ArgumentParser

/// `trit checkpoint`: write synthetic checkpoints and inspect real ones.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Create and inspect HGRN-Bit checkpoint directories.",
        subcommands: [CheckpointSynthCommand.self, CheckpointInfoCommand.self])
}
