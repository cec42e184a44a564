import Foundation
import Testing
import TestSupport
@testable import Assembler
import ISA

/// Repository root, from this file's location.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The shared seeded generator (TestSupport).
typealias Rng = SplitMix64

@Suite struct RoundTripTests {
    /// encode -> disassemble -> assemble -> decode, for every instruction with random fields.
    @Test func everyInstructionWithRandomFields() throws {
        let seed: UInt64 = 2024
        var rng = Rng(seed: seed)
        for spec in InstructionSet.instructions {
            for _ in 0..<100 {
                var ins = Instruction(Opcode(rawValue: spec.opcode)!)
                for o in spec.operands {
                    switch o.kind {
                    case .vreg, .sreg: ins.set(o.field, UInt64(rng.below(16)))
                    case .length: ins.set(o.field, UInt64(rng.below(8192) + 1))
                    default: ins.set(o.field, rng.next() & 0xFFFF_FFFF)
                    }
                }
                if !spec.modeSuffixes.isEmpty { ins.mode = UInt8(rng.below(spec.modeSuffixes.count)) }
                let text = Disassembler.text(ins, fracBits: 16)
                let back = Assembler().assemble(text + "\n", file: "rt.s")
                guard case .success(let img) = back else {
                    Issue.record("seed \(seed): '\(text)' does not reassemble: \(back)"); continue
                }
                #expect(img.code == [ins.word], "seed \(seed): \(text)")
                #expect(Instruction.decode(img.code[0]) == .success(ins), "seed \(seed): \(text)")
            }
        }
    }

    /// Every value of tmatmul's mode field: the legal ones have exactly one
    /// spelling (`tmatmul`, `tmatmul.b3`) that reassembles to the same word;
    /// the rest are illegal and listed as `.inst`.
    @Test func everyPackingModeHasOneSpelling() throws {
        var rng = Rng(seed: 17)
        for mode in 0...255 {
            let base = Instruction(.tmatmul, rd: UInt8(rng.below(16)), ra: UInt8(rng.below(16)), rb: UInt8(rng.below(16)),
                                   imm: UInt32(rng.below(1 << 20)) * 256).word
            let word = Encoding.mode.insert(UInt64(mode), into: base)
            guard case .success(let ins) = Instruction.decode(word) else {
                #expect(mode >= WeightPacking.allCases.count, "mode \(mode) should decode")
                let listing = Disassembler.listing(ProgramImage(memorySize: 0, code: [word]))
                #expect(listing.contains(".inst 0x"), "mode \(mode)")
                continue
            }
            let text = Disassembler.text(ins, fracBits: 16)
            #expect(text.hasPrefix(mode == 1 ? "tmatmul.b3 " : "tmatmul "), "mode \(mode): \(text)")
            let img = try #require(try? Assembler().assemble(text, file: "m.s").get())
            #expect(img.code == [word], "mode \(mode): \(text)")
        }
        // Spellings are unique across the whole instruction set.
        let all = InstructionSet.instructions.flatMap { $0.spellings.map(\.mnemonic) }
        #expect(Set(all).count == all.count)
        #expect(all.contains("tmatmul.b3"))
    }

    func roundTrip(_ img: ProgramImage, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let listing = Disassembler.listing(img)
        switch Assembler().assemble(listing, file: "listing.s") {
        case .success(let again):
            #expect(again.serialized() == img.serialized(), "\(what): reassembled bytes differ", sourceLocation: sourceLocation)
        case .failure(let e):
            Issue.record("\(what): listing does not reassemble:\n\(e)\n\(listing.prefix(2000))", sourceLocation: sourceLocation)
        }
    }

