#include "CAudioQuiet.h"

#include <alsa/asoundlib.h>

static void soothe_alsa_drop_error(const char *file, int line, const char *function, int error,
                                   const char *format, ...) {
    (void)file;
    (void)line;
    (void)function;
    (void)error;
    (void)format;
}

void soothe_alsa_set_quiet(int isQuiet) {
    snd_lib_error_set_handler(isQuiet ? soothe_alsa_drop_error : NULL);
}
