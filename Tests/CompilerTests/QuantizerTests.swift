import Compiler
import Foundation
import Testing
import TestSupport

@Suite struct QuantizerTests {
    /// docs/model.md's formula, written out directly.
    func direct(_ w: [Float]) -> (trits: [Int8], scale: Double) {
        let mean = w.reduce(0.0) { $0 + Double(abs($1)) } / Double(w.count)
        let ws = max(mean, 1e-5)
        return (w.map { Int8(max(-1, min(1, (Double($0) / ws).rounded(.toNearestOrEven)))) }, ws)
    }

    @Test func matchesTheFormulaOnRandomTensors() {
        var rng = SplitMix64(seed: testSeed(11))
        for n in [1, 7, 1000, 200_000] {
            let w = (0..<n).map { _ in Float(rng.normal() * 0.03) }
            let (t, s) = WeightQuantizer.ternary(w)
            let (dt, ds) = direct(w)
            #expect(abs(s - ds) <= 1e-12 * ds)
            #expect(t == dt)
        }
    }

    @Test func tiesRoundToEvenAndLargeValuesClamp() {
        // mean|W| = 1: 0.5 is a tie (to 0), 1.5 rounds to 2 and clamps to 1.
        let (t, s) = WeightQuantizer.ternary([0.5, -1.5, 1.0, -1.0])
        #expect(s == 1)
        #expect(t == [0, -1, 1, -1])
    }

    @Test func zeroTensorUsesTheFloorScale() {
        let (t, s) = WeightQuantizer.ternary([Float](repeating: 0, count: 10))
        #expect(s == 1e-5)
        #expect(t.allSatisfy { $0 == 0 })
    }

    @Test func fixedPointRoundsAndRefusesOutOfRange() throws {
        #expect(FixedPointConversion.fixed(1.5, fracBits: 16) == 98304)
        #expect(FixedPointConversion.fixed(-0.5 / 65536, fracBits: 16) == -1)  // tie away from zero
        #expect(FixedPointConversion.fixed(32767.999999, fracBits: 16) == Int32.max)  // saturates at the edge
        #expect(FixedPointConversion.fixed(32768, fracBits: 16) == nil)
        #expect(FixedPointConversion.fixed(.nan, fracBits: 16) == nil)
        #expect(throws: CompileError.self) { try FixedPointConversion.vector([1, 40000], fracBits: 16, tensor: "x") }
        do {
            _ = try FixedPointConversion.vector([1, -40000], fracBits: 16, tensor: "model.norm.weight")
        } catch let e as CompileError {
            #expect(e.tensor == "model.norm.weight")
            #expect(e.description.contains("element 1"))
        }
    }

    @Test func weightScaleMustStayPositive() throws {
        #expect(try FixedPointConversion.weightScale(1e-5, fracBits: 16, tensor: "w") == 1)
        let e = #expect(throws: CompileError.self) { try FixedPointConversion.weightScale(1e-5, fracBits: 8, tensor: "lm_head.weight") }
        #expect(e?.tensor == "lm_head.weight")
        #expect(e?.problem.contains("rounds to 0") == true)
    }

    @Test func epsilonImmediate() throws {
        #expect(try FixedPointConversion.epsilon(1e-6, fracBits: 16) == 4295)
        #expect(throws: CompileError.self) { try FixedPointConversion.epsilon(1e-12, fracBits: 16) }
        #expect(throws: CompileError.self) { try FixedPointConversion.epsilon(2.0, fracBits: 16) }
    }

    @Test func lowerBoundsAreCumulativeSoftmaxFromZero() {
        var rng = SplitMix64(seed: testSeed(12))
        let layers = 4, d = 5
        let raw = (0..<(layers * d)).map { _ in Float(rng.normal()) }
        let lb = LowerBounds.compute(raw, layers: layers, width: d)
        for c in 0..<d {
            let e = (0..<layers).map { Foundation.exp(Double(raw[$0 * d + c])) }
            let sum = e.reduce(0, +)
            var cum = 0.0
            for l in 0..<layers {
                cum += e[l] / sum
                #expect(abs(lb[l][c] - (cum - e[0] / sum)) < 1e-12)
            }
            #expect(lb[0][c] == 0)
            #expect(lb[layers - 1][c] < 1)
        }
    }
}
