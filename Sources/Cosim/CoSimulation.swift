import Foundation
import Core
import HDL
import DeviceAPI
import ISA
import Interpreter

/// Runs program images on the generated core (in Verilator, through the
/// test bench of `sim/trit_cosim.cpp`) and on the interpreter in lock
/// step: every record the core's retirement port presents is checked
/// against the interpreter's next instruction; at the end the halt or fault
/// (code and index), the host-visible status and the whole data memory must
/// agree.
///
///     let cosim = try CoSimulation(design: elaborate(TritCore(params: p)), parameters: p)
///     let report = try cosim.run(image)   // throws CoSimulationFailure on a mismatch
public final class CoSimulation {
    public let model: TestBenchModel
    public var options: TestBenchOptions
    /// The core's parameters (the interpreter runs with `parameters.isa`).
    public var parameters: CoreParameters { model.parameters }
    /// Cycles a program may run before the run fails with `cycleLimit`.
    public var maxCycles: UInt64 = 50_000_000
    /// The TIMEOUT CSR value written before start (0: the core's default).
    public var timeout: UInt64 = 0
    /// On a vector record mismatch, re-run the core up to the instruction
    /// with an appended store of its destination to find the first
    /// differing element (one more run; off, only digests are printed).
    public var probeVectorMismatches = true
    /// The data memory at the end of the last run (both sides agreed on it),
    /// so a runner can carry state into the next program run.
    public private(set) var finalMemory: [UInt8] = []

    public init(model: TestBenchModel, options: TestBenchOptions = TestBenchOptions()) {
        self.model = model
        self.options = options
    }

    /// Builds (or finds in the cache) the test bench around `design`, a core
    /// with the top-level ports of `TritCore(params: parameters)`.
    public convenience init(design: Design, parameters: CoreParameters, options: TestBenchOptions = TestBenchOptions(),
                            cacheDirectory: URL? = nil) throws {
        let model = try TestBenchModel(design: design, parameters: parameters, waveforms: options.waveform != nil,
                                       cacheDirectory: cacheDirectory)
        self.init(model: model, options: options)
    }

