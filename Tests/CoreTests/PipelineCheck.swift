import HDLSim

/// Drives a fixed-latency pipeline with one input per cycle and checks each
/// output `latency` clock edges after its input: `drive` pokes input i,
/// `check` peeks and compares the outputs that belong to input i.
func runPipeline<Input>(_ sim: Simulator, latency: Int, inputs: [Input],
                        drive: (Input) throws -> Void, check: (Int, Input) throws -> Void) throws {
    guard !inputs.isEmpty else { return }
    // Input i is driven before edge i + 1; its result is out after edge i + latency.
    for edge in 1...(inputs.count - 1 + latency) {
        if edge <= inputs.count { try drive(inputs[edge - 1]) }
        try sim.step()
        let done = edge - latency
        if done >= 0 { try check(done, inputs[done]) }
    }
}

/// Interesting 32-bit signed values: zero, ones, powers of two and their
/// neighbours, the extremes.
func edgeValues32(fracBits f: Int) -> [Int32] {
    var v: Set<Int64> = [0, 1, -1, 2, -2, 3, Int64(Int32.max), Int64(Int32.min), Int64(Int32.max) - 1, Int64(Int32.min) + 1]
    for k in 0..<31 {
        for p in [Int64(1) << Int64(k)] {
            v.formUnion([p, p - 1, p + 1, -p, -p - 1, -p + 1])
        }
    }
    let one = Int64(1) << Int64(f)
    v.formUnion([one, -one, one / 2, -one / 2, 3 * one / 2, one - 1, one + 1, 2 * one])
    return v.filter { $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) }.sorted().map { Int32($0) }
}
