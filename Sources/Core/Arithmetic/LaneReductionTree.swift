import HDL

/// The sum or the maximum of `inputs` unsigned values, as a binary tree with
/// a register after every level, so a wide vector reduces at one chunk per
/// cycle with one adder (or comparator) in each cycle's path.
///
/// `result` is `latency` = ceil(log2(inputs)) cycles behind `x`. Sums are
/// exact (one bit wider per level).
public struct LaneReductionTree: Module {
    public enum Operation: String, Sendable { case sum, max }

    public let inputs: Int
    public let width: Int
    public let operation: Operation

    public init(inputs: Int, width: Int, operation: Operation) {
        self.inputs = inputs
        self.width = width
        self.operation = operation
    }

    public var parameters: [Parameter] {
        [Parameter("N", inputs), Parameter("W", width), Parameter("OP", operation.rawValue)]
    }

    public var latency: Int { inputs <= 1 ? 0 : addressWidth(inputs) }
    public var resultWidth: Int { operation == .sum ? width + latency : width }

    public func build(_ m: ModuleBuilder) {
        guard m.require(inputs >= 1 && width >= 1, "a tree needs at least one input of at least one bit, got \(inputs) x \(width)") else { return }
        let x = m.input("x", .vec(.uint(width), count: inputs))
        let result = m.output("result", .uint(resultWidth))

        var level = (0..<inputs).map { x[$0] }
        var depth = 0
        while level.count > 1 {
            var next: [Signal] = []
            for i in stride(from: 0, to: level.count, by: 2) {
                let combined: Signal
                if i + 1 == level.count {
                    // An odd one out waits a level, widened like its neighbours.
                    combined = operation == .sum ? level[i].extend(to: level[i].width! + 1) : level[i]
                } else if operation == .sum {
                    combined = level[i].expandingAdd(level[i + 1])
                } else {
                    combined = mux(level[i] >= level[i + 1], level[i], level[i + 1])
                }
                next.append(m.regNext("l\(depth + 1)_\(i / 2)", combined))
            }
            level = next
            depth += 1
        }
        result.set(level[0])
    }
}
