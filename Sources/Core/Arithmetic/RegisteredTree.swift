import HDL

/// Sum of equally wide signals as a balanced tree of two-operand adds, the
/// first `registeredLevels` levels registered and the rest not; a wire
/// `name` holds the sum. Why: a sum of several operands in one cycle
/// becomes one `$macc` in Yosys's Intel flow, lowered to LUT full adders and
/// a LUT carry-lookahead (docs/silicon.md); a registered two-operand add is
/// one carry chain.
func registeredTree(_ m: ModuleBuilder, _ name: String, _ xs: [Signal], registeredLevels: Int) -> Signal {
    var level = xs, done = 0
    while level.count > 1 {
        let current = level, registered = done < registeredLevels
        level = stride(from: 0, to: current.count, by: 2).enumerated().map { k, i in
            let sum = i + 1 < current.count ? current[i] + current[i + 1] : current[i]
            return registered ? m.regNext("\(name)_l\(done)_\(k)", sum) : sum
        }
        done += 1
    }
    return m.wire(name, level[0])
}

/// Levels of a balanced tree of two-operand adds over `count` operands.
func treeLevels(_ count: Int) -> Int {
    var n = count, levels = 0
    while n > 1 {
        n = (n + 1) / 2
        levels += 1
    }
    return levels
}
