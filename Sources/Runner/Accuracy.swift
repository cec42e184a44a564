/// How close a vector computed by the integer pipeline is to the float
/// reference: cosine similarity and relative L2 error (‖a - r‖ / ‖r‖).
public struct Agreement: Sendable, Equatable, Codable {
    public var cosine: Double
    public var relativeL2: Double

    public init(cosine: Double, relativeL2: Double) {
        self.cosine = cosine
        self.relativeL2 = relativeL2
    }

    /// `measured` against `reference`. Two zero vectors agree exactly; a zero
    /// vector against a nonzero one has cosine 0.
    public init(_ measured: [Double], reference: [Double]) {
        precondition(measured.count == reference.count, "vectors of different lengths")
        var dot = 0.0, mm = 0.0, rr = 0.0, diff = 0.0
        for (m, r) in zip(measured, reference) {
            dot += m * r
            mm += m * m
            rr += r * r
            diff += (m - r) * (m - r)
        }
        if mm == 0 && rr == 0 {
            self.init(cosine: 1, relativeL2: 0)
        } else {
            self.init(cosine: mm == 0 || rr == 0 ? 0 : dot / (mm.squareRoot() * rr.squareRoot()),
                      relativeL2: rr == 0 ? .infinity : (diff / rr).squareRoot())
        }
    }

    /// The worse of two agreements, field by field.
    public func worst(_ other: Agreement) -> Agreement {
        Agreement(cosine: min(cosine, other.cosine), relativeL2: max(relativeL2, other.relativeL2))
    }

    public static let perfect = Agreement(cosine: 1, relativeL2: 0)
}

/// Index of the largest value (the first one on ties): greedy decoding.
public func argmax<C: Collection>(_ values: C) -> Int where C.Element: Comparable, C.Index == Int {
    var best = values.startIndex
    for i in values.indices where values[i] > values[best] { best = i }
    return best - values.startIndex
}
