import Testing
import TritJSON

/// The one JSON reader and writer: exact integers, members in order and
/// compared byte for byte, errors with a position, text that parses back.
@Suite struct JSONTests {
    static func parse(_ text: String, duplicateKeys: JSON.DuplicateKeys = .keepLast) throws(JSON.ParseError) -> JSON {
        try JSON.parse(Array(text.utf8), duplicateKeys: duplicateKeys)
    }

    @Test func numbersStayExactIntegersUnlessWrittenOtherwise() throws {
        let v = try Self.parse(#"[9007199254740993, -0, 1.5, 2e3, 1.0]"#)
        #expect(v == .array([.int(9_007_199_254_740_993), .int(0), .double(1.5), .double(2000), .double(1)]))
        #expect(v.array?[4].intValue == 1 && v.array?[4].int == nil, "1.0 is an integer value, not an integer literal")
    }

    @Test func canonicallyEquivalentKeysAreDifferentMembers() throws {
        // "é" precomposed and "e" + combining acute: a Swift dictionary would merge them.
        let v = try Self.parse("{\"\u{E9}\": 1, \"e\u{301}\": 2}")
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.count == 2)
        #expect(o["\u{E9}"] == .int(1) && o["e\u{301}"] == .int(2))
    }

    @Test func repeatedKeysKeepTheLastOrAreRefused() throws {
        #expect(try Self.parse(#"{"a": 1, "a": 2}"#)["a"] == .int(2))
        #expect(throws: JSON.ParseError.self) { try Self.parse(#"{"a": 1, "a": 2}"#, duplicateKeys: .reject) }
    }

    @Test func errorsSayWhere() {
        let text = "{\n  \"a\": [1,\n  x]}"
        do {
            _ = try Self.parse(text)
            Issue.record("parsed")
        } catch {
            let (line, column) = error.lineAndColumn(in: Array(text.utf8))
            #expect(line == 3 && column == 3, "\(error)")
        }
        #expect(throws: JSON.ParseError.self) { try Self.parse(#"{"a": 1"#) }
        #expect(throws: JSON.ParseError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }  // a string that is not UTF-8
    }

    @Test func writtenTextParsesBackInOrder() throws {
        var o: JSONObject = ["z": .int(1), "a": .string("tab\there \"quoted\" \u{1}"), "m": .array([.null, .bool(true), .double(0.25)])]
        o["nested"] = .object(["k": .array([])])
        o["z"] = nil
        let v = JSON.object(o)
        #expect(o.keys == ["a", "m", "nested"])
        #expect(try Self.parse(v.serialized) == v)
        #expect(try Self.parse(v.pretty()) == v)
        #expect(JSON.object(o.sortedByKey).serialized.hasPrefix(#"{"a": "#))
        #expect(JSON.rounded(2.0 / 3.0, 3) == .double(0.667) && JSON.rounded(1234.6, 0) == .int(1235) && JSON.rounded(.nan, 2) == .null)
    }
}
