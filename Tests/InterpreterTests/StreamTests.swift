import Testing
import TestSupport
import ISA
import Assembler
@testable import Interpreter

/// A core of B streams (ISA.md, "Streams"): each stream computes exactly
/// what the same program computes alone, and `macp` chains the streams as
/// consecutive tokens.
@Suite struct StreamTests {
    static let streams = 4
    static let stride = 0x400

    /// One BitLinear with state: per-stream input, state and output
    /// (`.s`), shared norm weights and matrix, scalars per stream.
    static func program(streams: Int, macp: Bool = false) -> String {
        """
        .streams \(streams)
                setss   \(stride)
                setvl   6
                ldv.s   v0, x
                ldv     v1, norm_w
                norm    v2, v0, v1, 1e-6
                absmax  s0, v2
                quant   v3, v2, s0
                tmatmul v4, v3, s0, W
                setvl   5
                ldv.s   v5, h
                lds.s   s1, g
                bcast   v6, s1
                \(macp ? "macp" : "mac")    v4, v6, v5      ; h = f * h + i
                sv.s    v4, h
                sts.s   s0, ymax
                halt

        .org 0x0
        norm_w: .fix 1, 0.5, 1.5, 1, 0.75, 1.25
                .align 256
        W:      .matrix 5, 6, 0.6
                .row +0-+0-
                .row ++++++
                .row ------
                .row 000000
                .row 0+0-0+
        .org 0x800
        x:      .zero 24
                .align 64
        h:      .zero 20
                .align 64
        g:      .word 0
        ymax:   .word 0
                .org 0x800 + \(streams) * \(stride)
                .word 0
        """
    }

    static func assemble(_ text: String, streams: Int) throws -> (ProgramImage, CoreConfig) {
        var config = CoreConfig.standard
        config.streams = streams
        let image = try Assembler(config: config).assemble(text, file: "streams.s").get()
        return (image, config)
    }

    /// Writes stream s's inputs (x, h, g) into its block of a machine's memory.
    static func fill(_ m: Machine, stream s: Int, base: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let x = (0..<6).map { _ in rng.int32(in: -300_000...300_000) }
        let h = (0..<5).map { _ in rng.int32(in: -100_000...100_000) }
        let g = rng.int32(in: 0...65536)
        for (i, v) in x.enumerated() { m.store32(base + 0x800 + 4 * i, v) }
        for (i, v) in h.enumerated() { m.store32(base + 0x840 + 4 * i, v) }
        m.store32(base + 0x880, g)
    }

    static func block(_ m: Machine, base: Int) -> [Int32] {
        m.words(at: base + 0x800, count: 0x90 / 4)!
    }

