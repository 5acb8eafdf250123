/*
 * Drive Lab native kernels: an optional Node-API addon that gives tfjs's wasm backend
 * OpenBLAS-speed matrix products and convolutions. The wasm backend keeps every tensor in its
 * heap; the TypeScript side passes Float32Array views of that heap, so nothing is copied.
 *
 * Conventions: row-major, NHWC activations, filters [fh, fw, ci, co] (tfjs layout), all sizes
 * in elements. Every function checks that each array holds the elements it will touch and
 * throws a JavaScript error otherwise. Built by build.mjs beside this file (gcc + OpenBLAS +
 * the Node headers); when it is absent the engine uses tfjs's own wasm kernels.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bumped whenever a function's signature changes; the loader refuses a stale build. */
#define DLNATIVE_API 6
#define MAX_ARGS 24
/* Bytes of im2col scratch per chunk: big enough for efficient GEMMs, small enough for cache. */
#define CHUNK_FLOATS (1 << 20)

#include "napi-args.h"
#include "blas-threads.h"

/*
 * matMul(a, b, transA, transB, batchA, batchB, M, N, K, bias|null, act, out):
 * out[bt] = act(op(a[bt or 0]) op(b[bt or 0]) + bias), op(a) is M x K, op(b) is K x N.
 */
static napi_value MatMul(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, 12)) return NULL;
  int64_t ta = arg_int(&a, 2), tb = arg_int(&a, 3), ba = arg_int(&a, 4), bb = arg_int(&a, 5);
  int64_t M = arg_int(&a, 6), N = arg_int(&a, 7), K = arg_int(&a, 8);
  int64_t act = arg_int(&a, 10);
  int64_t batch = ba > bb ? ba : bb;
  if (a.failed) return NULL;
  if (M <= 0 || N <= 0 || K <= 0 || ba <= 0 || bb <= 0 || (ba != bb && ba != 1 && bb != 1)) {
    napi_throw_error(env, NULL, "dlnative.matMul: bad sizes");
    return NULL;
  }
  float* A = arg_f32(&a, 0, (size_t)(ba * M * K), "dlnative.matMul: a must be a Float32Array");
  float* B = arg_f32(&a, 1, (size_t)(bb * K * N), "dlnative.matMul: b must be a Float32Array");
  float* bias = arg_f32_opt(&a, 9, (size_t)N, "dlnative.matMul: bias must be a Float32Array");
  float* C = arg_f32(&a, 11, (size_t)(batch * M * N), "dlnative.matMul: out must be a Float32Array");
  if (a.failed) return NULL;
  for (int64_t t = 0; t < batch; t++) {
    const float* At = A + (ba == 1 ? 0 : t * M * K);
    const float* Bt = B + (bb == 1 ? 0 : t * K * N);
    float* Ct = C + t * M * N;
    if (bias) fill_bias(Ct, bias, (size_t)M, (size_t)N);
    sgemm((int)ta, (int)tb, M, N, K, At, ta ? M : K, Bt, tb ? K : N, bias ? 1.f : 0.f, Ct, N);
    apply_act(Ct, (size_t)(M * N), (int)act);
  }
  return NULL;
}

#include "im2col.h"

#ifdef DL_DNNL
#include "dnnl-conv.h"
#endif

static int64_t chunk_rows(int64_t K) {
  int64_t r = CHUNK_FLOATS / K;
  return r < 16 ? 16 : r;
}

