#ifndef EMOSCOPE_CBLAS_SHIM_H
#define EMOSCOPE_CBLAS_SHIM_H
// BLAS is not linked: it is dlopen'ed after OPENBLAS_CORETYPE is chosen, because OpenBLAS
// picks its kernel when it loads. This header gives the C signatures and a CPU probe.

/// cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
typedef void (*emoscope_sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                                  const float *, int, float, float *, int);
typedef const char *(*emoscope_corename_fn)(void);

/// 2 when the CPU runs AVX-512 (F, BW, DQ, VL), 1 for AVX2 + FMA, 0 otherwise.
static inline int emoscope_cpu_simd_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 1;
#endif
    return 0;
}
#endif
