// Counts heap allocations per thread, for tests that assert a code path allocates nothing.
// The test executable defines malloc and its relatives; the dynamic linker binds every
// library's calls (the Swift runtime's included) to these, which count and then forward to
// glibc's own implementations.
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include "AllocationCounter.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMOSCOPE_NO_INTERPOSER 1
#endif
#endif

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static __thread int counting;
static __thread long allocations;

void emoscope_allocations_begin(void) { allocations = 0; counting = 1; }
long emoscope_allocations_end(void) { counting = 0; return allocations; }

#ifndef EMOSCOPE_NO_INTERPOSER  // AddressSanitizer brings its own allocator
void *malloc(size_t size) {
    if (counting) allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    if (counting) allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    if (counting) allocations++;
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    if (counting) allocations++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (counting) allocations++;
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (counting) allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
#endif
