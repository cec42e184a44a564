import Model
import Testing

/// The `--layers` syntax: `A..B` with both ends included, or `A`.
@Suite struct LayerRangeTests {
    @Test func valid() throws {
        #expect(try LayerRange.parse("0..3", layers: 4) == 0...3)
        #expect(try LayerRange.parse("2", layers: 4) == 2...2)
        #expect(try LayerRange.parse(" 1..1 ", layers: 4) == 1...1)
    }

    @Test func invalid() {
        expectError("bad layer range '1...3'") { _ = try LayerRange.parse("1...3", layers: 4) }
        expectError("bad layer range 'a..b'") { _ = try LayerRange.parse("a..b", layers: 4) }
        expectError("bad layer range '..2'") { _ = try LayerRange.parse("..2", layers: 4) }
        expectError("bad layer range '-1'") { _ = try LayerRange.parse("-1", layers: 4) }
        expectError("layer 4 is out of range: the model has 4 layers (0..3)") { _ = try LayerRange.parse("1..4", layers: 4) }
        expectError("reversed layer range '3..1'") { _ = try LayerRange.parse("3..1", layers: 4) }
    }
}
