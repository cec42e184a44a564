import Runner
import Testing

/// Stop strings in streamed text: whatever way the text is cut into
/// pieces, the released text is everything before the first stop string.
struct StopTextTests {
    func stream(_ pieces: [String], stops: [String]) -> (text: String, stopped: Bool) {
        var s = StopText(stops)
        var out = ""
        for p in pieces { out += s.push(p) }
        out += s.finish()
        return (out, s.stopped)
    }

    @Test func everySplitOfTheTextGivesTheSameResult() {
        let text = "ROMEO:\nWhat light\r\nthrough yonder window breaks?\n\nJULIET:"
        let cases: [([String], String, Bool)] = [
            (["\n\n"], "ROMEO:\nWhat light\r\nthrough yonder window breaks?", true),
            (["JULIET"], "ROMEO:\nWhat light\r\nthrough yonder window breaks?\n\n", true),
            (["window", "light"], "ROMEO:\nWhat ", true),
            (["\n"], "ROMEO:", true),
            (["nowhere", "breaks!"], text, false),
            ([], text, false),
        ]
        let scalars = Array(text.unicodeScalars)
        for (stops, expected, stopped) in cases {
            // Every cut into two pieces, and one scalar at a time.
            for cut in 0...scalars.count {
                var a = String.UnicodeScalarView(), b = String.UnicodeScalarView()
                a.append(contentsOf: scalars[..<cut])
                b.append(contentsOf: scalars[cut...])
                let r = stream([String(a), String(b)], stops: stops)
                #expect(r.text == expected && r.stopped == stopped, "stops \(stops), cut at \(cut)")
            }
            let single = stream(scalars.map { String($0) }, stops: stops)
            #expect(single.text == expected && single.stopped == stopped, "stops \(stops), one scalar at a time")
        }
    }

    @Test func heldTextIsReleasedAsSoonAsItCannotBeAStop() {
        var s = StopText(["END"])
        #expect(s.push("the E") == "the ")
        #expect(s.push("N") == "")
        #expect(s.push("D") == "")
        #expect(s.stopped && s.push("more") == "" && s.finish() == "")
        var t = StopText(["END"])
        #expect(t.push("the EN") == "the ")
        #expect(t.push("x") == "ENx")
    }
}
