import ArgumentParser
import Core
import Foundation
import SimCard

/// `trit sim-card --preset d5005 --out DIR`: a simulated card as `DIR/libopae-c.so`.
struct SimCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim-card",
        abstract: "Build a simulated Trit card: a libopae-c.so over the AFU (core and DMA) in Verilator (--preset d5005 by default).",
        discussion: """
            The library exports the OPAE C functions Trit's host runtime calls, over the Verilated AFU top with \
            simulated host memory and DDR banks, so `--engine opae --opae-library DIR/libopae-c.so` runs the same \
            host code a real card would. Settings (latency, back-pressure, seed, statistics) are environment \
            variables read when the card is opened: docs/host.md, "The simulated card". The Verilator build is \
            cached; a D5005-sized core takes a few minutes the first time.
            """)

    @Option(help: ArgumentHelp("The card's core preset (the same as --preset).", visibility: .hidden))
    var board: CorePreset?

    @OptionGroup var core: CoreOptions

    @Option(help: "Directory for libopae-c.so.")
    var out: String

    func run() throws {
        try exitOnError {
            if board != nil && core.preset != nil { throw ValidationError("--board is --preset: give one") }
            let preset = core.preset ?? board ?? .d5005
            let p = try core.parameters(default: preset)
            let clock = Date()
            let card = try SimulatedCard.make(params: p, out: URL(fileURLWithPath: out))
            print("wrote \(card.library.path): a simulated \(preset.rawValue) card (\(p.dataBits)-bit beats, \(p.banks) bank(s), "
                  + "max VL \(p.isa.maxVectorLength)); " + (card.model.cacheHit ? "model from the cache" :
                    String(format: "built in %.0f s", Date().timeIntervalSince(clock))))
            print("run a build on it: trit run|generate|eval BUILD --engine opae --opae-library \(card.library.path)")
        }
    }
}
