import Core
import Foundation
import HDL
import HDLEmit
import HDLSim

/// Generic Yosys synthesis of one module of the core at one sweep point.
public struct SynthesisMeasurement: Sendable {
    public var module: String
    public var lanes: Int
    public var dataBits: Int
    public var banks: Int
    /// Nil when the point could not be synthesized (`note` says why).
    public var report: SynthesisReport?
    public var seconds: Double
    public var note: String?
}

/// The ternary unit (and optionally the memory system) as lanes grow. The
/// whole core takes about half an hour of generic synthesis at the D5005
/// size, so the modules that grow with lanes are measured on their own.
enum Synthesis {
    static func measure(_ sweep: Sweep, log: (String) -> Void) -> [SynthesisMeasurement] {
        var out: [SynthesisMeasurement] = []
        for point in sweep.synthesis {
            let p = point.parameters
            var modules: [(String, () throws -> Design)] = [("TernaryUnit", { try elaborate(TernaryUnit(params: p)) })]
            if sweep.synthesizeMemorySystem {
                modules.append(("MemorySystem", { try elaborate(MemorySystem(params: p, readClients: 3)) }))
            }
            for (name, design) in modules {
                var m = SynthesisMeasurement(module: name, lanes: point.lanes, dataBits: p.dataBits, banks: p.banks,
                                             report: nil, seconds: 0, note: nil)
                if let problem = p.problems.first {
                    m.note = "not available on this core: \(problem)"
                    out.append(m)
                    continue
                }
                log("yosys: \(name), \(point.lanes) lanes (\(p.dataBits)-bit beats, \(p.banks) bank(s))")
                let clock = Date()
                do {
                    let d = try design()
                    m.report = try Lint.synthesize(SystemVerilogEmitter().files(for: d), top: d.top.name)
                } catch {
                    m.note = "failed: \(String(describing: error).prefix(200))"
                }
                m.seconds = Date().timeIntervalSince(clock)
                if let r = m.report {
                    log(String(format: "  %d cells, %d flip-flops, %.1f s", r.cells, r.flipFlops, m.seconds))
                }
                out.append(m)
            }
        }
        return out
    }

    /// Yosys is optional for the smoke run; the full run needs it.
    static var available: Bool {
        ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/yosys") } ?? false
    }
}
