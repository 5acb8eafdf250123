/*
 * Convolutions through oneDNN (the library PyTorch's CPU convolutions use), included by
 * dlnative.c when it is built with -DDL_DNNL (build.mjs does that when Debian's libdnnl-dev is
 * installed). Activations stay NHWC and filters stay in tfjs's [fh, fw, ci, co] layout; oneDNN
 * picks its own weight layout and the filter is reordered into it (filters are small).
 * Primitives are created once per shape and kept in a per-thread cache (the engine trains in
 * worker threads). Every function returns 0 when it cannot handle a case (the caller then uses
 * im2col + OpenBLAS), 1 when it did the work.
 */
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

enum { DNNL_CONV_FWD = 0, DNNL_CONV_BWD_DATA = 1, DNNL_CONV_BWD_WEIGHTS = 2 };

#define DNNL_CACHE_SIZE 64
#define DNNL_KEY_LEN 19

typedef struct {
  int used;
  int64_t key[DNNL_KEY_LEN];
  dnnl_primitive_t prim;
  /* User-layout memories whose data handles are set per call. */
  dnnl_memory_t m_a, m_w, m_b, m_c;
  /* Weights in oneDNN's layout when it differs from tfjs's, and the reorder to or from it. */
  dnnl_memory_t m_w_inner;
  dnnl_primitive_t reorder;
} DnnlEntry;

static __thread dnnl_engine_t dnnl_eng = NULL;
static __thread dnnl_stream_t dnnl_str = NULL;
static __thread DnnlEntry dnnl_cache[DNNL_CACHE_SIZE];
static __thread int dnnl_next = 0;
/* Set from the environment (DRIVE_LAB_DNNL=off) or setConvEngine; -1 = not decided yet. */
static int dnnl_enabled = -1;
static char dnnl_impl_seen[160] = "";

static int dnnl_on(void) {
  if (dnnl_enabled < 0) {
    const char* e = getenv("DRIVE_LAB_DNNL");
    dnnl_enabled = !(e && (strcmp(e, "off") == 0 || strcmp(e, "0") == 0));
  }
  return dnnl_enabled;
}

static int dnnl_ready(void) {
  if (dnnl_eng) return 1;
  if (dnnl_engine_create(&dnnl_eng, dnnl_cpu, 0) != dnnl_success) return 0;
  if (dnnl_stream_create(&dnnl_str, dnnl_eng, dnnl_stream_default_flags) != dnnl_success) return 0;
  return 1;
}

static void dnnl_entry_free(DnnlEntry* e) {
  if (e->prim) dnnl_primitive_destroy(e->prim);
  if (e->reorder) dnnl_primitive_destroy(e->reorder);
  dnnl_memory_t ms[5] = {e->m_a, e->m_w, e->m_b, e->m_c, e->m_w_inner};
  for (int i = 0; i < 5; i++)
    if (ms[i]) dnnl_memory_destroy(ms[i]);
  memset(e, 0, sizeof *e);
}

/* nhwc activations: logical dims {n, c, h, w}. */
static void md_nhwc(dnnl_memory_desc_t* md, int64_t n, int64_t c, int64_t h, int64_t w) {
  dnnl_dims_t d = {n, c, h, w};
  dnnl_memory_desc_init_by_tag(md, 4, d, dnnl_f32, dnnl_nhwc);
}

/* tfjs's conv filter [fh][fw][i][o] ("hwio") with logical dims {o, i, fh, fw}. */
static void md_filter(dnnl_memory_desc_t* md, int64_t o, int64_t i, int64_t fh, int64_t fw) {
  dnnl_dims_t d = {o, i, fh, fw};
  dnnl_dims_t s = {1, o, fw * o * i, o * i};
  dnnl_memory_desc_init_by_strides(md, 4, d, dnnl_f32, s);
}

static void md_any_weights(dnnl_memory_desc_t* md, int64_t o, int64_t i, int64_t fh, int64_t fw) {
  dnnl_dims_t d = {o, i, fh, fw};
  dnnl_memory_desc_init_by_tag(md, 4, d, dnnl_f32, dnnl_format_tag_any);
}

static dnnl_primitive_attr_t dnnl_attr_for(int act) {
  dnnl_primitive_attr_t attr = NULL;
  dnnl_primitive_attr_create(&attr);
  if (act == 1 || act == 3) {
    dnnl_post_ops_t po = NULL;
    dnnl_post_ops_create(&po);
    dnnl_post_ops_append_eltwise(po, 1.f, act == 1 ? dnnl_eltwise_relu : dnnl_eltwise_logistic, 0.f, 0.f);
    dnnl_primitive_attr_set_post_ops(attr, po);
    dnnl_post_ops_destroy(po);
  }
  return attr;
}

