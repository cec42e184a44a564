import ISA

/// What the streams of a core (ISA.md, "Streams") are in a compiled program,
/// and so how it spells the instructions that touch per-stream data.
public enum StreamKind: String, Sendable, Codable, Equatable {
    /// One stream: plain `ldv`/`sv`, `mac`.
    case single
    /// B independent sequences (B users' decode steps): input, output,
    /// state and block outputs per stream (`.s`).
    case batch
    /// B consecutive tokens of one sequence: per-stream input and outputs,
    /// but one recurrent state (stream 0's region): loaded by stream 0,
    /// chained through the streams by `macp`, stored by the last stream.
    case prefill

    /// The suffix of a load or store of a stream's own input or outputs.
    var own: String { self == .single ? "" : StreamAddressing.perStream.mnemonicSuffix }
    /// The suffix of a load or store of the recurrent state.
    var state: String { self == .batch ? StreamAddressing.perStream.mnemonicSuffix : "" }
    /// The recurrence h = i + f * h_prev.
    var recurrence: String { self == .prefill ? "macp" : "mac" }
}
