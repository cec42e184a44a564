import Foundation

/// Software speeds: the interpreter against NumPy, co-simulation, RTL generation.
enum SpeedSection {
    static func interpreter(_ r: BenchResults) -> [String] {
        let (d, i) = r.sweep.interpreterBlock
        var md = [
            "The seven ternary products of one block at d = \(d), I = \(i) (4 × \(d)×\(d), 2 × \(i)×\(d), \(d)×\(i); "
                + "seven distinct random matrices) as `tmatmul` instructions on the golden interpreter "
                + "(`Interpreter.Machine`, one thread, release build): one block untimed, then the best of 3 batches of up "
                + "to \(r.sweep.interpreterRepeats) blocks (fewer when a block takes long; about 2 s a batch), products only. The yardstick is NumPy float32 `W @ x` on the same shapes with one BLAS thread "
                + "(`OPENBLAS_NUM_THREADS=1 python3 bench/numpy_matvec.py --d \(d) --intermediate \(i) --json`, best of 3). "
                + "The interpreter's time includes the activation tables, the illegal-code check of every weight and the "
                + "fixed-point rescale; NumPy's is the bare BLAS product.",
            "",
        ]
        var rows: [[String]] = r.interpreter.map { m in
            ["interpreter, \(m.packing.label)", Report.f(m.secondsPerBlock * 1e3, 2), String(format: "%.3e", m.tritsPerSecond),
             r.numpy.map { String(format: "%.3g", $0.secondsPerBlock / m.secondsPerBlock) + "x" } ?? "–"]
        }
        if let n = r.numpy {
            rows.append(["NumPy \(n.version) float32, 1 thread", Report.f(n.secondsPerBlock * 1e3, 2),
                         String(format: "%.3e", Double(r.interpreter.first?.trits ?? 0) / n.secondsPerBlock), "1x"])
        }
        md += Report.table(["", "ms per block", "weights per second", "speed against NumPy"], rows)
        if let why = r.numpySkipped { md += ["", "NumPy comparison skipped: \(why)."] }
        return md
    }

    static func interpreterFigure(_ r: BenchResults) -> String? {
        guard !r.interpreter.isEmpty else { return nil }
        var bars = r.interpreter.map { [$0.secondsPerBlock * 1e3] }
        var names = r.interpreter.map { "interpreter, \($0.packing.label)" }
        if let n = r.numpy {
            bars.append([n.secondsPerBlock * 1e3])
            names.append("NumPy float32, 1 thread")
        }
        let (d, i) = r.sweep.interpreterBlock
        return BarChart(title: "One block's ternary products, d = \(d), I = \(i)", yLabel: "ms per block",
                        groups: [("d = \(d)", bars)], barNames: names).svg()
    }

    static func cosim(_ r: BenchResults) -> [String] {
        let runs = r.blocks.filter { $0.counters != nil }
        guard !runs.isEmpty else { return ["No co-simulation ran."] }
        return ["Simulated cycles per wall-clock second of the block runs above (release build, one thread, the Verilator "
                    + "on PATH or the one `TRIT_VERILATOR` names; the core model's Verilator build is excluded). *Lock step*: the Verilated core with its C++ memory and host "
                    + "models and the interpreter stepping beside it, loading and the final memory comparison included "
                    + "(`CoSimulationReport.cyclesPerSecond`). *Core alone*: the fallback when the two disagree, from "
                    + "start to halt only.", ""]
            + Report.table(["d", "packing", "banks", "mode", "simulated cycles", "seconds", "cycles per second"], runs.map { m in
                let c = m.counters!
                return ["\(m.d)", m.packing.label, "\(m.banks)", m.checked ? "lock step" : "core alone", Report.int(c.simulatedCycles),
                        Report.f(c.seconds, 2), Report.int(Int(c.cyclesPerSecond.rounded()))]
            })
    }

    static func rtl(_ r: BenchResults) -> [String] {
        guard let m = r.rtl else { return ["Not measured."] }
        let p = r.sweep.rtlCore
        return ["Elaborating the AFU top, core and host DMA (`AfuTop.design`, every DSL check included) and emitting it with the D5005 shell "
                    + "(`Board.d5005.files`), in-process, as `trit rtl --board d5005` does: \(Sweep.describe(p)).", ""]
            + Report.table(["modules", "files", "lines", "elaborate (s)", "emit (s)"],
                           [[Report.int(m.modules), "\(m.files)", Report.int(m.lines), Report.f(m.elaborateSeconds, 2), Report.f(m.emitSeconds, 2)]])
    }
}