    /// Runs `image` on both sides and returns the core's statistics; throws
    /// `CoSimulationFailure` on the first disagreement, `TestBenchError`
    /// when the core breaks the bus protocol.
    public func run(_ image: ProgramImage) throws -> CoSimulationReport {
        let isa = parameters.isa
        guard image.fracBits == isa.fracBits else {
            throw TestBenchError.setup("the program was assembled for \(image.fracBits) fraction bits, the core has \(isa.fracBits)")
        }
        let machine = try Machine(image: image, config: isa)
        var produced: RetireRecord?
        machine.onRetire = { produced = $0 }

        let began = DispatchTime.now().uptimeNanoseconds
        let bench = try model.makeBench(options)
        try bench.reset()
        let placement = ProgramPlacement(image)
        placement.load(image, into: bench)
        try bench.start(placement, timeout: timeout)
        let startCycle = bench.cycle

        var retired = 0
        var last: RTLRetirement?
        var ending: TestBench.StepResult = .running
        var rtlNanoseconds: UInt64 = 0
        while true {
            let used = bench.cycle - startCycle
            let stepStart = DispatchTime.now().uptimeNanoseconds
            let (result, records) = try bench.step(maxCycles: maxCycles > used ? maxCycles - used : 0)
            rtlNanoseconds += DispatchTime.now().uptimeNanoseconds - stepStart
            for r in records {
                produced = nil
                machine.step()
                guard let expected = produced else {
                    let why: String
                    if case .faulted(let f) = machine.status { why = "the interpreter faulted there: \(f)" } else { why = "the interpreter had already halted" }
                    throw CoSimulationFailure(kind: .extraRetirement, index: Int(r.index), details:
                        "\(Self.show(r, image, isa))\n  RTL:         \(r.line)\n  \(why)")
                }
                if r.record != expected {
                    throw mismatch(r, expected, image: image, machine: machine, bench: bench, placement: placement)
                }
                retired += 1
                last = r
            }
            if result == .cycleLimit {
                throw CoSimulationFailure(kind: .cycleLimit, index: machine.pc, details:
                    "the core neither halted nor faulted within \(maxCycles) cycles; \(retired) instructions retired"
                    + (last.map { ", the last one at cycle \($0.cycle): \($0.line)" } ?? "")
                    + "; the interpreter's next instruction is \(machine.pc): \(CoSimulationFailure.disassembly(image, machine.pc, config: isa))")
            }
            if (result == .halted || result == .faulted) && records.isEmpty {
                ending = result
                break
            }
        }

        // How it ended, through the host interface as well as the ports.
        let status = try bench.csrRead(.status)
        let faultIndex = Int(try bench.csrRead(.faultIndex))
        let ports = bench.portStatus
        let code = UInt8(truncatingIfNeeded: status >> 8)
        if (status & 2 != 0) != ports.halted || (status & 4 != 0) != ports.faulted {
            throw CoSimulationFailure(kind: .hostInterface, index: nil, details:
                "STATUS reads 0x\(Hex.digits(status, 16)) but the ports say halted \(ports.halted), faulted \(ports.faulted)")
        }
        var fault: (code: FaultCode, index: Int)?
        if ending == .halted {
            guard machine.status == .halted else {
                throw CoSimulationFailure(kind: .missingRetirement, index: machine.pc, details:
                    "the core halted after \(retired) instructions, but the interpreter continues with "
                    + "\(machine.pc): \(CoSimulationFailure.disassembly(image, machine.pc, config: isa))")
            }
        } else {
            if code == FaultCode.timeout.rawValue {
                throw CoSimulationFailure(kind: .timeout, index: faultIndex, details:
                    "the core raised timeout at instruction \(faultIndex) (memory stopped answering, or the core hung); "
                    + "\(retired) instructions retired; the interpreter's next instruction is \(machine.pc): "
                    + CoSimulationFailure.disassembly(image, machine.pc, config: isa))
            }
            produced = nil
            machine.step()
            let rtlFault = "the core faulted with code \(code) (\(FaultCode(rawValue: code)?.name ?? "unknown")) at instruction \(faultIndex)"
            switch machine.status {
            case .faulted(let f):
                guard f.code.rawValue == code && f.index == faultIndex else {
                    throw CoSimulationFailure(kind: .faultMismatch, index: f.index, details:
                        "\(rtlFault); the interpreter: \(f)\n  \(f.index): \(CoSimulationFailure.disassembly(image, f.index, config: isa))")
                }
                fault = (f.code, f.index)
            default:
                throw CoSimulationFailure(kind: .missingRetirement, index: faultIndex, details:
                    "\(rtlFault), but the interpreter retired "
                    + (produced.map { "\($0.line)" } ?? "instruction \(faultIndex)")
                    + "\n  \(faultIndex): \(CoSimulationFailure.disassembly(image, faultIndex, config: isa))")
            }
        }

        try compareMemory(bench, placement, machine, image)
        finalMemory = machine.memory

        let counters = try [CSR.cycles, .retired, .busyLoadStore, .busyVector, .busyReduction, .busyTernary,
                            .memoryStall, .weightBeats, .issueStall, .saturations].map { try bench.csrRead($0) }
        if counters[1] != UInt64(retired) {
            throw CoSimulationFailure(kind: .hostInterface, index: nil, details:
                "the RETIRED counter reads \(counters[1]), but the retirement port presented \(retired) records")
        }
        let saturations = machine.saturations
        if counters[9] != UInt64(saturations.total) {
            throw CoSimulationFailure(kind: .hostInterface, index: nil, details:
                "the SATURATIONS counter reads \(counters[9]), but the interpreter saturated \(saturations.total) elements "
                + "(\(saturations.listing))")
        }
        let stats = bench.statistics
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        return CoSimulationReport(result: ending == .halted ? .halted : .faulted, fault: fault, instructions: retired,
                                  cycles: counters[0], busy: Array(counters[2...5]), memoryStall: counters[6],
                                  weightBeats: counters[7], issueStall: counters[8], saturations: counters[9],
                                  interpreterSaturations: saturations, banks: parameters.banks,
                                  simulatedCycles: stats.cycles,
                                  seconds: seconds, rtlSeconds: Double(rtlNanoseconds) / 1e9, bench: stats)
    }

