import HDL
import HDLLib
import ISA

/// The fetch unit's head instruction, decoded and registered for the issue
/// stage: a pipeline stage between fetch and issue.
///
/// Why: decoding the word read from the fetch buffer and deciding its issue
/// in the same cycle was the longest path of the core's control (12 LUT
/// levels). Here the fetched word is registered (`fetched`, a `SkidBuffer`),
/// decoded, and the decoder's outputs (the same names) and the head's index
/// registered again (`stage`): a word is issued two cycles after fetch
/// shows it, at one instruction per cycle.
///
/// Issue side: `head_valid` / `head_index` / `head_past_end` as the fetch
/// unit's, and `pop`. The past-end marker is not queued: it shows once both
/// registers are empty and fetch is at the end. `clear` drops what is held (the
/// core is not running).
public struct DecodeStage: Module {
    public let config: CoreConfig

    public init(config: CoreConfig) {
        self.config = config
    }

    public var parameters: [Parameter] {
        [Parameter("V", config.vectorRegisters), Parameter("S", config.scalarRegisters)]
    }

    public func build(_ m: ModuleBuilder) {
        let fetchValid = m.input("fetch_valid", .bool)
        let fetchWord = m.input("fetch_word", .uint(Encoding.wordBits))
        let fetchIndex = m.input("fetch_index", .uint(32))
        let fetchPastEnd = m.input("fetch_past_end", .bool)
        let fetchPop = m.output("fetch_pop", .bool)
        let pop = m.input("pop", .bool)
        let clear = m.input("clear", .bool)
        let headValid = m.output("head_valid", .bool)
        let headIndex = m.output("head_index", .uint(32))
        let headPastEnd = m.output("head_past_end", .bool)

        // Why the word is registered before decoding: the fetch buffer's read and
        // word select, then the decoder and the issue classes, were one path.
        let fetched = m.instance(SkidBuffer(width: 32 + Encoding.wordBits), "fetched")
        let push = m.wire("push", fetchValid && !fetchPastEnd)
        fetched.in_valid.set(push)
        fetched.in_data.set(cat(fetchIndex, fetchWord))
        fetched.clear.set(clear)
        fetchPop.set(push && fetched.in_ready)
        let decoder = m.instance(InstructionDecoder(config: config), "decoder")
        decoder.word.set(fetched.out_data[Encoding.wordBits - 1, 0])
        // The decoder's outputs, held in the stage under the same names.
        var decoded = decoder.module.ports.filter(\.isOutputPort).map { port in
            (name: port.name, type: port.type, width: port.type.width, signal: decoder.port(port.name))
        }
        // The registers the instruction reads and writes as one-hot masks, and
        // the opcode classes the issue decision tests, worked out here so that
        // the decision starts from registers.
        for (name, mask) in registerMasks(decoder) + issueClasses(decoder) {
            decoded.append((name: name, type: .uint(mask.width!), width: mask.width!, signal: mask))
        }
        let outputs = decoded.map { m.output($0.name, $0.type) }

        let stage = m.instance(SkidBuffer(width: 32 + decoded.map(\.width).reduce(0, +)), "stage")
        stage.in_valid.set(fetched.out_valid)
        stage.in_data.set(cat([fetched.out_data[Encoding.wordBits + 31, Encoding.wordBits]] + decoded.map(\.signal)))
        fetched.out_ready.set(stage.in_ready)
        stage.out_ready.set(pop)
        stage.clear.set(clear)

        var field = 0
        for (d, out) in zip(decoded, outputs).reversed() {
            out.set(stage.out_data[field + d.width - 1, field].reinterpret(as: d.type))
            field += d.width
        }
        let atEnd = m.wire("at_end", !stage.out_valid && !fetched.out_valid && fetchPastEnd)
        headValid.set(stage.out_valid || atEnd)
        headPastEnd.set(atEnd)
        headIndex.set(mux(stage.out_valid, stage.out_data[field + 31, field], fetchIndex))
    }

    /// `unit_onehot` (bit i: `InstructionDecoder.units[i]`), `is_store` (`sv`,
    /// `sts`), `is_tmatmul`, `is_li`, and `imm_is_vl` (the immediate is a vector length
    /// `setvl` accepts: 1 ... max VL).
    func issueClasses(_ decoder: Instance) -> [(String, Signal)] {
        let op = decoder.opcode, imm = decoder.imm
        let code = opcodeLiteral
        let unitBits = InstructionDecoder.units.indices.reversed().map { decoder.unit == lit($0, width: 3) }
        return [("unit_onehot", cat(unitBits)),
                ("is_store", cat([op == code(.sv) || op == code(.sts)])),
                ("is_tmatmul", cat([op == code(.tmatmul)])),
                ("is_li", cat([op == code(.li)])),
                ("imm_is_vl", cat([imm != 0 && imm <= lit(config.maxVectorLength, width: Encoding.imm.width)]))]
    }

    /// `sources_v` (ra, rb and, for `mac`/`macp`, rd as vector sources),
    /// `dest_v` and `dest_s`.
    func registerMasks(_ decoder: Instance) -> [(String, Signal)] {
        let vregs = config.vectorRegisters, sregs = config.scalarRegisters
        let vectorUse = lit(InstructionDecoder.RegisterUse.vector.rawValue, width: 2)
        let scalarUse = lit(InstructionDecoder.RegisterUse.scalar.rawValue, width: 2)
        func oneHot(_ index: Signal, _ count: Int) -> Signal { lit(1, width: count) << index.truncate(to: Swift.max(1, addressWidth(count))) }
        func when(_ used: Signal, _ mask: Signal) -> Signal { mux(used, mask, lit(0, width: mask.width!)) }
        let op = decoder.opcode
        let code = opcodeLiteral
        let sources = when(decoder.ra_use == vectorUse, oneHot(decoder.ra, vregs))
            | when(decoder.rb_use == vectorUse, oneHot(decoder.rb, vregs))
            | when(op == code(.mac) || op == code(.macp), oneHot(decoder.rd, vregs))
        return [("sources_v", sources),
                ("dest_v", when(decoder.rd_use == vectorUse, oneHot(decoder.rd, vregs))),
                ("dest_s", when(decoder.rd_use == scalarUse, oneHot(decoder.rd, sregs)))]
    }
}
