import ISA

/// Settings of the constrained-random program generator.
public struct RandomProgramConfig: Sendable, Equatable {
    /// The instruction set configuration the programs are valid for.
    public var isa: CoreConfig
    /// Instructions per program, before the final `halt` (a `tmatmul` with
    /// its quantization sequence counts as one).
    public var length: ClosedRange<Int>
    /// Fraction of programs with one deliberate fault.
    public var faultRate: Double
    /// Largest vector length and matrix dimension used (capped at the
    /// maximum vector length); also sizes the data memory.
    public var vectorLimit: Int
    /// Elements per memory beat of the target core: vector lengths and
    /// addresses cluster around its multiples, where datapaths have edges.
    public var vectorLanes: Int
    /// The opcodes programs use (`halt` and `setvl` are always there), for
    /// bringing up a core one unit at a time.
    public var opcodes: Set<Opcode>
    /// The kinds of deliberate fault to plant.
    public var faults: [RandomProgram.PlantedFault]

    public init(isa: CoreConfig = .standard, length: ClosedRange<Int> = 10...60, faultRate: Double = 0.25,
                vectorLimit: Int = 256, vectorLanes: Int = 16, opcodes: Set<Opcode> = Set(Opcode.allCases),
                faults: [RandomProgram.PlantedFault] = RandomProgram.PlantedFault.allCases) {
        self.isa = isa
        self.length = length
        self.faultRate = faultRate
        self.vectorLimit = vectorLimit
        self.vectorLanes = vectorLanes
        self.opcodes = opcodes
        self.faults = faults
    }

    /// Only `halt`, `nop`, `setvl` and `li`, and the faults they can raise.
    public static func controlOnly(isa: CoreConfig) -> RandomProgramConfig {
        restricted(to: [.control], isa: isa)
    }

    /// Only the opcodes of `units` (control always), and the faults they can raise.
    public static func restricted(to units: Set<FunctionalUnit>, isa: CoreConfig, vectorLanes: Int = 16) -> RandomProgramConfig {
        let opcodes = Set(Opcode.allCases.filter { units.contains($0.spec.unit) || $0.spec.unit == .control })
        var faults: [RandomProgram.PlantedFault] = [.illegalWord, .badSetvl, .missingHalt]
        if units.contains(.loadStore) || units.contains(.ternary) { faults += [.addressOutOfRange, .misaligned] }
        if units.contains(.ternary) { faults += [.badMatrixShape, .badWeight] }
        return RandomProgramConfig(isa: isa, vectorLanes: vectorLanes, opcodes: opcodes, faults: faults)
    }

    var limit: Int { max(1, min(vectorLimit, isa.maxVectorLength)) }
}

/// A seeded, valid, constrained-random program: every opcode, random vector
/// lengths, aligned (and on purpose some misaligned or out-of-range)
/// addresses, register choices that favour recently used registers so
/// read-after-write, write-after-read and write-after-write chains are
/// frequent, `tmatmul` on random small matrices (after `absmax` and `quant`
/// at VL = cols, so the activations are int8 codes, most of the time), and
/// in a fraction of the programs one deliberate fault. The same seed and
/// configuration always give the same image.
public struct RandomProgram: Sendable {
    /// The kinds of deliberate fault.
    public enum PlantedFault: String, Sendable, CaseIterable {
        case illegalWord = "illegal word"
        case addressOutOfRange = "address out of range"
        case misaligned
        case badSetvl = "bad setvl"
        case badMatrixShape = "bad matrix shape"
        case badWeight = "bad weight"
        case missingHalt = "missing halt"

        /// The fault the interpreter reports for it.
        public var code: FaultCode {
            switch self {
            case .illegalWord: return .illegalInstruction
            case .addressOutOfRange: return .addressOutOfRange
            case .misaligned: return .misaligned
            case .badSetvl, .badMatrixShape: return .badVectorLength
            case .badWeight: return .badWeight
            case .missingHalt: return .fetchOutOfRange
            }
        }
    }

    public let seed: UInt64
    public let image: ProgramImage
    /// The deliberate fault and the index of the instruction that raises it
    /// (the code length for a missing halt); nil for a program that halts.
    public let planted: (fault: PlantedFault, index: Int)?