    /// The whole data memory, compared byte for byte.
    func compareMemory(_ bench: TestBench, _ placement: ProgramPlacement, _ machine: Machine, _ image: ProgramImage) throws {
        let rtl = bench.readMemory(placement.dataBase, count: Int(placement.dataSize))
        guard rtl != machine.memory else { return }
        let differing = zip(rtl, machine.memory).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        let first = differing[0] & ~3
        let word = Self.word
        let symbol = image.symbols.first { first >= Int($0.address) && first < Int($0.address) + 4 * Int($0.count) }
        throw CoSimulationFailure(kind: .memoryMismatch, index: nil, details:
            "\(differing.count) bytes of data memory differ at the end of the run; the first word at "
            + Hex.word(UInt32(first)) + (symbol.map { " (\($0.name)[\((first - Int($0.address)) / 4)])" } ?? "")
            + ": RTL \(CoSimulationFailure.element(word(rtl, first), fracBits: image.fracBits)), "
            + "interpreter \(CoSimulationFailure.element(word(machine.memory, first), fracBits: image.fracBits))")
    }

    static func show(_ r: RTLRetirement, _ image: ProgramImage, _ isa: CoreConfig) -> String {
        "\(r.index): \(CoSimulationFailure.disassembly(image, Int(r.index), config: isa))  (retired in cycle \(r.cycle))"
    }

    /// The failure for a record that differs, with what can be learnt about the values.
    func mismatch(_ r: RTLRetirement, _ expected: RetireRecord, image: ProgramImage, machine: Machine,
                  bench: TestBench, placement: ProgramPlacement) -> CoSimulationFailure {
        let isa = parameters.isa
        var text = "\(Self.show(r, image, isa))\n  RTL:         \(r.line)\n  interpreter: \(expected.line)"
        if r.saturations != expected.saturations {
            text += "\n  saturated elements: RTL \(r.saturations), interpreter \(expected.saturations)"
        }
        let f = image.fracBits
        if r.index != expected.index {
            text += "\n  the core retired instruction \(r.index) where the interpreter retired \(expected.index)"
            text += " (\(expected.index): \(CoSimulationFailure.disassembly(image, Int(expected.index), config: isa)))"
        } else if let got = r.record, got.destination == expected.destination, got.destinationIndex == expected.destinationIndex,
                  got.count == expected.count, got.opcode == expected.opcode {
            switch expected.destination {
            case .scalar, .vectorLength:
                text += "\n  value: RTL \(CoSimulationFailure.element(Int32(bitPattern: got.digest), fracBits: f)), "
                    + "interpreter \(CoSimulationFailure.element(Int32(bitPattern: expected.digest), fracBits: f))"
            case .memory:
                let a = Int(expected.destinationIndex), n = Int(expected.count)
                let words = bench.readMemory(placement.dataBase + UInt64(a), count: 4 * n)
                let want = machine.words(at: a, count: n) ?? []
                if let k = (0..<min(n, want.count)).first(where: { Self.word(words, 4 * $0) != want[$0] }) {
                    text += "\n  first differing word in memory at \(Hex.word(UInt32(a + 4 * k))) (element \(k)): RTL "
                        + "\(CoSimulationFailure.element(Self.word(words, 4 * k), fracBits: f)), interpreter "
                        + "\(CoSimulationFailure.element(want[k], fracBits: f)) (read from the banks when the record arrived)"
                } else {
                    text += "\n  the stored words in the banks match the interpreter: the core's digest differs from what it stored"
                }
            case .vector:
                // The record counts every active stream's elements; streams side by side.
                let streams = image.streams
                let reg = Int(expected.destinationIndex), n = Int(expected.count) / streams
                let want = (0..<streams).flatMap { machine.vector(reg, count: n, stream: $0) }
                let all = n * streams
                func name(_ k: Int) -> String { streams == 1 ? "v\(reg)[\(k)]" : "v\(reg)[\(k % n)] of stream \(k / n)" }
                if probeVectorMismatches, let got = probe(image, upTo: Int(r.index), register: reg, count: n) {
                    if let k = (0..<all).first(where: { got[$0] != want[$0] }) {
                        text += "\n  first differing element \(name(k)): RTL \(CoSimulationFailure.element(got[k], fracBits: f)), "
                            + "interpreter \(CoSimulationFailure.element(want[k], fracBits: f))"
                            + " (\((0..<all).filter { got[$0] != want[$0] }.count) of \(all) differ; the core's register was read back by "
                            + "re-running it up to this instruction followed by setvl \(n), \(streams == 1 ? "" : "setss \(4 * n), sv.s")"
                            + "\(streams == 1 ? "sv" : "") v\(reg), halt)"
                    } else {
                        text += "\n  re-running the core up to this instruction and storing v\(reg) gives the interpreter's "
                            + "elements: the digest logic differs, or the result depends on timing"
                    }
                } else {
                    text += "\n  (the core's register could not be read back; compare the digests and counts above)"
                }
            case .none:
                break
            }
        }
        return CoSimulationFailure(kind: .recordMismatch, index: Int(r.index), details: text)
    }