/* conv2d(x, filter, bias|null, act, out, n, h, w, ci, fh, fw, sh, sw, dh, dw, pt, pl, oh, ow, co) */
static napi_value Conv2D(napi_env env, napi_callback_info info) {
  Args a;
  ConvDims d;
  if (!get_args(env, info, &a, 20)) return NULL;
  if (!read_conv_dims(&a, 5, &d)) return NULL;
  const int64_t K = d.fh * d.fw * d.ci, M = d.n * d.oh * d.ow;
  float* x = arg_f32(&a, 0, (size_t)(d.n * d.h * d.w * d.ci), "dlnative.conv2d: x must be a Float32Array");
  float* f = arg_f32(&a, 1, (size_t)(K * d.co), "dlnative.conv2d: filter must be a Float32Array");
  float* bias = arg_f32_opt(&a, 2, (size_t)d.co, "dlnative.conv2d: bias must be a Float32Array");
  int64_t act = arg_int(&a, 3);
  float* y = arg_f32(&a, 4, (size_t)(M * d.co), "dlnative.conv2d: out must be a Float32Array");
  if (a.failed) return NULL;
#ifdef DL_DNNL
  if (dnnl_conv(DNNL_CONV_FWD, &d, x, f, bias, y, (int)act)) return NULL;
#endif
  if (is_pointwise(&d)) {
    if (bias) fill_bias(y, bias, (size_t)M, (size_t)d.co);
    sgemm(0, 0, M, d.co, K, x, K, f, d.co, bias ? 1.f : 0.f, y, d.co);
  } else {
    const int64_t R = chunk_rows(K);
    float* col = get_scratch((size_t)(R * K));
    if (!col) {
      napi_throw_error(env, NULL, "dlnative.conv2d: out of memory");
      return NULL;
    }
    for (int64_t m0 = 0; m0 < M; m0 += R) {
      const int64_t m1 = m0 + R < M ? m0 + R : M;
      im2col(x, col, &d, m0, m1);
      float* yc = y + m0 * d.co;
      if (bias) fill_bias(yc, bias, (size_t)(m1 - m0), (size_t)d.co);
      sgemm(0, 0, m1 - m0, d.co, K, col, K, f, d.co, bias ? 1.f : 0.f, yc, d.co);
    }
  }
  apply_act(y, (size_t)(M * d.co), (int)act);
  return NULL;
}

/*
 * conv2dBackpropInput(dy, filter, bias|null, act, dx, n, h, w, ci, fh, fw, sh, sw, dh, dw, pt, pl, oh, ow, co):
 * dx = act(conv^T(dy) + bias), the gradient of a conv with respect to its input, which is also
 * conv2dTranspose's forward pass (bias [ci] and act fused for the latter; null and 0 for the former).
 */
static napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  Args a;
  ConvDims d;
  if (!get_args(env, info, &a, 20)) return NULL;
  if (!read_conv_dims(&a, 5, &d)) return NULL;
  const int64_t K = d.fh * d.fw * d.ci, M = d.n * d.oh * d.ow, X = d.n * d.h * d.w;
  float* dy = arg_f32(&a, 0, (size_t)(M * d.co), "dlnative.conv2dBackpropInput: dy must be a Float32Array");
  float* f = arg_f32(&a, 1, (size_t)(K * d.co), "dlnative.conv2dBackpropInput: filter must be a Float32Array");
  float* bias = arg_f32_opt(&a, 2, (size_t)d.ci, "dlnative.conv2dBackpropInput: bias must be a Float32Array");
  int64_t act = arg_int(&a, 3);
  float* dx = arg_f32(&a, 4, (size_t)(X * d.ci), "dlnative.conv2dBackpropInput: dx must be a Float32Array");
  if (a.failed) return NULL;
#ifdef DL_DNNL
  /* oneDNN's own deconvolution (with bias and activation) measured slower than its
     backward-data convolution (bench/RESULTS.md, "Kernel choices"); bias and activation are a
     cheap pass afterwards. */
  if (dnnl_conv(DNNL_CONV_BWD_DATA, &d, dx, f, NULL, dy, 0)) {
    if (bias || act) bias_act(dx, bias, (size_t)X, (size_t)d.ci, (int)act);
    return NULL;
  }
#endif
  if (is_pointwise(&d)) {
    if (bias) fill_bias(dx, bias, (size_t)X, (size_t)d.ci);
    sgemm(0, 1, M, K, d.co, dy, d.co, f, d.co, bias ? 1.f : 0.f, dx, K);
  } else {
    fill_bias(dx, bias, (size_t)X, (size_t)d.ci);
    const int64_t R = chunk_rows(K);
    float* col = get_scratch((size_t)(R * K));
    if (!col) {
      napi_throw_error(env, NULL, "dlnative.conv2dBackpropInput: out of memory");
      return NULL;
    }
    for (int64_t m0 = 0; m0 < M; m0 += R) {
      const int64_t m1 = m0 + R < M ? m0 + R : M;
      sgemm(0, 1, m1 - m0, K, d.co, dy + m0 * d.co, d.co, f, d.co, 0.f, col, K);
      col2im(col, dx, &d, m0, m1);
    }
  }
  apply_act(dx, (size_t)(X * d.ci), (int)act);
  return NULL;
}

