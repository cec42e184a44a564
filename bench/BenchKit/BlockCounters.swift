import Cosim

/// The core's counters for one run of a block program (from the CSRs at the end).
public struct BlockCounters: Sendable, Equatable {
    public var cycles: UInt64
    /// Busy cycles per unit, in the order of `CoSimulationReport.units`.
    public var busy: [UInt64]
    public var memoryStall: UInt64
    public var weightBeats: UInt64
    public var issueStall: UInt64
    public var instructions: Int
    /// Cycles the test bench simulated and the wall-clock time it took.
    public var simulatedCycles: UInt64
    public var seconds: Double

    public static let units = CoSimulationReport.units

    init(_ r: CoSimulationReport) {
        self.init(cycles: r.cycles, busy: r.busy, memoryStall: r.memoryStall, weightBeats: r.weightBeats,
                  issueStall: r.issueStall, instructions: r.instructions, simulatedCycles: r.simulatedCycles, seconds: r.seconds)
    }

    init(cycles: UInt64, busy: [UInt64], memoryStall: UInt64, weightBeats: UInt64, issueStall: UInt64,
         instructions: Int, simulatedCycles: UInt64, seconds: Double) {
        self.cycles = cycles
        self.busy = busy
        self.memoryStall = memoryStall
        self.weightBeats = weightBeats
        self.issueStall = issueStall
        self.instructions = instructions
        self.simulatedCycles = simulatedCycles
        self.seconds = seconds
    }

    /// Weight beats per cycle.
    public var utilization: Double { cycles == 0 ? 0 : Double(weightBeats) / Double(cycles) }
    public var cyclesPerSecond: Double { seconds > 0 ? Double(simulatedCycles) / seconds : 0 }
    public func idle(_ unit: Int) -> UInt64 { cycles - min(cycles, busy[unit]) }
    /// Cycles the ternary unit took weights, at up to `beatsPerCycle` beats a cycle.
    public func streaming(beatsPerCycle: Int) -> UInt64 {
        min(busy[3], (weightBeats + UInt64(beatsPerCycle) - 1) / UInt64(beatsPerCycle))
    }
    /// Cycles the ternary unit held an instruction but took no weights:
    /// header latency, activation copy, and beats memory had not delivered.
    public func ternaryWaiting(beatsPerCycle: Int) -> UInt64 { busy[3] - streaming(beatsPerCycle: beatsPerCycle) }
}
