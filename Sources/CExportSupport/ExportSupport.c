#define _GNU_SOURCE
#include "CExportSupport.h"

#include <fcntl.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int soothe_set_cues(SNDFILE *file, const uint32_t *frames, uint32_t count) {
    // Older libsndfile releases insist on exactly sizeof(SF_CUES) (100 points); newer ones take
    // any size that holds cue_count points. Allocate whichever is larger so both accept it.
    size_t points = count > 100 ? count : 100;
    size_t size = offsetof(SF_CUES, cue_points) + points * sizeof(SF_CUE_POINT);
    SF_CUES *cues = calloc(1, size);
    if (cues == NULL) return SF_FALSE;
    cues->cue_count = count;
    for (uint32_t index = 0; index < count; index++) {
        SF_CUE_POINT *point = &cues->cue_points[index];
        point->indx = (int32_t)(index + 1);
        point->position = frames[index];
        point->fcc_chunk = 0x61746164;  // 'data', little-endian
        point->chunk_start = 0;
        point->block_start = 0;
        point->sample_offset = frames[index];
    }
    int result = sf_command(file, SFC_SET_CUE, cues, (int)size);
    free(cues);
    return result;
}

uint32_t soothe_get_cues(SNDFILE *file, uint32_t *frames, uint32_t capacity) {
    uint32_t count = 0;
    if (sf_command(file, SFC_GET_CUE_COUNT, &count, sizeof(count)) != SF_TRUE || count == 0) return 0;
    size_t points = count > 100 ? count : 100;
    size_t size = offsetof(SF_CUES, cue_points) + points * sizeof(SF_CUE_POINT);
    SF_CUES *cues = calloc(1, size);
    if (cues == NULL) return 0;
    if (sf_command(file, SFC_GET_CUE, cues, (int)(count > 100 ? size : sizeof(SF_CUES))) == SF_TRUE) {
        for (uint32_t index = 0; index < cues->cue_count && index < capacity; index++) {
            frames[index] = cues->cue_points[index].sample_offset;
        }
        count = cues->cue_count;
    } else {
        count = 0;
    }
    free(cues);
    return count;
}

static atomic_int received_signal = 0;
// Exports running at the same time share one installation; the last to finish restores.
static atomic_int installations = 0;
static struct sigaction previous_interrupt, previous_terminate, previous_file_size;
static sigset_t previous_mask;

static void record_signal(int signal_number) {
    // Only a lock-free atomic store: the one thing a handler may safely do here.
    atomic_store(&received_signal, signal_number);
}

void soothe_interrupt_install(void) {
    if (atomic_fetch_add(&installations, 1) > 0) return;
    atomic_store(&received_signal, 0);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = record_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, &previous_interrupt);
    sigaction(SIGTERM, &action, &previous_terminate);
    // Caught even when ignored on entry (a script's background job starts with SIGINT ignored):
    // an export that stops on request and leaves nothing behind is always the safe outcome.
    // A parent may hand down a mask that blocks them (some process launchers do); unblock them on
    // this thread so that they arrive here rather than stay pending for ever.
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    sigaddset(&unblock, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &unblock, &previous_mask);
    struct sigaction ignore;
    memset(&ignore, 0, sizeof(ignore));
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGXFSZ, &ignore, &previous_file_size);
}

void soothe_interrupt_restore(void) {
    if (atomic_fetch_sub(&installations, 1) != 1) return;
    sigaction(SIGINT, &previous_interrupt, NULL);
    sigaction(SIGTERM, &previous_terminate, NULL);
    sigaction(SIGXFSZ, &previous_file_size, NULL);
    pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
    atomic_store(&received_signal, 0);
}

int soothe_interrupt_signal(void) {
    return atomic_load(&received_signal);
}

int soothe_start_writeback(int file_descriptor, int64_t offset, int64_t length) {
#ifdef SYNC_FILE_RANGE_WRITE
    return sync_file_range(file_descriptor, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)file_descriptor; (void)offset; (void)length;
    return 0;
#endif
}
