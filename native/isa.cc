// Picks the kernel table once: the best path the CPU supports, unless CHAINRULE_SIMD names a
// path (portable, avx2, avx512) to force it; a path the CPU cannot run falls back to the best.

#include <cstdlib>
#include <cstring>

#include "isa.h"

namespace cr {
namespace {

bool cpuHas(const char* path) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (std::strcmp(path, "avx512") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (std::strcmp(path, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return std::strcmp(path, "portable") == 0;
}

const IsaTable* tableNamed(const char* path) {
  if (std::strcmp(path, "avx512") == 0) return &avx512::table();
  if (std::strcmp(path, "avx2") == 0) return &avx2::table();
  return &portable::table();
}

const char* const kAll[] = {"avx512", "avx2", "portable"};

const IsaTable* choose() {
#if !defined(__wasm__)  // the WebAssembly module has one path and no environment
  const char* forced = std::getenv("CHAINRULE_SIMD");
  if (forced && cpuHas(forced)) return tableNamed(forced);
#endif
  for (const char* p : kAll)
    if (cpuHas(p)) return tableNamed(p);
  return &portable::table();
}

}  // namespace

const IsaTable& isa() {
  static const IsaTable* chosen = choose();
  return *chosen;
}

const char* const* availableIsas(int* count) {
  static const char* list[3];
  static int n = 0;
  if (n == 0)
    for (const char* p : kAll)
      if (cpuHas(p)) list[n++] = p;
  *count = n;
  return list;
}

}  // namespace cr
