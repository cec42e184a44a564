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
        case streamsMismatch(image: Int, config: Int)
        case badConfig([String])
        public var description: String {
            switch self {
            case .fracBitsMismatch(let i, let c):
                return "program was assembled for \(i) fraction bits, the core has \(c)"
            case .streamsMismatch(let i, let c):
                return "program was written for \(i) stream\(i == 1 ? "" : "s"), the core runs only \(c)"
            case .badConfig(let p): return "bad core configuration: " + p.joined(separator: "; ")
            }
        }
    }

    public let config: CoreConfig
    /// The program; replacing it between runs keeps the data memory.
    public var code: [UInt64]
    public var memory: [UInt8]
    /// Vector registers, stream-major: stream s's register r element i at
    /// `(s * vectorRegisters + r) * maxVectorLength + i` (stream 0 first).
    public var vregs: [Int32]
    /// Scalar registers, stream s's register r at `s * scalarRegisters + r`.
    public var sregs: [Int32]
    public var vl: Int
    /// The stream stride SS of per-stream memory accesses.
    public private(set) var streamStride: UInt32 = 0
    /// Index of the next instruction.
    public private(set) var pc: Int = 0
    public private(set) var retired: Int = 0
    public private(set) var status: Status = .running
    /// Called with every retirement record when set.
    public var onRetire: ((RetireRecord) -> Void)?
    /// Saturated elements of the retired instructions, by opcode raw value
    /// (ISA.md, "Where values saturate"); cleared by `restart()`.
    private var saturationsByOpcode = [Int](repeating: 0, count: 256)
    /// Saturated elements of the instruction executing now, in the stream executing now.
    var saturating = 0

    let f: Int
    let maxVL: Int
    /// The active streams: the image's (at most `config.streams`; the
    /// core's streams beyond them do nothing, ISA.md "Streams").
    public let streams: Int
    /// The stream executing now.
    var stream = 0
    /// One per stream, so each keeps the tables of its own last input (gate and up share them).
    var kernels: [TernaryKernel?]
    var scratch: [Int32]

    public init(image: ProgramImage, config: CoreConfig = .standard) throws {
        let p = config.problems
        if !p.isEmpty { throw SetupError.badConfig(p) }
        guard image.fracBits == config.fracBits else {
            throw SetupError.fracBitsMismatch(image: image.fracBits, config: config.fracBits)
        }
        // A core of B streams runs a program of S <= B streams with S active.
        guard image.streams <= config.streams else {
            throw SetupError.streamsMismatch(image: image.streams, config: config.streams)
        }
        self.config = config
        self.code = image.code
        self.memory = image.memory()
        self.maxVL = config.maxVectorLength
        self.streams = image.streams
        self.vregs = [Int32](repeating: 0, count: config.streams * config.vectorRegisters * config.maxVectorLength)
        self.sregs = [Int32](repeating: 0, count: config.streams * config.scalarRegisters)
        self.vl = config.maxVectorLength
        self.f = config.fracBits
        self.scratch = [Int32](repeating: 0, count: config.maxVectorLength)
        self.kernels = [TernaryKernel?](repeating: nil, count: streams)
    }

    /// Starts the program again from instruction 0 with cleared registers and
    /// VL at its reset value, keeping the data memory: how a host runs one
    /// compiled token step after another, the recurrent state carried in memory.
    public func restart() {
        vregs.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        sregs.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        vl = maxVL
        streamStride = 0
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

    /// The first VL elements (or `count`) of vector register `r` of `stream`.
    public func vector(_ r: Int, count: Int? = nil, stream: Int = 0) -> [Int32] {
        let n = count ?? vl, base = (stream * config.vectorRegisters + r) * maxVL
        return Array(vregs[base..<(base + n)])
    }

    public func setVector(_ r: Int, _ values: [Int32], stream: Int = 0) {
        precondition(values.count <= maxVL)
        let base = (stream * config.vectorRegisters + r) * maxVL
        vregs.replaceSubrange(base..<(base + values.count), with: values)
    }

    /// Scalar register `r` of `stream`.
    public func scalar(_ r: Int, stream: Int = 0) -> Int32 { sregs[stream * config.scalarRegisters + r] }

    /// Where vector register `r` of the stream executing now starts in `vregs`.
    @inline(__always) func vbase(_ r: UInt8) -> Int { (stream * config.vectorRegisters + Int(r)) * maxVL }
    /// Scalar register `r` of the stream executing now, as an index into `sregs`.
    @inline(__always) func sindex(_ r: UInt8) -> Int { stream * config.scalarRegisters + Int(r) }

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

    /// Checks an access of `bytes` bytes at byte `address` with `align`.
    func check(_ address: Int, bytes: Int, align: Int) throws(Fault) -> Int {
        let a = address
        let shown = a <= Int(UInt32.max) ? Hex.word(UInt32(a)) : "0x" + String(a, radix: 16)
        if a % align != 0 {
            throw Fault(code: .misaligned, index: pc, detail: "address \(shown) is not a multiple of \(align)")
        }
        if bytes > memory.count || a > memory.count - bytes {
            throw Fault(code: .addressOutOfRange, index: pc,
                        detail: "access of \(bytes) bytes at \(shown)\(streams > 1 ? " (stream \(stream))" : "") exceeds memory of \(memory.count) bytes")
        }
        return a
    }

    /// The address a memory instruction accesses in the stream executing now (ISA.md, "Streams").
    func address(_ ins: Instruction) -> Int {
        Int(ins.imm) + (ins.mode == StreamAddressing.perStream.rawValue ? stream * Int(streamStride) : 0)
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
        let base = vbase(ins.rd)
        let d = vregs.withUnsafeBufferPointer { Digest.of(UnsafeBufferPointer(rebasing: $0[base..<(base + count)])) }
        return record(ins, .vector, UInt32(ins.rd), count, d)
    }

    /// Applies `op` element-wise over VL elements: vd[i] = op(va[i], vb[i], vd[i]),
    /// counting the elements it saturated. `vb` defaults to the instruction's rb.
    @inline(__always)
    func elementwise(_ ins: Instruction, b: Int? = nil, _ op: (Int32, Int32, Int32) -> Numeric.Clamped) -> RetireRecord {
        let n = vl
        let d = vbase(ins.rd), a = vbase(ins.ra), b = b ?? vbase(ins.rb)
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

    /// Runs `ins`: the control instructions once, every other one for each
    /// stream in order, their records summed (ISA.md, "Streams").
    func execute(_ ins: Instruction) throws(Fault) -> RetireRecord {
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
        case .setss:
            streamStride = ins.imm
            return record(ins, .none, 0, 1, ins.imm)
        case .li:
            let v = Int32(bitPattern: ins.imm)
            for s in 0..<streams { sregs[s * config.scalarRegisters + Int(ins.rd)] = v }
            return record(ins, .scalar, UInt32(ins.rd), streams, UInt32(bitPattern: v) &* UInt32(streams))
        default:
            stream = 0
            var total = try executeInStream(ins)
            var clamped = saturating
            for s in 1..<streams {
                stream = s
                let r = try executeInStream(ins)
                total.count &+= r.count
                total.digest &+= r.digest
                clamped += saturating
            }
            stream = 0
            saturating = clamped
            total.saturations = UInt32(truncatingIfNeeded: clamped)
            return total
        }
    }

    /// One stream's part of a data instruction.
    func executeInStream(_ ins: Instruction) throws(Fault) -> RetireRecord {
        let f = self.f
        switch ins.opcode {
        case .halt, .nop, .setvl, .setss, .li:
            preconditionFailure("\(ins.opcode) runs once, not per stream")
        case .ldv:
            let a = try check(address(ins), bytes: 4 * vl, align: 4)
            let base = vbase(ins.rd)
            for i in 0..<vl { vregs[base + i] = load32(a + 4 * i) }
            return vectorRecord(ins, count: vl)
        case .sv:
            let a = try check(address(ins), bytes: 4 * vl, align: 4)
            let base = vbase(ins.ra)
            for i in 0..<vl { store32(a + 4 * i, vregs[base + i]) }
            let d = vregs.withUnsafeBufferPointer { Digest.of(UnsafeBufferPointer(rebasing: $0[base..<(base + vl)])) }
            return record(ins, .memory, ins.imm, vl, d)
        case .lds:
            let a = try check(address(ins), bytes: 4, align: 4)
            let v = load32(a)
            sregs[sindex(ins.rd)] = v
            return record(ins, .scalar, UInt32(ins.rd), 1, Digest.of(CollectionOfOne(v)))
        case .sts:
            let a = try check(address(ins), bytes: 4, align: 4)
            let v = sregs[sindex(ins.ra)]
            store32(a, v)
            return record(ins, .memory, ins.imm, 1, Digest.of(CollectionOfOne(v)))
        case .add: return elementwise(ins) { a, b, _ in Numeric.addReporting(a, b) }
        case .sub: return elementwise(ins) { a, b, _ in Numeric.subReporting(a, b) }
        case .mul: return elementwise(ins) { a, b, _ in Numeric.mulReporting(a, b, f: f) }
        case .div: return elementwise(ins) { a, b, _ in Numeric.divReporting(a, b, f: f) }
        case .mac: return elementwise(ins) { a, b, d in Numeric.macReporting(d, a, b, f: f) }
        case .macp:
            // p: stream 0's vb, then the previous stream's vd (already updated).
            let p = stream == 0 ? vbase(ins.rb) : (stream - 1) * config.vectorRegisters * maxVL + Int(ins.rd) * maxVL
            return elementwise(ins, b: p) { a, p, d in Numeric.macReporting(d, a, p, f: f) }
        case .lba: return elementwise(ins) { a, b, _ in Numeric.lbaReporting(a, b, f: f) }
        case .adds:
            let s = sregs[sindex(ins.rb)]
            return elementwise(ins) { a, _, _ in Numeric.addReporting(a, s) }
        case .muls:
            let s = sregs[sindex(ins.rb)]
            return elementwise(ins) { a, _, _ in Numeric.mulReporting(a, s, f: f) }
        case .bcast:
            let s = sregs[sindex(ins.ra)]
            return elementwise(ins) { _, _, _ in (s, false) }
        case .mv: return elementwise(ins) { a, _, _ in (a, false) }
        case .exp: return elementwise(ins) { a, _, _ in Numeric.expReporting(a, f: f) }
        case .sig: return elementwise(ins) { a, _, _ in (Numeric.sigmoid(a, f: f), false) }
        case .csig: return elementwise(ins) { a, _, _ in (Numeric.csig(a, f: f), false) }
        case .silu: return elementwise(ins) { a, _, _ in Numeric.siluReporting(a, f: f) }
        case .rsqrt: return elementwise(ins) { a, _, _ in Numeric.rsqrtReporting(a, f: f) }
        case .absmax:
            let base = vbase(ins.ra)
            let (m, clamped) = vregs.withUnsafeBufferPointer {
                Numeric.absmaxReporting(UnsafeBufferPointer(rebasing: $0[base..<(base + vl)]))
            }
            saturating = clamped ? 1 : 0
            sregs[sindex(ins.rd)] = m
            return record(ins, .scalar, UInt32(ins.rd), 1, Digest.of(CollectionOfOne(m)))
        case .quant:
            let q = Numeric.quantMultiplier(sregs[sindex(ins.rb)])
            return elementwise(ins) { a, _, _ in Numeric.quantizeReporting(a, multiplier: q) }
        case .norm:
            let base = vbase(ins.ra)
            let scale = vregs.withUnsafeBufferPointer {
                Numeric.rmsScale(UnsafeBufferPointer(rebasing: $0[base..<(base + vl)]), epsQ: ins.imm, f: f)
            }
            return elementwise(ins) { x, w, _ in Numeric.rmsApplyReporting(x, scale: scale, weight: w, f: f) }
        case .tmatmul:
            return try tmatmul(ins)
        }
    }

    /// One stream's product: the matrix is checked and read for each stream,
    /// which gives the ISA's result (it reads the weights once for all).
    func tmatmul(_ ins: Instruction) throws(Fault) -> RetireRecord {
        let a = try check(Int(ins.imm), bytes: TernaryMatrix.headerBytes, align: TernaryMatrix.alignment)
        let rowsU = UInt32(bitPattern: load32(a)), colsU = UInt32(bitPattern: load32(a + 4))
        let ws = load32(a + 8)
        guard rowsU >= 1 && Int(rowsU) <= maxVL && colsU >= 1 && Int(colsU) <= maxVL else {
            throw Fault(code: .badVectorLength, index: pc,
                        detail: "matrix at \(Hex.word(ins.imm)) is \(rowsU) x \(colsU), rows and cols must be 1...\(maxVL)")
        }
        let rows = Int(rowsU), cols = Int(colsU)
        let packing = WeightPacking(rawValue: ins.mode) ?? .twoBit
        let total = TernaryMatrix.totalBytes(rows: rows, cols: cols, packing: packing)
        _ = try check(Int(ins.imm), bytes: total, align: TernaryMatrix.alignment)
        if kernels[stream] == nil { kernels[stream] = TernaryKernel(cols: cols, packing: packing) } else { kernels[stream]!.configure(cols: cols, packing: packing) }
        let src = vbase(ins.ra)
        vregs.withUnsafeBufferPointer { v in
            kernels[stream]!.load(UnsafeBufferPointer(rebasing: v[src..<(src + cols)]))
        }
        let bad: TernaryMatrix.IllegalWeight? = memory.withUnsafeBytes { mem in
            scratch.withUnsafeMutableBufferPointer { out in
                kernels[stream]!.accumulate(rows: rows,
                                            weights: UnsafeRawBufferPointer(rebasing: mem[(a + TernaryMatrix.headerBytes)..<(a + total)]),
                                            out: out)
            }
        }
        if let b = bad {
            throw Fault(code: .badWeight, index: pc,
                        detail: "matrix at \(Hex.word(ins.imm)) holds an illegal weight code at row \(b.row), column \(b.col)")
        }
        let k = Numeric.matmulScale(weightScale: ws, activationScale: sregs[sindex(ins.rb)])
        let dst = vbase(ins.rd)
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
