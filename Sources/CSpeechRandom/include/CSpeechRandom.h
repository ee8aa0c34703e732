#ifndef SOOTHE_SPEECH_RANDOM_H
#define SOOTHE_SPEECH_RANDOM_H

/// Restarts the calling thread's `rand()` sequence, so that the next utterance flite or espeak-ng
/// speaks on this thread comes out the same every time.
void soothe_seed_random(unsigned long long seed);

#endif
