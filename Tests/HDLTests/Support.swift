import HDL
import Testing

/// Remembers the source line it was called from, to assert that an
/// elaboration error names the culprit's line.
final class LineMark {
    private(set) var line = 0
    func here(line: Int = #line) { self.line = line }
}

/// Elaborate `module` expecting failure; returns the diagnostics.
func diagnostics(_ module: some Module, sourceLocation: SourceLocation = #_sourceLocation) -> [Diagnostic] {
    do {
        _ = try elaborate(module)
        Issue.record("expected an elaboration error", sourceLocation: sourceLocation)
        return []
    } catch let e as ElaborationError {
        return e.diagnostics
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return []
    }
}

/// Assert exactly one diagnostic, containing `text`, at `line` of the calling test file.
func expectSingle(_ found: [Diagnostic], contains text: String, line: Int,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(found.count == 1, "diagnostics: \(found)", sourceLocation: sourceLocation)
    guard let d = found.first else { return }
    #expect(d.message.contains(text), "message was: \(d.message)", sourceLocation: sourceLocation)
    #expect(d.location.line == line, "reported at \(d.location), expected line \(line)", sourceLocation: sourceLocation)
    #expect(d.location.file == sourceLocation.fileID, "reported in \(d.location.file)", sourceLocation: sourceLocation)
}
