import CNcursesw

/// How many terminal columns a character takes: 2 for the wide ones (CJK, most emoji) where the
/// locale is UTF-8, 1 for everything else (what the terminal cannot show becomes one "?").
public enum DisplayWidth {
    /// Columns of one character (its first scalar decides).
    public static func of(_ character: Character) -> Int {
        guard !character.isASCII, let scalar = character.unicodeScalars.first else { return 1 }
        return emoscope_wcwidth(wchar_t(bitPattern: scalar.value)) == 2 ? 2 : 1
    }

    /// Columns of a whole string.
    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }
}
