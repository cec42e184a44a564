import Foundation
import HDL
import HDLLib
import HDLSim
import Testing

/// A 100-bit input, registered and passed straight through, plus a signed
/// 70-bit output, to check values wider than one 64-bit word.
struct WidePassThrough: Module {
    func build(_ m: ModuleBuilder) {
        let d = m.input("d", .uint(100))
        let q = m.output("q", .uint(100))
        let echo = m.output("echo", .uint(100))
        let s = m.input("s", .sint(70))
        let sq = m.output("s_q", .sint(70))
        q.set(m.regNext("d_q", d))
        echo.set(d)
        sq.set(m.regNext("s_reg", s))
    }
}

@Suite struct SimulatorTests {
    @Test func widePortsRoundTrip() throws {
        let seed = testSeed(0x100)
        var rng = SplitMix64(seed: seed)
        let sim = try simulate(WidePassThrough())
        #expect(try sim.port("d").width == 100)
        for n in 0..<50 {
            let bits = BitVector(width: 100, words: [rng.next(), rng.next()])
            try sim.poke("d", bits)
            sim.eval()
            #expect(try sim.peekBits("echo") == bits, "seed \(seed), vector \(n): combinational")
            try sim.step()
            #expect(try sim.peekBits("q") == bits, "seed \(seed), vector \(n): registered")
        }
        // The top bit alone, and the signed 70-bit path.
        let top = BitVector(width: 100, words: [0, 1 << 35])
        try sim.poke("d", top)
        try sim.poke("s", -5)
        try sim.step()
        #expect(try sim.peekBits("q") == top)
        #expect(try sim.peekBits("s_q") == BitVector(width: 70, value: -5))
        #expect(throws: SimulationError.tooWide(port: "q", width: 100)) { try sim.peek("q") }
    }

    @Test func secondBuildOfTheSameDesignIsACacheHit() throws {
        let first = try simulate(WidePassThrough())
        let second = try Simulator(elaborate(WidePassThrough()))
        #expect(second.build.cacheHit)
        #expect(second.build.key == first.build.key)
        #expect(second.build.compileSeconds == 0)
        // A different design has a different key.
        let other = try Simulator(elaborate(Counter(width: 8)))
        #expect(other.build.key != first.build.key)
    }

    @Test func badPortNamesAndValuesAreErrors() throws {
        let sim = try simulate(Counter(width: 8))
        #expect(throws: SimulationError.self) { try sim.poke("enabel", 1) }
        do {
            try sim.poke("enabel", 1)
        } catch {
            #expect("\(error)".contains("no port 'enabel'") && "\(error)".contains("enable"))
        }
        #expect(throws: SimulationError.valueOutOfRange(port: "enable", value: "2", type: "Bool")) { try sim.poke("enable", 2) }
        #expect(throws: SimulationError.self) { try sim.poke("enable", -1) }
        #expect(throws: SimulationError.self) { try sim.poke("count", 1) }
        #expect(throws: SimulationError.self) { try sim.poke("clk", 1) }
        #expect(throws: SimulationError.self) { try sim.poke("enable", BitVector(width: 2, value: 1)) }
        #expect(throws: SimulationError.self) { try sim.peek("nothing") }
        let comb = try simulate(TernaryAdderTree(inputs: 64, width: 8))
        #expect(throws: SimulationError.self) { try comb.step() }
        #expect(throws: SimulationError.self) { try comb.poke("x", elements: Array(repeating: 128, count: 64)) }
        #expect(throws: SimulationError.self) { try comb.poke("x", elements: [1, 2]) }
        #expect(SimulationError.toolMissing("verilator").description.contains("make deps"))
    }

    @Test func differentModelsRunSideBySide() throws {
        // Two different models and two instances of one, interleaved.
        let a = try simulate(Counter(width: 8))
        let b = try simulate(Counter(width: 8))
        let detector = try simulate(SequenceDetector())
        try a.reset(); try b.reset(); try detector.reset()
        try a.poke("enable", true)
        let pattern = [true, false, true, true]
        for (i, bit) in pattern.enumerated() {
            try detector.poke("bit_in", bit)
            try detector.step()
            try a.step()
            if i % 2 == 0 { try b.poke("enable", true) } else { try b.poke("enable", false) }
            try b.step()
        }
        #expect(try a.peek("count") == 4)
        #expect(try b.peek("count") == 2)
        #expect(try detector.peekBool("found"))
    }

    @Test func writesAnFSTWaveform() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trit-sim-\(UUID().uuidString).fst")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            let sim = try simulate(Counter(width: 8), waveform: file)
            try sim.reset()
            try sim.poke("enable", true)
            try sim.step(20)
            #expect(try sim.peek("count") == 20)
            sim.closeWaveform()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        #expect(size > 0)
    }
}
