import TritJSON
import Foundation
import Model

/// How `trit compile --cards N` spreads a model over N cards: contiguous
/// layer ranges, one per card, chosen so the largest card's ternary weights
/// are as few as possible (each token reads every weight once, so the
/// slowest card sets the pace); the last card also holds the head.
public enum CardSplit {
    /// The layer range of each card, in order.
    public static func ranges(_ c: ModelConfig, layers: ClosedRange<Int>, head: Bool, cards: Int) throws -> [ClosedRange<Int>] {
        guard cards >= 1 else { throw CompileError("--cards must be at least 1, got \(cards)") }
        guard cards <= layers.count else {
            throw CompileError("\(cards) cards for \(layers.count) layer(s): every card needs at least one layer")
        }
        let block = c.ternaryWeightsPerBlock, headWeights = head ? c.vocabSize * c.hiddenSize : 0
        let n = layers.count
        // cost[k][i]: the smallest largest card over the first i layers on k cards (the head goes with layer n).
        func load(_ a: Int, _ b: Int) -> Int { (b - a) * block + (b == n ? headWeights : 0) }
        var cost = Array(repeating: Array(repeating: Int.max, count: n + 1), count: cards + 1)
        var cut = Array(repeating: Array(repeating: 0, count: n + 1), count: cards + 1)
        cost[0][0] = 0
        for k in 1...cards {
            for i in k...n {
                for j in (k - 1)..<i where cost[k - 1][j] != Int.max {
                    let v = max(cost[k - 1][j], load(j, i))
                    if v < cost[k][i] { cost[k][i] = v; cut[k][i] = j }
                }
            }
        }
        var bounds = [n]
        var i = n
        for k in stride(from: cards, to: 0, by: -1) {
            i = cut[k][i]
            bounds.insert(i, at: 0)
        }
        return (0..<cards).map { (layers.lowerBound + bounds[$0])...(layers.lowerBound + bounds[$0 + 1] - 1) }
    }
}

/// A model compiled for several cards: one build directory per card
/// (`card0`, `card1`, ...) and `cards.json` naming them in order. The host
/// runs a token through the cards in turn, passing the hidden state on.
public struct MultiCardBuild: Sendable {
    public static let indexFile = "cards.json"
    public var builds: [Build]

    public init(builds: [Build]) { self.builds = builds }

    public static func directoryName(_ k: Int) -> String { "card\(k)" }

    /// Whether `directory` holds a multi-card build.
    public static func isMultiCard(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(indexFile).path)
    }

    /// Writes every card's build and the index; like `Build.write`, into a
    /// sibling that replaces `directory` only when everything was written.
    /// `extraFiles` go in beside the index (the tokenizer serves every card).
    public func write(to directory: URL, extraFiles: [String: Data] = [:]) throws {
        try replaceDirectory(directory) { staging in
            try writeExtraFiles(extraFiles, into: staging)
            for (k, b) in builds.enumerated() { try b.write(to: staging.appendingPathComponent(Self.directoryName(k))) }
            let index: JSON = .object(["cards": .array(builds.enumerated().map { k, b in
                var card: JSONObject = ["dir": .string(Self.directoryName(k))]
                for (key, value) in b.manifest.spanSummary { card[key] = value }
                return .object(card)
            })])
            try Data((index.pretty() + "\n").utf8).write(to: staging.appendingPathComponent(Self.indexFile))
        }
    }

    /// Loads the cards named in `directory/cards.json`, in order.
    public static func load(from directory: URL) throws -> MultiCardBuild {
        let file = directory.appendingPathComponent(indexFile)
        guard let data = FileManager.default.contents(atPath: file.path),
              let object = try? JSON.parse([UInt8](data)),
              let cards = object["cards"]?.array, !cards.isEmpty else {
            throw BuildFileError(file: file.path, "not a cards index (expected {\"cards\": [{\"dir\": ...}, ...]})")
        }
        let builds = try cards.enumerated().map { k, card -> Build in
            guard let dir = card["dir"]?.string, !dir.contains("/"), !dir.hasPrefix(".") else {
                throw BuildFileError(file: file.path, "card \(k) has no plain \"dir\"")
            }
            return try Build.load(from: directory.appendingPathComponent(dir))
        }
        return MultiCardBuild(builds: builds)
    }
}

extension BuildManifest {
    /// What a card holds, for `cards.json` and `trit compile --cards N --json`:
    /// `{"layers": [first, last], "head": ..., "weight_bytes": ...}`.
    public var spanSummary: JSONObject {
        ["layers": .array([.int(firstLayer), .int(firstLayer + layerCount - 1)]), "head": .bool(head), "weight_bytes": .int(weightBytes)]
    }
}
