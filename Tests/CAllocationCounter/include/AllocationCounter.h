#ifndef EMOSCOPE_ALLOCATION_COUNTER_H
#define EMOSCOPE_ALLOCATION_COUNTER_H
/// Starts counting heap allocations made by the calling thread.
void emoscope_allocations_begin(void);
/// Stops counting and returns how many allocations the calling thread made since begin.
long emoscope_allocations_end(void);
#endif
