// flite's vocoder and espeak-ng draw the noise in unvoiced sounds from the C library's rand(),
// whose one sequence is shared by the whole process: the same text then sounds slightly different
// each time, and differently again when prompts are synthesised on several threads. This file
// defines rand() and srand() for the process with one sequence per thread, which Speech restarts
// before every utterance, so speech is the same sample for sample however it is scheduled. The
// executable's definitions take precedence over the C library's for the shared libraries it loads.
#include <stdlib.h>
#include "CSpeechRandom.h"

static _Thread_local unsigned long long state = 0x9E3779B97F4A7C15ULL;

void soothe_seed_random(unsigned long long seed) {
    state = seed;
}

// splitmix64, reduced to rand()'s range of 0 to RAND_MAX (2^31 - 1 with glibc).
int rand(void) {
    unsigned long long z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (int)((z >> 33) % ((unsigned long long)RAND_MAX + 1));
}

void srand(unsigned int seed) {
    state = seed;
}
