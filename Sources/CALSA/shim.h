#include <alsa/asoundlib.h>

/// ALSA's error handler is variadic, which Swift cannot implement: a C no-op instead.
static void emoscope_alsa_ignore_error(const char *file, int line, const char *function, int err,
                                       const char *format, ...) __attribute__((unused));
static void emoscope_alsa_ignore_error(const char *file, int line, const char *function, int err,
                                       const char *format, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)format;
}

/// Stops ALSA from printing its own diagnostics to stderr (Emoscope reports errors itself).
static inline void emoscope_alsa_silence_errors(void) {
    snd_lib_error_set_handler(emoscope_alsa_ignore_error);
}
