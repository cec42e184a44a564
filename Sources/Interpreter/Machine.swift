import ISA

/// A fault: what went wrong and the index of the faulting instruction.
public struct Fault: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: FaultCode
    public let index: Int
    public let detail: String
    public var description: String { "fault \(code.name) (code \(code.rawValue)) at instruction \(index): \(detail)" }
}

/// The golden interpreter: executes a program image exactly as the ISA
/// reference specifies, one instruction at a time.
public final class Machine {
    public enum Status: Equatable, Sendable {
        case running, halted
        case faulted(Fault)
    }

    public enum SetupError: Error, CustomStringConvertible {
        case fracBitsMismatch(image: Int, config: Int)
        case badConfig([String])
        public var description: String {
            switch self {
            case .fracBitsMismatch(let i, let c):
                return "program was assembled for \(i) fraction bits, the core has \(c)"
            case .badConfig(let p): return "bad core configuration: " + p.joined(separator: "; ")
            }
        }
    }

    public let config: CoreConfig
    public let code: [UInt64]
    public var memory: [UInt8]
    /// Vector register file, register r element i at `r * maxVectorLength + i`.
    public var vregs: [Int32]
    public var sregs: [Int32]
    public var vl: Int
    /// Index of the next instruction.
    public private(set) var pc: Int = 0
    public private(set) var retired: Int = 0
    public private(set) var status: Status = .running
    /// Called with every retirement record when set.
    public var onRetire: ((RetireRecord) -> Void)?
    /// Saturated elements of the retired instructions, by opcode raw value
    /// (ISA.md, "Where values saturate"); cleared by `restart()`.
    private var saturationsByOpcode = [Int](repeating: 0, count: 256)
    /// Saturated elements of the instruction executing now.
    var saturating = 0

    let f: Int
    let maxVL: Int
    var kernel: TernaryKernel?
    var scratch: [Int32]

    public init(image: ProgramImage, config: CoreConfig = .standard) throws {
        let p = config.problems
        if !p.isEmpty { throw SetupError.badConfig(p) }
        guard image.fracBits == config.fracBits else {
            throw SetupError.fracBitsMismatch(image: image.fracBits, config: config.fracBits)
        }
        self.config = config
        self.code = image.code
        self.memory = image.memory()
        self.maxVL = config.maxVectorLength
        self.vregs = [Int32](repeating: 0, count: config.vectorRegisters * config.maxVectorLength)
        self.sregs = [Int32](repeating: 0, count: config.scalarRegisters)
        self.vl = config.maxVectorLength
        self.f = config.fracBits
        self.scratch = [Int32](repeating: 0, count: config.maxVectorLength)
    }

