import ArgumentParser
import Foundation
import HDL
import HDLEmit
import HDLSim

extension RtlCommand {
    /// `--resources`: every run of `ResourcePlan` through the Intel flow
    /// (one at a time; each cached), then the table or JSON.
    func reportResources(afu: Design, core: String, files: [EmittedFile]) throws {
        let options = IntelFlow.Options(timeoutSeconds: synthTimeout)
        var rows: [ResourceReport.Row] = []
        do {
            let plan = try ResourcePlan(afu: afu, core: core, files: files)
            for run in plan.runs {
                ISAToolFiles.stderr("synthesizing \(run.label) (\(run.job.top)) with yosys synth_intel_alm ...")
                let result = try IntelFlow.run(run.job, options: options)
                ISAToolFiles.stderr(result.cacheHit ? "  cached" : "  \(Int(result.seconds.rounded())) s")
                rows.append(ResourceReport.Row(label: run.label, module: run.job.top, result: result))
            }
        } catch {
            ISAToolFiles.stderr("error: \(error)")
            throw ExitCode(1)
        }
        let version = (try? ExternalTool.run("yosys", ["-V"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "yosys"
        let report = ResourceReport(board: shellBoard, core: core, yosysVersion: version, rows: rows)
        print(json ? report.json.pretty() : report.text)
    }
}
