import Foundation

/// The CLI's layer selection: `A..B` (both ends included) or one layer `A`.
public struct LayerRange {
    public static func parse(_ text: String, layers: Int) throws -> ClosedRange<Int> {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.components(separatedBy: "..")
        func number(_ s: String) throws -> Int {
            guard !s.isEmpty, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber), let v = Int(s) else {
                throw ReferenceError("bad layer range '\(text)': expected A..B or A (layer numbers from 0)")
            }
            guard v < layers else {
                throw ReferenceError("layer \(v) is out of range: the model has \(layers) layers (0..\(layers - 1))")
            }
            return v
        }
        switch parts.count {
        case 1:
            let a = try number(parts[0])
            return a...a
        case 2:
            let a = try number(parts[0]), b = try number(parts[1])
            guard a <= b else { throw ReferenceError("reversed layer range '\(text)': write \(b)..\(a)") }
            return a...b
        default:
            throw ReferenceError("bad layer range '\(text)': expected A..B or A (layer numbers from 0)")
        }
    }
}