    /// Starts the program again from instruction 0 with cleared registers and
    /// VL at its reset value, keeping the data memory: how a host runs one
    /// compiled token step after another, the recurrent state carried in memory.
    public func restart() {
        vregs.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        sregs.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        vl = maxVL
        pc = 0
        retired = 0
        status = .running
        saturationsByOpcode.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Saturated elements per instruction kind since the start or the last `restart()`.
    public var saturations: SaturationCounts {
        var counts = SaturationCounts()
        for (raw, n) in saturationsByOpcode.enumerated() where n != 0 {
            if let op = Opcode(rawValue: UInt8(raw)) { counts.add(n, for: op) }
        }
        return counts
    }

    /// The first VL elements (or `count`) of vector register `r`.
    public func vector(_ r: Int, count: Int? = nil) -> [Int32] {
        let n = count ?? vl
        return Array(vregs[(r * maxVL)..<(r * maxVL + n)])
    }

    public func setVector(_ r: Int, _ values: [Int32]) {
        precondition(values.count <= maxVL)
        vregs.replaceSubrange((r * maxVL)..<(r * maxVL + values.count), with: values)
    }

    /// Reads `count` 32-bit words at `address` (nil when out of range).
    public func words(at address: Int, count: Int) -> [Int32]? {
        guard address >= 0, count >= 0, address <= memory.count, (memory.count - address) / 4 >= count else { return nil }
        return (0..<count).map { load32(address + 4 * $0) }
    }

    /// Runs until halt, fault, or `maxSteps` retirements. Returns the status.
    @discardableResult
    public func run(maxSteps: Int = Int.max) -> Status {
        var steps = 0
        while status == .running && steps < maxSteps {
            step()
            steps += 1
        }
        return status
    }

    // MARK: - Memory

    @inline(__always) func load32(_ a: Int) -> Int32 {
        memory.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(fromByteOffset: a, as: Int32.self)) }
    }
    @inline(__always) func store32(_ a: Int, _ v: Int32) {
        memory.withUnsafeMutableBytes { $0.storeBytes(of: v.littleEndian, toByteOffset: a, as: Int32.self) }
    }

    /// Checks an access of `bytes` bytes at `address` with `align`.
    func check(_ address: UInt32, bytes: Int, align: Int) throws(Fault) -> Int {
        let a = Int(address)
        if a % align != 0 {
            throw Fault(code: .misaligned, index: pc, detail: "address \(Hex.word(address)) is not a multiple of \(align)")
        }
        if bytes > memory.count || a > memory.count - bytes {
            throw Fault(code: .addressOutOfRange, index: pc,
                        detail: "access of \(bytes) bytes at \(Hex.word(address)) exceeds memory of \(memory.count) bytes")
        }
        return a
    }

    // MARK: - Execution

    /// Executes one instruction (no effect unless running).
    public func step() {
        guard status == .running else { return }
        guard pc < code.count else {
            status = .faulted(Fault(code: .fetchOutOfRange, index: pc, detail: "no instruction at index \(pc) (code has \(code.count)); missing halt"))
            return
        }
        let ins: Instruction
        switch Instruction.decode(code[pc], config: config) {
        case .success(let i): ins = i
        case .failure(let why):
            status = .faulted(Fault(code: .illegalInstruction, index: pc,
                                    detail: "word 0x\(Hex.digits(code[pc], 16)): \(why)"))
            return
        }
        do {
            saturating = 0
            let rec = try execute(ins)
            saturationsByOpcode[Int(ins.opcode.rawValue)] += saturating
            onRetire?(rec)
            retired += 1
            pc += 1
            if ins.opcode == .halt { status = .halted }
        } catch {
            status = .faulted(error)
        }
    }

    func record(_ ins: Instruction, _ kind: DestinationKind, _ idx: UInt32, _ count: Int, _ digest: UInt32) -> RetireRecord {
        RetireRecord(index: UInt32(truncatingIfNeeded: pc), opcode: ins.opcode.rawValue, destination: kind,
                     destinationIndex: idx, count: UInt32(truncatingIfNeeded: count), digest: digest,
                     saturations: UInt32(truncatingIfNeeded: saturating))
    }

    func vectorRecord(_ ins: Instruction, count: Int) -> RetireRecord {
        let base = Int(ins.rd) * maxVL
        let d = vregs.withUnsafeBufferPointer { Digest.of(UnsafeBufferPointer(rebasing: $0[base..<(base + count)])) }
        return record(ins, .vector, UInt32(ins.rd), count, d)
    }

    /// Applies `op` element-wise over VL elements: vd[i] = op(va[i], vb[i], vd[i]),
    /// counting the elements it saturated.
    @inline(__always)
    func elementwise(_ ins: Instruction, _ op: (Int32, Int32, Int32) -> Numeric.Clamped) -> RetireRecord {
        let n = vl, m = maxVL
        let d = Int(ins.rd) * m, a = Int(ins.ra) * m, b = Int(ins.rb) * m
        var clamped = 0
        vregs.withUnsafeMutableBufferPointer { v in
            for i in 0..<n {
                let r = op(v[a + i], v[b + i], v[d + i])
                v[d + i] = r.value
                clamped &+= r.saturated ? 1 : 0
            }
        }
        saturating = clamped
        return vectorRecord(ins, count: n)
    }

    func execute(_ ins: Instruction) throws(Fault) -> RetireRecord {
        let f = self.f
        switch ins.opcode {
        case .halt, .nop:
            return record(ins, .none, 0, 0, 0)
        case .setvl:
            let n = Int(ins.imm)
            guard n >= 1 && n <= maxVL else {
                throw Fault(code: .badVectorLength, index: pc, detail: "setvl \(n) outside 1...\(maxVL)")
            }
            vl = n
            return record(ins, .vectorLength, 0, 1, Digest.of(CollectionOfOne(Int32(n))))
        case .li:
            let v = Int32(bitPattern: ins.imm)
            sregs[Int(ins.rd)] = v
            return record(ins, .scalar, UInt32(ins.rd), 1, Digest.of(CollectionOfOne(v)))
        case .ldv:
            let a = try check(ins.imm, bytes: 4 * vl, align: 4)
            let base = Int(ins.rd) * maxVL
            for i in 0..<vl { vregs[base + i] = load32(a + 4 * i) }
            return vectorRecord(ins, count: vl)
        case .sv:
            let a = try check(ins.imm, bytes: 4 * vl, align: 4)
            let base = Int(ins.ra) * maxVL
            for i in 0..<vl { store32(a + 4 * i, vregs[base + i]) }
            let d = vregs.withUnsafeBufferPointer { Digest.of(UnsafeBufferPointer(rebasing: $0[base..<(base + vl)])) }
            return record(ins, .memory, ins.imm, vl, d)
        case .lds:
            let a = try check(ins.imm, bytes: 4, align: 4)
            let v = load32(a)
            sregs[Int(ins.rd)] = v
            return record(ins, .scalar, UInt32(ins.rd), 1, Digest.of(CollectionOfOne(v)))
        case .sts:
            let a = try check(ins.imm, bytes: 4, align: 4)
            let v = sregs[Int(ins.ra)]
            store32(a, v)
            return record(ins, .memory, ins.imm, 1, Digest.of(CollectionOfOne(v)))
        case .add: return elementwise(ins) { a, b, _ in Numeric.addReporting(a, b) }
        case .sub: return elementwise(ins) { a, b, _ in Numeric.subReporting(a, b) }
        case .mul: return elementwise(ins) { a, b, _ in Numeric.mulReporting(a, b, f: f) }
        case .div: return elementwise(ins) { a, b, _ in Numeric.divReporting(a, b, f: f) }
        case .mac: return elementwise(ins) { a, b, d in Numeric.macReporting(d, a, b, f: f) }
        case .lba: return elementwise(ins) { a, b, _ in Numeric.lbaReporting(a, b, f: f) }
        case .adds:
            let s = sregs[Int(ins.rb)]
            return elementwise(ins) { a, _, _ in Numeric.addReporting(a, s) }
        case .muls:
            let s = sregs[Int(ins.rb)]
            return elementwise(ins) { a, _, _ in Numeric.mulReporting(a, s, f: f) }
        case .bcast:
            let s = sregs[Int(ins.ra)]
            return elementwise(ins) { _, _, _ in (s, false) }
        case .mv: return elementwise(ins) { a, _, _ in (a, false) }
        case .exp: return elementwise(ins) { a, _, _ in Numeric.expReporting(a, f: f) }
        case .sig: return elementwise(ins) { a, _, _ in (Numeric.sigmoid(a, f: f), false) }
        case .csig: return elementwise(ins) { a, _, _ in (Numeric.csig(a, f: f), false) }
        case .silu: return elementwise(ins) { a, _, _ in Numeric.siluReporting(a, f: f) }
        case .rsqrt: return elementwise(ins) { a, _, _ in Numeric.rsqrtReporting(a, f: f) }
        case .absmax:
            let base = Int(ins.ra) * maxVL
            let (m, clamped) = vregs.withUnsafeBufferPointer {
                Numeric.absmaxReporting(UnsafeBufferPointer(rebasing: $0[base..<(base + vl)]))
            }
            saturating = clamped ? 1 : 0
            sregs[Int(ins.rd)] = m
            return record(ins, .scalar, UInt32(ins.rd), 1, Digest.of(CollectionOfOne(m)))
        case .quant:
            let q = Numeric.quantMultiplier(sregs[Int(ins.rb)])
            return elementwise(ins) { a, _, _ in Numeric.quantizeReporting(a, multiplier: q) }
        case .norm:
            let base = Int(ins.ra) * maxVL
            let scale = vregs.withUnsafeBufferPointer {
                Numeric.rmsScale(UnsafeBufferPointer(rebasing: $0[base..<(base + vl)]), epsQ: ins.imm, f: f)
            }
            return elementwise(ins) { x, w, _ in Numeric.rmsApplyReporting(x, scale: scale, weight: w, f: f) }
        case .tmatmul:
            return try tmatmul(ins)
        }
    }

    func tmatmul(_ ins: Instruction) throws(Fault) -> RetireRecord {
        let a = try check(ins.imm, bytes: TernaryMatrix.headerBytes, align: TernaryMatrix.alignment)
        let rowsU = UInt32(bitPattern: load32(a)), colsU = UInt32(bitPattern: load32(a + 4))
        let ws = load32(a + 8)
        guard rowsU >= 1 && Int(rowsU) <= maxVL && colsU >= 1 && Int(colsU) <= maxVL else {
            throw Fault(code: .badVectorLength, index: pc,
                        detail: "matrix at \(Hex.word(ins.imm)) is \(rowsU) x \(colsU), rows and cols must be 1...\(maxVL)")
        }
        let rows = Int(rowsU), cols = Int(colsU)
        let packing = WeightPacking(rawValue: ins.mode) ?? .twoBit
        let total = TernaryMatrix.totalBytes(rows: rows, cols: cols, packing: packing)
        _ = try check(ins.imm, bytes: total, align: TernaryMatrix.alignment)
        if kernel == nil { kernel = TernaryKernel(cols: cols, packing: packing) } else { kernel!.configure(cols: cols, packing: packing) }
        let src = Int(ins.ra) * maxVL
        vregs.withUnsafeBufferPointer { v in
            kernel!.load(UnsafeBufferPointer(rebasing: v[src..<(src + cols)]))
        }
        let bad: TernaryMatrix.IllegalWeight? = memory.withUnsafeBytes { mem in
            scratch.withUnsafeMutableBufferPointer { out in
                kernel!.accumulate(rows: rows,
                                   weights: UnsafeRawBufferPointer(rebasing: mem[(a + TernaryMatrix.headerBytes)..<(a + total)]),
                                   out: out)
            }
        }
        if let b = bad {
            throw Fault(code: .badWeight, index: pc,
                        detail: "matrix at \(Hex.word(ins.imm)) holds an illegal weight code at row \(b.row), column \(b.col)")
        }
        let k = Numeric.matmulScale(weightScale: ws, activationScale: sregs[Int(ins.rb)])
        let dst = Int(ins.rd) * maxVL
        let f = self.f
        var clamped = 0
        scratch.withUnsafeBufferPointer { acc in
            vregs.withUnsafeMutableBufferPointer { v in
                for r in 0..<rows {
                    let y = Numeric.matmulOutputReporting(acc[r], scale: k, f: f)
                    v[dst + r] = y.value
                    clamped &+= y.saturated ? 1 : 0
                }
            }
        }
        saturating = clamped
        return vectorRecord(ins, count: rows)
    }
}
