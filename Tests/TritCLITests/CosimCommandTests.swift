import Foundation
import Testing

/// `trit cosim` as a user meets it.
extension CommandLineTests {
    @Test func cosimRejectsBadInputClearly() throws {
        let dir = try scratch()
        try Data("junk".utf8).write(to: dir.appendingPathComponent("junk.bin"))
        let cases: [([String], String)] = [
            ([], "give a program image or --random N"),
            (["a.bin", "--random", "3"], "not both"),
            (["--random", "0"], "--random must be at least 1"),
            (["--random", "2", "--backpressure", "1.5"], "back-pressure probability"),
            (["--random", "2", "--latency", "0"], "memory latency"),
            (["--random", "2", "--banks", "3"], "banks must be 1, 2 or 4, got 3"),
            (["--random", "2", "--waves", "x.fst"], "--waves records one program"),
            (["missing.bin"], "no such file"),
            (["junk.bin"], "junk.bin: error: byte 0"),
            (["--random", "1", "--max-vector-length", "100"], "core parameters"),
        ]
        for (arguments, message) in cases {
            let r = try run(["cosim"] + arguments, in: dir)
            #expect(r.status != 0, "trit cosim \(arguments) succeeded")
            #expect(r.error.contains(message), "trit cosim \(arguments): \(r.error)")
        }
    }

    /// A control program on a small core (the model is built once and cached).
    @Test func cosimRunsAProgramAndPrintsJSON() throws {
        let dir = try scratch()
        try "li s1, 1.5\nnop\nsetvl 7\nli s2, -3\nhalt\n".write(to: dir.appendingPathComponent("p.s"), atomically: true, encoding: .utf8)
        #expect(try trit("asm", "p.s", "-o", "p.bin", in: dir).status == 0)
        let r = try trit("cosim", "p.bin", "--max-vector-length", "256",   "--backpressure", "0.3", "--json", in: dir)
        #expect(r.status == 0, "\(r.error)")
        for key in ["\"cycles\"", "\"instructions\": 5", "\"utilization\"", "\"busy\"", "\"memory_stall\"", "\"result\": \"halted\"", "\"fault\": null"] {
            #expect(r.output.contains(key), "\(key) missing in \(r.output)")
        }
    }
}
