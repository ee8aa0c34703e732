#ifndef SOOTHE_EXPORT_SUPPORT_H
#define SOOTHE_EXPORT_SUPPORT_H

#include <sndfile.h>
#include <stdint.h>

/// Sets WAV cue points with ids 1...count at `frames`; must come before the first write.
/// Returns SF_TRUE on success. Exists because `SF_CUES_VAR` is a macro Swift cannot expand.
int soothe_set_cues(SNDFILE *file, const uint32_t *frames, uint32_t count);

/// Copies up to `capacity` cue frames of an open file into `frames`; returns how many cues the
/// file has (possibly more than `capacity`), or 0 when it has none.
uint32_t soothe_get_cues(SNDFILE *file, uint32_t *frames, uint32_t capacity);

/// Starts writing a range of a file to disk without waiting (Linux `sync_file_range`), so that
/// the fsync at the end of an export has little left to do. A no-op where unavailable.
int soothe_start_writeback(int file_descriptor, int64_t offset, int64_t length);

#endif