    public init(seed: UInt64, config: RandomProgramConfig = RandomProgramConfig()) {
        var g = Generator(seed: seed, config: config)
        let (image, planted) = g.program()
        self.seed = seed
        self.image = image
        self.planted = planted
    }
}

/// The generator's state while it writes one program.
private struct Generator {
    let config: RandomProgramConfig
    let limit: Int
    var rng: SplitMix
    var code: [UInt64] = []
    var data: [UInt8] = []
    var vl: Int
    var recentVectors: [UInt8] = []
    var recentScalars: [UInt8] = []

    /// A matrix in data memory.
    struct Matrix { let address: Int; let rows: Int; let cols: Int; let packing: WeightPacking }
    var matrices: [Matrix] = []
    var vectorWords = 0
    /// The stream stride SS the program set last, in words.
    var strideWords = 0

    init(seed: UInt64, config: RandomProgramConfig) {
        self.config = config
        self.limit = config.limit
        self.rng = SplitMix(seed)
        self.vl = config.isa.maxVectorLength
    }

    var one: Int64 { Int64(1) << Int64(config.isa.fracBits) }

    // MARK: Values

    /// A Q.F element: mostly modest values, some large, zero and extremes.
    mutating func element() -> Int32 {
        switch rng.below(20) {
        case 0..<10: return Int32(rng.range(-4 * one ... 4 * one))
        case 10..<14: return Int32(rng.range(-256 * one ... 256 * one))
        case 14..<16: return Int32(truncatingIfNeeded: rng.next())
        case 16: return 0
        default:
            let specials: [Int64] = [Int64(Int32.min), Int64(Int32.max), one, -one, 1, -1, one / 2]
            return Int32(specials[rng.below(specials.count)])
        }
    }

