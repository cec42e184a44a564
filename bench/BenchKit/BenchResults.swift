import ISA
import Shells

/// Everything one run measured, with where and how it ran.
public struct BenchResults: Sendable {
    public var sweep: Sweep
    public var machine: MachineInfo
    /// The command line as a reader would type it.
    public var command: String
    public var blocks: [BlockMeasurement] = []
    public var projections: [Projection] = []
    /// Batched decode and prefill on cores of several streams.
    public var batches: [BatchMeasurement] = []
    public var synthesis: [SynthesisMeasurement] = []
    /// Why the synthesis sweep did not run, when it did not.
    public var synthesisSkipped: String?
    /// The D5005 preset through Yosys's Intel flow (`--intel-resources`).
    public var intel: ResourceSurvey?
    public var intelSkipped: String?
    public var interpreter: [InterpreterMeasurement] = []
    public var numpy: NumPyMeasurement?
    public var numpySkipped: String?
    public var rtl: RTLGenerationMeasurement?
    public var accuracy: AccuracyMeasurement?
    /// Why the trained model was not measured, when it was not.
    public var accuracySkipped: String?
    public var hostPath: HostPathMeasurement?
    public var tokenizer: TokenizerMeasurement?
    public var tokenizerSkipped: String?
    /// Wall-clock seconds per section, in run order.
    public var sectionSeconds: [(String, Double)] = []
}
