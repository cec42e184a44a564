import ISA

/// The warnings a tool prints on stderr after running a build: values
/// clamped silently would otherwise go unnoticed.
public enum RunWarnings {
    /// One line per kind of clamping that happened (none when nothing was clamped).
    /// `total` is every saturated element, `saturations` those whose
    /// instruction kind the engine knows (a card counts only the total).
    public static func lines(saturations: SaturationCounts, total: Int, clampedInputs: Int, inputElements: Int, tokens: Int) -> [String] {
        var lines: [String] = []
        if clampedInputs > 0 {
            lines.append("warning: \(clampedInputs) of \(inputElements) input elements were outside the fixed-point range and were clamped")
        }
        let context = "over \(tokens) token\(tokens == 1 ? "" : "s")"
        if let s = saturations.warning(context) {
            lines.append(s)
        } else if total > 0 {
            lines.append("warning: \(total) element\(total == 1 ? "" : "s") saturated \(context) (the card counts only the total)")
        }
        return lines
    }
}

extension TokenRun {
    public func warnings(inputWidth: Int) -> [String] {
        RunWarnings.lines(saturations: saturations, total: saturationTotal, clampedInputs: clampedInputs, inputElements: inputWidth * tokens.count,
                          tokens: tokens.count)
    }
}
