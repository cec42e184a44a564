import ISA

/// The warnings a tool prints on stderr after running a build: values
/// clamped silently would otherwise go unnoticed.
public enum RunWarnings {
    /// One line per kind of clamping that happened (none when nothing was clamped).
    public static func lines(saturations: SaturationCounts, clampedInputs: Int, inputElements: Int, tokens: Int) -> [String] {
        var lines: [String] = []
        if clampedInputs > 0 {
            lines.append("warning: \(clampedInputs) of \(inputElements) input elements were outside the fixed-point range and were clamped")
        }
        if let s = saturations.warning("over \(tokens) token\(tokens == 1 ? "" : "s")") { lines.append(s) }
        return lines
    }
}

extension TokenRun {
    public func warnings(inputWidth: Int) -> [String] {
        RunWarnings.lines(saturations: saturations, clampedInputs: clampedInputs, inputElements: inputWidth * tokens.count,
                          tokens: tokens.count)
    }
}
