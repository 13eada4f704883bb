#!/usr/bin/env bash
# Builds the WebAssembly backend from the addon's C++ sources (every file but the Node-API ones):
# wasm/chainrule.wasm, with SIMD128 and threads over a shared memory. The first thread's stack
# comes first in memory, so overflowing it traps instead of overwriting the module's data. Needs Debian's clang-19,
# lld-19, wasi-libc and libc++-19-dev-wasm32 (apt-get install). The output is byte-for-byte the
# same for the same sources and toolchain, so CI can check that the committed module is current:
#   bash tools/build-wasm.sh --check
set -euo pipefail
cd "$(dirname "$0")/.."

CXX=${CXX_WASM:-clang++-19}
LD=${LD_WASM:-wasm-ld-19}
command -v "$CXX" >/dev/null || CXX=/usr/lib/llvm-19/bin/clang++
command -v "$LD" >/dev/null || LD=/usr/lib/llvm-19/bin/wasm-ld
BUILTINS=$("$CXX" --target=wasm32-wasi -print-libgcc-file-name)

out=wasm/chainrule.wasm
check=0
if [[ ${1:-} == --check ]]; then
  check=1
  out=$(mktemp -d)/chainrule.wasm
fi
obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT

sources=()
for f in native/*.cc; do
  case $(basename "$f") in
    addon*.cc | napi-args.cc) ;;
    *) sources+=("$f") ;;
  esac
done

flags=(--target=wasm32-wasi -std=c++17 -O3 -msimd128 -matomics -mbulk-memory -fno-exceptions -fno-rtti
  -fno-math-errno -Wall -Wextra -Wno-unused-parameter -ffile-prefix-map="$PWD"=. -DCR_WASM=1)
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} sh -c \
  "$CXX ${flags[*]} -c {} -o $obj/\$(basename {} .cc).o"

objects=()
for f in "${sources[@]}"; do objects+=("$obj/$(basename "$f" .cc).o"); done
wraps=()
for fn in malloc calloc realloc aligned_alloc posix_memalign free; do wraps+=("--wrap=$fn"); done
mkdir -p "$(dirname "$out")"
"$LD" "${objects[@]}" -o "$out" --no-entry --import-memory --shared-memory --max-memory=4294967296 \
  -z stack-size=1048576 --stack-first --no-check-features --gc-sections --strip-all "${wraps[@]}" \
  --export=__stack_pointer --export=__wasm_init_tls --export=__tls_size --export=__tls_align \
  --export=__wasm_call_ctors -L/usr/lib/wasm32-wasi -lc++ -lc++abi -lc "$BUILTINS"

if ((check)); then
  if cmp -s "$out" wasm/chainrule.wasm; then
    echo "wasm/chainrule.wasm matches its sources"
  else
    echo "wasm/chainrule.wasm is not what the sources build: run npm run build:wasm and commit it" >&2
    exit 1
  fi
else
  echo "wrote $out ($(stat -c %s "$out") bytes)"
fi
