import Testing
import EmoscopeTUI

@Suite struct ShellTests {
    @Test func tabAndDigitsSwitchScreens() {
        var shell = ShellState()
        #expect(shell.handle(key: .tab, screenCapturesText: false) == .handled)
        #expect(shell.current == .browse)
        _ = shell.handle(key: .tab, screenCapturesText: false)
        _ = shell.handle(key: .tab, screenCapturesText: false)
        #expect(shell.current == .live)
        _ = shell.handle(key: .backTab, screenCapturesText: false)
        #expect(shell.current == .review)
        _ = shell.handle(key: .character("2"), screenCapturesText: false)
        #expect(shell.current == .browse)
    }

    @Test func helpOpensAndAnyKeyClosesIt() {
        var shell = ShellState()
        _ = shell.handle(key: .character("?"), screenCapturesText: false)
        #expect(shell.showingHelp)
        #expect(shell.handle(key: .character("x"), screenCapturesText: false) == .handled)
        #expect(!shell.showingHelp)
    }

    @Test func quitKeysAndForwarding() {
        var shell = ShellState()
        #expect(shell.handle(key: .character("q"), screenCapturesText: false) == .quit)
        #expect(shell.handle(key: .interrupt, screenCapturesText: true) == .quit)
        #expect(shell.handle(key: .character("q"), screenCapturesText: true) == .forward(.character("q")))
        #expect(shell.handle(key: .character(" "), screenCapturesText: false) == .forward(.character(" ")))
    }

    @Test func tooSmallTerminalSaysSoAndNeedsNothingElse() {
        let shell = ShellState(current: .live, width: 40, height: 12)
        let screen = PlaceholderController(id: .live, message: ["x"])
        let canvas = ShellView.draw(shell, screen: screen, status: "", context: DrawingContext(glyphs: .ascii, labels: []))
        #expect(canvas.text.contains("terminal too small (need \(ShellState.minimumWidth)×\(ShellState.minimumHeight))"))
        #expect(canvas.width == 40 && canvas.height == 12)
    }

    @Test func frameShowsTabsHintsAndHelp() {
        var shell = ShellState(current: .browse, width: 80, height: 24)
        let screen = PlaceholderController(id: .browse, message: ["Browse is coming"])
        var canvas = ShellView.draw(shell, screen: screen, status: "model: test", context: DrawingContext(glyphs: .ascii, labels: []))
        #expect(canvas.row(0).contains("1 Live") && canvas.row(0).contains("2 Browse") && canvas.row(0).contains("model: test"))
        #expect(canvas.row(23).contains("q quit") && canvas.row(23).contains("? help"))
        #expect(canvas.text.contains("Browse is coming"))
        _ = shell.handle(key: .character("?"), screenCapturesText: false)
        canvas = ShellView.draw(shell, screen: screen, status: "", context: DrawingContext(glyphs: .ascii, labels: []))
        #expect(canvas.text.contains("Help — Browse") && canvas.text.contains("switch screens"))
    }

    @Test func wrappingBreaksAtSpacesAndCutsLongWords() {
        #expect("plug in a microphone or play a file".wrapped(to: 12) == ["plug in a", "microphone", "or play a", "file"])
        #expect("abcdefghij xy".wrapped(to: 4) == ["abcd", "efgh", "ij", "xy"])
        #expect("".wrapped(to: 5).isEmpty)
    }
}
