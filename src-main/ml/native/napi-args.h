/*
 * Reading and checking a Node-API call's arguments (Float32Arrays, integers).
 * Part of dlnative.c's single translation unit (included once, in this order); not a
 * standalone header.
 */
#ifndef DL_NAPI_ARGS_H
#define DL_NAPI_ARGS_H

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  int failed;
} Args;

static int get_args(napi_env env, napi_callback_info info, Args* a, size_t expected) {
  a->env = env;
  a->argc = MAX_ARGS;
  a->failed = 0;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL) != napi_ok || a->argc < expected) {
    napi_throw_error(env, NULL, "dlnative: wrong number of arguments");
    return 0;
  }
  return 1;
}

static void fail(Args* a, const char* msg) {
  if (!a->failed) napi_throw_error(a->env, NULL, msg);
  a->failed = 1;
}

static float* arg_f32(Args* a, size_t i, size_t need, const char* what) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t offset;
  if (a->failed) return NULL;
  if (napi_get_typedarray_info(a->env, a->argv[i], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_float32_array) {
    fail(a, what);
    return NULL;
  }
  if (length < need) {
    fail(a, "dlnative: array too short");
    return NULL;
  }
  return (float*)data;
}

/* A Float32Array or null/undefined (returns NULL without failing). */
static float* arg_f32_opt(Args* a, size_t i, size_t need, const char* what) {
  napi_valuetype t;
  if (a->failed) return NULL;
  napi_typeof(a->env, a->argv[i], &t);
  if (t == napi_null || t == napi_undefined) return NULL;
  return arg_f32(a, i, need, what);
}

static int64_t arg_int(Args* a, size_t i) {
  int64_t v = 0;
  if (a->failed) return 0;
  if (napi_get_value_int64(a->env, a->argv[i], &v) != napi_ok) fail(a, "dlnative: expected an integer");
  return v;
}

#endif
