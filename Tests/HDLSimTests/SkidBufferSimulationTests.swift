import HDL
import HDLLib
import HDLSim
import Testing

@Suite struct SkidBufferSimulationTests {
    /// Against a two-entry queue model: the outputs follow the model's state
    /// alone, whatever the inputs this cycle (they come from registers).
    @Test func skidBufferMatchesTwoEntryQueue() throws {
        let seed = testSeed(0x5C1D)
        var rng = SplitMix64(seed: seed)
        let sim = try simulate(SkidBuffer(width: 8))
        try sim.reset()
        var queue: [UInt64] = []
        var sawFull = 0, streamed = 0
        for cycle in 0..<iterations(2000) {
            let phase = (cycle / 40) % 3
            // Filling, draining, and streaming (both sides always ready).
            let inValid = phase == 2 || rng.chance(phase == 0 ? 0.8 : 0.3)
            let outReady = phase == 2 || rng.chance(phase == 0 ? 0.3 : 0.8)
            let data = UInt64(rng.int(0...255))
            try sim.poke("in_valid", inValid)
            try sim.poke("in_data", data)
            try sim.poke("out_ready", outReady)
            let clear = rng.chance(0.01)
            try sim.poke("clear", clear)
            sim.eval()

            let context = "seed \(seed), cycle \(cycle), model \(queue)"
            try #require(try sim.peekBool("in_ready") == (queue.count < 2), "\(context): in_ready")
            try #require(try sim.peekBool("out_valid") == !queue.isEmpty, "\(context): out_valid")
            if let head = queue.first {
                try #require(try sim.peek("out_data") == head, "\(context): out_data")
            }
            sawFull += queue.count == 2 ? 1 : 0
            let popped = outReady && !queue.isEmpty, pushed = inValid && queue.count < 2
            streamed += phase == 2 && popped && pushed && !clear ? 1 : 0

            try sim.step()
            if clear {
                queue = []
            } else {
                if popped { queue.removeFirst() }
                if pushed { queue.append(data) }
            }
        }
        let streamingCycles = (0..<iterations(2000)).filter { ($0 / 40) % 3 == 2 }.count
        #expect(sawFull > 50, "seed \(seed): stimulus should fill the buffer (\(sawFull))")
        // Full rate: once streaming, a word in and a word out every cycle (a
        // couple of cycles per phase to settle).
        #expect(streamed >= streamingCycles - 2 * (streamingCycles / 40 + 1),
                "seed \(seed): \(streamed) of \(streamingCycles) streaming cycles moved a word both ways")
    }
}
