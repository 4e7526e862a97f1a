// Hot elementwise kernels of the denoiser (softmax rows, GELU), compiled twice from one source: for
// baseline x86-64 (SSE2) and for AVX2, chosen once at run time. Neither build contracts multiply-adds
// into FMA, so both give bit-identical results (the same IEEE operations, 4 or 8 lanes at a time); they
// are the exact operation sequence of a2m's earlier Swift SIMD8 kernels, so trained models reproduce.
#ifndef A2M_KERNELS_H
#define A2M_KERNELS_H

#include <stddef.h>

/// In-place masked softmax of each of `rows` rows of `cols` floats; mask[j] == 0 excludes key j (may be
/// NULL). A row with no valid key becomes all zeros.
void a2m_softmax_rows(float *p, ptrdiff_t rows, ptrdiff_t cols, const float *mask);

/// out[i] = 0.5·x·(1 + erf(x/√2)), i in 0..<count.
void a2m_gelu_forward(float *out, const float *inp, ptrdiff_t count);

/// dinp[i] += dout[i]·(Φ(x) + x·φ(x)), i in 0..<count.
void a2m_gelu_backward(float *dinp, const float *inp, const float *dout, ptrdiff_t count);

/// Inverted-dropout factor of element `index`: a SplitMix64 finalizer of key + index·φ; the top 24 bits
/// against `threshold` (p·2²⁴) decide: 0 (dropped) or `scale` (1/(1−p)). The same function as
/// `DropoutMask.factor` in Swift.
typedef struct {
    unsigned long long key;
    unsigned long long threshold;
    float scale;
} a2m_dropout;

/// out[i] = inp[i]·factor(first + i), i in 0..<count (out may equal inp).
void a2m_dropout_mul(float *out, const float *inp, ptrdiff_t count, a2m_dropout mask, ptrdiff_t first);

/// dinp[i] += dout[i]·factor(first + i).
void a2m_dropout_accumulate(float *dinp, const float *dout, ptrdiff_t count, a2m_dropout mask, ptrdiff_t first);

/// used[i] = probs[i]·f and dprobs[i] ·= f, f = factor(first + i): attention backward's one pass over a mask.
void a2m_dropout_mul2(float *used, const float *probs, float *dprobs, ptrdiff_t count, a2m_dropout mask, ptrdiff_t first);

/// What this CPU and its OS support, as the level later OpenBLAS releases use to pick kernels for a CPU their
/// model table does not know (driver/others/dynamic.c): 4 AVX-512 with BF16, 3 AVX-512 (F, CD, BW, DQ, VL),
/// 2 AVX2 with FMA, 1 AVX, 0 none of these. `OpenBLASKernels` maps it to a core type.
int a2m_cpu_vector_level(void);

/// The vector exp and erf the kernels use, over arrays (for accuracy tests against libm).
void a2m_exp(float *out, const float *inp, ptrdiff_t count);
void a2m_erf(float *out, const float *inp, ptrdiff_t count);

/// Which build runs: 1 = AVX2, 0 = baseline. Tests force one with `a2m_kernels_force_isa(0 or 1)`;
/// −1 returns to run-time detection. Forcing AVX2 on a CPU without it is ignored.
int a2m_kernels_isa(void);
void a2m_kernels_force_isa(int isa);

#endif