/* Builds the primitive for `kind` on the conv dims d (pads r/b derived); 0 if oneDNN declines. */
static int dnnl_build(DnnlEntry* e, int kind, const ConvDims* d, int has_bias, int act) {
  const int64_t pb = (d->oh - 1) * d->sh + (d->fh - 1) * d->dh + 1 - d->h - d->pt;
  const int64_t pr = (d->ow - 1) * d->sw + (d->fw - 1) * d->dw + 1 - d->w - d->pl;
  if (pb < 0 || pr < 0) return 0;
  dnnl_dims_t strides = {d->sh, d->sw}, dil = {d->dh - 1, d->dw - 1}, pl = {d->pt, d->pl}, prr = {pb, pr};
  dnnl_memory_desc_t x_md, y_md, w_user, w_any, b_md;
  md_nhwc(&x_md, d->n, d->ci, d->h, d->w);
  md_nhwc(&y_md, d->n, d->co, d->oh, d->ow);
  dnnl_dims_t bd = {d->co};
  dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
  dnnl_primitive_desc_t pd = NULL, fwd_pd = NULL;
  dnnl_primitive_attr_t attr = dnnl_attr_for(act);
  dnnl_status_t st;
  {
    md_filter(&w_user, d->co, d->ci, d->fh, d->fw);
    md_any_weights(&w_any, d->co, d->ci, d->fh, d->fw);
    dnnl_convolution_desc_t fd;
    st = dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &x_md, &w_any,
                                                    (kind == DNNL_CONV_FWD && has_bias) ? &b_md : NULL, &y_md, strides, dil, pl, prr);
    if (st == dnnl_success) st = dnnl_primitive_desc_create(&fwd_pd, &fd, kind == DNNL_CONV_FWD ? attr : NULL, dnnl_eng, NULL);
    if (st == dnnl_success && kind == DNNL_CONV_FWD) {
      pd = fwd_pd;
      fwd_pd = NULL;
    } else if (st == dnnl_success && kind == DNNL_CONV_BWD_DATA) {
      dnnl_convolution_desc_t bd2;
      st = dnnl_dilated_convolution_backward_data_desc_init(&bd2, dnnl_convolution_direct, &x_md, &w_any, &y_md, strides, dil, pl, prr);
      if (st == dnnl_success) st = dnnl_primitive_desc_create(&pd, &bd2, NULL, dnnl_eng, fwd_pd);
    } else if (st == dnnl_success && kind == DNNL_CONV_BWD_WEIGHTS) {
      dnnl_convolution_desc_t wd;
      st = dnnl_dilated_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &x_md, &w_any, NULL, &y_md, strides, dil, pl, prr);
      if (st == dnnl_success) st = dnnl_primitive_desc_create(&pd, &wd, NULL, dnnl_eng, fwd_pd);
    }
  }
  dnnl_primitive_attr_destroy(attr);
  if (fwd_pd) dnnl_primitive_desc_destroy(fwd_pd);
  if (st != dnnl_success || !pd) {
    if (pd) dnnl_primitive_desc_destroy(pd);
    return 0;
  }
  const char* impl = NULL;
  dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
  if (impl && strncmp(impl, "ref", 3) == 0) {
    /* oneDNN's reference loops are slower than im2col + BLAS. */
    dnnl_primitive_desc_destroy(pd);
    return 0;
  }
  if (impl) snprintf(dnnl_impl_seen, sizeof dnnl_impl_seen, "%s", impl);
  const dnnl_memory_desc_t* w_inner = dnnl_primitive_desc_query_md(pd, kind == DNNL_CONV_BWD_WEIGHTS ? dnnl_query_diff_weights_md : dnnl_query_weights_md, 0);
  st = dnnl_primitive_create(&e->prim, pd);
  /* a: the conv's x (or dx), c: its y (or dy). */
  if (st == dnnl_success) st = dnnl_memory_create(&e->m_a, &x_md, dnnl_eng, DNNL_MEMORY_NONE);
  if (st == dnnl_success) st = dnnl_memory_create(&e->m_c, &y_md, dnnl_eng, DNNL_MEMORY_NONE);
  if (st == dnnl_success) st = dnnl_memory_create(&e->m_w, &w_user, dnnl_eng, DNNL_MEMORY_NONE);
  if (st == dnnl_success && has_bias) st = dnnl_memory_create(&e->m_b, &b_md, dnnl_eng, DNNL_MEMORY_NONE);
  if (st == dnnl_success && !dnnl_memory_desc_equal(w_inner, &w_user)) {
    st = dnnl_memory_create(&e->m_w_inner, w_inner, dnnl_eng, DNNL_MEMORY_ALLOCATE);
    dnnl_primitive_desc_t rpd = NULL;
    if (st == dnnl_success) {
      st = kind == DNNL_CONV_BWD_WEIGHTS ? dnnl_reorder_primitive_desc_create(&rpd, w_inner, dnnl_eng, &w_user, dnnl_eng, NULL)
                                         : dnnl_reorder_primitive_desc_create(&rpd, &w_user, dnnl_eng, w_inner, dnnl_eng, NULL);
    }
    if (st == dnnl_success) st = dnnl_primitive_create(&e->reorder, rpd);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
  }
  dnnl_primitive_desc_destroy(pd);
  if (st != dnnl_success) {
    dnnl_entry_free(e);
    return 0;
  }
  return 1;
}

