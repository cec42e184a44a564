import Foundation

/// The repository's top folder (tests read `fixtures/`, `isa/` and `rtl/` from it).
public let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A folder under `fixtures/` (data made by the model's official code; see its README).
public func fixturePath(_ relative: String) -> String { repositoryRoot + "/fixtures/" + relative }

/// The trained model shipped with Trit (`models/shakespeare`, made by the official code; its README).
public let shippedModelPath = repositoryRoot + "/models/shakespeare"

/// `|a - b| / |b|` over two equally long sequences.
public func relativeL2(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "lengths \(a.count) and \(b.count)")
    var num = 0.0, den = 0.0
    for k in 0..<a.count {
        num += (a[k] - b[k]) * (a[k] - b[k])
        den += b[k] * b[k]
    }
    return (num / den).squareRoot()
}
