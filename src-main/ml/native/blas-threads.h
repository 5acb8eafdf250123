/*
 * Matrix products through OpenBLAS: the per-call choice of thread count, per-thread scratch, bias and activation epilogues.
 * Part of dlnative.c's single translation unit (included once, in this order); not a
 * standalone header.
 */
#ifndef DL_BLAS_THREADS_H
#define DL_BLAS_THREADS_H

/*
 * Threads for products and convolutions. Products under SMALL_GEMM multiply-adds (TD3's
 * 256x256x256 and everything smaller) run on one thread: on an idle 2-core machine a second
 * thread makes them faster, but when other processes keep a core busy it makes them several
 * times slower, and its spinning between products slows the JavaScript thread (measured:
 * bench/RESULTS.md, "Kernel choices").
 * Larger products and convolutions (the VAE's) choose one thread or all cores from measured
 * speed: each class keeps a running average of nanoseconds per multiply-add for both choices,
 * uses the faster and tries the other every EXPLORE_EVERY calls. setThreads(n) fixes the count
 * instead (DRIVE_LAB_BLAS_THREADS). The choice depends on the machine's load, so it must change
 * the speed only, never the bits: OpenBLAS splits a product's rows and columns between threads,
 * not its sums, and oneDNN primitives are built for max_threads whatever the call runs on
 * (dnnl-conv.h), so a run gives the same numbers on a quiet or a busy machine.
 */
#include <pthread.h>

#define SMALL_GEMM (1LL << 25)
#define EXPLORE_EVERY 50
enum { CLS_LARGE_GEMM = 0, CLS_CONV = 1, N_CLS = 2 };
static int max_threads = 0;
static int cur_threads = 0;
static int fixed_threads = 0;
static int default_threads = 0;

typedef struct {
  double ns_per_mac[2]; /* [0]: one thread, [1]: max_threads; 0 = not measured yet */
  int64_t calls;
} ThreadStats;
static __thread ThreadStats tstats[N_CLS];

static void init_threads(void) {
  if (default_threads <= 0) default_threads = openblas_get_num_threads();
  if (max_threads <= 0) max_threads = cur_threads = default_threads;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Which choice (0: one thread, 1: max_threads) the next call of class `cls` makes. */
static int choose_arm(int cls) {
  init_threads();
  if (max_threads <= 1) return 0;
  if (fixed_threads) return 1;
  ThreadStats* s = &tstats[cls];
  s->calls++;
  if (s->ns_per_mac[0] == 0) return 0;
  if (s->ns_per_mac[1] == 0) return 1;
  const int best = s->ns_per_mac[1] < s->ns_per_mac[0] ? 1 : 0;
  return s->calls % EXPLORE_EVERY == 0 ? 1 - best : best;
}

static void record_arm(int cls, int arm, double ns, double macs) {
  ThreadStats* s = &tstats[cls];
  const double v = ns / macs;
  s->ns_per_mac[arm] = s->ns_per_mac[arm] == 0 ? v : 0.8 * s->ns_per_mac[arm] + 0.2 * v;
}

static void set_blas_threads(int n) {
  if (n != cur_threads) {
    openblas_set_num_threads(n);
    __atomic_store_n(&cur_threads, n, __ATOMIC_RELEASE);
  }
}

/*
 * OpenBLAS's thread count is one for the whole process, and changing it while another thread
 * is inside OpenBLAS can crash the process (the engine trains, evaluates and exports in worker
 * threads, and parallel actors infer in theirs). Products run under the shared side of this
 * lock; the count changes only under the exclusive side, taken only when no product is running.
 * When one is, the call runs with the count in force: the count changes the speed, never the
 * bits (above).
 */
static pthread_rwlock_t blas_lock = PTHREAD_RWLOCK_INITIALIZER;

/* Takes the shared lock, after switching to `want` threads if no other thread is in OpenBLAS; the count in force. */
static int blas_enter(int want) {
  if (want != __atomic_load_n(&cur_threads, __ATOMIC_ACQUIRE) && pthread_rwlock_trywrlock(&blas_lock) == 0) {
    set_blas_threads(want);
    pthread_rwlock_unlock(&blas_lock);
  }
  pthread_rwlock_rdlock(&blas_lock);
  return __atomic_load_n(&cur_threads, __ATOMIC_ACQUIRE);
}

static void sgemm(int ta, int tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                  int64_t ldc) {
  const double macs = (double)M * (double)N * (double)K;
  int cls = -1, arm = 0;
  if (macs >= (double)SMALL_GEMM) {
    cls = CLS_LARGE_GEMM;
    arm = choose_arm(cls);
  }
  const int used = blas_enter(arm ? max_threads : 1);
  const double t0 = cls >= 0 ? now_ns() : 0;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.f, A, (int)lda, B, (int)ldb, beta, C,
              (int)ldc);
  const double t1 = cls >= 0 ? now_ns() : 0;
  pthread_rwlock_unlock(&blas_lock);
  /* The speed is recorded for the count the product ran with. */
  if (cls >= 0) record_arm(cls, used > 1 ? 1 : 0, t1 - t0, macs);
}

/* Per-thread scratch (the engine runs training in worker threads). */
static __thread float* scratch = NULL;
static __thread size_t scratch_cap = 0;

static float* get_scratch(size_t n) {
  if (n > scratch_cap) {
    free(scratch);
    scratch = (float*)malloc(n * sizeof(float));
    scratch_cap = scratch ? n : 0;
  }
  return scratch;
}

/* act: 0 linear, 1 relu, 2 tanh, 3 sigmoid */
static void apply_act(float* y, size_t n, int act) {
  size_t i;
  switch (act) {
    case 1:
      for (i = 0; i < n; i++) y[i] = y[i] > 0.f ? y[i] : 0.f;
      break;
    case 2:
      for (i = 0; i < n; i++) y[i] = tanhf(y[i]);
      break;
    case 3:
      for (i = 0; i < n; i++) y[i] = 1.f / (1.f + expf(-y[i]));
      break;
    default:
      break;
  }
}

/* In place: y[r, c] = act(y[r, c] + bias[c]). */
static void bias_act(float* y, const float* bias, size_t rows, size_t n, int act) {
  if (bias) {
    for (size_t r = 0; r < rows; r++) {
      float* row = y + r * n;
      for (size_t c = 0; c < n; c++) row[c] += bias[c];
    }
  }
  apply_act(y, rows * n, act);
}

/* rows x n output: y = bias broadcast over rows (or 0). */
static void fill_bias(float* y, const float* bias, size_t rows, size_t n) {
  size_t r;
  if (!bias) {
    memset(y, 0, rows * n * sizeof(float));
    return;
  }
  for (r = 0; r < rows; r++) memcpy(y + r * n, bias, n * sizeof(float));
}

#endif
