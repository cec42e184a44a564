import HDL

/// Everything that can go wrong building or driving a simulation. Each case
/// describes itself in a sentence a test failure can show as is.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    /// A program the build needs (verilator, a C++ compiler) is missing.
    case toolMissing(String)
    /// Verilator or the C++ compiler rejected the model.
    case buildFailed(step: String, output: String)
    /// The built model could not be loaded.
    case loadFailed(String)
    /// No port of that name on the top module.
    case unknownPort(name: String, module: String, available: [String])
    /// Only inputs can be driven (and `clk` only through `step`).
    case notDrivable(port: String, reason: String)
    /// The value does not fit the port.
    case valueOutOfRange(port: String, value: String, type: String)
    /// A wide port read into a 64-bit integer.
    case tooWide(port: String, width: Int)
    /// A `BitVector` or element list of the wrong size.
    case widthMismatch(port: String, expected: Int, got: Int)
    /// The operation needs a sequential module (one with `clk` and `rst`).
    case notSequential(module: String, operation: String)
    /// Waveform tracing was requested but could not be started.
    case traceFailed(String)

    public var description: String {
        switch self {
        case .toolMissing(let tool):
            return "\(tool) is not installed, so designs cannot be simulated: run `make deps` (on Debian: apt-get install -y \(tool))"
        case .buildFailed(let step, let output):
            return "building the simulation model failed at \(step):\n\(output)"
        case .loadFailed(let message):
            return "loading the simulation model failed: \(message)"
        case .unknownPort(let name, let module, let available):
            return "module \(module) has no port '\(name)'; its ports are: \(available.joined(separator: ", "))"
        case .notDrivable(let port, let reason):
            return "cannot drive port '\(port)': \(reason)"
        case .valueOutOfRange(let port, let value, let type):
            return "value \(value) does not fit port '\(port)' of type \(type)"
        case .tooWide(let port, let width):
            return "port '\(port)' is \(width) bits wide, too wide for a 64-bit integer: use peekBits"
        case .widthMismatch(let port, let expected, let got):
            return "port '\(port)' needs \(expected) bits (or elements), got \(got)"
        case .notSequential(let module, let operation):
            return "\(operation) needs a clock, but module \(module) is combinational (no clk or rst)"
        case .traceFailed(let message):
            return "waveform tracing failed: \(message)"
        }
    }
}
