/// The warnings a tool prints on stderr after running a build: values
/// clamped silently would otherwise go unnoticed.
extension TokenRun {
    /// One line per kind of clamping that happened (none when nothing was clamped).
    public func warnings(inputWidth: Int) -> [String] {
        var lines: [String] = []
        if clampedInputs > 0 {
            let total = inputWidth * tokens.count
            lines.append("warning: \(clampedInputs) of \(total) input elements were outside the fixed-point range and were clamped")
        }
        if let s = saturations.warning("over \(tokens.count) token\(tokens.count == 1 ? "" : "s")") { lines.append(s) }
        return lines
    }
}
