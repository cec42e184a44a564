import Core
import HDL
import HDLEmit

/// The boards `trit rtl` writes a directory for.
public enum Board: String, CaseIterable, Sendable {
    /// Any FPGA flow: the core's SystemVerilog, a file list and a README.
    case generic
    /// Intel FPGA PAC D5005 through OPAE and the OFS Platform Interface Manager.
    case d5005

    /// The core the board is built with unless told otherwise.
    public var preset: CorePreset {
        switch self {
        case .generic: return .generic
        case .d5005: return .d5005
        }
    }

    /// Every file of the board's directory around the AFU top (the core and
    /// the host DMA); names are relative to it and the text has no dates or
    /// paths, so regenerating gives the same bytes.
    public func files(_ p: CoreParameters) throws -> [EmittedFile] {
        try files(p, afu: try AfuTop.design(p))
    }

    /// The same around an already elaborated AFU top, which must have the
    /// ports `CorePort.afu(p, AfuTop.host)`.
    public func files(_ p: CoreParameters, afu design: Design) throws -> [EmittedFile] {
        try AfuTop.checkPorts(design.top, p)
        let files = SystemVerilogEmitter().files(for: design)
        switch self {
        case .generic: return GenericShell(params: p, top: design.top.name, coreFiles: files).files
        case .d5005:
            return D5005Shell(params: p, top: design.top.name, coreFiles: files, adapter: try D5005Shell.adapterDesign(p)).files
        }
    }
}
