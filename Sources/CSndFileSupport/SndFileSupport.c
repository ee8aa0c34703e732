#include "CSndFileSupport.h"

#include <stddef.h>
#include <stdlib.h>

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
