import Foundation

/// The host path section: the DMA's rate both ways and the load of a model image.
enum HostPathSection {
    static func seconds(_ s: Double) -> String { s < 1 ? Report.f(s * 1e3, 2) + " ms" : Report.f(s, 2) + " s" }

    static func text(_ r: BenchResults) -> [String] {
        guard let m = r.hostPath else { return ["Not measured."] }
        let mib = Double(m.imageBytes) / Double(1 << 20)
        let atClock = Double(m.loadCycles) / HostPath.clock
        let atHost = Double(m.imageBytes) / HostPath.hostChannelBytesPerSecond
        return [
            "The OPAE engine (`Sources/OPAE`, the code that drives a real D5005) on the simulated card (`trit sim-card`: "
                + "the Verilated AFU, core and DMA, behind libopae-c's C interface) with \(Sweep.describe(m.core)); the host "
                + "channel is \(m.core.dataBits) bits wide, answers reads after \(m.hostLatency) cycles and never stalls "
                + "(`TRIT_SIMCARD_BACKPRESSURE=0`); banks answer after \(m.bankLatency). The engine loads the \(m.model) "
                + "model's image (the data memory its build plans, \(Report.f(mib, 1)) MiB, seeded random bytes: the DMA "
                + "does not look at them) through a \(m.bufferBytes >> 20) MiB pinned buffer, one descriptor per buffer, and reads up to one "
                + "buffer back, which must equal what was loaded. Cycles are the DMA's CYCLES register, start to done, "
                + "summed over descriptors; MMIO between descriptors is not counted.",
            "",
        ] + Report.table(["transfer", "bytes", "DMA cycles", "beats per cycle", "of the channel's beat rate"], [
            ["host → card, the \(m.model) image", Report.int(m.imageBytes), Report.int(Int(m.loadCycles)),
             Report.f(m.loadBeatsPerCycle, 3), Report.f(100 * m.loadBeatsPerCycle, 1) + " %"],
            ["card → host, read back", Report.int(m.readBytes), Report.int(Int(m.readCycles)),
             Report.f(m.readBeatsPerCycle, 3), Report.f(100 * m.readBeatsPerCycle, 1) + " %"],
        ]) + [
            "",
            "The \(m.model) image loads in \(seconds(atClock)) at the \(Int(HostPath.clock / 1e6)) MHz user clock "
                + "the AFU asks for (`auto-200`), if the host channel kept up; at \(Int(HostPath.hostChannelBytesPerSecond / 1e9)) GB/s, "
                + "what PCIe Gen3 x16 gives in practice (BOARD.md; an assumption, not measured here), it takes "
                + "\(seconds(atHost)): the slower of the two bounds the load, "
                + (atHost > atClock ? "here the host link." : "here the DMA."),
            "Simulating the load took \(Report.f(m.simulationSeconds, 1)) s of wall clock; building the card "
                + (m.cardBuildSeconds < 5 ? "came from the model cache." : "took \(Int(m.cardBuildSeconds)) s."),
        ]
    }
}
