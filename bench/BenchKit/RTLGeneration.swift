import Core
import Foundation
import HDL
import HDLEmit
import Shells

/// Time to write a core's RTL, as `trit rtl --board d5005` does, in-process.
public struct RTLGenerationMeasurement: Sendable {
    public var elaborateSeconds: Double
    public var emitSeconds: Double
    public var files: Int
    public var lines: Int
    public var modules: Int
}

enum RTLGeneration {
    static func measure(_ p: CoreParameters) throws -> RTLGenerationMeasurement {
        let t0 = Date()
        let design = try AfuTop.design(p)
        let t1 = Date()
        let files = try Board.d5005.files(p, afu: design)
        let t2 = Date()
        return RTLGenerationMeasurement(elaborateSeconds: t1.timeIntervalSince(t0), emitSeconds: t2.timeIntervalSince(t1),
                                        files: files.count, lines: files.reduce(0) { $0 + $1.contents.split(separator: "\n").count },
                                        modules: design.modules.count)
    }
}