    @Test func examplesDisassembleToIdenticalBytes() throws {
        let dir = repositoryRoot + "/isa/examples"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".s") }.sorted()
        #expect(files.count >= 5)
        for f in files {
            let src = try String(contentsOfFile: dir + "/" + f, encoding: .utf8)
            guard case .success(let img) = Assembler().assemble(src, file: f) else { Issue.record("\(f) does not assemble"); continue }
            roundTrip(img, f)
        }
    }

    @Test func randomImagesIncludingIllegalWordsRoundTrip() {
        let seed: UInt64 = 77
        var rng = Rng(seed: seed)
        for i in 0..<200 {
            let code = (0..<rng.below(20)).map { _ -> UInt64 in
                if rng.below(2) == 0 { return rng.next() }   // mostly illegal
                let spec = InstructionSet.instructions[rng.below(InstructionSet.instructions.count)]
                var ins = Instruction(Opcode(rawValue: spec.opcode)!)
                for o in spec.operands { ins.set(o.field, o.kind == .length ? UInt64(rng.below(8192) + 1) : rng.next()) }
                return ins.word
            }
            var data: [ProgramImage.DataSection] = []
            var addr = rng.below(64)
            for _ in 0..<rng.below(4) {
                let n = rng.below(23)
                data.append(.init(address: UInt32(addr), bytes: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
                addr += n + rng.below(9)
            }
            let syms: [ProgramImage.Symbol] = rng.below(2) == 0 ? [] : [.init(name: "s\(i)x", address: 4, count: 2)]
            let img = ProgramImage(fracBits: 8 + rng.below(17), memorySize: UInt32(addr + 64), code: code, data: data, symbols: syms)
            roundTrip(img, "random image \(i) (seed \(seed))")
        }
    }
}

@Suite struct FuzzTests {
    /// Random and mutated sources never crash the assembler; every error is located.
    @Test func assemblerSurvivesRandomAndMutatedInput() throws {
        let seed: UInt64 = 4242
        var rng = Rng(seed: seed)
        let dir = repositoryRoot + "/isa/examples"
        let corpus = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".s") }.sorted()
            .map { try String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 ,:;#.+-*()_\n\tvsxXe\u{00e9}\u{1F600}@\"\\")
        for i in 0..<400 {
            var text: String
            if i % 3 == 0 {
                text = String((0..<rng.below(200)).map { _ in alphabet[rng.below(alphabet.count)] })
            } else {
                var chars = Array(corpus[rng.below(corpus.count)])
                for _ in 0..<(1 + rng.below(8)) where !chars.isEmpty {
                    let p = rng.below(chars.count)
                    switch rng.below(3) {
                    case 0: chars[p] = alphabet[rng.below(alphabet.count)]
                    case 1: chars.remove(at: p)
                    default: chars.insert(alphabet[rng.below(alphabet.count)], at: p)
                    }
                }
                text = String(chars)
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            switch Assembler().assemble(text, file: "fuzz.s") {
            case .success(let img):
                // Whatever assembles must survive its own image format.
                #expect((try? ProgramImage.parse(img.serialized())) == img, "seed \(seed) iteration \(i)")
            case .failure(let e):
                #expect(!e.errors.isEmpty)
                for err in e.errors { #expect(err.line >= 1 && err.line <= lines && err.column >= 1, "seed \(seed) iteration \(i): \(err)") }
            }
        }
    }

    /// Random bytes given to the disassembler: a clean error or a listing that reassembles.
    @Test func disassemblerSurvivesRandomBytes() {
        let seed: UInt64 = 999
        var rng = Rng(seed: seed)
        var listings = 0
        for i in 0..<2000 {
            var b = (0..<rng.below(120)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if i % 2 == 0 && b.count >= 16 {
                // A plausible header so that section parsing gets exercised.
                b.replaceSubrange(0..<8, with: ProgramImage.magic + [1, 0, 16, 0])
                b[12] = UInt8(1 + rng.below(3)); b[13] = 0; b[14] = 0; b[15] = 0
            }
            guard let img = try? ProgramImage.parse(b) else { continue }
            listings += 1
            let listing = Disassembler.listing(img)
            guard case .success(let again) = Assembler().assemble(listing, file: "l.s") else {
                Issue.record("seed \(seed) iteration \(i): listing does not reassemble"); continue
            }
            #expect(again.serialized() == b, "seed \(seed) iteration \(i)")
        }
        _ = listings
    }
}
