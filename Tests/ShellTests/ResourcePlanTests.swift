import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
@testable import Shells
import Testing

/// How the Intel survey splits the D5005 preset's AFU into Yosys runs: each
/// unit once with its lanes boxed, each lane module once counted per
/// instance, and the glue with the units boxed; nothing counted twice or left out.
@Suite struct ResourcePlanTests {
    static func plan(_ p: CoreParameters) throws -> ResourcePlan {
        let afu = try AfuTop.design(p)
        return try ResourcePlan(afu: afu, core: try AfuTop.coreName(afu), files: try Board.d5005.files(p, afu: afu))
    }

    /// Every module's instance count below `top`, through the hierarchy.
    static func instanceCounts(_ top: ElaboratedModule) -> [String: Int] {
        var counts: [String: Int] = [:]
        func visit(_ m: ElaboratedModule) {
            counts[m.name, default: 0] += 1
            m.instances.forEach { visit($0.module) }
        }
        visit(top)
        return counts
    }

    @Test(arguments: [512, 1024])
    func lanesRunOnceAndCountPerInstance(_ dataBits: Int) throws {
        var p = CorePreset.d5005.parameters
        p.addressBits += p.dataBits.trailingZeroBitCount - dataBits.trailingZeroBitCount  // the bank's bytes kept
        p.dataBits = dataBits
        let afu = try AfuTop.design(p)
        let plan = try Self.plan(p)
        let counts = Self.instanceCounts(afu.top)
        let streams = p.isa.streams
        let expected = ["VectorLane": p.vectorLanes, "ReductionLane": p.vectorLanes,
                        "TernaryRowTree": TernaryGroupDatapath.groupRows * streams]
        for (base, n) in expected {
            let runs = plan.runs.filter { $0.label == base }
            try #require(runs.count == 1, "\(base): \(runs.map(\.job.top))")
            #expect(runs[0].instances == n, "\(base)")
            #expect(counts[runs[0].job.top] == n, "\(base): the AFU holds \(counts[runs[0].job.top] ?? 0)")
            // Boxed in exactly one run, whose files do not define it.
            let boxing = plan.runs.filter { $0.job.blackboxes.contains(runs[0].job.top) }
            #expect(boxing.count == 1)
            #expect(boxing.first.map { $0.job.files.contains { $0.name == "\(runs[0].job.top).sv" } } == true,
                    "the boxing run reads the module's ports from its file")
            // Both sides of every port are measured, so that a crossing path is whole.
            let module = try #require(afu.modules.first { $0.name == runs[0].job.top })
            let inside = Set(runs[0].job.probes.map(\.name)), around = Set(boxing.first?.job.probes.map(\.name) ?? [])
            for port in module.ports {
                #expect(inside.contains((port.isInputPort ? "in:" : "out:") + port.name), "\(base).\(port.name)")
                #expect(around.contains((port.isInputPort ? "into:" : "outof:") + "\(module.name):\(port.name)"), "\(base).\(port.name)")
            }
        }
        // Each module of the AFU is synthesized (not boxed) in runs whose
        // instances add up to its count in the AFU, or it is inside such a module.
        var synthesized: [String: Int] = [:]
        for run in plan.runs {
            let boxes = Set(run.job.blackboxes)
            guard let top = afu.modules.first(where: { $0.name == run.job.top }) else {
                Issue.record("no module \(run.job.top)")
                continue
            }
            func visit(_ m: ElaboratedModule, _ times: Int) {
                guard !boxes.contains(m.name) else { return }
                synthesized[m.name, default: 0] += times
                m.instances.forEach { visit($0.module, times) }
            }
            visit(top, run.instances)
        }
        #expect(synthesized == counts, "modules synthesized a different number of times than the AFU holds them")
    }

    /// A path from the outer design's registers through a boxed module's
    /// input port to its register: a 6-input XOR per bit outside (one LUT
    /// level), a 64-input AND inside. Each run alone sees a piece;
    /// the survey adds them, and the sum is the flat design's depth.
    @Test func aPathThroughABoxedModulesPortIsPutBackTogether() throws {
        let inner = EmittedFile(name: "Inner.sv", contents: """
            module Inner(input logic clk, input logic [63:0] x, output logic q);
              always_ff @(posedge clk) q <= &x;
            endmodule

            """)
        let outer = EmittedFile(name: "Outer.sv", contents: """
            module Outer(input logic clk, input logic [383:0] a, output logic q);
              logic [383:0] r;
              logic [63:0] x;
              always_ff @(posedge clk) r <= a;
              for (genvar i = 0; i < 64; i++) begin : g
                assign x[i] = ^r[6 * i +: 6];
              end
              Inner inner(.clk(clk), .x(x), .q(q));
            endmodule

            """)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("trit-crossing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let options = IntelFlow.Options(timeoutSeconds: 120, cacheDirectory: cache)
        let innerProbes: [PathProbe] = [.fromInput("clk"), .fromInput("x"), .toOutput("q")]
        let box = try IntelFlow.run(IntelSynthesisJob(top: "Inner", files: [inner], probes: innerProbes), options: options)
        let around = try IntelFlow.run(IntelSynthesisJob(top: "Outer", files: [inner, outer], blackboxes: ["Inner"],
                                                         probes: [.intoBox("Inner", port: "x", boxes: ["Inner"]),
                                                                  .outOfBox("Inner", port: "q", boxes: ["Inner"])]),
                                       options: options)
        let flat = try IntelFlow.run(IntelSynthesisJob(top: "Outer", files: [inner, outer]), options: options)
        let inside = try #require(box.probes?["in:x"]), outside = try #require(around.probes?["into:Inner:x"])
        #expect(box.probes?["in:clk"] == nil && box.probes?["out:q"] == nil, "a clock and a register's output hold no logic")
        // A 64-input AND takes at least three levels of 6-input LUTs (ABC may use more).
        #expect(inside.lutLevels >= 3 && outside.lutLevels == 1, "\(inside) \(outside)")
        let crossing = try #require(ResourceSurvey.crossing(around, boxes: [(.init(label: "Inner", module: "Inner", result: box),
                                                                                innerProbes)]))
        #expect(crossing.lutLevels == inside.lutLevels + 1 && crossing.via == "Inner.x" && crossing.start.hasPrefix("r"),
                "\(crossing)")
        #expect(flat.deepestPath?.lutLevels == crossing.lutLevels, "\(String(describing: flat.deepestPath))")
    }

    @Test func resourcesOfARepeatedModuleCountEachInstance() throws {
        var one = IntelResources()
        one.lut6 = 3
        one.flipFlops = 40
        one.dsps = 1
        let result = try JSONDecoder().decode(IntelSynthesisResult.self, from: Data("""
            {"cellTypes": {"MISTRAL_ALUT6": 3, "MISTRAL_FF": 40, "MISTRAL_MUL27X27": 1}, "seconds": 1, "cacheHit": false}
            """.utf8))
        let row = ResourceSurvey.Row(label: "VectorLane", module: "VectorLane_F16", result: result, instances: 32)
        #expect(row.resources == one * 32)
        #expect(row.resources.flipFlops == 1280 && row.resources.dsps == 32 && row.resources.alms == 320)
        #expect(row.title == "VectorLane x32")
    }
}
