import Compiler
import Foundation
import Model
import Testing
import TestSupport

@Suite struct ProgressTests {
    /// A d = 512 model (I = 1536, the default rule) with two layers and a head:
    /// every tensor is reported once, in order, and the compile stays quick.
    @Test func reportsEveryTensorOfAMidSizedModel() throws {
        let w = RandomModel.weights(d: 512, intermediate: 1536, layers: 2, vocab: 1000, seed: testSeed(81))
        var seen: [CompileProgress] = []
        let start = Date()
        let b = try ModelCompiler.compile(w, head: true) { seen.append($0) }
        let seconds = Date().timeIntervalSince(start)
        print("compiled d = 512, 2 layers, head in \(String(format: "%.2f", seconds)) s")
        let total = TensorNames.required(w.config).count
        #expect(seen.map(\.completed) == Array(1...total))
        #expect(seen.allSatisfy { $0.total == total })
        #expect(Set(seen.map(\.tensor)).count == total)
        #expect(b.manifest.weightBytes > 2 * w.config.ternaryWeightsPerBlock / 4)
    }
}
