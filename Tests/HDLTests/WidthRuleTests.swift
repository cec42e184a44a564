import HDL
import Testing

/// The documented width rules: results of the right type, and a clear,
/// located error for every mismatch.
@Suite struct WidthRuleTests {
    @Test func sameWidthAdditionKeepsTheWidth() throws {
        let t = probe { m in m.input("a", .uint(8)) + m.input("b", .uint(8)) }
        #expect(t == .uint(8))
    }

    @Test func literalsFitEveryWidthUpTo64() {
        #expect(probe { _ in lit(0, width: 63) } == .uint(63))
        #expect(probe { _ in lit(Int.max, width: 63) } == .uint(63))
        #expect(probe { _ in lit(Int.max, width: 64) } == .uint(64))
        #expect(probe { _ in lit(-1, width: 63) } == nil)
    }

    @Test func expandingAddAndSubGrowByOne() {
        #expect(probe { m in m.input("a", .uint(8)).expandingAdd(m.input("b", .uint(8))) } == .uint(9))
        #expect(probe { m in m.input("a", .sint(8)).expandingSub(m.input("b", .sint(8))) } == .sint(9))
    }

    @Test func productIsWideEnoughForAnyValue() {
        #expect(probe { m in m.input("a", .uint(8)) * m.input("b", .uint(5)) } == .uint(13))
        #expect(probe { m in m.input("a", .sint(8)) * m.input("b", .sint(8)) } == .sint(16))
    }

    @Test func constantShiftsChangeTheWidth() {
        #expect(probe { m in m.input("a", .uint(8)) << 3 } == .uint(11))
        #expect(probe { m in m.input("a", .sint(8)) >> 3 } == .sint(5))
        #expect(probe { m in m.input("a", .uint(8)) << m.input("s", .uint(3)) } == .uint(8))
    }

    @Test func comparisonsAndReductionsGiveBool() {
        #expect(probe { m in m.input("a", .uint(8)) < m.input("b", .uint(8)) } == .bool)
        #expect(probe { m in m.input("a", .uint(8)).orR } == .bool)
        #expect(probe { m in m.input("a", .uint(8)) == 5 } == .bool)
    }

    @Test func slicesConcatenationAndStructure() {
        #expect(probe { m in m.input("a", .uint(16))[11, 4] } == .uint(8))
        #expect(probe { m in m.input("a", .uint(16))[3] } == .bool)
        #expect(probe { m in cat(m.input("a", .uint(3)), m.input("b", .bool), m.input("c", .sint(4))) } == .uint(8))
        let pair = HWType.record("Pair", [("lo", .uint(3)), ("hi", .sint(5))])
        #expect(probe { m in m.input("p", pair)["hi"] } == .sint(5))
        #expect(probe { m in m.input("v", .vec(.uint(6), count: 5))[2] } == .uint(6))
        #expect(probe { m in m.input("v", .vec(.uint(6), count: 5))[m.input("i", .uint(3))] } == .uint(6))
        #expect(probe { m in m.input("a", .bool).replicate(4) } == .uint(4))
    }

    @Test func extendAndTruncateAreExplicit() {
        #expect(probe { m in m.input("a", .sint(8)).extend(to: 12) } == .sint(12))
        #expect(probe { m in m.input("a", .uint(8)).truncate(to: 3) } == .uint(3))
        #expect(probe { m in m.input("a", .uint(8)).asSInt } == .sint(8))
    }

    // MARK: Errors

    @Test func additionOfDifferentWidthsIsAnError() {
        expectError("'+' needs operands of the same type, got UInt(8) and UInt(4)") { m in
            m.input("a", .uint(8)) + m.input("b", .uint(4))
        }
    }

    @Test func mixingSignednessIsAnError() {
        expectError("got UInt(8) and SInt(8)") { m in m.input("a", .uint(8)) - m.input("b", .sint(8)) }
        expectError("'*' needs two UInt or two SInt") { m in m.input("a", .uint(8)) * m.input("b", .sint(8)) }
    }

    @Test func literalThatDoesNotFitIsAnError() {
        expectError("the literal 300 does not fit in UInt(8)") { m in m.input("a", .uint(8)) + 300 }
        expectError("the literal -129 does not fit in SInt(8)") { m in m.input("a", .sint(8)) + (-129) }
    }

    @Test func assignmentOfTheWrongWidthIsAnError() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .uint(8))
            m.output("y", .uint(4)).set(a); mark.here()
        })
        expectSingle(found, contains: "cannot assign UInt(8) to 'y' of type UInt(4)", line: mark.line)
    }

    @Test func badSlicesAndIndexesAreErrors() {
        expectError("bits [8:4] are outside UInt(8)") { m in m.input("a", .uint(8))[8, 4] }
        expectError("must be UInt(3), got UInt(4)") { m in
            m.input("v", .vec(.uint(2), count: 5))[m.input("i", .uint(4))]
        }
        expectError("record Pair has no field 'mid'") { m in
            m.input("p", .record("Pair", [("lo", .uint(3)), ("hi", .uint(5))]))["mid"]
        }
    }

    @Test func wrongConversionsAreErrors() {
        expectError("extend(to: 4) would narrow UInt(8)") { m in m.input("a", .uint(8)).extend(to: 4) }
        expectError("truncate(to: 9) would widen") { m in m.input("a", .uint(8)).truncate(to: 9) }
        expectError("cannot view UInt(8) (8 bits) as Vec(3 x UInt(2))") { m in
            m.input("a", .uint(8)).reinterpret(as: .vec(.uint(2), count: 3))
        }
    }

    @Test func booleanOperatorsNeedBool() {
        expectError("'!' needs a Bool") { m in !m.input("a", .uint(2)) }
        expectError("'&&' is not defined on UInt(2)") { m in m.input("a", .uint(2)) && m.input("b", .uint(2)) }
    }

    @Test func muxBranchesMustAgree() {
        expectError("mux needs both values of the same type") { m in
            mux(m.input("c", .bool), m.input("a", .uint(8)), m.input("b", .uint(7)))
        }
    }

    @Test func conditionMustBeBool() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .uint(8))
            let y = m.output("y", .bool)
            y.set(false)
            m.when(a) { y.set(true) }; mark.here()
        })
        expectSingle(found, contains: "a condition must be a Bool, got UInt(8)", line: mark.line)
    }

    // MARK: Helpers

    /// The type of the expression `make` builds inside a throwaway module.
    private func probe(_ make: @escaping (ModuleBuilder) -> Signal) -> HWType? {
        var type: HWType?
        let built = try? elaborate(InlineModule("Probe") { m in
            let value = make(m)
            type = value.type
            m.output("y", value.type ?? .bool).set(value)
        })
        return built == nil ? nil : type
    }

    /// Using the expression `make` builds must fail with `text` at its line.
    private func expectError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation,
                             _ make: @escaping (ModuleBuilder) -> Signal) {
        let found = diagnostics(InlineModule("Probe") { m in
            let value = make(m)
            m.output("y", value.type ?? .bool).set(value)
        }, sourceLocation: sourceLocation)
        #expect(found.contains { $0.message.contains(text) }, "diagnostics: \(found)", sourceLocation: sourceLocation)
    }
}
