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

    /// Appends to `run` the wide characters that draw `character` in exactly `columns` columns:
    /// its first scalar, when the terminal shows it in that many, followed by the accents that
    /// combine with it (nonspacing and enclosing marks, which the terminal stacks on the same
    /// cell). Other scalars that follow, such as emoji skin-tone modifiers, joiners and variation
    /// selectors, are left out, so "👍🏽" draws as "👍". Returns false, appending nothing, when the
    /// first scalar does not fit. Allocates nothing once `run` has room.
    public static func appendDrawn(_ character: Character, columns: Int32, to run: inout [wchar_t]) -> Bool {
        let scalars = character.unicodeScalars
        guard let first = scalars.first, emoscope_wcwidth(wchar_t(bitPattern: first.value)) == columns else { return false }
        run.append(wchar_t(bitPattern: first.value))
        for scalar in scalars.dropFirst() {
            let category = scalar.properties.generalCategory
            guard category == .nonspacingMark || category == .enclosingMark,
                  emoscope_wcwidth(wchar_t(bitPattern: scalar.value)) == 0 else { continue }
            run.append(wchar_t(bitPattern: scalar.value))
        }
        return true
    }
}
