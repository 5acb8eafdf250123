/*
 * Convolution geometry and the im2col / col2im lowering used when oneDNN is absent.
 * Part of dlnative.c's single translation unit (included once, in this order); not a
 * standalone header.
 */
#ifndef DL_IM2COL_H
#define DL_IM2COL_H

typedef struct {
  int64_t n, h, w, ci, fh, fw, sh, sw, dh, dw, pt, pl, oh, ow, co;
} ConvDims;

static int read_conv_dims(Args* a, size_t first, ConvDims* d) {
  int64_t* f = &d->n;
  for (int i = 0; i < 15; i++) f[i] = arg_int(a, first + i);
  if (a->failed) return 0;
  for (int i = 0; i < 15; i++) {
    if (i == 10 || i == 11) continue; /* pads may be 0 */
    if (f[i] <= 0) {
      fail(a, "dlnative.conv: bad sizes");
      return 0;
    }
  }
  if (d->pt < 0 || d->pl < 0) {
    fail(a, "dlnative.conv: negative padding");
    return 0;
  }
  return 1;
}

/*
 * col[r, (kh*fw + kw)*ci + c] = x[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, c] (0 outside) for
 * rows m0..m1. With dilation 1 the in-bounds taps of a filter row are contiguous in x (NHWC), so
 * each filter row is one copy (small copies as plain loops: a memcpy call per 3 floats costs
 * more than the floats).
 */
static inline void copy_f(float* restrict dst, const float* restrict src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] = src[i];
}

static inline void add_f(float* restrict dst, const float* restrict src, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] += src[i];
}

/* The kw range [lo, hi) whose input column ix0 + kw*dw lies in [0, w). */
static inline void kw_range(const ConvDims* d, int64_t ix0, int64_t* lo, int64_t* hi) {
  int64_t a = 0, b = d->fw;
  while (a < b && ix0 + a * d->dw < 0) a++;
  while (b > a && ix0 + (b - 1) * d->dw >= d->w) b--;
  *lo = a;
  *hi = b;
}

static void im2col(const float* x, float* col, const ConvDims* d, int64_t m0, int64_t m1) {
  const int64_t K = d->fh * d->fw * d->ci, rowLen = d->fw * d->ci;
  for (int64_t m = m0; m < m1; m++) {
    const int64_t b = m / (d->oh * d->ow);
    const int64_t rem = m % (d->oh * d->ow);
    const int64_t oy = rem / d->ow, ox = rem % d->ow;
    const int64_t ix0 = ox * d->sw - d->pl;
    int64_t lo, hi;
    kw_range(d, ix0, &lo, &hi);
    float* row = col + (m - m0) * K;
    for (int64_t kh = 0; kh < d->fh; kh++) {
      const int64_t iy = oy * d->sh - d->pt + kh * d->dh;
      float* dst = row + kh * rowLen;
      if (iy < 0 || iy >= d->h || lo >= hi) {
        memset(dst, 0, (size_t)rowLen * sizeof(float));
        continue;
      }
      const float* src = x + ((b * d->h + iy) * d->w) * d->ci;
      if (lo > 0) memset(dst, 0, (size_t)(lo * d->ci) * sizeof(float));
      if (d->dw == 1) {
        copy_f(dst + lo * d->ci, src + (ix0 + lo) * d->ci, (hi - lo) * d->ci);
      } else {
        for (int64_t kw = lo; kw < hi; kw++) copy_f(dst + kw * d->ci, src + (ix0 + kw * d->dw) * d->ci, d->ci);
      }
      if (hi < d->fw) memset(dst + hi * d->ci, 0, (size_t)((d->fw - hi) * d->ci) * sizeof(float));
    }
  }
}

/* dx[n, iy, ix, c] += col[r, (kh*fw + kw)*ci + c] for the same mapping as im2col. */
static void col2im(const float* col, float* dx, const ConvDims* d, int64_t m0, int64_t m1) {
  const int64_t K = d->fh * d->fw * d->ci, rowLen = d->fw * d->ci;
  for (int64_t m = m0; m < m1; m++) {
    const int64_t b = m / (d->oh * d->ow);
    const int64_t rem = m % (d->oh * d->ow);
    const int64_t oy = rem / d->ow, ox = rem % d->ow;
    const int64_t ix0 = ox * d->sw - d->pl;
    int64_t lo, hi;
    kw_range(d, ix0, &lo, &hi);
    if (lo >= hi) continue;
    const float* row = col + (m - m0) * K;
    for (int64_t kh = 0; kh < d->fh; kh++) {
      const int64_t iy = oy * d->sh - d->pt + kh * d->dh;
      if (iy < 0 || iy >= d->h) continue;
      const float* src = row + kh * rowLen;
      float* dst = dx + ((b * d->h + iy) * d->w) * d->ci;
      if (d->dw == 1) {
        add_f(dst + (ix0 + lo) * d->ci, src + lo * d->ci, (hi - lo) * d->ci);
      } else {
        for (int64_t kw = lo; kw < hi; kw++) add_f(dst + (ix0 + kw * d->dw) * d->ci, src + kw * d->ci, d->ci);
      }
    }
  }
}

static int is_pointwise(const ConvDims* d) {
  return d->fh == 1 && d->fw == 1 && d->sh == 1 && d->sw == 1 && d->pt == 0 && d->pl == 0 && d->oh == d->h && d->ow == d->w;
}

#endif
