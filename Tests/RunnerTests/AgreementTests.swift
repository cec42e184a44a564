import Testing
import ISA
@testable import Runner

struct AgreementTests {
    @Test func identicalVectorsAgreePerfectly() {
        let a = Agreement([1, -2, 3], reference: [1, -2, 3])
        #expect(abs(a.cosine - 1) < 1e-15)
        #expect(a.relativeL2 == 0)
    }

    @Test func knownErrorGivesKnownFigures() {
        // [1, 0] against [1, 1]: cos = 1/sqrt(2), |diff| / |ref| = 1/sqrt(2).
        let a = Agreement([1, 0], reference: [1, 1])
        #expect(abs(a.cosine - 0.5.squareRoot()) < 1e-15)
        #expect(abs(a.relativeL2 - 0.5.squareRoot()) < 1e-15)
    }

    @Test func zeroVectors() {
        #expect(Agreement([0, 0], reference: [0, 0]) == .perfect)
        let a = Agreement([0, 0], reference: [1, 0])
        #expect(a.cosine == 0)
        #expect(a.relativeL2 == 1)
    }

    @Test func worstTakesEachFieldsWorse() {
        let w = Agreement(cosine: 0.9, relativeL2: 0.01).worst(Agreement(cosine: 0.99, relativeL2: 0.1))
        #expect(w == Agreement(cosine: 0.9, relativeL2: 0.1))
    }

    @Test func argmaxTakesTheFirstOfTies() {
        #expect(argmax([1.0, 3, 3, 2]) == 1)
        #expect(argmax([-5.0]) == 0)
    }
}

struct FixedPointVectorTests {
    @Test func roundTripsAndSaturates() throws {
        let (bytes, clamped) = try FixedPointVector.encode([1.5, -0.25, 1e9, -1e9, 0.00001], fracBits: 16)
        #expect(bytes.count == 20 && clamped == 2)
        let back = FixedPointVector.decode(bytes, fracBits: 16)
        #expect(back[0] == 1.5 && back[1] == -0.25)
        #expect(back[2] == Double(Int32.max) / 65536 && back[3] == -32768)
        #expect(back[4] == 1.0 / 65536)  // 0.65536 rounds to 1 LSB
    }

    @Test func refusesNonFiniteInput() {
        #expect(throws: RunnerError.input("element 1 is nan")) {
            _ = try FixedPointVector.encode([0, .nan], fracBits: 16)
        }
    }
}

struct EmbeddingTableTests {
    @Test func looksUpRowsAndRefusesUnknownTokens() throws {
        let table = try EmbeddingTable(vocab: 3, width: 2, values: [0, 1, 2, 3, 4, 5])
        #expect(try table.row(1) == [2, 3])
        #expect(throws: RunnerError.self) { try table.row(3) }
        #expect(throws: RunnerError.self) { try table.row(-1) }
        #expect(throws: RunnerError.self) { try EmbeddingTable(vocab: 2, width: 2, values: [1]) }
    }
}

struct RunWarningsTests {
    @Test func warnsOnClampsAndOnTotalsWithoutKinds() {
        #expect(RunWarnings.lines(saturations: SaturationCounts(), total: 0, clampedInputs: 0, inputElements: 8, tokens: 2).isEmpty)
        let card = RunWarnings.lines(saturations: SaturationCounts(), total: 3, clampedInputs: 1, inputElements: 8, tokens: 2)
        #expect(card == ["warning: 1 of 8 input elements were outside the fixed-point range and were clamped",
                         "warning: 3 elements saturated over 2 tokens (the card counts only the total)"])
        let known = RunWarnings.lines(saturations: SaturationCounts([.add: 2]), total: 2, clampedInputs: 0, inputElements: 8, tokens: 1)
        #expect(known == ["warning: 2 elements saturated over 1 token (add 2)"])
    }
}
