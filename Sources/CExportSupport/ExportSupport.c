#define _GNU_SOURCE
#include "CExportSupport.h"

#include <fcntl.h>

int soothe_start_writeback(int file_descriptor, int64_t offset, int64_t length) {
#ifdef SYNC_FILE_RANGE_WRITE
    return sync_file_range(file_descriptor, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)file_descriptor; (void)offset; (void)length;
    return 0;
#endif
}
