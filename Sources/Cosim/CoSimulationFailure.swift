import Assembler
import ISA

/// The core and the interpreter disagree (or the core misbehaved): the
/// description says where and how, with the instruction's disassembly.
public struct CoSimulationFailure: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// A retirement record differs.
        case recordMismatch = "record mismatch"
        /// The core retired an instruction the interpreter did not.
        case extraRetirement = "extra retirement"
        /// The core stopped while the interpreter still had instructions to retire.
        case missingRetirement = "missing retirement"
        /// Both faulted, but with a different code or index.
        case faultMismatch = "fault mismatch"
        /// The data memory differs at the end of the run.
        case memoryMismatch = "memory mismatch"
        /// The core raised `timeout` (memory stopped answering, or the core hung).
        case timeout
        /// The core neither halted nor faulted within the cycle limit.
        case cycleLimit = "cycle limit"
        /// STATUS, FAULT_INDEX or RETIRED disagree with the ports or the records.
        case hostInterface = "host interface"
    }

    public let kind: Kind
    /// The instruction concerned, when there is one.
    public let index: Int?
    public let details: String

    public var description: String {
        "co-simulation \(kind.rawValue)" + (index.map { " at instruction \($0)" } ?? "") + ": " + details
    }

    /// Instruction `index` of `image` as assembly, or `.inst` for a word that does not decode.
    static func disassembly(_ image: ProgramImage, _ index: Int, config: CoreConfig) -> String {
        guard index >= 0 && index < image.code.count else { return "(no instruction \(index): code has \(image.code.count))" }
        let word = image.code[index]
        switch Instruction.decode(word, config: config) {
        case .success(let ins): return Disassembler.text(ins, fracBits: image.fracBits)
        case .failure(let why): return ".inst 0x\(Hex.digits(word, 16))  (illegal: \(why))"
        }
    }

    /// A 32-bit element as hex and as its Q.F value.
    static func element(_ v: Int32, fracBits f: Int) -> String {
        "\(Hex.word(UInt32(bitPattern: v))) (\(Numeric.decimalString(Int64(v), f: f)))"
    }
}
