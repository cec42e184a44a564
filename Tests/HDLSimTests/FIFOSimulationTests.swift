import HDL
import HDLLib
import HDLSim
import Testing

@Suite struct FIFOSimulationTests {
    @Test func fifoMatchesQueueModelWithBackPressure() throws {
        let seed = testSeed(0xF1F0)
        var rng = SplitMix64(seed: seed)
        let depth = 4
        let sim = try simulate(FIFO(width: 8, depth: depth))
        try sim.reset()
        var queue: [UInt64] = []
        var sawFull = 0, sawEmpty = 0, pushedWhileFull = 0
        for cycle in 0..<iterations(2000) {
            // Alternate phases that favour filling and draining, so the
            // queue is often full (back-pressure) and often empty.
            let filling = (cycle / 50) % 2 == 0
            let inValid = rng.chance(filling ? 0.8 : 0.3)
            let outReady = rng.chance(filling ? 0.3 : 0.8)
            let data = UInt64(rng.int(0...255))
            try sim.poke("in_valid", inValid)
            try sim.poke("in_data", data)
            try sim.poke("out_ready", outReady)
            sim.eval()

            let full = queue.count == depth, empty = queue.isEmpty
            let context = "seed \(seed), cycle \(cycle), model \(queue)"
            try #require(try sim.peekBool("in_ready") == !full, "\(context): in_ready")
            try #require(try sim.peekBool("out_valid") == !empty, "\(context): out_valid")
            try #require(try sim.peek("count") == UInt64(queue.count), "\(context): count")
            if let head = queue.first {
                try #require(try sim.peek("out_data") == head, "\(context): out_data")
            }
            sawFull += full ? 1 : 0
            sawEmpty += empty ? 1 : 0
            pushedWhileFull += full && inValid ? 1 : 0

            try sim.step()
            if outReady && !empty { queue.removeFirst() }
            if inValid && !full { queue.append(data) }
        }
        #expect(sawFull > 50 && sawEmpty > 50 && pushedWhileFull > 20,
                "seed \(seed): stimulus should exercise full (\(sawFull)) and empty (\(sawEmpty))")
    }
}
