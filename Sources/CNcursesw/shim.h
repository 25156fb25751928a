#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <wchar.h>

/* Macros and globals Swift cannot import or read under strict concurrency (PLATFORM-NOTES). */
static inline WINDOW *emoscope_stdscr(void) { return stdscr; }
static inline int emoscope_lines(void) { return LINES; }
static inline int emoscope_cols(void) { return COLS; }
static inline int emoscope_colors(void) { return COLORS; }
static inline attr_t emoscope_a_bold(void) { return A_BOLD; }
static inline attr_t emoscope_a_dim(void) { return A_DIM; }
static inline attr_t emoscope_a_reverse(void) { return A_REVERSE; }
static inline attr_t emoscope_a_underline(void) { return A_UNDERLINE; }
static inline attr_t emoscope_a_normal(void) { return A_NORMAL; }
static inline int emoscope_key_f0(void) { return KEY_F0; }
#include <stdio.h>
static inline SCREEN *emoscope_newterm_stdio(const char *type) { return newterm(type, stdout, stdin); }
static inline int emoscope_wcwidth(wchar_t c) { return wcwidth(c); }
static inline const char *emoscope_codeset(void) { return nl_langinfo(CODESET); }
#include <ncursesw/term.h>
/* Whether the current terminal can move the cursor (TERM=dumb cannot: nothing but a line of text would show). */
static inline int emoscope_can_address_cursor(void) {
    const char *cup = tigetstr("cup");
    return cup != NULL && cup != (const char *)-1;
}
