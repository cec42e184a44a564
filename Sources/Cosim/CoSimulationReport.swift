import TritJSON
import Foundation
import ISA

/// What a lock-step run measured: the core's own counters (read through the
/// CSR slave at the end) and the test bench's.
public struct CoSimulationReport: Sendable {
    public enum Result: String, Sendable { case halted, faulted }

    public var result: Result
    /// Code and instruction index when the program faulted (both sides agreed).
    public var fault: (code: FaultCode, index: Int)?
    /// Instructions retired (records compared).
    public var instructions: Int
    /// The CYCLES counter: cycles from start to halt or fault.
    public var cycles: UInt64
    /// Busy cycles per unit, in the order of `CoSimulationReport.units`.
    public var busy: [UInt64]
    public var memoryStall: UInt64
    /// WEIGHT_BEATS: memory beats of weights the ternary unit consumed (up to `banks` per cycle).
    public var weightBeats: UInt64
    public var issueStall: UInt64
    /// SATURATIONS: elements the retired instructions saturated (the core's
    /// count; co-simulation checked it equals the interpreter's total).
    public var saturations: UInt64 = 0
    /// The interpreter's saturated elements per instruction kind.
    public var interpreterSaturations = SaturationCounts()
    /// Memory banks of the core: the ternary unit's beats per cycle at full rate.
    public var banks: Int = 1
    /// Cycles the test bench simulated in this run (reset and host accesses included).
    public var simulatedCycles: UInt64
    /// Wall-clock seconds of the lock-step run (the model build excluded).
    public var seconds: Double
    /// Of those, seconds spent simulating the core and its bus models (the rest is the interpreter and comparison).
    public var rtlSeconds: Double
    public var bench: TestBench.Statistics

    /// Units with a BUSY_* counter, as named in the JSON.
    public static let units = ["load_store", "vector", "reduction", "ternary"]

    /// Weight beats per cycle and bank: the fraction of the memory's beats the ternary unit streamed.
    public var utilization: Double { cycles == 0 ? 0 : Double(weightBeats) / (Double(cycles) * Double(max(banks, 1))) }
    /// Lock-step speed: simulated cycles per second of the whole run.
    public var cyclesPerSecond: Double { seconds > 0 ? Double(simulatedCycles) / seconds : 0 }
    /// Speed of the Verilated core with its bus models alone, from `step`'s time.
    public var rtlCyclesPerSecond: Double { rtlSeconds > 0 ? Double(simulatedCycles) / rtlSeconds : 0 }

    /// One line for people.
    public var summary: String {
        var s = "\(result.rawValue)"
        if let f = fault { s += " (\(f.code.name) at instruction \(f.index))" }
        s += ": \(instructions) instructions in \(cycles) cycles, utilization \(String(format: "%.3f", utilization))"
        s += ", busy " + zip(Self.units, busy).map { "\($0) \($1)" }.joined(separator: ", ")
        s += ", memory stall \(memoryStall), issue stall \(issueStall), saturated elements \(saturations)"
        s += String(format: "; %.0f cycles/s in lock step, %.0f cycles/s for the core model alone", cyclesPerSecond, rtlCyclesPerSecond)
        return s
    }

    /// The machine-readable summary (`trit cosim --json`).
    public var json: JSON {
        .object([
            "result": .string(result.rawValue),
            "cycles": .int(Int(cycles)),
            "instructions": .int(Int(instructions)),
            "utilization": .rounded(utilization, 6),
            "busy": .object(JSONObject(zip(Self.units, busy).map { ($0, .int(Int($1))) })),
            "memory_stall": .int(Int(memoryStall)),
            "weight_beats": .int(Int(weightBeats)),
            "banks": .int(banks),
            "issue_stall": .int(Int(issueStall)),
            "saturations": .int(Int(saturations)),
            "saturations_by_instruction": interpreterSaturations.json,
            "fault": .optional(fault) { $0.code.json(index: Int($0.index)) },
            "simulated_cycles": .int(Int(simulatedCycles)),
            "seconds": .rounded(seconds, 3),
            "cycles_per_second": .rounded(cyclesPerSecond, 0),
            "rtl_cycles_per_second": .rounded(rtlCyclesPerSecond, 0),
        ])
    }
}
