// Legend: rows × cols row-major matrices (softmax), flat arrays of `count` floats (GELU).
//
// Each kernel body is a static always-inline function instantiated twice below: once with the default
// target and once inside __attribute__((target("avx2"))), where the 8-lane vectors become single AVX
// registers. "fma" is deliberately not enabled and contraction is off, so the AVX2 build performs exactly
// the baseline build's roundings.
#include "a2m_kernels.h"
#include <string.h>

#pragma clang fp contract(off)
// The 8-lane helpers below are always inlined, so the vector-ABI note for non-AVX callers does not apply.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float f8 __attribute__((ext_vector_type(8)));
typedef int i8 __attribute__((ext_vector_type(8)));
typedef unsigned u8 __attribute__((ext_vector_type(8)));

#define INLINE static inline __attribute__((always_inline))

INLINE f8 splat(float x) { return (f8)(x); }

INLINE f8 load8(const float *p, ptrdiff_t n) {
    f8 v = splat(0);
    if (n >= 8) { memcpy(&v, p, sizeof v); return v; }
    for (ptrdiff_t i = 0; i < n; i++) v[i] = p[i];
    return v;
}

INLINE void store8(f8 v, float *p, ptrdiff_t n) {
    if (n >= 8) { memcpy(p, &v, sizeof v); return; }
    for (ptrdiff_t i = 0; i < n; i++) p[i] = v[i];
}

/// where(m, a, b) lane-wise by bit select (m lanes are all-ones or zero).
INLINE f8 select8(i8 m, f8 a, f8 b) { return (f8)(((i8)a & m) | ((i8)b & ~m)); }

/// Swift's `x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)`.
INLINE f8 clamp8(f8 x, float lo, float hi) {
    f8 l = splat(lo), h = splat(hi);
    x = select8(x < l, l, x);
    return select8(x > h, h, x);
}

/// exp(x), Cephes-style: 2^n · p(r) with |r| ≤ ln2/2; relative error ≲ 2 ulp on [-87, 88].
INLINE f8 vexp(f8 xin) {
    f8 x = clamp8(xin, -87.0f, 88.0f);
    f8 magic = splat(12582912.0f);              // 1.5·2^23: adding it rounds to an integer
    f8 t = x * splat(1.44269504f) + magic;
    f8 n = t - magic;
    f8 r = x - n * splat(0.693359375f);
    r = r - n * splat(-2.1219444e-4f);
    f8 p = splat(1.98756915e-4f);
    p = p * r + splat(1.39819995e-3f);
    p = p * r + splat(8.3334519e-3f);
    p = p * r + splat(4.1665796e-2f);
    p = p * r + splat(1.66666655e-1f);
    p = p * r + splat(5.0000001e-1f);
    p = p * (r * r) + r + splat(1.0f);
    u8 ni = (u8)t - 0x4B400000u;
    f8 pow2 = (f8)((ni + 127u) << 23);
    return p * pow2;
}

/// erf(x) as Eigen's `generic_fast_erf_float`: a few ulp on [-4, 4], ±1 outside.
INLINE f8 verf(f8 xin) {
    f8 x = clamp8(xin, -4.0f, 4.0f);
    f8 x2 = x * x;
    f8 p = x2 * splat(-2.72614225801306e-10f) + splat(2.77068142495902e-08f);
    p = x2 * p + splat(-2.10102402082508e-06f);
    p = x2 * p + splat(-5.69250639462346e-05f);
    p = x2 * p + splat(-7.34990630326855e-04f);
    p = x2 * p + splat(-2.95459980854025e-03f);
    p = x2 * p + splat(-1.60960333262415e-02f);
    p = x * p;
    f8 q = x2 * splat(-1.45660718464996e-05f) + splat(-2.13374055278905e-04f);
    q = x2 * q + splat(-1.68282697438203e-03f);
    q = x2 * q + splat(-7.37332916720468e-03f);
    q = x2 * q + splat(-1.42647390514189e-02f);
    return p / q;
}

/// Swift's SIMD `sum()`: a left-to-right scalar sum starting from −0.
INLINE float hsum(f8 v) {
    float s = -0.0f;
    for (int i = 0; i < 8; i++) s += v[i];
    return s;
}

INLINE float hmax(f8 v) {
    float m = v[0];
    for (int i = 1; i < 8; i++) m = v[i] > m ? v[i] : m;
    return m;
}

static const float invSqrt2 = 0.7071067811865475f;
static const float invSqrt2Pi = 0.3989422804014327f;

