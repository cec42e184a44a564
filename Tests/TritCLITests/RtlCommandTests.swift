import Foundation
import Testing

/// `trit rtl`: a board directory appears whole, replaces an earlier one
/// whole, and bad parameters leave everything as it was.
extension CommandLineTests {
    func listing(_ dir: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            files[name] = try Data(contentsOf: dir.appendingPathComponent(name))
        }
        return files
    }

    @Test func rtlWritesABoardDirectoryAndReplacesItWhole() throws {
        let dir = try scratch()
        let first = try trit("rtl", "--board", "d5005", "--data-bits", "128", "--max-vector-length", "256",
                             "--out", "afu", in: dir)
        #expect(first.status == 0, "\(first.error)")
        // The bank keeps its 8 GiB and its 4 KiB bursts: from the preset's
        // 1024-bit beats (A26, M32) 128-bit beats are A29 with bursts capped at 64.
        #expect(first.output.contains("_D128_B1_VL256_") && first.output.contains("_A29_M64_"), "\(first.output)")
        let out = dir.appendingPathComponent("afu")
        let files = try listing(out)
        for name in ["ofs_plat_afu.sv", "trit_afu.json", "sources.txt", "README.txt"] {
            #expect(files[name] != nil, "no \(name)")
        }
        // A stray file disappears; the same command writes the same bytes.
        try Data("stale".utf8).write(to: out.appendingPathComponent("stale.sv"))
        let second = try trit("rtl", "--board", "d5005", "--data-bits", "128", "--max-vector-length", "256",
                              "--out", "afu", in: dir)
        #expect(second.status == 0, "\(second.error)")
        #expect(try listing(out) == files)
        // Nothing is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["afu"])
    }

    @Test func widerBeatsKeepTheBurstsBytes() throws {
        // The generic preset's 256-bit beats in bursts of 64: at 512 bits, 32.
        let wide = try trit("rtl", "--board", "generic", "--data-bits", "512", "--max-vector-length", "256", "--out", "w",
                            in: try scratch())
        #expect(wide.status == 0 && wide.output.contains("_D512_") && wide.output.contains("_M32_"), "\(wide.output)\(wide.error)")
    }

    @Test func rtlRefusesBadParametersAndKeepsAnEarlierOutput() throws {
        let dir = try scratch()
        #expect(try trit("rtl", "--board", "generic", "--out", "g", in: dir).status == 0)
        let before = try listing(dir.appendingPathComponent("g"))
        #expect(before["filelist.f"] != nil && before["README.txt"] != nil)
        let bad = try trit("rtl", "--board", "generic", "--data-bits", "100", "--banks", "3", "--out", "g", in: dir)
        #expect(bad.status != 0)
        #expect(bad.error.contains("memory data width") && bad.error.contains("banks must be 1, 2 or 4"), "\(bad.error)")
        #expect(try listing(dir.appendingPathComponent("g")) == before)
        let fresh = try trit("rtl", "--board", "generic", "--data-bits", "100", "--out", "h", in: dir)
        #expect(fresh.status != 0 && fresh.error.contains("memory data width"), "\(fresh.error)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("h").path))
        #expect(try trit("rtl", "--board", "zynq", in: dir).status != 0)
    }

    @Test func rtlResourceOptionsAreChecked() throws {
        let dir = try scratch()
        let json = try trit("rtl", "--board", "generic", "--json", "--out", "g", in: dir)
        #expect(json.status != 0 && json.error.contains("--json goes with --resources"), "\(json.error)")
        let timeout = try trit("rtl", "--board", "generic", "--resources", "--synth-timeout", "0", "--out", "g", in: dir)
        #expect(timeout.status != 0 && timeout.error.contains("--synth-timeout"), "\(timeout.error)")
        let board = try trit("rtl", "--board", "stratix", "--resources", in: dir)
        #expect(board.status != 0 && board.error.contains("stratix"), "\(board.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
