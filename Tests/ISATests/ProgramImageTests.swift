import Testing
import TestSupport
@testable import ISA

@Suite struct ProgramImageTests {
    let sample = ProgramImage(fracBits: 16, memorySize: 256,
                              code: [Instruction(.setvl, imm: 4).word, Instruction(.halt).word],
                              data: [.init(address: 0, bytes: [1, 2, 3, 4, 5]), .init(address: 64, bytes: [9])],
                              symbols: [.init(name: "out", address: 128, count: 4)])

    @Test func roundTrip() throws {
        let bytes = sample.serialized()
        #expect(Array(bytes[0..<4]) == Array("TRIT".utf8))
        let back = try ProgramImage.parse(bytes)
        #expect(back == sample)
        #expect(back.memory()[0..<5] == [1, 2, 3, 4, 5])
        #expect(back.memory()[64] == 9)
        var batched = sample; batched.streams = 4
        #expect(try ProgramImage.parse(batched.serialized()).streams == 4)
    }

    func rejects(_ b: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ProgramImage.parse(b)
            Issue.record("accepted a bad image (\(fragment))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func malformedImagesAreRejected() {
        let good = sample.serialized()
        rejects([], "file header")
        rejects(Array("TRAT".utf8) + good.dropFirst(4), "magic")
        var b = good; b[4] = 2; rejects(b, "version")
        b = good; b[6] = 40; rejects(b, "fraction bits")
        b = good; b[7] = 1; rejects(b, "streams byte 1")
        b = good; b[7] = 17; rejects(b, "streams byte 17")
        b = good; b[12] = 0; rejects(b, "section count")
        b = good; b[16] = 9; rejects(b, "unknown section kind")
        rejects(Array(good.dropLast()), "ends inside")
        rejects(good + [0], "after the last section")
        b = good; b[8] = 2; b[9] = 0; rejects(b, "outside memory")   // memory 2 bytes
        // code length not a multiple of 8
        b = good; b[24] = 15; rejects(b, "not a multiple of 8")
        // overlapping data
        let ov = ProgramImage(memorySize: 64, code: [], data: [.init(address: 0, bytes: [1, 2]), .init(address: 1, bytes: [3])])
        rejects(ov.serialized(), "overlap")
        // invalid symbol name
        let badName = ProgramImage(memorySize: 64, code: [], symbols: [.init(name: "9x", address: 0, count: 1)])
        rejects(badName.serialized(), "invalid symbol name")
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 99)
        let good = sample.serialized()
        for i in 0..<3000 {
            var b: [UInt8]
            if i % 2 == 0 {
                b = (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if i % 4 == 0 && b.count > 4 { b.replaceSubrange(0..<4, with: ProgramImage.magic) }
            } else {
                b = good
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            if let img = try? ProgramImage.parse(b) {
                #expect(img.serialized() == b, "accepted image does not reserialize identically (iteration \(i), seed 99)")
            }
        }
    }
}
