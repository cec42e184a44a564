import DeviceAPI
import ISA

extension ProgramPlacement {
    /// Loads the image into a test bench's memory.
    public func load(_ image: ProgramImage, into bench: TestBench) {
        bench.writeMemory(dataBase, image.memory())
        bench.writeMemory(codeBase, Self.codeBytes(image.code))
    }
}