static DnnlEntry* dnnl_get(int kind, const ConvDims* d, int has_bias, int act) {
  int64_t key[DNNL_KEY_LEN];
  const int64_t* f = &d->n;
  key[0] = kind;
  key[1] = has_bias;
  key[2] = act;
  for (int i = 0; i < 15; i++) key[3 + i] = f[i];
  key[18] = 0;
  for (int i = 0; i < DNNL_CACHE_SIZE; i++) {
    if (dnnl_cache[i].used && memcmp(dnnl_cache[i].key, key, sizeof key) == 0) return &dnnl_cache[i];
  }
  DnnlEntry* e = &dnnl_cache[dnnl_next];
  dnnl_next = (dnnl_next + 1) % DNNL_CACHE_SIZE;
  if (e->used) dnnl_entry_free(e);
  /* oneDNN fixes a primitive's split of the work (for backward weights: the order of its sums)
     for the OpenMP threads current when it is built. Built under whatever the previous call
     chose by measured speed, the same run gave other bits on a busier machine; built always for
     the same count, the per-call choice changes the speed only, never the result. */
  init_threads();
  omp_set_num_threads(max_threads);
  if (!dnnl_build(e, kind, d, has_bias, act)) {
    /* Remember the refusal so the next call does not try again. */
    memset(e, 0, sizeof *e);
    e->used = 1;
    memcpy(e->key, key, sizeof key);
    e->prim = NULL;
    return e;
  }
  e->used = 1;
  memcpy(e->key, key, sizeof key);
  return e;
}


/*
 * kind DNNL_CONV_FWD: a = x, w = filter, b = bias, c = y (output)
 * kind DNNL_CONV_BWD_DATA: a = dx (output), w = filter, c = dy
 * kind DNNL_CONV_BWD_WEIGHTS: a = x, w = dw (output), c = dy
 */
static int dnnl_conv(int kind, const ConvDims* d, float* a, float* w, float* b, float* c, int act) {
  if (!dnnl_on() || act == 2) return 0;
  /* Backward data into a few channels (a decoder's RGB output) measured slower in oneDNN 2.6
     than im2col + OpenBLAS (bench/RESULTS.md, "Kernel choices"). */
  if (kind == DNNL_CONV_BWD_DATA && d->ci < 8) return 0;
  if (!dnnl_ready()) return 0;
  DnnlEntry* e = dnnl_get(kind, d, b != NULL, act);
  if (!e->prim) return 0;
  const double macs = (double)d->n * d->oh * d->ow * d->fh * d->fw * d->ci * d->co;
  const int arm = macs < (double)SMALL_GEMM ? 0 : choose_arm(CLS_CONV);
  omp_set_num_threads(arm ? max_threads : 1);
  const double t0 = now_ns();
  dnnl_memory_set_data_handle(e->m_a, a);
  dnnl_memory_set_data_handle(e->m_w, w);
  dnnl_memory_set_data_handle(e->m_c, c);
  if (b) dnnl_memory_set_data_handle(e->m_b, b);
  dnnl_memory_t wm = e->m_w_inner ? e->m_w_inner : e->m_w;
  if (e->reorder && kind != DNNL_CONV_BWD_WEIGHTS) {
    dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, e->m_w}, {DNNL_ARG_TO, e->m_w_inner}};
    if (dnnl_primitive_execute(e->reorder, dnnl_str, 2, r) != dnnl_success) return 0;
  }
  dnnl_exec_arg_t args[4];
  int n = 0;
  switch (kind) {
    case DNNL_CONV_FWD:
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, e->m_a};
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, wm};
      if (b) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, e->m_b};
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DST, e->m_c};
      break;
    case DNNL_CONV_BWD_DATA:
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_SRC, e->m_a};
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, wm};
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, e->m_c};
      break;
    case DNNL_CONV_BWD_WEIGHTS:
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, e->m_a};
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_WEIGHTS, wm};
      args[n++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_DST, e->m_c};
      break;
    default:
      return 0;
  }
  if (dnnl_primitive_execute(e->prim, dnnl_str, n, args) != dnnl_success) return 0;
  if (e->reorder && kind == DNNL_CONV_BWD_WEIGHTS) {
    dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, e->m_w_inner}, {DNNL_ARG_TO, e->m_w}};
    if (dnnl_primitive_execute(e->reorder, dnnl_str, 2, r) != dnnl_success) return 0;
  }
  dnnl_stream_wait(dnnl_str);
  if (macs >= (double)SMALL_GEMM) record_arm(CLS_CONV, arm, now_ns() - t0, macs);
  return 1;
}