/* conv2dBackpropFilter(x, dy, dw, n, h, w, ci, fh, fw, sh, sw, dh, dw, pt, pl, oh, ow, co) */
static napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  Args a;
  ConvDims d;
  if (!get_args(env, info, &a, 18)) return NULL;
  if (!read_conv_dims(&a, 3, &d)) return NULL;
  const int64_t K = d.fh * d.fw * d.ci, M = d.n * d.oh * d.ow;
  float* x = arg_f32(&a, 0, (size_t)(d.n * d.h * d.w * d.ci), "dlnative.conv2dBackpropFilter: x must be a Float32Array");
  float* dy = arg_f32(&a, 1, (size_t)(M * d.co), "dlnative.conv2dBackpropFilter: dy must be a Float32Array");
  float* dw = arg_f32(&a, 2, (size_t)(K * d.co), "dlnative.conv2dBackpropFilter: dw must be a Float32Array");
  if (a.failed) return NULL;
#ifdef DL_DNNL
  if (dnnl_conv(DNNL_CONV_BWD_WEIGHTS, &d, x, dw, NULL, dy, 0)) return NULL;
#endif
  if (is_pointwise(&d)) {
    sgemm(1, 0, K, d.co, M, x, K, dy, d.co, 0.f, dw, d.co);
    return NULL;
  }
  const int64_t R = chunk_rows(K);
  float* col = get_scratch((size_t)(R * K));
  if (!col) {
    napi_throw_error(env, NULL, "dlnative.conv2dBackpropFilter: out of memory");
    return NULL;
  }
  for (int64_t m0 = 0; m0 < M; m0 += R) {
    const int64_t m1 = m0 + R < M ? m0 + R : M;
    im2col(x, col, &d, m0, m1);
    sgemm(1, 0, K, d.co, m1 - m0, col, K, dy + m0 * d.co, d.co, m0 == 0 ? 0.f : 1.f, dw, d.co);
  }
  return NULL;
}

static double arg_num(Args* a, size_t i) {
  double v = 0;
  if (a->failed) return 0;
  if (napi_get_value_double(a->env, a->argv[i], &v) != napi_ok) fail(a, "dlnative: expected a number");
  return v;
}

static void act_grad(const float* restrict dy, const float* restrict y, int act, float* restrict dz, int64_t n) {
  int64_t i;
  switch (act) {
    case 1:
      for (i = 0; i < n; i++) dz[i] = dy[i] * (y[i] > 0.f ? 1.f : 0.f); /* = tf.mul(dy, tf.step(y)) */
      break;
    case 2:
      for (i = 0; i < n; i++) dz[i] = dy[i] * (1.f - y[i] * y[i]);
      break;
    case 3:
      for (i = 0; i < n; i++) dz[i] = dy[i] * y[i] * (1.f - y[i]);
      break;
    default:
      memcpy(dz, dy, (size_t)n * sizeof(float));
  }
}

/* actGrad(dy, y, act, dz, n): dz = dy * act'(y) from the activation's output y (1 relu, 2 tanh, 3 sigmoid). */
static napi_value ActGrad(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, 5)) return NULL;
  int64_t act = arg_int(&a, 2), n = arg_int(&a, 4);
  if (a.failed) return NULL;
  float* dy = arg_f32(&a, 0, (size_t)n, "dlnative.actGrad: dy must be a Float32Array");
  float* y = arg_f32(&a, 1, (size_t)n, "dlnative.actGrad: y must be a Float32Array");
  float* dz = arg_f32(&a, 3, (size_t)n, "dlnative.actGrad: dz must be a Float32Array");
  if (a.failed) return NULL;
  act_grad(dy, y, (int)act, dz, n);
  return NULL;
}

/* colSum(x, rows, cols, out): out[c] = sum_r x[r, c] (a dense layer's bias gradient). */
static napi_value ColSum(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, 4)) return NULL;
  int64_t rows = arg_int(&a, 1), cols = arg_int(&a, 2);
  if (a.failed) return NULL;
  float* x = arg_f32(&a, 0, (size_t)(rows * cols), "dlnative.colSum: x must be a Float32Array");
  float* out = arg_f32(&a, 3, (size_t)cols, "dlnative.colSum: out must be a Float32Array");
  if (a.failed) return NULL;
  memset(out, 0, (size_t)cols * sizeof(float));
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * cols;
    for (int64_t c = 0; c < cols; c++) out[c] += row[c];
  }
  return NULL;
}

