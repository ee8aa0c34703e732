#ifndef SOOTHE_SNDFILE_SUPPORT_H
#define SOOTHE_SNDFILE_SUPPORT_H

#include <sndfile.h>
#include <stdint.h>

/// Sets WAV cue points with ids 1...count at `frames`; must come before the first write.
/// Returns SF_TRUE on success. Exists because `SF_CUES_VAR` is a macro Swift cannot expand.
int soothe_set_cues(SNDFILE *file, const uint32_t *frames, uint32_t count);

/// Copies up to `capacity` cue frames of an open file into `frames`; returns how many cues the
/// file has (possibly more than `capacity`), or 0 when it has none.
uint32_t soothe_get_cues(SNDFILE *file, uint32_t *frames, uint32_t capacity);

#endif