INLINE void softmax_rows_body(float *p, ptrdiff_t rows, ptrdiff_t cols, const float *mask) {
    ptrdiff_t tail = cols % 8, body = cols - tail;
    for (ptrdiff_t r = 0; r < rows; r++) {
        float *row = p + r * cols;
        if (mask) for (ptrdiff_t j = 0; j < cols; j++) if (mask[j] == 0) row[j] = -__builtin_inff();
        f8 mv8 = splat(-__builtin_inff());
        ptrdiff_t j = 0;
        for (; j < body; j += 8) { f8 v = load8(row + j, 8); mv8 = select8(v > mv8, v, mv8); }
        float mx = hmax(mv8);
        for (; j < cols; j++) mx = row[j] > mx ? row[j] : mx;
        if (mx == -__builtin_inff()) { memset(row, 0, (size_t)cols * sizeof(float)); continue; }
        f8 acc = splat(0), mv = splat(mx);
        for (j = 0; j < body; j += 8) {
            f8 e = vexp(load8(row + j, 8) - mv);
            acc += e;
            store8(e, row + j, 8);
        }
        float sum = hsum(acc);
        if (tail > 0) {
            f8 e = vexp(load8(row + body, tail) - mv);
            for (ptrdiff_t l = 0; l < tail; l++) { row[body + l] = e[l]; sum += e[l]; }
        }
        if (mask) for (j = 0; j < cols; j++) if (mask[j] == 0) row[j] = 0;
        f8 inv = splat(1 / sum);
        for (j = 0; j < body; j += 8) store8(load8(row + j, 8) * inv, row + j, 8);
        float s = 1 / sum;
        for (; j < cols; j++) row[j] *= s;
    }
}

INLINE void gelu_forward_body(float *out, const float *inp, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i += 8) {
        ptrdiff_t n = count - i;
        f8 v = load8(inp + i, n);
        store8(splat(0.5f) * v * (splat(1) + verf(v * splat(invSqrt2))), out + i, n);
    }
}

INLINE void gelu_backward_body(float *dinp, const float *inp, const float *dout, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i += 8) {
        ptrdiff_t n = count - i;
        f8 v = load8(inp + i, n);
        f8 cdf = splat(0.5f) * (splat(1) + verf(v * splat(invSqrt2)));
        f8 pdf = splat(invSqrt2Pi) * vexp(splat(-0.5f) * v * v);
        store8(load8(dinp + i, n) + load8(dout + i, n) * (cdf + v * pdf), dinp + i, n);
    }
}

INLINE void exp_body(float *out, const float *inp, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i += 8) store8(vexp(load8(inp + i, count - i)), out + i, count - i);
}

INLINE void erf_body(float *out, const float *inp, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i += 8) store8(verf(load8(inp + i, count - i)), out + i, count - i);
}

typedef unsigned long long u64x4 __attribute__((ext_vector_type(4)));
typedef long long i64x4 __attribute__((ext_vector_type(4)));
typedef int i4 __attribute__((ext_vector_type(4)));
typedef float f4 __attribute__((ext_vector_type(4)));

/// factor(first + i .. first + i + 3): integer arithmetic, so every build gives the same bits.
INLINE f4 dropout4(a2m_dropout m, ptrdiff_t index) {
    u64x4 z = (u64x4)((unsigned long long)index) + (u64x4){0, 1, 2, 3};
    z = (u64x4)(m.key) + z * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    i4 keep = __builtin_convertvector((i64x4)((z >> 40) >= (u64x4)(m.threshold)), i4);
    f4 s = (f4)(m.scale);
    return (f4)((i4)s & keep);
}

/// factor(index .. index + 7).
INLINE f8 dropout8(a2m_dropout m, ptrdiff_t index) {
    return __builtin_shufflevector(dropout4(m, index), dropout4(m, index + 4), 0, 1, 2, 3, 4, 5, 6, 7);
}

INLINE void dropout_mul_body(float *out, const float *inp, ptrdiff_t count, a2m_dropout m, ptrdiff_t first) {
    for (ptrdiff_t i = 0; i < count; i += 8) store8(load8(inp + i, count - i) * dropout8(m, first + i), out + i, count - i);
}

INLINE void dropout_accumulate_body(float *dinp, const float *dout, ptrdiff_t count, a2m_dropout m, ptrdiff_t first) {
    for (ptrdiff_t i = 0; i < count; i += 8) {
        ptrdiff_t n = count - i;
        store8(load8(dinp + i, n) + load8(dout + i, n) * dropout8(m, first + i), dinp + i, n);
    }
}

INLINE void dropout_mul2_body(float *used, const float *probs, float *dprobs, ptrdiff_t count, a2m_dropout m, ptrdiff_t first) {
    for (ptrdiff_t i = 0; i < count; i += 8) {
        ptrdiff_t n = count - i;
        f8 f = dropout8(m, first + i);
        store8(load8(probs + i, n) * f, used + i, n);
        store8(load8(dprobs + i, n) * f, dprobs + i, n);
    }
}

#define AVX2 __attribute__((target("avx2")))

