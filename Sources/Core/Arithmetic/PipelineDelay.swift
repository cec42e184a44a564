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
}
