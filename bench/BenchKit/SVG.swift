import Foundation

/// A minimal SVG builder: shapes and text in user units, no dependencies.
struct SVG {
    let width: Double, height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ v: Double) -> String { String(format: "%.1f", v) }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, title: String? = nil) {
        let t = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(w, 0)))\" height=\"\(Self.n(max(h, 0)))\" fill=\"\(fill)\">\(t)</rect>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#333", width: Double = 1, dash: Bool = false) {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\""
                    + (dash ? " stroke-dasharray=\"6 4\"" : "") + "/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String) {
        let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\"/>")
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" fill=\"\(fill)\"/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double = 12, anchor: Anchor = .start,
                       rotate: Double = 0, bold: Bool = false) {
        let r = rotate == 0 ? "" : " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\""
                    + (bold ? " font-weight=\"bold\"" : "") + "\(r)>\(Self.escape(s))</text>")
    }

    var document: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" "
            + "viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body.joined(separator: "\n") + "\n</svg>\n"
    }
}

/// Colours that stay apart in print and for common colour blindness (Okabe-Ito).
let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

/// A value axis: linear from 0 with round steps, or logarithmic by decades.
struct Axis {
    let low: Double, high: Double, log: Bool
    let ticks: [Double]

    init(maximum: Double, minimum: Double = 0, log: Bool = false) {
        self.log = log
        if log {
            let lo = pow(10, floor(log10(max(minimum, 1e-12)))), hi = pow(10, ceil(log10(max(maximum, lo * 10))))
            low = lo
            high = hi
            ticks = stride(from: log10(lo), through: log10(hi), by: 1).map { pow(10, $0) }
        } else {
            let top = maximum > 0 ? maximum : 1
            let raw = top / 5, mag = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw }!
            low = 0
            high = ceil(top / step) * step
            ticks = stride(from: 0, through: high + step / 2, by: step).map { $0 }
        }
    }

    /// Position in 0...1 along the axis.
    func fraction(_ v: Double) -> Double {
        log ? (log10(max(v, low)) - log10(low)) / (log10(high) - log10(low)) : (v - low) / (high - low)
    }
}

/// Short numbers for tick labels: 1.5k, 20M.
func compact(_ v: Double) -> String {
    let a = abs(v)
    func f(_ x: Double, _ unit: String) -> String {
        (x == x.rounded() ? String(format: "%.0f", x) : String(format: x < 10 ? "%.2g" : "%.3g", x)) + unit
    }
    if a >= 1e9 { return f(v / 1e9, "G") }
    if a >= 1e6 { return f(v / 1e6, "M") }
    if a >= 1e3 { return f(v / 1e3, "k") }
    if a > 0 && a < 0.01 { return String(format: "%.0e", v) }
    return f(v, "")
}
