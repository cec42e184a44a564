import Foundation
import HDLEmit
import Shells
import Testing

/// generated/rtl/generic and generated/rtl/d5005 are generated (`make rtl`) and committed; they
/// must match what the generator writes today.
@Suite struct CommittedShellFilesTests {
    static let rtl = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("generated/rtl")

    @Test(arguments: Board.allCases)
    func committedBoardDirectoryIsUpToDate(_ board: Board) throws {
        let dir = Self.rtl.appendingPathComponent(board.rawValue)
        let expected = try board.files(board.preset.parameters)
        let committed = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        #expect(Set(committed) == Set(expected.map(\.name)), "generated/rtl/\(board.rawValue) is missing or stale: run `make rtl`")
        for f in expected {
            let onDisk = try? String(contentsOf: dir.appendingPathComponent(f.name), encoding: .utf8)
            #expect(onDisk == f.contents, "generated/rtl/\(board.rawValue)/\(f.name) is stale: run `make rtl`")
        }
    }
}
