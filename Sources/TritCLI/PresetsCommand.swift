import ArgumentParser
import Core

/// `trit presets`: the named cores and their parameters (generated/presets.md).
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "Print the core presets (--preset NAME) and their parameters as a Markdown table.")

    func run() { print(CorePreset.markdown, terminator: "") }
}
