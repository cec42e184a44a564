import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
import ISA
import Shells
import Testing
import TestSupport

/// The generic board, the core's port contract and what every board's
/// output shares: deterministic text without paths or dates.
@Suite struct GenericShellTests {
    static let small = CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 128)

    /// The AFU tops (core and host DMA) committed under rtl/ are lint-clean.
    @Test(arguments: Board.allCases)
    func presetAfuIsLintClean(_ board: Board) throws {
        let design = try AfuTop.design(board.preset.parameters)
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
    }

    @Test func fileListNamesEverySystemVerilogFileTopLast() throws {
        let files = try Board.generic.files(.generic)
        let top = try AfuTop.design(.generic).top.name
        let list = try #require(files.first { $0.name == "filelist.f" }).contents.split(separator: "\n").map(String.init)
        let sv = files.map(\.name).filter { $0.hasSuffix(".sv") }
        #expect(Set(list) == Set(sv) && list.count == sv.count)
        #expect(list.last == "\(top).sv")
        let readme = try #require(files.first { $0.name == "README.txt" }).contents
        #expect(readme.contains("Top module: \(top)"))
        for name in ["csr_readdatavalid", "mem0_burstcount", "retire_digest", "CODE_BASE", "DMA_CARD_ADDRESS",
                     "host_wr_writeresponsevalid", "csr_address[5:0]"] {
            #expect(readme.contains(name), "README lacks \(name)")
        }
    }

    @Test(arguments: Board.allCases)
    func outputIsDeterministicWithoutPathsOrDates(_ board: Board) throws {
        let a = try board.files(Self.small), b = try board.files(Self.small)
        #expect(a == b)
        let names = a.map(\.name)
        #expect(Set(names).count == names.count, "duplicate file names")
        for f in a {
            #expect(!f.name.contains("/"), "\(f.name) is not a plain file name")
            for marker in ["/work/", "/tmp/", "/home/", "/Users/", "\\"] {
                #expect(!f.contents.contains(marker), "\(f.name) contains \(marker)")
            }
            #expect(f.contents.range(of: #"20\d\d-\d\d-\d\d"#, options: .regularExpression) == nil, "\(f.name) has a date")
        }
    }

    @Test func invalidParametersAreRefusedWithEveryProblem() throws {
        var p = CoreParameters.generic
        p.dataBits = 100
        p.banks = 3
        #expect(throws: ShellError.badParameters(p.problems)) { try Board.generic.files(p) }
        #expect(p.problems.contains { $0.contains("memory data width") })
        #expect(p.problems.contains { $0.contains("banks must be 1, 2 or 4") })
    }

    /// A top module with other ports than the shells connect is refused by name.
    @Test func aCoreWithOtherPortsIsRefused() throws {
        struct Missing: Module {
            func build(_ m: ModuleBuilder) {
                let r = m.input("csr_read", .bool)
                m.output("busy", .bool).set(r)
                m.output("retire_valid", .uint(2)).set(0)
            }
        }
        let top = try elaborate(Missing()).top
        #expect {
            try CoreTop.checkPorts(top, .generic)
        } throws: { error in
            guard case .portMismatch(_, let missing, let unexpected) = error as? ShellError else { return false }
            return missing.contains("input csr_address [5]") && unexpected == ["output retire_valid [2]"]
        }
    }

    /// Generic synthesis of a small core: memories stay memory cells, and
    /// the counts add up. Minutes of Yosys: only in `make test-long`.
    @Test(.enabled(if: isLongRun, "Yosys synthesis of a whole core runs in make test-long"))
    func synthesisOfTheCoreKeepsMemories() throws {
        let design = try CoreTop.design(Self.small)
        let r = try Lint.synthesize(SystemVerilogEmitter().files(for: design), top: design.top.name)
        #expect(r.memories > 0 && r.memoryBits > 0, "\(r)")
        #expect(r.flipFlops > 0 && r.cells > r.flipFlops, "\(r)")
        #expect(r.cells == r.cellTypes.values.reduce(0, +), "\(r)")
        #expect(r.cellTypes["$mem_v2"] == r.memories)
    }
}