    /// The little-endian word at byte `at` (bytes past the end read as 0).
    static func word(_ bytes: [UInt8], _ at: Int) -> Int32 {
        Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | (at + $1 < bytes.count ? UInt32(bytes[at + $1]) << UInt32(8 * $1) : 0) })
    }

    /// The first `count` elements of vector register `register` after
    /// instruction `index` (every stream's, stream 0's first), read from the
    /// core by running the program up to it followed by `setvl count;
    /// sv register, scratch; halt` (with streams `setss 4 * count` and
    /// `sv.s`). Nil when that run does not halt.
    func probe(_ image: ProgramImage, upTo index: Int, register: Int, count n: Int) -> [Int32]? {
        var options = self.options
        options.waveform = nil
        let streams = image.streams, count = n * streams
        let scratch = (UInt64(image.memorySize) + 63) / 64 * 64
        guard scratch + UInt64(4 * count) <= UInt64(UInt32.max), index < image.code.count else { return nil }
        var probe = image
        let perStream = streams == 1 ? [] : [Instruction(.setss, imm: UInt32(4 * n)).word]
        probe.code = Array(image.code[0...index]) + [Instruction(.setvl, imm: UInt32(n)).word] + perStream + [
            Instruction(.sv, ra: UInt8(register), mode: streams == 1 ? 0 : StreamAddressing.perStream.rawValue,
                        imm: UInt32(scratch)).word,
            Instruction(.halt).word,
        ]
        probe.memorySize = UInt32(scratch) + UInt32(4 * count)
        guard let bench = try? model.makeBench(options), (try? bench.reset()) != nil else { return nil }
        let placement = ProgramPlacement(probe)
        placement.load(probe, into: bench)
        guard (try? bench.start(placement, timeout: timeout)) != nil else { return nil }
        while true {
            guard let (result, records) = try? bench.step(maxCycles: maxCycles) else { return nil }
            if result == .faulted || result == .cycleLimit { return nil }
            if result == .halted && records.isEmpty { break }
        }
        let bytes = bench.readMemory(placement.dataBase + scratch, count: 4 * count)
        return (0..<count).map { Self.word(bytes, 4 * $0) }
    }
}
