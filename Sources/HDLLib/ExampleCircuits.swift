import HDL

/// The library's circuits in one representative configuration each: what
/// `trit hdl-demo` emits and lints, and what `generated/rtl/examples/` holds.
public enum ExampleCircuits {
    public static var all: [(description: String, module: any Module)] {
        [
            ("counter with enable and clear", Counter(width: 8)),
            ("FIFO, 16 x 32 bits, valid/ready handshakes", FIFO(width: 32, depth: 16)),
            ("ternary adder tree, 64 int8 inputs, pipelined every 16", TernaryAdderTree(inputs: 64, width: 8, registerAbove: 16)),
            ("RAM, 256 x 16, block-RAM template, new data on read-during-write",
             SimpleRAM(width: 16, depth: 256, readLatency: 1, readDuringWrite: .newData)),
            ("Moore state machine detecting 1011", SequenceDetector()),
        ]
    }
}
