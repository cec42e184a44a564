import ArgumentParser
import Core
import Foundation
import SimCard

/// `trit sim-card --board d5005 --out DIR`: a simulated card as `DIR/libopae-c.so`.
struct SimCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim-card",
        abstract: "Build a simulated Trit card: a libopae-c.so over the AFU (core and DMA) in Verilator.",
        discussion: """
            The library exports the OPAE C functions Trit's host runtime calls, over the Verilated AFU top with \
            simulated host memory and DDR banks, so `--engine opae --opae-library DIR/libopae-c.so` runs the same \
            host code a real card would. Settings (latency, back-pressure, seed, statistics) are environment \
            variables read when the card is opened: docs/host.md, "The simulated card". The Verilator build is \
            cached; a D5005-sized core takes a few minutes the first time.
            """)

    enum BoardPreset: String, ExpressibleByArgument, CaseIterable {
        case d5005, generic
        var parameters: CoreParameters { self == .d5005 ? .d5005 : .generic }
    }

    @Option(help: "Board preset: \(BoardPreset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var board: BoardPreset = .d5005

    @Option(help: "Memory banks (1, 2 or 4; default: the preset's).")
    var banks: Int?

    @Option(help: "Maximum vector length (default: the preset's); smaller builds faster.")
    var maxVectorLength: Int?

    @Option(help: "Directory for libopae-c.so.")
    var out: String

    func run() throws {
        try exitOnError {
            var p = board.parameters
            if let b = banks { p.banks = b }
            if let n = maxVectorLength { p.isa.maxVectorLength = n }
            if let problem = p.problems.first { throw ValidationError("card parameters: \(problem)") }
            let clock = Date()
            let card = try SimulatedCard.make(params: p, out: URL(fileURLWithPath: out))
            print("wrote \(card.library.path): a simulated \(board.rawValue) card (\(p.dataBits)-bit beats, \(p.banks) bank(s), "
                  + "max VL \(p.isa.maxVectorLength)); " + (card.model.cacheHit ? "model from the cache" :
                    String(format: "built in %.0f s", Date().timeIntervalSince(clock))))
            print("run a build on it: trit run|generate|eval BUILD --engine opae --opae-library \(card.library.path)")
        }
    }
}