    @Test func everyStreamEqualsRunningItAlone() throws {
        let (image, config) = try Self.assemble(Self.program(streams: Self.streams), streams: Self.streams)
        let batch = try Machine(image: image, config: config)
        var records: [RetireRecord] = []
        batch.onRetire = { records.append($0) }
        for s in 0..<Self.streams { Self.fill(batch, stream: s, base: s * Self.stride, seed: 40 + UInt64(s)) }
        batch.run()
        #expect(batch.status == .halted)

        let (single, one) = try Self.assemble(Self.program(streams: 1), streams: 1)
        var summed: [RetireRecord]? = nil
        for s in 0..<Self.streams {
            let alone = try Machine(image: single, config: one)
            var own: [RetireRecord] = []
            alone.onRetire = { own.append($0) }
            Self.fill(alone, stream: s, base: 0, seed: 40 + UInt64(s))
            alone.run()
            #expect(alone.status == .halted)
            #expect(Self.block(batch, base: s * Self.stride) == Self.block(alone, base: 0), "stream \(s)")
            for r in 0..<16 { #expect(batch.scalar(r, stream: s) == alone.scalar(r), "stream \(s) s\(r)") }
            for r in 0..<8 { #expect(batch.vector(r, count: 6, stream: s) == alone.vector(r, count: 6), "stream \(s) v\(r)") }
            // A batch record is the wrapping sum of the streams' own records.
            summed = summed.map { zip($0, own).map { a, b in
                var t = a; t.count &+= b.count; t.digest &+= b.digest; t.saturations &+= b.saturations; return t
            } } ?? own
        }
        let once: Set<UInt8> = [Opcode.setss.rawValue, Opcode.setvl.rawValue, Opcode.halt.rawValue]
        for (b, s) in zip(records, summed!) where !once.contains(b.opcode) {
            #expect(b == s, "instruction \(b.index)")
        }
        #expect(records.count == summed!.count)
    }

    /// `macp` over B streams is B consecutive steps of one stream: stream s
    /// starts from stream s-1's new h (stream 0 from its own).
    @Test func macpChainsTheStreamsAsConsecutiveTokens() throws {
        let (image, config) = try Self.assemble(Self.program(streams: Self.streams, macp: true), streams: Self.streams)
        let batch = try Machine(image: image, config: config)
        for s in 0..<Self.streams { Self.fill(batch, stream: s, base: s * Self.stride, seed: 70 + UInt64(s)) }
        batch.run()
        #expect(batch.status == .halted)

        let (single, one) = try Self.assemble(Self.program(streams: 1), streams: 1)
        let alone = try Machine(image: single, config: one)
        for s in 0..<Self.streams {
            Self.fill(alone, stream: s, base: 0, seed: 70 + UInt64(s))
            if s > 0 {   // carry h from the previous token, as sequential decode does
                let h = batch.words(at: (s - 1) * Self.stride + 0x840, count: 5)!
                for (i, v) in h.enumerated() { alone.store32(0x840 + 4 * i, v) }
            }
            alone.restart()
            alone.run()
            #expect(alone.status == .halted)
            #expect(Self.block(batch, base: s * Self.stride) == Self.block(alone, base: 0), "token \(s)")
        }
    }

    @Test func perStreamAccessBeyondMemoryFaultsInThatStream() throws {
        let text = """
        .streams 4
                setss 64
                setvl 4
                ldv.s v0, 0
                halt
        .memory 192
        """
        let (image, config) = try Self.assemble(text, streams: 4)
        let m = try Machine(image: image, config: config)
        m.run()
        guard case .faulted(let f) = m.status else { Issue.record("no fault: \(m.status)"); return }
        #expect(f.code == .addressOutOfRange)
        #expect(f.detail.contains("stream 3"), "\(f.detail)")
    }

    /// A program of S streams runs on a core of B >= S streams exactly as
    /// on a core of S (S active); more streams than the core has are refused.
    @Test func fewerStreamsRunMoreAreRefused() throws {
        let (image, _) = try Self.assemble(Self.program(streams: 4), streams: 4)
        #expect(throws: Machine.SetupError.self) { _ = try Machine(image: image, config: .standard) }
        do {
            _ = try Machine(image: image, config: .standard)
        } catch {
            #expect("\(error)" == "program was written for 4 streams, the core runs only 1")
        }
        var four = CoreConfig.standard; four.streams = 4
        for streams in [1, 2] {
            for macp in [false, true] {
                let (small, own) = try Self.assemble(Self.program(streams: streams, macp: macp), streams: streams)
                let alone = try Machine(image: small, config: own)
                let big = try Machine(image: small, config: four)
                #expect(big.streams == streams)
                var ownRecords: [RetireRecord] = [], bigRecords: [RetireRecord] = []
                alone.onRetire = { ownRecords.append($0) }
                big.onRetire = { bigRecords.append($0) }
                for s in 0..<streams {
                    Self.fill(alone, stream: s, base: s * Self.stride, seed: 90 + UInt64(s))
                    Self.fill(big, stream: s, base: s * Self.stride, seed: 90 + UInt64(s))
                }
                alone.run()
                big.run()
                let context = "\(streams) stream(s)\(macp ? ", macp" : "") on 4"
                #expect(alone.status == .halted && big.status == .halted, "\(context)")
                #expect(bigRecords == ownRecords, "\(context): records")
                #expect(big.memory == alone.memory, "\(context): memory")
                for s in 0..<streams {
                    for r in 0..<8 { #expect(big.vector(r, count: 6, stream: s) == alone.vector(r, count: 6, stream: s), "\(context) v\(r)") }
                }
                // The idle streams keep their registers at 0.
                for s in streams..<4 {
                    for r in 0..<8 { #expect(big.vector(r, count: 6, stream: s) == [Int32](repeating: 0, count: 6), "\(context) idle v\(r)") }
                    for r in 0..<16 { #expect(big.scalar(r, stream: s) == 0, "\(context) idle s\(r)") }
                }
            }
        }
    }

    /// Faults come only from active streams: a per-stream load that stream 2
    /// would take past memory runs clean with two active streams of four.
    @Test func faultsOnlyFromActiveStreams() throws {
        func text(_ streams: Int) -> String {
            """
            .streams \(streams)
                    setss 64
                    setvl 4
                    ldv.s v0, 128
                    li    s1, 7
                    halt
            .memory 256
            """
        }
        var four = CoreConfig.standard; four.streams = 4
        let (two, _) = try Self.assemble(text(2), streams: 2)
        let m = try Machine(image: two, config: four)
        var records: [RetireRecord] = []
        m.onRetire = { records.append($0) }
        m.run()
        #expect(m.status == .halted)
        // li writes and counts the active streams only.
        let li = records.first { $0.opcode == Opcode.li.rawValue }
        #expect(li?.count == 2 && li?.digest == 2 &* UInt32(bitPattern: m.scalar(1)))
        let (all, _) = try Self.assemble(text(4), streams: 4)
        let full = try Machine(image: all, config: four)
        full.run()
        guard case .faulted(let f) = full.status else { Issue.record("no fault: \(full.status)"); return }
        #expect(f.detail.contains("stream 2"), "\(f.detail)")
    }
}
