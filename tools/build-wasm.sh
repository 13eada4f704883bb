#!/usr/bin/env bash
# Builds the WebAssembly backend from the addon's C++ sources (every file but the Node-API ones),
# twice: wasm/chainrule.wasm with SIMD128, which every engine with WebAssembly SIMD runs, and
# wasm/chainrule-relaxed.wasm, which adds relaxed SIMD's fused multiply-add to the products'
# inner loops, for engines that have it (Chrome, Node 22; Node 20 behind a flag). Both use threads
# over a shared memory; the first thread's stack comes first in memory, so overflowing it traps
# instead of overwriting the module's data. Needs Debian's clang-19, lld-19, wasi-libc and
# libc++-19-dev-wasm32. The output is byte-for-byte the same for the same sources and toolchain,
# so CI checks that the committed modules are current:
#   bash tools/build-wasm.sh --check
set -euo pipefail
cd "$(dirname "$0")/.."

CXX=${CXX_WASM:-clang++-19}
LD=${LD_WASM:-wasm-ld-19}
command -v "$CXX" >/dev/null || CXX=/usr/lib/llvm-19/bin/clang++
command -v "$LD" >/dev/null || LD=/usr/lib/llvm-19/bin/wasm-ld
BUILTINS=$("$CXX" --target=wasm32-wasi -print-libgcc-file-name)

check=0
[[ ${1:-} == --check ]] && check=1
obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT

sources=()
for f in native/*.cc; do
  case $(basename "$f") in
    addon*.cc | napi-args.cc) ;;
    *) sources+=("$f") ;;
  esac
done
wraps=()
for fn in malloc calloc realloc aligned_alloc posix_memalign free; do wraps+=("--wrap=$fn"); done

# build <output> <extra compiler flags...>
build() {
  local out=$1 dir
  shift
  dir=$obj/$(basename "$out" .wasm)
  mkdir -p "$dir" "$(dirname "$out")"
  local flags=(--target=wasm32-wasi -std=c++17 -O3 -msimd128 "$@" -matomics -mbulk-memory -fno-exceptions -fno-rtti
    -fno-math-errno -Wall -Wextra -Wno-unused-parameter -ffile-prefix-map="$PWD"=. -DCR_WASM=1)
  printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} sh -c "$CXX ${flags[*]} -c {} -o $dir/\$(basename {} .cc).o"
  local objects=()
  for f in "${sources[@]}"; do objects+=("$dir/$(basename "$f" .cc).o"); done
  "$LD" "${objects[@]}" -o "$out" --no-entry --import-memory --shared-memory --max-memory=4294967296 \
    -z stack-size=1048576 --stack-first --no-check-features --gc-sections --strip-all "${wraps[@]}" \
    --export=__stack_pointer --export=__wasm_init_tls --export=__tls_size --export=__tls_align \
    --export=__wasm_call_ctors -L/usr/lib/wasm32-wasi -lc++ -lc++abi -lc "$BUILTINS"
}

status=0
# SIMD128 for every engine; relaxed SIMD's fused multiply-add for those that have it
for variant in chainrule:"" chainrule-relaxed:-mrelaxed-simd; do
  name=${variant%%:*}
  committed=wasm/$name.wasm
  if ((check)); then
    build "$obj/$name.wasm" ${variant#*:}
    if cmp -s "$obj/$name.wasm" "$committed"; then
      echo "$committed matches its sources"
    else
      echo "$committed is not what the sources build: run npm run build:wasm and commit it" >&2
      status=1
    fi
  else
    build "$committed" ${variant#*:}
    echo "wrote $committed ($(stat -c %s "$committed") bytes)"
  fi
done
exit $status
