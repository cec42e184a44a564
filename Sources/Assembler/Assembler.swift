import ISA

/// One assembler diagnostic, located in the source.
public struct AsmError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// All diagnostics of one assembly run.
public struct AsmErrors: Error, CustomStringConvertible, Sendable {
    public let errors: [AsmError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The assembler: text to `ProgramImage`.
///
/// Source syntax (one statement per line; `;` or `#` starts a comment):
///
///     label:  mnemonic op, op, ...        ; instruction (always in the code section)
///     .equ NAME, expr                     ; named constant
///     .fracbits N                         ; element fraction bits (default from the core config)
///     .streams N                          ; streams the program is written for (default from the core config)
///     .memory expr                        ; data memory size in bytes
///     .org expr                           ; start a data section at a byte address
///     .data / .text                       ; switch between data and code
///     .align expr                         ; pad data with zeros to a multiple of expr
///     .word expr, ...  .byte expr, ...    ; 32-bit / 8-bit integers
///     .fix value, ...                     ; fixed-point elements (decimal, rounded to nearest, ties away)
///     .zero expr                          ; expr zero bytes
///     .matrix rows, cols, scale[, b3]     ; ternary matrix header (256-byte aligned; b3: base-3 packing) ...
///     .row +0-+...                        ; ... then one line of trits per row
///     .symbol NAME, addr, count           ; name a region of Q.F elements (for trit run --dump)
///     .inst expr                          ; a raw 64-bit code word (the disassembler's form for illegal words)
///
/// Labels in the code section are instruction indices; labels in a data
/// section are byte addresses. Expressions: integers (decimal, 0x hex),
/// names, `+`, `-`, `*`, parentheses.
public struct Assembler {
    public var config: CoreConfig
    public init(config: CoreConfig = .standard) { self.config = config }

    public func assemble(_ source: String, file: String = "<input>") -> Result<ProgramImage, AsmErrors> {
        var run = AssemblyRun(config: config, file: file)
        return run.assemble(source)
    }
}

struct AssemblyRun {
    let config: CoreConfig
    let file: String
    var errors: [AsmError] = []
    var fracBits: Int
    var fracBitsLine: Int? = nil
    var streams: Int
    var streamsLine: Int? = nil

    init(config: CoreConfig, file: String) {
        self.config = config; self.file = file; self.fracBits = config.fracBits; self.streams = config.streams
    }

    enum Mode { case text, data }

    /// A statement kept for pass 2.
    enum Item {
        case instruction(line: Int, tokens: [Token], mnemonicToken: Token, spec: InstructionSpec, mode: UInt8)
        case raw(line: Int, tokens: [Token])
        case words(line: Int, section: Int, offset: Int, args: [[Token]], width: Int)
        case fix(line: Int, section: Int, offset: Int, args: [[Token]])
        case matrix(line: Int, section: Int, offset: Int, args: [[Token]])
        case symbol(line: Int, tokens: [Token])
    }

    struct Section { var address: Int; var bytes: [UInt8]; var line: Int }

    var symbols: [String: Int64] = [:]
    var symbolLines: [String: Int] = [:]
    var items: [Item] = []
    var sections: [Section] = []
    var codeCount = 0
    var mode = Mode.text
    var memoryDecl: (Int64, Int)? = nil

    /// Open matrix being filled by .row lines.
    struct OpenMatrix { var line: Int; var column: Int; var section: Int; var offset: Int; var rows: Int; var cols: Int; var packing: WeightPacking; var filled: Int }
    var openMatrix: OpenMatrix? = nil

    mutating func error(_ line: Int, _ col: Int, _ msg: String) {
        errors.append(AsmError(file: file, line: line, column: col, message: msg))
    }

    // MARK: Expressions

    enum EvalFailure: Error { case reported }

    /// Evaluates an expression over `toks` (the whole slice must be consumed).
    /// `forward`: whether names not yet defined are allowed (pass 2).
    mutating func eval(_ toks: [Token], line: Int, endColumn: Int, what: String) throws(EvalFailure) -> Int64 {
        var p = 0
        func col() -> Int { p < toks.count ? toks[p].column : endColumn }
        func parseExpr() throws(EvalFailure) -> Int64 {
            var v = try parseProduct()
            while p < toks.count, case .punct(let c) = toks[p].kind, c == "+" || c == "-" {
                let opCol = toks[p].column
                p += 1
                let r = try parseProduct()
                let (s, o) = c == "+" ? v.addingReportingOverflow(r) : v.subtractingReportingOverflow(r)
                if o { error(line, opCol, "arithmetic overflow in \(what)"); throw .reported }
                v = s
            }
            return v
        }
        func parseProduct() throws(EvalFailure) -> Int64 {
            var v = try parseTerm()
            while p < toks.count, case .punct("*") = toks[p].kind {
                let opCol = toks[p].column
                p += 1
                let r = try parseTerm()
                let (s, o) = v.multipliedReportingOverflow(by: r)
                if o { error(line, opCol, "arithmetic overflow in \(what)"); throw .reported }
                v = s
            }
            return v
        }
        func parseTerm() throws(EvalFailure) -> Int64 {
            guard p < toks.count else { error(line, col(), "missing \(what), expected a number or a name"); throw .reported }
            let t = toks[p]
            switch t.kind {
            case .number(let s):
                p += 1
                guard let v = Literal.integer(s) else {
                    error(line, t.column, "invalid integer '\(s)' in \(what), expected decimal digits or 0x followed by hex digits")
                    throw .reported
                }
                return v
            case .identifier(let name):
                p += 1
                guard let v = symbols[name] else {
                    error(line, t.column, "undefined name '\(name)' in \(what), expected a label or .equ constant")
                    throw .reported
                }
                return v
            case .punct("-"):
                p += 1
                let v = try parseTerm()
                if v == Int64.min { error(line, t.column, "arithmetic overflow in \(what)"); throw .reported }
                return -v
            case .punct("("):
                p += 1
                let v = try parseExpr()
                guard p < toks.count, case .punct(")") = toks[p].kind else {
                    error(line, col(), "missing ')' in \(what)"); throw .reported
                }
                p += 1
                return v
            default:
                error(line, t.column, "unexpected '\(t.text)' in \(what), expected a number or a name")
                throw .reported
            }
        }
        let v = try parseExpr()
        if p < toks.count {
            error(line, toks[p].column, "unexpected '\(toks[p].text)' after \(what), expected ',' or end of line")
            throw .reported
        }
        return v
    }

    /// Splits tokens at top-level commas. Reports empty arguments.
    mutating func splitArgs(_ toks: [Token], line: Int, endColumn: Int) -> [[Token]]? {
        if toks.isEmpty { return [] }
        var out: [[Token]] = [[]]
        var commaColumns: [Int] = []
        for t in toks {
            if case .punct(",") = t.kind { out.append([]); commaColumns.append(t.column) } else { out[out.count - 1].append(t) }
        }
        for (k, a) in out.enumerated() where a.isEmpty {
            // The comma that ends the empty operand, or the end of the line for the last one.
            let c = k < commaColumns.count ? commaColumns[k] : endColumn
            error(line, max(1, c), "empty operand, expected a value before \(k < commaColumns.count ? "this comma" : "the end of the line")")
            return nil
        }
        return out
    }

    mutating func define(_ name: String, _ value: Int64, line: Int, column: Int) {
        if let prev = symbolLines[name] {
            error(line, column, "duplicate definition of '\(name)', first defined on line \(prev)")
            return
        }
        if name.hasPrefix(".") || isRegisterName(name) || InstructionSet.specsBySpelling[name.lowercased()] != nil {
            error(line, column, "'\(name)' is reserved, expected a name that is not a register, mnemonic or directive")
            return
        }
        symbols[name] = value
        symbolLines[name] = line
    }

    func isRegisterName(_ s: String) -> Bool {
        guard let f = s.first, f == "v" || f == "s", s.count > 1 else { return false }
        return s.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }

    // MARK: Pass 1

    mutating func assemble(_ source: String) -> Result<ProgramImage, AsmErrors> {
        var lineNo = 0
        var lastLineEnd = 1
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let body = Lexer.stripComment(rawLine)
            lastLineEnd = body.count + 1
            // .row takes the raw text.
            let trimmed = body.drop(while: { $0 == " " || $0 == "\t" })
            var toks = Lexer.tokens(body)
            if trimmed.hasPrefix(".row") && (trimmed.count == 4 || trimmed.dropFirst(4).first == " " || trimmed.dropFirst(4).first == "\t") {
                let col = body.count - trimmed.count + 1
                row(String(trimmed.dropFirst(4)), line: lineNo, column: col, textColumn: col + 4)
                continue
            }
            closeMatrixIfOpen()
            // Labels.
            while toks.count >= 2, case .identifier(let name) = toks[0].kind, case .punct(":") = toks[1].kind {
                if name.hasPrefix(".") {
                    error(lineNo, toks[0].column, "invalid label '\(name)', expected a name not starting with '.'")
                } else {
                    define(name, mode == .text ? Int64(codeCount) : Int64(currentDataAddress()), line: lineNo, column: toks[0].column)
                }
                toks.removeFirst(2)
            }
            guard let head = toks.first else { continue }
            let endCol = body.count + 1
            guard case .identifier(let word) = head.kind else {
                error(lineNo, head.column, "unexpected '\(head.text)', expected an instruction, a directive or a label")
                continue
            }
            let rest = Array(toks.dropFirst())
            if word.hasPrefix(".") {
                directive(word, head, rest, line: lineNo, endColumn: endCol)
            } else if let (spec, m) = InstructionSet.specsBySpelling[word.lowercased()] {
                if mode == .data {
                    error(lineNo, head.column, "instruction '\(word)' in a data section, expected .text before it")
                    continue
                }
                items.append(.instruction(line: lineNo, tokens: rest, mnemonicToken: head, spec: spec, mode: m))
                codeCount += 1
            } else {
                error(lineNo, head.column, "unknown instruction '\(word)', expected one of: " + InstructionSet.instructions.flatMap { $0.spellings.map(\.mnemonic) }.joined(separator: ", "))
            }
        }
        closeMatrixIfOpen()
        _ = lastLineEnd
        return finish()
    }

    func currentDataAddress() -> Int {
        guard let s = sections.last else { return 0 }
        return s.address + s.bytes.count
    }

    mutating func closeMatrixIfOpen() {
        if let m = openMatrix, m.filled < m.rows {
            error(m.line, m.column, ".matrix declares \(m.rows) rows, got \(m.filled) .row lines")
        }
        openMatrix = nil
    }

    mutating func row(_ text: String, line: Int, column: Int, textColumn: Int) {
        guard var m = openMatrix else {
            error(line, column, ".row outside a matrix, expected .matrix rows, cols, scale[, b3] before it")
            return
        }
        if m.filled >= m.rows {
            error(line, column, "too many .row lines, .matrix on line \(m.line) declares \(m.rows) rows")
            m.filled += 1
            openMatrix = m
            return
        }
        var trits: [Int8] = []
        var bad = false
        for (k, c) in text.enumerated() {
            switch c {
            case "+": trits.append(1)
            case "-": trits.append(-1)
            case "0": trits.append(0)
            case " ", "\t", "_", "\r": continue
            default:
                error(line, textColumn + k, "invalid trit '\(c)', expected '+', '-' or '0'")
                bad = true
            }
            if bad { break }
        }
        if !bad && trits.count != m.cols {
            error(line, column, "row has \(trits.count) trits, expected \(m.cols) (the matrix's cols)")
            bad = true
        }
        if !bad {
            for (c, t) in trits.enumerated() {
                let (o, d) = TernaryMatrix.location(row: m.filled, col: c, cols: m.cols, packing: m.packing)
                TernaryMatrix.place(t, digit: d, into: &sections[m.section].bytes[m.offset + o], packing: m.packing)
            }
        }
        m.filled += 1
        openMatrix = m
    }

    mutating func requireData(_ word: String, _ head: Token, line: Int) -> Bool {
        if mode != .data || sections.isEmpty {
            error(line, head.column, "\(word) outside a data section, expected .org ADDRESS before it")
            return false
        }
        return true
    }

    mutating func emit(_ n: Int, line: Int, column: Int) -> Int? {
        let off = sections[sections.count - 1].bytes.count
        if n < 0 || n > (1 << 30) || Int64(sections[sections.count - 1].address) + Int64(off) + Int64(n) > Int64(UInt32.max) + 1 {
            error(line, column, "data reaches past the 4 GiB address space")
            return nil
        }
        sections[sections.count - 1].bytes += [UInt8](repeating: 0, count: n)
        return off
    }

    mutating func directive(_ word: String, _ head: Token, _ rest: [Token], line: Int, endColumn: Int) {
        guard let args = splitArgs(rest, line: line, endColumn: endColumn) else { return }
        func count(_ n: Int, _ usage: String) -> Bool {
            if args.count != n {
                error(line, head.column, "\(word) takes \(n) operand\(n == 1 ? "" : "s") (\(usage)), got \(args.count)")
                return false
            }
            return true
        }
        func value(_ a: [Token], _ what: String) -> Int64? {
            try? eval(a, line: line, endColumn: endColumn, what: what)
        }
        switch word {
        case ".equ":
            guard count(2, "NAME, value") else { return }
            guard args[0].count == 1, case .identifier(let name) = args[0][0].kind else {
                error(line, args[0][0].column, ".equ needs a name first, expected an identifier")
                return
            }
            guard let v = value(args[1], "the .equ value") else { return }
            define(name, v, line: line, column: args[0][0].column)
        case ".fracbits":
            guard count(1, "N") else { return }
            guard let v = value(args[0], "the fraction bits") else { return }
            guard CoreConfig.fracBitsRange.contains(Int(clamping: v)) else {
                error(line, args[0][0].column, "fraction bits \(v) out of range, expected \(CoreConfig.fracBitsRange.lowerBound)...\(CoreConfig.fracBitsRange.upperBound)")
                return
            }
            if let l = fracBitsLine { error(line, head.column, "second .fracbits, first on line \(l)"); return }
            if !items.isEmpty || !sections.isEmpty {
                error(line, head.column, ".fracbits after code or data, expected it before the first instruction or data")
                return
            }
            fracBits = Int(v); fracBitsLine = line
        case ".streams":
            guard count(1, "N") else { return }
            guard let v = value(args[0], "the streams") else { return }
            guard (1...Int64(CoreConfig.streamLimit)).contains(v) else {
                error(line, args[0][0].column, "streams \(v) out of range, expected 1...\(CoreConfig.streamLimit)"); return
            }
            if let l = streamsLine { error(line, head.column, "second .streams, first on line \(l)"); return }
            streams = Int(v); streamsLine = line
        case ".memory":
            guard count(1, "size in bytes") else { return }
            guard let v = value(args[0], "the memory size") else { return }
            guard v >= 0 && v <= Int64(UInt32.max) else {
                error(line, args[0][0].column, "memory size \(v) out of range, expected 0...\(UInt32.max)"); return
            }
            if let m = memoryDecl { error(line, head.column, "second .memory, first on line \(m.1)"); return }
            memoryDecl = (v, line)
        case ".org":
            guard count(1, "address") else { return }
            guard let v = value(args[0], "the .org address") else { return }
            guard v >= 0 && v <= Int64(UInt32.max) else {
                error(line, args[0][0].column, "address \(v) out of range, expected 0...0xffffffff"); return
            }
            sections.append(Section(address: Int(v), bytes: [], line: line))
            mode = .data
        case ".data":
            guard count(0, "none") else { return }
            if sections.isEmpty { error(line, head.column, ".data before any .org, expected .org ADDRESS"); return }
            mode = .data
        case ".text":
            guard count(0, "none") else { return }
            mode = .text
        case ".align":
            guard count(1, "power of two") else { return }
            guard requireData(word, head, line: line), let v = value(args[0], "the alignment") else { return }
            guard v >= 1 && v <= 4096 && v & (v - 1) == 0 else {
                error(line, args[0][0].column, "alignment \(v), expected a power of two 1...4096"); return
            }
            let a = currentDataAddress()
            let pad = (Int(v) - a % Int(v)) % Int(v)
            _ = emit(pad, line: line, column: head.column)
        case ".zero":
            guard count(1, "byte count") else { return }
            guard requireData(word, head, line: line), let v = value(args[0], "the byte count") else { return }
            guard v >= 0 && v <= (1 << 30) else { error(line, args[0][0].column, "byte count \(v), expected 0...2^30"); return }
            _ = emit(Int(v), line: line, column: head.column)
        case ".word", ".byte":
            guard requireData(word, head, line: line) else { return }
            if args.isEmpty { error(line, head.column, "\(word) needs at least one value"); return }
            let w = word == ".word" ? 4 : 1
            guard let off = emit(w * args.count, line: line, column: head.column) else { return }
            items.append(.words(line: line, section: sections.count - 1, offset: off, args: args, width: w))
        case ".fix":
            guard requireData(word, head, line: line) else { return }
            if args.isEmpty { error(line, head.column, ".fix needs at least one value"); return }
            guard let off = emit(4 * args.count, line: line, column: head.column) else { return }
            items.append(.fix(line: line, section: sections.count - 1, offset: off, args: args))
        case ".matrix":
            guard args.count == 3 || args.count == 4 else {
                error(line, head.column, ".matrix takes 3 or 4 operands (rows, cols, scale[, b3]), got \(args.count)"); return
            }
            guard requireData(word, head, line: line) else { return }
            var packing = WeightPacking.twoBit
            if args.count == 4 {
                if args[3].count == 1, case .identifier(let p) = args[3][0].kind, p.lowercased() == "b3" {
                    packing = .base3
                } else {
                    // Reported; laid out as 2-bit so that the .row lines are still checked.
                    error(line, args[3][0].column, "invalid packing '\(args[3].map(\.text).joined())', expected b3 (base-3) or nothing (2-bit)")
                }
            }
            guard let r = value(args[0], "the row count"), let c = value(args[1], "the column count") else { return }
            guard r >= 1 && r <= Int64(CoreConfig.vectorLengthLimit) else {
                error(line, args[0][0].column, "row count \(r), expected 1...\(CoreConfig.vectorLengthLimit)"); return
            }
            guard c >= 1 && c <= Int64(CoreConfig.vectorLengthLimit) else {
                error(line, args[1][0].column, "column count \(c), expected 1...\(CoreConfig.vectorLengthLimit)"); return
            }
            let a = currentDataAddress()
            if a % TernaryMatrix.alignment != 0 {
                // Reported; the matrix is still laid out so that its .row lines are checked too.
                error(line, head.column, "matrix at address \(Hex.word(UInt32(truncatingIfNeeded: a))) is not \(TernaryMatrix.alignment)-byte aligned, expected .align \(TernaryMatrix.alignment) before it")
            }
            guard let off = emit(TernaryMatrix.totalBytes(rows: Int(r), cols: Int(c), packing: packing), line: line, column: head.column) else { return }
            let sec = sections.count - 1
            for k in 0..<4 {
                sections[sec].bytes[off + k] = UInt8(truncatingIfNeeded: UInt32(r) >> UInt32(8 * k))
                sections[sec].bytes[off + 4 + k] = UInt8(truncatingIfNeeded: UInt32(c) >> UInt32(8 * k))
            }
            items.append(.matrix(line: line, section: sec, offset: off, args: args))
            openMatrix = OpenMatrix(line: line, column: head.column, section: sec, offset: off, rows: Int(r), cols: Int(c), packing: packing, filled: 0)
        case ".symbol":
            guard count(3, "NAME, address, element count") else { return }
            items.append(.symbol(line: line, tokens: rest))
        case ".inst":
            guard count(1, "64-bit word") else { return }
            if mode == .data { error(line, head.column, ".inst in a data section, expected .text before it"); return }
            items.append(.raw(line: line, tokens: rest))
            codeCount += 1
        default:
            error(line, head.column, "unknown directive '\(word)', expected one of .equ .fracbits .memory .org .data .text .align .zero .word .byte .fix .matrix .row .symbol .inst")
        }
    }

    // MARK: Pass 2

    mutating func fixedArg(_ a: [Token], line: Int, what: String, f: Int, unsigned: Bool = false) -> Int64? {
        var toks = a
        var neg = false
        if let t = toks.first, case .punct("-") = t.kind { neg = true; toks.removeFirst() }
        guard toks.count == 1, case .number(let s) = toks[0].kind else {
            let t = toks.first ?? a[0]
            error(line, t.column, "invalid \(what) '\(a.map(\.text).joined())', expected a decimal number such as 1.5, -0.25 or 1e-6")
            return nil
        }
        do throws(Literal.FixedError) {
            if unsigned {
                if neg { throw Literal.FixedError.range }
                let m = try Literal.fixedMagnitude(s, f: f)
                guard m <= UInt64(UInt32.max) else { throw Literal.FixedError.range }
                return Int64(m)
            }
            return Int64(try Literal.fixed(s, negative: neg, f: f))
        } catch {
            if error == .syntax {
                self.error(line, toks[0].column, "invalid number '\(s)' for \(what), expected a decimal number such as 1.5, -0.25 or 1e-6")
                return nil
            }
            let lim = unsigned ? "0 ... \(Numeric.decimalString(Int64(UInt32.max), f: f))"
                : "\(Numeric.decimalString(Int64(Int32.min), f: f)) ... \(Numeric.decimalString(Int64(Int32.max), f: f))"
            self.error(line, a[0].column, "\(what) \(neg ? "-" : "")\(s) out of range, expected \(lim)")
        }
        return nil
    }

    mutating func finish() -> Result<ProgramImage, AsmErrors> {
        var code: [UInt64] = []
        var syms: [ProgramImage.Symbol] = []
        let f = fracBits
        for item in items {
            switch item {
            case .instruction(let line, let toks, let head, let spec, let mode):
                let endCol = (toks.last.map { $0.column + $0.text.count } ?? head.column + head.text.count)
                code.append(encode(spec, mode: mode, toks, line: line, head: head, endColumn: endCol) ?? 0)
            case .raw(let line, let toks):
                // A hex literal may use the full unsigned 64-bit range.
                if toks.count == 1, case .number(let s) = toks[0].kind, s.hasPrefix("0x") || s.hasPrefix("0X"),
                   let u = UInt64(String(s.dropFirst(2).filter { $0 != "_" }), radix: 16) {
                    code.append(u)
                    continue
                }
                let v = try? eval(toks, line: line, endColumn: 1, what: "the .inst word")
                code.append(v.map { UInt64(bitPattern: $0) } ?? 0)
            case .words(let line, let sec, let off, let args, let width):
                for (k, a) in args.enumerated() {
                    guard let v = try? eval(a, line: line, endColumn: 1, what: width == 4 ? "the .word value" : "the .byte value") else { continue }
                    let lo: Int64 = width == 4 ? Int64(Int32.min) : -128
                    let hi: Int64 = width == 4 ? Int64(UInt32.max) : 255
                    guard v >= lo && v <= hi else {
                        error(line, a[0].column, "value \(v) out of range for \(width == 4 ? ".word" : ".byte"), expected \(lo)...\(hi)")
                        continue
                    }
                    for b in 0..<width {
                        sections[sec].bytes[off + width * k + b] = UInt8(truncatingIfNeeded: v >> Int64(8 * b))
                    }
                }
            case .fix(let line, let sec, let off, let args):
                for (k, a) in args.enumerated() {
                    guard let v = fixedArg(a, line: line, what: "fixed-point value", f: f) else { continue }
                    for b in 0..<4 { sections[sec].bytes[off + 4 * k + b] = UInt8(truncatingIfNeeded: v >> Int64(8 * b)) }
                }
            case .matrix(let line, let sec, let off, let args):
                guard let v = fixedArg(args[2], line: line, what: "matrix scale", f: f) else { continue }
                for b in 0..<4 { sections[sec].bytes[off + 8 + b] = UInt8(truncatingIfNeeded: v >> Int64(8 * b)) }
            case .symbol(let line, let toks):
                guard let args = splitArgs(toks, line: line, endColumn: 1), args.count == 3 else { continue }
                guard args[0].count == 1, case .identifier(let name) = args[0][0].kind, ProgramImage.isValidName(name) else {
                    error(line, args[0][0].column, ".symbol needs a name first, expected an identifier"); continue
                }
                guard let a = try? eval(args[1], line: line, endColumn: 1, what: "the symbol address"),
                      let n = try? eval(args[2], line: line, endColumn: 1, what: "the element count") else { continue }
                guard a >= 0 && a <= Int64(UInt32.max) && a % 4 == 0 else {
                    error(line, args[1][0].column, "symbol address \(a), expected a multiple of 4 in 0...0xffffffff"); continue
                }
                guard n >= 0 && n <= Int64(UInt32.max) / 4 else {
                    error(line, args[2][0].column, "element count \(n) out of range"); continue
                }
                if syms.contains(where: { $0.name == name }) {
                    error(line, args[0][0].column, "duplicate .symbol '\(name)'"); continue
                }
                syms.append(.init(name: name, address: UInt32(a), count: UInt32(n)))
            }
        }
        // Sections: overlap and memory size.
        var end = 0
        for s in sections { end = max(end, s.address + s.bytes.count) }
        let order = sections.indices.sorted { sections[$0].address < sections[$1].address }
        for k in order.indices.dropFirst() {
            let p = sections[order[k - 1]], c = sections[order[k]]
            if p.address + p.bytes.count > c.address {
                let later = p.line > c.line ? p : c
                error(later.line, 1, "data section at \(Hex.word(UInt32(c.address))) overlaps the one at \(Hex.word(UInt32(p.address))) (line \(min(p.line, c.line))), expected disjoint .org regions")
            }
        }
        var memSize = (end + 63) / 64 * 64
        if let (m, line) = memoryDecl {
            if Int(m) < end {
                error(line, 1, ".memory \(m) is smaller than the data, which ends at \(end)")
            }
            memSize = Int(m)
        }
        if memSize > Int(UInt32.max) { memSize = Int(UInt32.max) }
        for s in syms where UInt64(s.address) + 4 * UInt64(s.count) > UInt64(memSize) {
            let line = items.compactMap { if case .symbol(let l, let t) = $0, t.first?.text == s.name { return l } else { return nil } }.first ?? 1
            error(line, 1, "symbol '\(s.name)' reaches past the end of memory (\(memSize) bytes)")
        }
        if !errors.isEmpty {
            let sorted = errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
            return .failure(AsmErrors(errors: sorted))
        }
        return .success(ProgramImage(fracBits: f, streams: streams, memorySize: UInt32(memSize), code: code,
                                     data: sections.map { .init(address: UInt32($0.address), bytes: $0.bytes) },
                                     symbols: syms))
    }

    mutating func encode(_ spec: InstructionSpec, mode: UInt8, _ toks: [Token], line: Int, head: Token, endColumn: Int) -> UInt64? {
        guard let args = splitArgs(toks, line: line, endColumn: endColumn) else { return nil }
        guard args.count == spec.operands.count else {
            let col = args.count > spec.operands.count ? args[spec.operands.count][0].column : endColumn
            error(line, col, "\(spec.mnemonic(mode: mode)) takes \(spec.operands.count) operand\(spec.operands.count == 1 ? "" : "s") (\(spec.syntax(mode: mode))), got \(args.count)")
            return nil
        }
        guard let op = Opcode(rawValue: spec.opcode) else { return nil }
        var ins = Instruction(op, mode: mode)
        var ok = true
        for (o, a) in zip(spec.operands, args) {
            switch o.kind {
            case .vreg, .sreg:
                let prefix = o.kind == .vreg ? "v" : "s"
                let limit = o.kind == .vreg ? config.vectorRegisters : config.scalarRegisters
                let kindName = o.kind == .vreg ? "a vector register" : "a scalar register"
                guard a.count == 1, case .identifier(let name) = a[0].kind,
                      name.lowercased().hasPrefix(prefix), name.count > 1,
                      name.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    error(line, a[0].column, "expected \(kindName) \(prefix)0...\(prefix)\(limit - 1) for \(o.name), got '\(a.map(\.text).joined(separator: " "))'")
                    ok = false; continue
                }
                guard let n = Int(name.dropFirst()), n < limit else {
                    error(line, a[0].column, "register \(name) out of range, expected \(prefix)0...\(prefix)\(limit - 1)")
                    ok = false; continue
                }
                ins.set(o.field, UInt64(n))
            case .address, .length:
                guard let v = try? eval(a, line: line, endColumn: endColumn, what: o.kind == .address ? "the address" : "the vector length") else { ok = false; continue }
                if o.kind == .address {
                    guard v >= 0 && v <= Int64(UInt32.max) else {
                        error(line, a[0].column, "address \(v) out of range, expected 0...0xffffffff"); ok = false; continue
                    }
                } else {
                    guard v >= 1 && v <= Int64(config.maxVectorLength) else {
                        error(line, a[0].column, "vector length \(v) out of range, expected 1...\(config.maxVectorLength)"); ok = false; continue
                    }
                }
                ins.set(o.field, UInt64(v))
            case .fixed:
                guard let v = fixedArg(a, line: line, what: "fixed-point value", f: fracBits) else { ok = false; continue }
                ins.set(o.field, UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: v))))
            case .eps:
                guard let v = fixedArg(a, line: line, what: "epsilon (\(2 * fracBits) fraction bits)", f: 2 * fracBits, unsigned: true) else { ok = false; continue }
                ins.set(o.field, UInt64(v))
            }
        }
        return ok ? ins.word : nil
    }
}
