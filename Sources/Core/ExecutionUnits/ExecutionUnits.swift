import HDL
import ISA

/// The four execution units, the vector register file between them, and
/// their memory clients, instantiated and wired inside `TritCore`.
struct ExecutionUnits {
    /// One execution unit: its instance, its dispatch bundle and the register ports it uses.
    struct Unit {
        let name: String
        let instance: Instance
        /// The unit's dispatch bundle, seen from the core.
        let dispatch: Interface<Dispatch>
        /// Register read ports (`a` is the group at `a_`) and the write port.
        let readPorts: [String]
        let writePort: String
        /// Functional units of `InstructionDecoder.units` this unit executes.
        let executes: [FunctionalUnit]
        /// With several streams: the instance the core dispatches to (the
        /// load/store unit's sequencer, or the unit itself), which takes
        /// `stream_scalars` (and `stream_stride`) and may give `stream_results`.
        let streamed: Instance?

        init(_ instance: Instance, _ p: CoreParameters, readPorts: [String], executes: [FunctionalUnit], streamed: Instance? = nil) {
            name = instance.name
            self.instance = instance
            dispatch = (streamed ?? instance).ports(Dispatch(p))
            self.readPorts = readPorts
            writePort = "w"
            self.executes = executes
            self.streamed = streamed
        }

        /// The register-file side of the unit's ports: the sequencer's with several streams.
        var registerSide: Instance { streamed ?? instance }
    }

    let loadStore, vector, reduction, ternary: Unit
    /// The units in the order of their completion queues and unit numbers.
    var units: [Unit] { [loadStore, vector, reduction, ternary] }
    let registerFile: Instance
    /// The last active stream (STREAMS - 1), several streams only.
    let streamLast: Signal?

    /// `memory` is an instance of `system`; the data region (beat address, bytes) goes to every unit that reads memory.
    init(_ m: ModuleBuilder, _ p: CoreParameters, memory: Instance, of system: MemorySystem,
         dataBaseLine: Signal, dataSize: Signal, streamLast: Signal?) {
        self.streamLast = streamLast
        let ls = m.instance(LoadStoreUnit(params: p), "ls")
        let vector = m.instance(VectorUnit(params: p), "vector")
        let reduction = m.instance(ReductionUnit(params: p), "reduction")
        let ternary = m.instance(TernaryUnit(params: p), "ternary")
        let batched = p.streams > 1
        // With several streams a sequencer runs the load/store unit's
        // instructions per stream; the other units serve every stream themselves.
        func sequenced(_ unit: Instance, _ reads: [String]) -> Instance? {
            guard batched else { return nil }
            let sequencer = m.instance(StreamSequencer(params: p, readPorts: reads, memory: true, scalarResults: true),
                                       "\(unit.name)_streams")
            m.connect(sequencer.ports(Dispatch(p).flipped(), prefix: "unit_"), unit.ports(Dispatch(p)))
            for port in reads {
                m.connect(sequencer.ports(RegisterRead(p).flipped(), prefix: "unit_" + RegisterRead.prefix(port)),
                          unit.ports(RegisterRead(p), prefix: RegisterRead.prefix(port)))
            }
            m.connect(sequencer.ports(RegisterWrite(p).flipped(), prefix: "unit_" + RegisterWrite.prefix("w")),
                      unit.ports(RegisterWrite(p), prefix: RegisterWrite.prefix("w")))
            if let streamLast { sequencer.stream_last.set(streamLast) }
            return sequencer
        }
        loadStore = Unit(ls, p, readPorts: ["a"], executes: [.loadStore],
                         streamed: sequenced(ls, ["a"]))
        self.vector = Unit(vector, p, readPorts: ["a", "b", "d"], executes: [.vector, .lookup], streamed: batched ? vector : nil)
        self.reduction = Unit(reduction, p, readPorts: ["a", "b"], executes: [.reduction], streamed: batched ? reduction : nil)
        self.ternary = Unit(ternary, p, readPorts: ["a"], executes: [.ternary], streamed: batched ? ternary : nil)
        if let streamLast {
            vector.stream_last.set(streamLast)
            reduction.stream_last.set(streamLast)
            ternary.stream_last.set(streamLast)
        }
        let units = [loadStore, self.vector, self.reduction, self.ternary]

        // Register-file ports are named <unit>_<port>.
        let reads = units.flatMap { u in u.readPorts.map { "\(u.name)_\($0)" } }
        let writes = units.map { "\($0.name)_\($0.writePort)" }
        registerFile = m.instance(VectorRegisterFile(params: p, readPorts: reads, writePorts: writes), "registers")
        for u in units {
            for port in u.readPorts {
                m.connect(u.registerSide.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix(port)),
                          registerFile.ports(RegisterRead(p, rows: true).flipped(), prefix: RegisterRead.prefix("\(u.name)_\(port)")))
            }
            m.connect(u.registerSide.ports(RegisterWrite(p, rows: true), prefix: RegisterWrite.prefix(u.writePort)),
                      registerFile.ports(RegisterWrite(p, rows: true).flipped(), prefix: RegisterWrite.prefix("\(u.name)_\(u.writePort)")))
        }

        // Memory: the load/store unit and the ternary unit are wide read
        // clients, the load/store unit is the only writer.
        for (client, unit) in [(TritCore.ReadClient.loadStore, ls), (.ternary, ternary)] {
            m.connect(unit.ports(MemoryRead(p, wide: true)), system.readClient(client.rawValue, of: memory))
            let region = unit.ports(DataRegion(p))
            region.baseLine.set(dataBaseLine)
            region.size.set(dataSize)
        }
        let lsWrite = ls.ports(MemoryWrite(p)), memoryWrite = system.writeClient(of: memory)
        m.connect(lsWrite, memoryWrite)
        // The ternary unit's weight stream watches the stores memory takes.
        ternary.store_valid.set(lsWrite.valid && memoryWrite.ready)
        ternary.store_line.set(lsWrite.line)
    }
}
