import HDL
import HDLLib
import HDLSim
import Testing

@Suite struct CounterSimulationTests {
    @Test func counterMatchesModelOverRandomEnableAndClear() throws {
        let seed = testSeed(0xC0FFEE)
        var rng = SplitMix64(seed: seed)
        let sim = try simulate(Counter(width: 8))
        try sim.reset()
        var expected: UInt64 = 0
        #expect(try sim.peek("count") == 0, "seed \(seed): count after reset")
        for cycle in 0..<iterations(500) {
            // Mostly counting, so the 8-bit counter wraps a few times.
            let enable = rng.chance(0.8), clear = rng.chance(0.03)
            try sim.poke("enable", enable)
            try sim.poke("clear", clear)
            try sim.step()
            if clear { expected = 0 } else if enable { expected = (expected + 1) & 0xFF }
            let count = try sim.peek("count")
            try #require(count == expected, "seed \(seed), cycle \(cycle): count \(count), model \(expected)")
        }
        #expect(sim.cycle == UInt64(iterations(500) + 1))
    }
}

@Suite struct SequenceDetectorSimulationTests {
    @Test func detectorMatchesLastFourBitsOfRandomStream() throws {
        let seed = testSeed(0x1011)
        var rng = SplitMix64(seed: seed)
        let sim = try simulate(SequenceDetector())
        try sim.reset()
        #expect(try sim.peek("found") == 0)
        // Model: `found` is high in the cycle after the last four bits were 1, 0, 1, 1.
        var history: [Bool] = []
        var hits = 0
        for cycle in 0..<iterations(1000) {
            let bit = rng.chance(0.6)
            try sim.poke("bit_in", bit)
            try sim.step()
            history.append(bit)
            let expected = history.suffix(4) == [true, false, true, true]
            hits += expected ? 1 : 0
            let found = try sim.peekBool("found")
            try #require(found == expected, "seed \(seed), cycle \(cycle): found \(found), last bits \(history.suffix(4))")
        }
        #expect(hits > 20, "seed \(seed): the stream should contain the pattern often, saw \(hits)")
        // Reset returns to idle mid-pattern.
        for bit in [true, false, true] { try sim.poke("bit_in", bit); try sim.step() }
        try sim.reset()
        try sim.poke("bit_in", true)
        try sim.step()
        #expect(try sim.peek("found") == 0)
    }
}
