// glibc's allocator tuning (mallopt and its M_* parameters), which Swift's Glibc module leaves out.
#include <malloc.h>
