#ifndef C_AUDIO_QUIET_H
#define C_AUDIO_QUIET_H

/// Routes ALSA's library error messages to a handler that drops them (`isQuiet` non-zero) or back
/// to ALSA's default handler, which prints them on stderr (`isQuiet` zero).
///
/// ALSA's handler type is variadic, which Swift cannot implement, hence these few lines of C.
void soothe_alsa_set_quiet(int isQuiet);

#endif
