import HDL
import ISA

/// The four execution units, the vector register file between them, and
/// their memory clients, instantiated and wired inside `TritCore`.
struct ExecutionUnits {
    /// One execution unit: its instance and the register ports it uses.
    struct Unit {
        let name: String
        let instance: Instance
        let readPorts: [String]
        let writePort: String
        /// Functional units of `InstructionDecoder.units` this unit executes.
        let executes: [FunctionalUnit]
    }

    let units: [Unit]
    let registerFile: Instance

    init(_ m: ModuleBuilder, _ p: CoreParameters, memory: Instance, dataBaseLine: Signal, dataSize: Signal) {
        let ls = m.instance(LoadStoreUnit(params: p), "ls")
        let vector = m.instance(VectorUnit(params: p), "vector")
        let reduction = m.instance(ReductionUnit(params: p), "reduction")
        let ternary = m.instance(TernaryUnit(params: p), "ternary")
        units = [
            Unit(name: "ls", instance: ls, readPorts: ["a"], writePort: "w", executes: [.loadStore]),
            Unit(name: "vector", instance: vector, readPorts: ["a", "b", "d"], writePort: "w", executes: [.vector, .lookup]),
            Unit(name: "reduction", instance: reduction, readPorts: ["a", "b"], writePort: "w", executes: [.reduction]),
            Unit(name: "ternary", instance: ternary, readPorts: ["a"], writePort: "w", executes: [.ternary]),
        ]

        // Register-file ports are named <unit>_<port>.
        let reads = units.flatMap { u in u.readPorts.map { "\(u.name)_\($0)" } }
        let writes = units.map { "\($0.name)_\($0.writePort)" }
        registerFile = m.instance(VectorRegisterFile(params: p, readPorts: reads, writePorts: writes), "registers")
        for u in units {
            for port in u.readPorts {
                let (reg, chunk, data) = RegisterReadPort.names(port)
                registerFile.port("\(u.name)_\(reg)").set(u.instance.port(reg))
                registerFile.port("\(u.name)_\(chunk)").set(u.instance.port(chunk))
                u.instance.port(data).set(registerFile.port("\(u.name)_\(data)"))
            }
            for name in RegisterWritePort.names(u.writePort) {
                registerFile.port("\(u.name)_\(name)").set(u.instance.port(name))
            }
        }

        // Memory: the load/store unit and the ternary unit are read clients,
        // the load/store unit is the only writer.
        for (client, unit) in [("ls", ls), ("ternary", ternary)] {
            TritCore.connectReadClient(memory, client, to: unit)
            unit.data_base_line.set(dataBaseLine)
            unit.data_size.set(dataSize)
        }
        for name in MemoryWriteClient.outputs { memory.port(name).set(ls.port(name)) }
        for name in MemoryWriteClient.inputs { ls.port(name).set(memory.port(name)) }
        // The ternary unit's weight stream watches the stores memory takes.
        ternary.store_valid.set(ls.wq_valid && memory.wq_ready)
        ternary.store_line.set(ls.wq_line)
    }

    func unit(_ name: String) -> Unit { units.first { $0.name == name }! }
}
