import EmoscopeTUI
import Foundation
import Testing

/// Wide characters (CJK, emoji) take two cells, so that columns after them stay where they belong.
@Suite("canvas")
struct CanvasTests {
    init() {
        // What the app sets up at start; wcwidth needs a UTF-8 locale to know a wide character.
        setlocale(LC_CTYPE, "C.UTF-8")
    }

    @Test func wideCharactersTakeTwoCells() {
        #expect(DisplayWidth.of("日" as Character) == 2 && DisplayWidth.of("a" as Character) == 1 && DisplayWidth.of("é" as Character) == 1)
        #expect(DisplayWidth.of("声音.wav") == 8)
        var canvas = Canvas(width: 12, height: 1)
        #expect(canvas.put("a日本b", x: 0, y: 0) == 6)
        #expect(canvas[1, 0].character == "日" && canvas[2, 0].character == Cell.continuation && canvas[5, 0].character == "b")
        #expect(canvas.text == "a日本b")
        canvas.put("|", x: 6, y: 0)
        #expect(canvas[6, 0].character == "|", "what follows starts after both halves")
    }

    @Test func cuttingAndPaddingCountColumns() {
        #expect("声音样本.flac".padded(to: 15) == "声音样本.flac  ", "13 columns and two spaces")
        #expect("声音样本.flac".truncated(to: 6) == "声音…")
        #expect("声音样本.flac".leftTruncated(to: 8) == "…本.flac")
        #expect("声音样本.flac".leftTruncated(to: 9) == "…本.flac", "样 would need two columns, one is left")
        #expect("Actor_01/a.wav".leftTruncated(to: 8) == "…1/a.wav")
        #expect(DisplayWidth.of("声音样本.flac".leftTruncated(to: 9).padded(to: 9)) == 9)
    }

    @Test func halfAWideCharacterNeverShows() {
        var canvas = Canvas(width: 10, height: 1)
        #expect(canvas.put("日本語", x: 0, y: 0, maxWidth: 5) == 4)
        #expect(canvas.text == "日本")
        #expect(canvas[4, 0].character == " ")
    }

    @Test func severalScalarsDrawTheirBaseAndItsAccents() {
        var run: [wchar_t] = []
        #expect(DisplayWidth.appendDrawn("e\u{301}", columns: 1, to: &run) && run == [0x65, 0x301], "a decomposed é keeps its accent")
        run = []
        #expect(DisplayWidth.appendDrawn("👍🏽", columns: 2, to: &run) && run == [0x1F44D], "the skin tone is left out")
        run = []
        #expect(DisplayWidth.appendDrawn("👨‍👩‍👧", columns: 2, to: &run) && run == [0x1F468], "a joined family draws its first person")
        run = [7]
        #expect(!DisplayWidth.appendDrawn("日", columns: 1, to: &run) && run == [7], "a wide character never fits one column")
        #expect(DisplayWidth.of("e\u{301}" as Character) == 1 && DisplayWidth.of("👍🏽" as Character) == 2)
    }

    @Test func wrappingCountsColumns() {
        #expect("声音样本 ab".wrapped(to: 8) == ["声音样本", "ab"])
        #expect("声音样本 ab".wrapped(to: 11) == ["声音样本 ab"])
        #expect("声音样本".wrapped(to: 5) == ["声音", "样本"], "four characters, eight columns")
        #expect("日本".wrapped(to: 1) == ["日", "本"], "a wide character alone on a line rather than an endless loop")
    }
}
