/// A unit's retirement record (count, digest, saturations) comes
/// `Dispatch.recordLatency` cycles after its `done`: a test notes what it
/// expects at `done` and checks it when the record is out.
struct RecordQueue<Expected> {
    let latency: Int
    private var cycle = 0
    private var due: [(cycle: Int, expected: Expected)] = []

    init(latency: Int) { self.latency = latency }

    /// Once per clock cycle, before the edge: the expectation whose record is
    /// on the ports now (its `done` was `latency` cycles ago), if any; then
    /// notes this cycle's `done`, if any.
    mutating func tick(done expected: Expected?) -> Expected? {
        var out: Expected?
        if let first = due.first, first.cycle == cycle {
            out = first.expected
            due.removeFirst()
        }
        if let expected { due.append((cycle + latency, expected)) }
        cycle += 1
        return out
    }

    /// No record is still to come.
    var isEmpty: Bool { due.isEmpty }
}
