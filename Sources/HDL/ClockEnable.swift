/// A module whose registers and memories advance only in cycles where its
/// `ce` input is high, and whose sequential children do the same: the whole
/// circuit holds its state otherwise (Amaranth's `EnableInserter`).
///
/// Used for pipelines that idle most of the time. In hardware it is a clock
/// enable on every flip-flop and RAM port; in Verilator the gated updates
/// (and the arithmetic feeding only them) are skipped while `ce` is low.
struct ClockEnabled<Inner: Module>: Module {
    let inner: Inner

    var name: String { inner.name }
    var parameters: [Parameter] { inner.parameters + [Parameter("CE", 1)] }

    func build(_ m: ModuleBuilder) {
        let ce = m.input(ClockEnable.portName, .bool)
        m.clockEnable = ce.expr
        inner.build(m)
    }
}

enum ClockEnable {
    static let portName = "ce"
}

extension ModuleBuilder {
    /// Place `module` as instance `name`, advancing only while `enable` is
    /// true (with its children). A combinational module is placed as it is.
    public func instance(_ module: some Module, _ name: String, clockEnable enable: Signal,
                         file: String = #fileID, line: Int = #line, column: Int = #column) -> Instance {
        let loc = CodeLocation(file: file, line: line, column: column)
        return placeInstance(module, name, clockEnable: checkedEnable(enable, "instance '\(name)'", loc), loc)
    }

    /// `enable` as a Bool expression, or nil after reporting why not.
    func checkedEnable(_ enable: Signal, _ what: String, _ loc: CodeLocation) -> Expr? {
        let e = enable.expr(as: .bool)
        guard checkExpr(e, loc) else { return nil }
        guard e.type == .bool else {
            error("the clock enable of \(what) must be a Bool, got \(e.type)", loc)
            return nil
        }
        return e
    }

    /// The enable of the builder's own clock (if any) and `extra`, combined.
    func combinedEnable(_ extra: Expr?) -> Expr? {
        guard let clockEnable else { return extra }
        guard let extra else { return clockEnable }
        return (Signal(clockEnable, builder: self) && Signal(extra, builder: self)).expr
    }
}
