#ifndef SOOTHE_EXPORT_SUPPORT_H
#define SOOTHE_EXPORT_SUPPORT_H

#include <stdint.h>

/// Starts writing a range of a file to disk without waiting (Linux `sync_file_range`), so that
/// the fsync at the end of an export has little left to do. A no-op where unavailable.
int soothe_start_writeback(int file_descriptor, int64_t offset, int64_t length);

#endif