static void softmax_rows_base(float *p, ptrdiff_t rows, ptrdiff_t cols, const float *mask) { softmax_rows_body(p, rows, cols, mask); }
AVX2 static void softmax_rows_avx2(float *p, ptrdiff_t rows, ptrdiff_t cols, const float *mask) { softmax_rows_body(p, rows, cols, mask); }
static void gelu_forward_base(float *out, const float *inp, ptrdiff_t count) { gelu_forward_body(out, inp, count); }
AVX2 static void gelu_forward_avx2(float *out, const float *inp, ptrdiff_t count) { gelu_forward_body(out, inp, count); }
static void gelu_backward_base(float *dinp, const float *inp, const float *dout, ptrdiff_t count) { gelu_backward_body(dinp, inp, dout, count); }
AVX2 static void gelu_backward_avx2(float *dinp, const float *inp, const float *dout, ptrdiff_t count) { gelu_backward_body(dinp, inp, dout, count); }

static void exp_base(float *out, const float *inp, ptrdiff_t count) { exp_body(out, inp, count); }
AVX2 static void exp_avx2(float *out, const float *inp, ptrdiff_t count) { exp_body(out, inp, count); }
static void erf_base(float *out, const float *inp, ptrdiff_t count) { erf_body(out, inp, count); }
AVX2 static void erf_avx2(float *out, const float *inp, ptrdiff_t count) { erf_body(out, inp, count); }

static void dropout_mul_base(float *o, const float *x, ptrdiff_t n, a2m_dropout m, ptrdiff_t f) { dropout_mul_body(o, x, n, m, f); }
AVX2 static void dropout_mul_avx2(float *o, const float *x, ptrdiff_t n, a2m_dropout m, ptrdiff_t f) { dropout_mul_body(o, x, n, m, f); }
static void dropout_acc_base(float *d, const float *g, ptrdiff_t n, a2m_dropout m, ptrdiff_t f) { dropout_accumulate_body(d, g, n, m, f); }
AVX2 static void dropout_acc_avx2(float *d, const float *g, ptrdiff_t n, a2m_dropout m, ptrdiff_t f) { dropout_accumulate_body(d, g, n, m, f); }
static void dropout_mul2_base(float *u, const float *p, float *dp, ptrdiff_t n, a2m_dropout m, ptrdiff_t f) { dropout_mul2_body(u, p, dp, n, m, f); }
AVX2 static void dropout_mul2_avx2(float *u, const float *p, float *dp, ptrdiff_t n, a2m_dropout m, ptrdiff_t f) { dropout_mul2_body(u, p, dp, n, m, f); }

// −1 = detect; 0/1 = forced by a test. Plain int: written only by tests between runs.
static int forced = -1;

int a2m_kernels_isa(void) {
    int hw = __builtin_cpu_supports("avx2") ? 1 : 0;
    if (forced == 0) return 0;
    return hw;
}

void a2m_kernels_force_isa(int isa) { forced = isa < 0 ? -1 : (isa ? 1 : 0); }

int a2m_cpu_vector_level(void) {
    // __builtin_cpu_supports also checks that the OS saves the wide registers (XGETBV), as OpenBLAS does.
    int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    if (avx512 && __builtin_cpu_supports("avx512bf16")) return 4;
    if (avx512) return 3;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 2;
    if (__builtin_cpu_supports("avx")) return 1;
    return 0;
}

void a2m_softmax_rows(float *p, ptrdiff_t rows, ptrdiff_t cols, const float *mask) {
    if (a2m_kernels_isa()) softmax_rows_avx2(p, rows, cols, mask); else softmax_rows_base(p, rows, cols, mask);
}

void a2m_gelu_forward(float *out, const float *inp, ptrdiff_t count) {
    if (a2m_kernels_isa()) gelu_forward_avx2(out, inp, count); else gelu_forward_base(out, inp, count);
}

void a2m_gelu_backward(float *dinp, const float *inp, const float *dout, ptrdiff_t count) {
    if (a2m_kernels_isa()) gelu_backward_avx2(dinp, inp, dout, count); else gelu_backward_base(dinp, inp, dout, count);
}

void a2m_exp(float *out, const float *inp, ptrdiff_t count) {
    if (a2m_kernels_isa()) exp_avx2(out, inp, count); else exp_base(out, inp, count);
}

void a2m_erf(float *out, const float *inp, ptrdiff_t count) {
    if (a2m_kernels_isa()) erf_avx2(out, inp, count); else erf_base(out, inp, count);
}

void a2m_dropout_mul(float *out, const float *inp, ptrdiff_t count, a2m_dropout mask, ptrdiff_t first) {
    if (a2m_kernels_isa()) dropout_mul_avx2(out, inp, count, mask, first); else dropout_mul_base(out, inp, count, mask, first);
}

void a2m_dropout_accumulate(float *dinp, const float *dout, ptrdiff_t count, a2m_dropout mask, ptrdiff_t first) {
    if (a2m_kernels_isa()) dropout_acc_avx2(dinp, dout, count, mask, first); else dropout_acc_base(dinp, dout, count, mask, first);
}

void a2m_dropout_mul2(float *used, const float *probs, float *dprobs, ptrdiff_t count, a2m_dropout mask, ptrdiff_t first) {
    if (a2m_kernels_isa()) dropout_mul2_avx2(used, probs, dprobs, count, mask, first); else dropout_mul2_base(used, probs, dprobs, count, mask, first);
}
