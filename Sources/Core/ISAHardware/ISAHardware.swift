import HDL
import ISA

/// The ISA's hardware artefacts as one design description: the decoder
/// module and the constants package (emitted by `trit isa --format sv`).
public enum ISAHardware {
    public static func decoder(config: CoreConfig = .standard) throws -> Design {
        try elaborate(InstructionDecoder(config: config))
    }
}
