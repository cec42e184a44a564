import HDL

extension ModuleBuilder {
    /// `value` delayed by `cycles` pipeline registers (named `name_d0`,
    /// `name_d1`, ...), without reset: it carries data beside a datapath.
    func pipelineDelay(_ name: String, _ value: Signal, cycles: Int,
                       file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        var v = value
        for stage in 0..<cycles {
            v = regNext("\(name)_d\(stage)", v, file: file, line: line, column: column)
        }
        return v
    }

    /// A valid flag delayed by `cycles` registers that reset to false.
    func validDelay(_ name: String, _ value: Signal, cycles: Int,
                    file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        var v = value
        for stage in 0..<cycles {
            v = regNext("\(name)_d\(stage)", v, reset: false, file: file, line: line, column: column)
        }
        return v
    }

    /// True while a pipeline of `latency` stages holds valid data: in the
    /// cycle an item `entering` is at its inputs and until it reaches the
    /// output register. Drives the clock enable of pipelines that idle
    /// (`instance(_:_:clockEnable:)`): they hold still when empty.
    func pipelineOccupied(_ name: String, entering: Signal, latency: Int,
                          file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        let width = addressWidth(latency + 1)
        let zero = lit(0, width: width)
        let remaining = reg("\(name)_remaining", .uint(width), reset: zero, file: file, line: line, column: column)
        when(entering) {
            remaining.set(lit(latency, width: width))
        }.elseWhen(remaining != zero) {
            remaining.set(remaining - 1)
        }
        return wire(name, entering || remaining != zero, file: file, line: line, column: column)
    }
}