/* The same step in place (the optimizer's fast path: no new tensors). */
static void adam_inplace(float* restrict p, float* restrict m, float* restrict v, const float* restrict g, int64_t n, float lr, float b1, float b2, float eps,
                         float bc1, float bc2) {
  const float c1 = 1.f - b1, c2 = 1.f - b2;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] - lr * ((mi / bc1) / (sqrtf(vi / bc2) + eps));
  }
}

static void adam_step(const float* restrict p, const float* restrict m, const float* restrict v, const float* restrict g, int64_t n, float lr, float b1,
                      float b2, float eps, float bc1, float bc2, float* restrict op, float* restrict om, float* restrict ov) {
  const float c1 = 1.f - b1, c2 = 1.f - b2;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * (gi * gi);
    om[i] = mi;
    ov[i] = vi;
    op[i] = p[i] - lr * ((mi / bc1) / (sqrtf(vi / bc2) + eps));
  }
}

/*
 * adam(value, m, v, grad, n, lr, beta1, beta2, eps, bc1, bc2, outValue, outM, outV): one Adam
 * step with tfjs's arithmetic: m' = b1 m + (1-b1) g; v' = b2 v + (1-b2) g^2;
 * value' = value - lr (m'/bc1) / (sqrt(v'/bc2) + eps), bc_i = 1 - b_i^t. Either in place
 * (outValue, outM, outV are value, m, v) or into separate arrays.
 */
static napi_value Adam(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, 14)) return NULL;
  int64_t n = arg_int(&a, 4);
  const float lr = (float)arg_num(&a, 5), b1 = (float)arg_num(&a, 6), b2 = (float)arg_num(&a, 7), eps = (float)arg_num(&a, 8);
  const float bc1 = (float)arg_num(&a, 9), bc2 = (float)arg_num(&a, 10);
  if (a.failed) return NULL;
  float* p = arg_f32(&a, 0, (size_t)n, "dlnative.adam: value must be a Float32Array");
  float* m = arg_f32(&a, 1, (size_t)n, "dlnative.adam: m must be a Float32Array");
  float* v = arg_f32(&a, 2, (size_t)n, "dlnative.adam: v must be a Float32Array");
  float* g = arg_f32(&a, 3, (size_t)n, "dlnative.adam: grad must be a Float32Array");
  float* op = arg_f32(&a, 11, (size_t)n, "dlnative.adam: outValue must be a Float32Array");
  float* om = arg_f32(&a, 12, (size_t)n, "dlnative.adam: outM must be a Float32Array");
  float* ov = arg_f32(&a, 13, (size_t)n, "dlnative.adam: outV must be a Float32Array");
  if (a.failed) return NULL;
  if (op == p && om == m && ov == v && p != m && p != v && m != v && g != p && g != m && g != v) {
    adam_inplace(p, m, v, g, n, lr, b1, b2, eps, bc1, bc2);
    return NULL;
  }
  const float* ins[4] = {p, m, v, g};
  const float* outs[3] = {op, om, ov};
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 3; j++)
      if (ins[i] == outs[j]) {
        napi_throw_error(env, NULL, "dlnative.adam: outputs must be the inputs themselves (in place) or separate arrays");
        return NULL;
      }
  adam_step(p, m, v, g, n, lr, b1, b2, eps, bc1, bc2, op, om, ov);
  return NULL;
}

static void lerp(const float* restrict t, const float* restrict s, int64_t n, float tau, float* restrict o) {
  const float keep = 1.f - tau;
  for (int64_t i = 0; i < n; i++) o[i] = tau * s[i] + keep * t[i];
}

static void lerp_inplace(float* restrict t, const float* restrict s, int64_t n, float tau) {
  const float keep = 1.f - tau;
  for (int64_t i = 0; i < n; i++) t[i] = tau * s[i] + keep * t[i];
}

