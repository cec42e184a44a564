import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The SystemVerilog decoder, derived from the ISA description, agrees with
/// the Swift decoder (`Instruction.decode`) on every word it is shown.
@Suite(.serialized) struct InstructionDecoderTests {
    static let configs: [CoreConfig] = [
        .standard,
        CoreConfig(vectorRegisters: 8, scalarRegisters: 4, maxVectorLength: 1024, fracBits: 16),
    ]

    @Test(arguments: configs.indices)
    func decoderIsLintClean(_ index: Int) throws {
        let design = try ISAHardware.decoder(config: Self.configs[index])
        let emitter = SystemVerilogEmitter()
        let files = emitter.files(for: design) + [emitter.package(ISAConstants.package(config: Self.configs[index]))]
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(emitter.files(for: design), top: design.top.name).problems.isEmpty)
    }

    @Test(arguments: configs.indices)
    func decoderAgreesWithTheInterpreter(_ index: Int) throws {
        let config = Self.configs[index]
        let seed = testSeed(0xDEC0_DE00 + UInt64(index))
        var rng = SplitMix64(seed: seed)
        let sim = try Simulator(ISAHardware.decoder(config: config))
        var legalSeen = 0, illegalSeen = 0
        for n in 0..<iterations(4000) {
            let word = Self.randomWord(&rng)
            try sim.poke("word", word)
            sim.eval()
            let decoded = Instruction.decode(word, config: config)
            let legal = try sim.peekBool("legal")
            let context = "seed \(seed), case \(n), word 0x\(String(word, radix: 16)): Swift says \(decoded)"
            switch decoded {
            case .success(let ins):
                legalSeen += 1
                #expect(legal, "\(context)")
                #expect(try sim.peek("opcode") == UInt64(ins.opcode.rawValue), "\(context)")
                for (port, value) in [("rd", ins.rd), ("ra", ins.ra), ("rb", ins.rb), ("mode", ins.mode)] {
                    #expect(try sim.peek(port) == UInt64(value), "\(port): \(context)")
                }
                #expect(try sim.peek("imm") == UInt64(ins.imm), "\(context)")
                let spec = ins.spec
                #expect(try sim.peek("unit") == UInt64(InstructionDecoder.units.firstIndex(of: spec.unit)!), "\(context)")
                #expect(try sim.peek("destination") == UInt64(InstructionDecoder.destinations.firstIndex(of: spec.destination)!),
                        "\(context)")
                for (port, field) in [("rd_use", FieldName.rd), ("ra_use", .ra), ("rb_use", .rb)] {
                    let kind = spec.operands.first { $0.field == field }?.kind
                    let expected: InstructionDecoder.RegisterUse = kind == .vreg ? .vector : kind == .sreg ? .scalar : .none
                    #expect(try sim.peek(port) == UInt64(expected.rawValue), "\(port): \(context)")
                }
            case .failure:
                illegalSeen += 1
                #expect(!legal, "\(context)")
            }
            if legal != ((try? decoded.get()) != nil) { break }
        }
        // The generator must exercise both outcomes, or the test proves little.
        #expect(legalSeen > 500 && illegalSeen > 500, "legal \(legalSeen), illegal \(illegalSeen)")
    }

    /// Mostly well-formed words of random opcodes with random operands, then
    /// some with a stray bit, a high register, a bad packing or random bits.
    static func randomWord(_ rng: inout SplitMix64) -> UInt64 {
        if rng.chance(0.1) { return rng.next() }
        let spec = InstructionSet.instructions[rng.int(0...(InstructionSet.instructions.count - 1))]
        var word = Encoding.op.insert(UInt64(spec.opcode), into: 0)
        for field in spec.usedFields where field != .op {
            let f = Encoding.field(field)
            var value = rng.next() & (f.mask >> UInt64(f.lsb))
            if field == .mode { value = rng.chance(0.8) ? 0 : UInt64(rng.int(1...3)) }
            word = f.insert(value, into: word)
        }
        if rng.chance(0.15) { word ^= 1 << UInt64(rng.int(0...55)) }
        if rng.chance(0.05) { word = Encoding.op.insert(UInt64(rng.int(0...255)), into: word) }
        return word
    }

    @Test func packageNamesEveryOpcode() {
        let text = SystemVerilogEmitter().package(ISAConstants.package()).contents
        for spec in InstructionSet.instructions {
            let hex = String(spec.opcode, radix: 16, uppercase: true)
            let line = "OP_\(spec.mnemonic.uppercased())"
            let padded = hex.count == 1 ? "0" + hex : hex
            #expect(text.split(separator: "\n").contains { $0.contains(line + " ") && $0.contains("= 8'h\(padded);") },
                    "\(line) = 0x\(hex) missing")
        }
        #expect(text.contains("localparam int MAX_VECTOR_LENGTH") && text.contains("= 8192;"))
    }

    @Test func committedRTLIsUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("generated/rtl/isa")
        let emitter = SystemVerilogEmitter()
        let expected = emitter.files(for: try ISAHardware.decoder()) + [emitter.package(ISAConstants.package())]
        let committed = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sv") }
        #expect(Set(committed) == Set(expected.map(\.name)), "generated/rtl/isa is stale: run `make rtl`")
        for f in expected {
            let onDisk = try? String(contentsOf: dir.appendingPathComponent(f.name), encoding: .utf8)
            #expect(onDisk == f.contents, "generated/rtl/isa/\(f.name) is stale: run `make rtl`")
        }
    }
}
