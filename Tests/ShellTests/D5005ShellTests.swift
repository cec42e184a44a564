import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
import ISA
import Shells
import Testing

/// The D5005 AFU: lint-clean with the core against the PIM stand-ins, an
/// AFU description OPAE can read, and a source list naming every file.
@Suite struct D5005ShellTests {
    static let small = CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 128)

    /// The shell's files around the core, and the core's own file names.
    static func board(_ p: CoreParameters, standIn: Bool = false) throws -> (files: [EmittedFile], core: Set<String>) {
        let design = try standIn ? elaborate(PortStandInAfu(params: p)) : AfuTop.design(p)
        let core = Set(SystemVerilogEmitter().files(for: design).map(\.name))
        return (try Board.d5005.files(p, afu: design), core)
    }

    @Test func lintCleanAroundTheCore() throws {
        let (files, core) = try Self.board(Self.small)
        let problems = try PIMStandIn.lint(files, Self.small, coreFiles: core)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func lintCleanAroundTheCoreAtTheD5005Preset() throws {
        let (files, core) = try Self.board(.d5005)
        let problems = try PIMStandIn.lint(files, .d5005, coreFiles: core)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// A core of 1024-bit beats on the platform's 512-bit banks and host
    /// channel: the width adapters and the clock crossing, every bank count.
    @Test(arguments: [1, 4])
    func lintCleanAroundACoreWiderThanThePlatform(_ banks: Int) throws {
        var p = Self.small
        p.dataBits = 1024
        p.addressBits = 26
        p.banks = banks
        let (files, _) = try Self.board(p, standIn: true)
        let afu = try #require(files.first { $0.name == "ofs_plat_afu.sv" }).contents
        #expect(afu.contains("BankWidthAdapter_W1024_R2 width_adapter") && afu.contains("ofs_plat_avalon_mem_if_async_shim clock_crossing"))
        #expect(files.contains { $0.name == "BankWidthAdapter_W1024_R2.sv" })
        let problems = try PIMStandIn.lint(files, p)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// Every bank count the parameters allow, around a module with the
    /// core's ports (the core's memory system serves one bank so far).
    @Test(arguments: [1, 2, 4])
    func lintCleanForEveryBankCount(_ banks: Int) throws {
        var p = Self.small
        p.banks = banks
        let (files, _) = try Self.board(p, standIn: true)
        let problems = try PIMStandIn.lint(files, p)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The stand-ins are strict enough to catch a shell that leaves a PIM
    /// field undriven or connects the wrong width.
    @Test func theStandInsCatchAnUndrivenFieldAndAWrongWidth() throws {
        let p = Self.small
        let files = try Self.board(p, standIn: true).files
        func broken(_ edit: (String) -> String) -> [EmittedFile] {
            files.map { $0.name == "ofs_plat_afu.sv" ? EmittedFile(name: $0.name, contents: edit($0.contents)) : $0 }
        }
        let undriven = try PIMStandIn.lint(broken { $0.replacingOccurrences(of: "    assign mmio64.response = '0;\n", with: "") }, p)
        #expect(undriven.contains("UNDRIVEN") && undriven.contains("response"), "\(undriven)")
        let wide = try PIMStandIn.lint(broken { $0.replacingOccurrences(of: ".DATA_WIDTH(128)", with: ".DATA_WIDTH(256)") }, p)
        #expect(wide.contains("WIDTH"), "\(wide)")
    }

    /// A platform whose host channel or local memory differs from the
    /// AFU's widths stops the build at elaboration, naming the reason.
    @Test func aPlatformOfOtherWidthsFailsAtElaboration() throws {
        let p = Self.small
        let files = try Self.board(p, standIn: true).files
        let wideHost = try PIMStandIn.lint(files, p, platform: [PIMStandIn.localMemoryConfiguration(p),
                                                                 PIMStandIn.hostChannelConfiguration(dataBits: 512)])
        #expect(wideHost.contains("host channel is not 128 bits wide"), "\(wideHost)")
        var wide = p
        wide.dataBits = 256
        let wideBanks = try PIMStandIn.lint(files, p, platform: [PIMStandIn.localMemoryConfiguration(wide),
                                                                  PIMStandIn.hostChannelConfiguration(dataBits: 128)])
        #expect(wideBanks.contains("local memory is not 128 bits wide"), "\(wideBanks)")
        let shortHost = try PIMStandIn.lint(files, p, platform: [PIMStandIn.localMemoryConfiguration(p),
                                                                  PIMStandIn.hostChannelConfiguration(dataBits: 128, addressBits: 40)])
        #expect(shortHost.contains("line address is not 51 bits"), "\(shortHost)")
        var twoBanks = p
        twoBanks.banks = 2
        let fewBanks = try PIMStandIn.lint(try Self.board(twoBanks, standIn: true).files, twoBanks,
                                           platform: [PIMStandIn.localMemoryConfiguration(twoBanks, banks: 1),
                                                      PIMStandIn.hostChannelConfiguration(dataBits: 128)])
        #expect(fewBanks.contains("fewer than 2 local memory banks"), "\(fewBanks)")
    }

    /// The host channel goes to the DMA's master, field by field.
    @Test func hostMemoryIsTheDMAs() throws {
        let afu = try #require(try Self.board(Self.small, standIn: true).files.first { $0.name == "ofs_plat_afu.sv" }).contents
        for field in ["rd_address", "rd_read", "rd_readdatavalid", "wr_writedata", "wr_writeresponsevalid"] {
            #expect(afu.contains(".host_\(field)(host_mem.\(field))"), "\(field)")
        }
        #expect(afu.contains(".BURST_CNT_WIDTH(\(AfuTop.host.burstBits))"))
        #expect(!afu.contains("assign host_mem.rd_read"))
    }

    @Test func afuDescriptionNamesThePIMTopAndTheCoresUUID() throws {
        let files = try Board.d5005.files(Self.small)
        let text = try #require(files.first { $0.name == "trit_afu.json" }).contents
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["version"] as? Int == 1)
        let image = try #require(json["afu-image"] as? [String: Any])
        #expect((image["afu-top-interface"] as? [String: Any])?["class"] as? String == "ofs_plat_afu")
        #expect(image["power"] as? Int == 0)
        #expect((image["clock-frequency-high"] as? String)?.hasPrefix("auto") == true)
        let clusters = try #require(image["accelerator-clusters"] as? [[String: Any]])
        #expect(clusters.count == 1)
        #expect(clusters[0]["accelerator-type-uuid"] as? String == CSR.afuUUID)
        // The core's AFU_ID registers report the same UUID.
        let hex = CSR.afuUUID.filter { $0 != "-" }
        #expect(String(format: "%016llx%016llx", CSR.afuIdHalves.high, CSR.afuIdHalves.low) == hex)
    }

    @Test func sourceListNamesTheJSONAndEverySystemVerilogFile() throws {
        let files = try Board.d5005.files(Self.small)
        let text = try #require(files.first { $0.name == "sources.txt" }).contents
        let listed = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        let expected = ["trit_afu.json"] + files.map(\.name).filter { $0.hasSuffix(".sv") }
        #expect(Set(listed) == Set(expected) && listed.count == expected.count, "\(listed)")
        #expect(listed.first == "trit_afu.json")
    }

    @Test func everyBankIsMappedAndTheRestTiedOff() throws {
        var p = Self.small
        p.banks = 2
        let afu = try #require(try Self.board(p, standIn: true).files.first { $0.name == "ofs_plat_afu.sv" }).contents
        #expect(afu.contains("module ofs_plat_afu"))
        #expect(afu.contains(".to_fiu(plat_ifc.local_mem.banks[b])"))
        #expect(afu.contains(".LOCAL_MEM_IN_USE_MASK('b11)"))
        #expect(afu.contains(".HOST_CHAN_IN_USE_MASK(1)"))
        #expect(afu.contains(".afu_clk(plat_ifc.clocks.uClk_usr.clk)"))
        for b in 0..<2 { #expect(afu.contains(".mem\(b)_readdata(local_mem[\(b)].readdata)")) }
        #expect(!afu.contains("mem2_"))
    }
}
