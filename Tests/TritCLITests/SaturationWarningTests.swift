import Foundation
import Testing

/// Clamped values are never silent: `trit run` and `trit cosim` warn on
/// stderr and report the counts in their JSON.
extension CommandLineTests {
    @Test func anOutOfRangeInputWarns() throws {
        let dir = try scratch()
        #expect(try trit("checkpoint", "synth", "--hidden", "32", "--layers", "1", "--vocab", "64", "--seed", "3", "--out", "ck", in: dir).status == 0)
        #expect(try trit("compile", "ck", "--layers", "0", "--out", "l0", in: dir).status == 0)
        var x = (0..<32).map { Float($0 % 5) * 0.25 - 0.5 }
        x[7] = 1e30
        try Data(NPYFixture.float32(x)).write(to: dir.appendingPathComponent("x.npy"))
        let r = try trit("run", "l0", "--input", "x.npy", "--json", in: dir)
        #expect(r.status == 0, "\(r.error)")
        #expect(r.error.contains("warning: 1 of 32 input elements were outside the fixed-point range and were clamped"), "\(r.error)")
        #expect(r.output.contains("\"clamped_inputs\": 1"), "\(r.output)")

        // An ordinary input: no warning, and zero counts in the JSON.
        try Data(NPYFixture.float32((0..<32).map { Float($0 % 5) * 0.25 - 0.5 })).write(to: dir.appendingPathComponent("ok.npy"))
        let ok = try trit("run", "l0", "--input", "ok.npy", "--json", in: dir)
        #expect(ok.status == 0 && !ok.error.contains("warning"), "\(ok.error)")
        #expect(ok.output.contains("\"saturations\": 0, \"saturations_by_instruction\": {}, \"clamped_inputs\": 0"), "\(ok.output)")
    }

    /// A program whose add saturates, on the interpreter and on the core in lock step.
    @Test func aSaturatingProgramWarns() throws {
        let dir = try scratch()
        let source = """
                setvl 3
                ldv v1, a
                add v2, v1, v1          ; 2^31 - 1 doubled, and -2^31 doubled, saturate
                halt
            .org 0
            a: .word 0x7fffffff, 0x80000000, 5
            """
        try source.write(to: dir.appendingPathComponent("sat.s"), atomically: true, encoding: .utf8)
        #expect(try trit("asm", "sat.s", "-o", "sat.bin", in: dir).status == 0)
        let run = try trit("run", "sat.bin", "--json", in: dir)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("\"saturations\": 2, \"saturations_by_instruction\": {\"add\": 2}"), "\(run.output)")
        #expect(run.error.contains("warning: 2 elements saturated in the run (add 2)"), "\(run.error)")

        let cosim = try trit("cosim", "sat.bin", "--max-vector-length", "256", "--json", in: dir)
        #expect(cosim.status == 0, "\(cosim.error)")
        #expect(cosim.output.contains("\"saturations\": 2, \"saturations_by_instruction\": {\"add\": 2}"), "\(cosim.output)")
        #expect(cosim.error.contains("warning: 2 elements saturated in the run (add 2)"), "\(cosim.error)")
    }
}
