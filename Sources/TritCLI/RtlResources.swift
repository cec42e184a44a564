import ArgumentParser
import Foundation
import HDL
import HDLEmit
import HDLSim
import Shells

extension RtlCommand {
    /// `--resources`: every run of `ResourcePlan` through the Intel flow
    /// (one at a time; each cached), then the table or JSON.
    func reportResources(afu: Design, core: String, files: [EmittedFile]) throws {
        let survey: ResourceSurvey
        do {
            survey = try ResourceSurvey.run(board: shellBoard, afu: afu, core: core, files: files,
                                            options: IntelFlow.Options(timeoutSeconds: synthTimeout),
                                            progress: ISAToolFiles.stderr)
        } catch {
            ISAToolFiles.stderr("error: \(error)")
            throw ExitCode(1)
        }
        let version = (try? ExternalTool.run("yosys", ["-V"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? "yosys"
        let report = ResourceReport(survey: survey, yosysVersion: version)
        print(json ? report.json.pretty() : report.text)
    }
}
