import Foundation

/// Groups of bars along x. With one segment per bar, bars are coloured by
/// their position in the group (`barNames` is the legend); with several,
/// bars are stacked and coloured by segment (`segmentNames` is the legend)
/// and each bar is labelled with its short name underneath.
struct BarChart {
    var title: String
    var yLabel: String
    var groups: [(label: String, bars: [[Double]])]
    var barNames: [String]
    var segmentNames: [String] = []
    /// Segment colours; the last segment is grey by default (idle, the rest).
    var segmentColors: [String]? = nil
    var log = false

    func svg() -> String {
        let stacked = segmentNames.count > 1
        let barsPerGroup = groups.map(\.bars.count).max() ?? 1
        let left = 80.0, right = 20.0, top = 40.0
        let bottom = stacked ? 70.0 : 50.0
        let names = stacked ? segmentNames : barNames
        let legendRows = Double((names.count + legendColumns(names) - 1) / legendColumns(names))
        let groupWidth = max(60.0, Double(barsPerGroup) * 22 + 20)
        let plotW = max(520, Double(groups.count) * groupWidth), plotH = 280.0
        let legendH = 20 * legendRows + 10
        var s = SVG(width: left + plotW + right, height: top + plotH + bottom + legendH)
        let tops = groups.flatMap { $0.bars.map { $0.reduce(0, +) } }
        let positive = tops.filter { $0 > 0 }
        let axis = Axis(maximum: positive.max() ?? 1, minimum: positive.min() ?? 1, log: log)
        func y(_ v: Double) -> Double { top + plotH * (1 - axis.fraction(v)) }

        s.text(left, 24, title, size: 15, bold: true)
        for t in axis.ticks {
            s.line(left, y(t), left + plotW, y(t), stroke: "#ddd")
            s.text(left - 6, y(t) + 4, compact(t), size: 11, anchor: .end)
        }
        s.text(18, top + plotH / 2, yLabel, size: 12, anchor: .middle, rotate: -90)
        s.line(left, top, left, top + plotH)
        s.line(left, top + plotH, left + plotW, top + plotH)

        let gw = plotW / Double(max(groups.count, 1))
        for (g, group) in groups.enumerated() {
            let bw = min(28, (gw - 16) / Double(max(group.bars.count, 1)))
            let x0 = left + Double(g) * gw + (gw - bw * Double(group.bars.count)) / 2
            for (b, segments) in group.bars.enumerated() {
                let x = x0 + Double(b) * bw
                var base = 0.0  // on a log axis, 0 maps to the bottom
                for (k, v) in segments.enumerated() where v > 0 {
                    let color = stacked ? segmentColor(k) : palette[b % palette.count]
                    let name = stacked ? segmentNames[k] : barNames[b]
                    s.rect(x + 1, y(base + v), bw - 2, y(base) - y(base + v), fill: color,
                           title: "\(group.label), \(barNames.indices.contains(b) ? barNames[b] : ""): \(name) \(compact(v))")
                    base += v
                }
                if stacked, barNames.indices.contains(b) {
                    s.text(x + bw / 2, top + plotH + 12, barNames[b], size: 9, anchor: .middle)
                }
            }
            s.text(left + (Double(g) + 0.5) * gw, top + plotH + (stacked ? 30 : 18), group.label, size: 11, anchor: .middle)
        }
        legend(&s, names: names, colors: stacked ? names.indices.map(segmentColor) : nil, x: left, y: top + plotH + bottom - 8)
        return s.document
    }

    func segmentColor(_ k: Int) -> String {
        if let c = segmentColors { return c[k % c.count] }
        return k == segmentNames.count - 1 ? "#c8c8c8" : palette[k % palette.count]
    }
}

/// Series of (x, y) points on a linear or logarithmic y axis, x labelled at each point.
struct LineChart {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [(name: String, points: [(x: Double, y: Double)])]
    var log = false
    /// Place x values evenly by their order (lanes 64, 128, ... read better so).
    var categoricalX = true

    func svg() -> String {
        let left = 80.0, right = 20.0, top = 40.0, bottom = 60.0, plotW = 560.0, plotH = 280.0
        let columns = legendColumns(series.map(\.name))
        let legendH = 20 * Double((series.count + columns - 1) / columns) + 10
        var s = SVG(width: left + plotW + right, height: top + plotH + bottom + legendH)
        let ys = series.flatMap { $0.points.map(\.y) }.filter { $0 > 0 }
        let axis = Axis(maximum: ys.max() ?? 1, minimum: ys.min() ?? 1, log: log)
        let xs = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        func px(_ v: Double) -> Double {
            guard xs.count > 1 else { return left + plotW / 2 }
            let f = categoricalX ? Double(xs.firstIndex(of: v) ?? 0) / Double(xs.count - 1)
                : (v - xs.first!) / (xs.last! - xs.first!)
            return left + 30 + (plotW - 60) * f
        }
        func py(_ v: Double) -> Double { top + plotH * (1 - axis.fraction(v)) }

        s.text(left, 24, title, size: 15, bold: true)
        for t in axis.ticks {
            s.line(left, py(t), left + plotW, py(t), stroke: "#ddd")
            s.text(left - 6, py(t) + 4, compact(t), size: 11, anchor: .end)
        }
        for x in xs { s.text(px(x), top + plotH + 16, compact(x), size: 11, anchor: .middle) }
        s.text(left + plotW / 2, top + plotH + 36, xLabel, size: 12, anchor: .middle)
        s.text(18, top + plotH / 2, yLabel, size: 12, anchor: .middle, rotate: -90)
        s.line(left, top, left, top + plotH)
        s.line(left, top + plotH, left + plotW, top + plotH)
        for (k, serie) in series.enumerated() {
            let color = palette[k % palette.count]
            let pts = serie.points.filter { $0.y > 0 }.map { (px($0.x), py($0.y)) }
            if pts.count > 1 { s.polyline(pts, stroke: color) }
            for p in pts { s.circle(p.0, p.1, r: 3.5, fill: color) }
        }
        legend(&s, names: series.map(\.name), x: left, y: top + plotH + bottom - 8)
        return s.document
    }
}

/// Colour swatches with names, as many to a row as fit.
private func legend(_ s: inout SVG, names: [String], colors: [String]? = nil, x: Double, y: Double) {
    let slot = min(260, max(120, Double(names.map(\.count).max() ?? 0) * 6.2 + 28))
    let perRow = legendColumns(names)
    for (k, name) in names.enumerated() {
        let lx = x + Double(k % perRow) * slot, ly = y + Double(k / perRow) * 20
        s.rect(lx, ly, 12, 12, fill: colors?[k] ?? palette[k % palette.count])
        s.text(lx + 17, ly + 10, name, size: 11)
    }
}

/// Legend entries per row within about 560 units.
private func legendColumns(_ names: [String]) -> Int {
    let slot = min(260, max(120, Double(names.map(\.count).max() ?? 0) * 6.2 + 28))
    return max(1, Int(560 / slot))
}