    mutating func put32(_ at: Int, _ v: UInt32) {
        for k in 0..<4 { data[at + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
    }

    /// A vector length: edges of beats and of the limit, or anything.
    mutating func length() -> Int {
        let lanes = config.vectorLanes
        let edges = [1, 2, lanes - 1, lanes, lanes + 1, 2 * lanes, limit - 1, limit].filter { $0 >= 1 && $0 <= limit }
        return rng.chance(0.5) ? edges[rng.below(edges.count)] : rng.range(1...Int64(limit)).int
    }

    // MARK: Data memory

    /// Vectors and scalars first, then the matrices, each 256-byte aligned.
    mutating func layOutData(plant: RandomProgram.PlantedFault?) {
        vectorWords = (config.isa.streams + 1) * limit + 64
        data = [UInt8](repeating: 0, count: 4 * vectorWords)
        for w in 0..<vectorWords { put32(4 * w, UInt32(bitPattern: element())) }
        for _ in 0..<rng.range(1...3).int {
            addMatrix(rows: matrixSize(), cols: matrixSize(), illegalInside: false)
        }
        switch plant {
        case .badWeight?: addMatrix(rows: matrixSize(), cols: matrixSize(), illegalInside: true)
        case .badMatrixShape?:
            let bad = [0, config.isa.maxVectorLength + 1, Int(UInt32.max)]
            if rng.chance(0.5) { addHeader(rows: bad[rng.below(bad.count)], cols: matrixSize()) } else { addHeader(rows: matrixSize(), cols: bad[rng.below(bad.count)]) }
        default: break
        }
    }

    mutating func matrixSize() -> Int {
        let edges = [1, 2, 3, 4, 5, 63, 64, 65, 255, 256, 257, config.vectorLanes, limit].filter { $0 <= limit }
        return rng.chance(0.4) ? edges[rng.below(edges.count)] : rng.range(1...Int64(min(limit, 40))).int
    }

    mutating func alignMatrix() { while data.count % TernaryMatrix.alignment != 0 { data.append(0) } }

    /// A header only (its rows or cols are out of range, so nothing else is read).
    mutating func addHeader(rows: Int, cols: Int) {
        alignMatrix()
        let at = data.count
        data += [UInt8](repeating: 0, count: TernaryMatrix.headerBytes)
        let scale = Int32(truncatingIfNeeded: rng.range(1...one))
        TernaryMatrix.writeHeader(rows: rows, cols: cols, weightScale: scale, into: &data, at: at)
        matrices.append(Matrix(address: at, rows: rows, cols: cols, packing: .twoBit))
    }

    mutating func addMatrix(rows: Int, cols: Int, illegalInside: Bool) {
        alignMatrix()
        let at = data.count
        let packing: WeightPacking = rng.chance(0.5) ? .twoBit : .base3
        let zeros = rng.uniform() * 0.6
        let trits = (0..<(rows * cols)).map { _ in rng.chance(zeros) ? Int8(0) : (rng.chance(0.5) ? Int8(1) : Int8(-1)) }
        // Usually mean|W| (a positive Q.F scale); sometimes any value.
        let scale: Int32 = rng.chance(0.9) ? Int32(rng.range(1...2 * one)) : Int32(truncatingIfNeeded: rng.next())
        var bytes = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: scale, trits: trits, packing: packing)
        // Junk in the padding (even illegal codes) must be ignored.
        if rng.chance(0.3) {
            for slot in TernaryMatrix.padding(rows: rows, cols: cols, packing: packing) where rng.chance(0.5) {
                switch slot {
                case .byte(let o): bytes[o] = UInt8(rng.below(256))
                case .codes(let o, let digits):
                    for d in digits { bytes[o] = bytes[o] & ~(3 << UInt8(2 * d)) | UInt8(rng.below(4)) << UInt8(2 * d) }
                }
            }
        }
        if illegalInside {
            let r = rng.below(rows), c = rng.below(cols)
            let (o, d) = TernaryMatrix.location(row: r, col: c, cols: cols, packing: packing)
            if packing == .twoBit {
                let shift = UInt8(2 * d)
                bytes[o] = (bytes[o] & ~(3 << shift)) | (0b10 << shift)
            } else {
                bytes[o] = UInt8(243 + rng.below(13))
            }
        }
        data += bytes
        matrices.append(Matrix(address: at, rows: rows, cols: cols, packing: packing))
    }

    // MARK: Registers

    /// Recently used registers most of the time, so dependencies are dense.
    mutating func vreg() -> UInt8 {
        let r = !recentVectors.isEmpty && rng.chance(0.7) ? recentVectors[rng.below(recentVectors.count)]
            : UInt8(rng.below(config.isa.vectorRegisters))
        recentVectors = Array(([r] + recentVectors.filter { $0 != r }).prefix(4))
        return r
    }

    mutating func sreg() -> UInt8 {
        let r = !recentScalars.isEmpty && rng.chance(0.5) ? recentScalars[rng.below(recentScalars.count)]
            : UInt8(rng.below(config.isa.scalarRegisters))
        recentScalars = Array(([r] + recentScalars.filter { $0 != r }).prefix(3))
        return r
    }

    // MARK: Addresses

    /// A word address where `count` words fit in the vector area,
    /// beat-aligned half of the time (`span` more words for per-stream accesses).
    mutating func vectorAddress(_ count: Int, span: Int = 0) -> UInt32 {
        let last = vectorWords - count - span
        var w = rng.range(0...Int64(last)).int
        let lanes = config.vectorLanes
        if rng.chance(0.5) { w = w / lanes * lanes }
        return UInt32(4 * w)
    }

    var memorySize: Int { (data.count + TernaryMatrix.alignment - 1) / TernaryMatrix.alignment * TernaryMatrix.alignment }

    // MARK: Instructions

    mutating func emit(_ ins: Instruction) { code.append(ins.word) }

    /// A memory instruction on `count` words: per stream (`addr + s * SS`)
    /// half of the time when every stream's words fit, else shared.
    mutating func memory(_ op: Opcode, rd: UInt8 = 0, ra: UInt8 = 0, count: Int) {
        let span = (config.isa.streams - 1) * strideWords
        let perStream = rng.chance(0.5) && count + span <= vectorWords
        let mode = perStream ? StreamAddressing.perStream : .shared
        let address = count == 1 && rng.chance(0.5) ? UInt32(4 * rng.below(vectorWords - (perStream ? span : 0)))
            : vectorAddress(count, span: perStream ? span : 0)
        emit(Instruction(op, rd: rd, ra: ra, mode: mode.rawValue, imm: address))
    }

    /// `setss`: a stride of whole beats half of the time, so streams' vectors fit beside each other.
    mutating func setStride() {
        let most = max(0, (vectorWords - 64) / max(1, config.isa.streams))
        var w = rng.range(0...Int64(most)).int
        if rng.chance(0.5) { w = w / config.vectorLanes * config.vectorLanes }
        strideWords = w
        emit(Instruction(.setss, imm: UInt32(4 * w)))
    }

    mutating func setvl(_ n: Int) {
        emit(Instruction(.setvl, imm: UInt32(n)))
        vl = n
    }

    /// One instruction (or a short sequence) chosen by weight.
    mutating func instruction() {
        let table: [(Opcode, Int)] = [
            (.setvl, 6), (.li, 6), (.nop, 1), (.ldv, 8), (.sv, 6), (.lds, 3), (.sts, 3),
            (.setss, 2), (.add, 3), (.sub, 3), (.mul, 3), (.div, 3), (.mac, 4), (.macp, 3), (.lba, 3),
            (.adds, 2), (.muls, 2), (.bcast, 2), (.mv, 2),
            (.exp, 2), (.sig, 2), (.csig, 2), (.silu, 2), (.rsqrt, 2),
            (.absmax, 2), (.quant, 2), (.norm, 3), (.tmatmul, 6),
        ].filter { config.opcodes.contains($0.0) || $0.0 == .setvl }
        var pick = rng.below(table.reduce(0) { $0 + $1.1 })
        var op = Opcode.nop
        for (o, w) in table {
            if pick < w { op = o; break }
            pick -= w
        }
        switch op {
        case .halt, .nop: emit(Instruction(.nop))
        case .setvl: setvl(length())
        case .li: emit(Instruction(.li, rd: sreg(), imm: UInt32(bitPattern: element())))
        case .setss: setStride()
        case .ldv: memory(.ldv, rd: vreg(), count: vl)
        case .sv: memory(.sv, ra: vreg(), count: vl)
        case .lds: memory(.lds, rd: sreg(), count: 1)
        case .sts: memory(.sts, ra: sreg(), count: 1)
        case .add, .sub, .mul, .div, .mac, .macp, .lba, .norm:
            // Sources first, then the destination: often one of them.
            let a = vreg(), b = vreg(), d = vreg()
            let eps: UInt32 = op == .norm ? [0, 4295, UInt32(rng.below(1 << 20)), UInt32(truncatingIfNeeded: rng.next())][rng.below(4)] : 0
            emit(Instruction(op, rd: d, ra: a, rb: b, imm: eps))
        case .adds, .muls, .quant:
            let a = vreg(), s = sreg(), d = vreg()
            emit(Instruction(op, rd: d, ra: a, rb: s))
        case .bcast:
            let s = sreg()
            emit(Instruction(.bcast, rd: vreg(), ra: s))
        case .mv, .exp, .sig, .csig, .silu, .rsqrt:
            let a = vreg()
            emit(Instruction(op, rd: vreg(), ra: a))
        case .absmax:
            let a = vreg()
            emit(Instruction(.absmax, rd: sreg(), ra: a))
        case .tmatmul: matrixProduct()
        }
    }

    /// `tmatmul` on a good matrix: usually `setvl cols; absmax; quant` first.
    mutating func matrixProduct() {
        let good = matrices.filter { $0.rows >= 1 && $0.rows <= limit && $0.cols >= 1 && $0.cols <= limit && !isBad($0) }
        guard !good.isEmpty else { return }
        let m = good[rng.below(good.count)]
        if rng.chance(0.8) {
            if vl != m.cols { setvl(m.cols) }
            let x = vreg(), s = sreg(), q = vreg()
            emit(Instruction(.absmax, rd: s, ra: x))
            emit(Instruction(.quant, rd: q, ra: x, rb: s))
            emit(Instruction(.tmatmul, rd: vreg(), ra: q, rb: s, mode: m.packing.rawValue, imm: UInt32(m.address)))
        } else {
            let a = vreg(), s = sreg()
            emit(Instruction(.tmatmul, rd: vreg(), ra: a, rb: s, mode: m.packing.rawValue, imm: UInt32(m.address)))
        }
    }

    var badMatrix: Matrix?
    func isBad(_ m: Matrix) -> Bool { m.address == badMatrix?.address }

    /// Which instruction carries a planted memory fault: 0 ldv, 1 sv, 2 lds,
    /// 3 sts, 4 tmatmul, among the opcodes allowed.
    mutating func memoryVariant() -> Int {
        let allowed = [Opcode.ldv, .sv, .lds, .sts, .tmatmul].enumerated().filter { config.opcodes.contains($0.element) }.map(\.offset)
        return allowed.isEmpty ? 4 : allowed[rng.below(allowed.count)]
    }

    /// The faulting instruction of a planted fault.
    /// Emits the instructions of a planted fault; returns the index of the one that faults.
    mutating func plant(_ fault: RandomProgram.PlantedFault) -> Int {
        let size = UInt32(memorySize)
        // With several streams, half of the memory faults come from a later stream only.
        if config.isa.streams > 1 && (fault == .addressOutOfRange || fault == .misaligned) && rng.chance(0.5) {
            return laterStreamFault(fault == .misaligned)
        }
        let at = code.count
        switch fault {
        case .illegalWord:
            let assigned = Set(Opcode.allCases.map(\.rawValue))
            switch rng.below(4) {
            case 0:
                var op: UInt8
                repeat { op = UInt8(truncatingIfNeeded: rng.next()) } while assigned.contains(op)
                code.append(UInt64(op) << 56 | rng.next() >> 8)
            case 1:
                code.append(Instruction(.add, rd: vreg(), ra: vreg(), rb: vreg()).word | UInt64(rng.range(1...15)) << 40)
            case 2:
                // A field the opcode does not use: imm of a register op, or mode.
                let base = Instruction(.mv, rd: vreg(), ra: vreg()).word
                code.append(rng.chance(0.5) ? base | UInt64(rng.range(1...0xFFFF_FFFF)) : base | UInt64(rng.range(1...255)) << 32)
            default:
                let m = matrices[0]
                let word = Instruction(.tmatmul, rd: vreg(), ra: vreg(), rb: sreg(), imm: UInt32(m.address)).word
                code.append(word | UInt64(rng.range(2...255)) << 32)
            }
        case .addressOutOfRange:
            switch memoryVariant() {
            case 0: emit(Instruction(.ldv, rd: vreg(), imm: size - UInt32(4 * vl) + UInt32(4 * rng.range(1...8))))
            case 1: emit(Instruction(.sv, ra: vreg(), imm: UInt32.max & ~3 - UInt32(4 * rng.below(4))))
            case 2: emit(Instruction(.lds, rd: sreg(), imm: size + UInt32(4 * rng.below(4))))
            case 3: emit(Instruction(.sts, ra: sreg(), imm: size))
            default:
                // A matrix whose header is in memory but whose rows are not.
                emit(Instruction(.tmatmul, rd: vreg(), ra: vreg(), rb: sreg(), imm: size - UInt32(TernaryMatrix.headerBytes)))
            }
        case .misaligned:
            let off = UInt32(rng.range(1...3))
            switch memoryVariant() {
            case 0: emit(Instruction(.ldv, rd: vreg(), imm: vectorAddress(vl) + off))
            case 1: emit(Instruction(.sv, ra: vreg(), imm: vectorAddress(vl) + off))
            case 2: emit(Instruction(.lds, rd: sreg(), imm: vectorAddress(1) + off))
            case 3: emit(Instruction(.sts, ra: sreg(), imm: vectorAddress(1) + off))
            default:
                let m = matrices[0]
                emit(Instruction(.tmatmul, rd: vreg(), ra: vreg(), rb: sreg(), imm: UInt32(m.address) + 4 * UInt32(rng.range(1...63))))
            }
        case .badSetvl:
            let bad: [UInt32] = [0, UInt32(config.isa.maxVectorLength + 1), UInt32.max, 0x8000_0000,
                                 UInt32(config.isa.maxVectorLength) + UInt32(rng.range(2...1000))]
            emit(Instruction(.setvl, imm: bad[rng.below(bad.count)]))
        case .badMatrixShape, .badWeight:
            let m = badMatrix!
            emit(Instruction(.tmatmul, rd: vreg(), ra: vreg(), rb: sreg(), mode: m.packing.rawValue, imm: UInt32(m.address)))
        case .missingHalt:
            break
        }
        return at
    }

    /// A `.s` memory instruction whose stream 0 is in range and aligned but
    /// whose stream 1 is not (a stride not a multiple of 4, or past the
    /// memory, or past 2^32 - 1 from stream 1 or 2): stream 0's store stays.
    mutating func laterStreamFault(_ misaligned: Bool) -> Int {
        let size = UInt64(memorySize)
        let stride: UInt64 = misaligned ? 4 * UInt64(rng.below(64)) + UInt64(rng.range(1...3))
            : [size, size + 4 * UInt64(rng.below(16)), 0xFFFF_FFFC, 0x8000_0000][rng.below(4)]
        strideWords = 0
        emit(Instruction(.setss, imm: UInt32(stride)))
        let op: Opcode = [.ldv, .sv, .lds, .sts][rng.below(4)]
        let vector = op == .ldv || op == .sv
        let address = vectorAddress(vector ? vl : 1)
        let at = code.count
        switch op {
        case .ldv, .lds: emit(Instruction(op, rd: op == .ldv ? vreg() : sreg(), mode: StreamAddressing.perStream.rawValue, imm: address))
        default: emit(Instruction(op, ra: op == .sv ? vreg() : sreg(), mode: StreamAddressing.perStream.rawValue, imm: address))
        }
        return at
    }

    mutating func program() -> (ProgramImage, (fault: RandomProgram.PlantedFault, index: Int)?) {
        let fault: RandomProgram.PlantedFault? = rng.chance(config.faultRate) && !config.faults.isEmpty
            ? config.faults[rng.below(config.faults.count)] : nil
        layOutData(plant: fault)
        if fault == .badWeight || fault == .badMatrixShape { badMatrix = matrices.last }
        if fault == .addressOutOfRange {
            // Room for the header-only case: a matrix header in the last 256 bytes.
            alignMatrix()
            let at = data.count
            data += [UInt8](repeating: 0, count: TernaryMatrix.headerBytes)
            let rows = Int(rng.range(1...Int64(limit))), cols = Int(rng.range(1...Int64(limit)))
            TernaryMatrix.writeHeader(rows: rows, cols: cols, weightScale: 0, into: &data, at: at)
        }
        // Start from a vector length the memory holds (VL resets to the maximum).
        if vl > limit || rng.chance(0.5) { setvl(length()) }
        let count = rng.range(Int64(config.length.lowerBound)...Int64(config.length.upperBound)).int
        let at = fault == nil || fault == .missingHalt ? -1 : rng.below(max(1, count))
        var planted: (fault: RandomProgram.PlantedFault, index: Int)?
        for i in 0..<count {
            if i == at, let fault {
                planted = (fault, plant(fault))
            }
            instruction()
        }
        if fault == .missingHalt {
            planted = (.missingHalt, code.count)
        } else {
            emit(Instruction(.halt))
        }
        let image = ProgramImage(fracBits: config.isa.fracBits, streams: config.isa.streams, memorySize: UInt32(memorySize), code: code,
                                 data: [ProgramImage.DataSection(address: 0, bytes: data)])
        return (image, planted)
    }
}

/// SplitMix64, private to the generator so a seed means the same program
/// in every build.
private struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func range(_ r: ClosedRange<Int64>) -> Int64 {
        r.lowerBound + Int64(bitPattern: next() % UInt64(r.upperBound - r.lowerBound + 1))
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func chance(_ p: Double) -> Bool { uniform() < p }
}

private extension Int64 {
    var int: Int { Int(self) }
}