/* lerp(target, source, n, tau, out): out = tau * source + (1 - tau) * target (Polyak averaging); out may be target. */
static napi_value Lerp(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, 5)) return NULL;
  int64_t n = arg_int(&a, 2);
  const float tau = (float)arg_num(&a, 3);
  if (a.failed) return NULL;
  float* t = arg_f32(&a, 0, (size_t)n, "dlnative.lerp: target must be a Float32Array");
  float* s = arg_f32(&a, 1, (size_t)n, "dlnative.lerp: source must be a Float32Array");
  float* o = arg_f32(&a, 4, (size_t)n, "dlnative.lerp: out must be a Float32Array");
  if (a.failed) return NULL;
  if (o == t && s != t) {
    lerp_inplace(t, s, n, tau);
  } else if (o == s) {
    napi_throw_error(env, NULL, "dlnative.lerp: out must be target (in place) or a separate array");
    return NULL;
  } else {
    lerp(t, s, n, tau, o);
  }
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, &a, 1)) return NULL;
  int64_t n = arg_int(&a, 0);
  if (a.failed) return NULL;
  init_threads();
  if (n > 0) {
    pthread_rwlock_wrlock(&blas_lock);
    openblas_set_num_threads((int)n);
    max_threads = cur_threads = (int)n;
    pthread_rwlock_unlock(&blas_lock);
    fixed_threads = 1;
  } else {
    /* 0: back to choosing between one thread and all cores by measured speed. */
    max_threads = default_threads;
    fixed_threads = 0;
  }
  return NULL;
}

/* The most threads a product or convolution uses. */
static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value r;
  (void)info;
  init_threads();
  napi_create_int32(env, max_threads, &r);
  return r;
}

static napi_value BlasInfo(napi_env env, napi_callback_info info) {
  napi_value r;
  char buf[512];
  (void)info;
  snprintf(buf, sizeof buf, "OpenBLAS %s (%s)", openblas_get_config(), openblas_get_corename());
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &r);
  return r;
}

/* convEngine(): which library runs the convolutions ("oneDNN 2.6.3 (impl)" or "im2col + OpenBLAS"). */
static napi_value ConvEngine(napi_env env, napi_callback_info info) {
  napi_value r;
  char buf[256];
  (void)info;
#ifdef DL_DNNL
  if (dnnl_on()) {
    const dnnl_version_t* v = dnnl_version();
    snprintf(buf, sizeof buf, "oneDNN %d.%d.%d%s%s%s", v->major, v->minor, v->patch, dnnl_impl_seen[0] ? " (" : "", dnnl_impl_seen, dnnl_impl_seen[0] ? ")" : "");
  } else {
    snprintf(buf, sizeof buf, "im2col + OpenBLAS (oneDNN off)");
  }
#else
  snprintf(buf, sizeof buf, "im2col + OpenBLAS");
#endif
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &r);
  return r;
}

/* setConvEngine(useDnnl): 1 = oneDNN when built with it, 0 = im2col + OpenBLAS. Returns whether oneDNN is now used. */
static napi_value SetConvEngine(napi_env env, napi_callback_info info) {
  Args a;
  napi_value r;
  if (!get_args(env, info, &a, 1)) return NULL;
  int64_t on = arg_int(&a, 0);
  if (a.failed) return NULL;
#ifdef DL_DNNL
  dnnl_enabled = on ? 1 : 0;
  napi_get_boolean(env, dnnl_enabled == 1, &r);
#else
  (void)on;
  napi_get_boolean(env, 0, &r);
#endif
  return r;
}

static napi_value ApiVersion(napi_env env, napi_callback_info info) {
  napi_value r;
  (void)info;
  napi_create_int32(env, DLNATIVE_API, &r);
  return r;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"matMul", NULL, MatMul, NULL, NULL, NULL, napi_default, NULL},
      {"conv2d", NULL, Conv2D, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropInput", NULL, Conv2DBackpropInput, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropFilter", NULL, Conv2DBackpropFilter, NULL, NULL, NULL, napi_default, NULL},
      {"actGrad", NULL, ActGrad, NULL, NULL, NULL, napi_default, NULL},
      {"colSum", NULL, ColSum, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, Adam, NULL, NULL, NULL, napi_default, NULL},
      {"lerp", NULL, Lerp, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL},
      {"getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_default, NULL},
      {"blasInfo", NULL, BlasInfo, NULL, NULL, NULL, napi_default, NULL},
      {"apiVersion", NULL, ApiVersion, NULL, NULL, NULL, napi_default, NULL},
      {"convEngine", NULL, ConvEngine, NULL, NULL, NULL, napi_default, NULL},
      {"setConvEngine", NULL, SetConvEngine, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
