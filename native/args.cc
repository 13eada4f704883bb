// The kernel calls' argument checks (see args.h): nothing here knows which transport decoded the
// arguments, so the same checks guard the kernels whichever way they are reached.

#include "args.h"

namespace cr {

int32_t intArg(Args& a, size_t i) {
  if (i < a.argc && a.argv[i].kind == Arg::kNumber) {
    const double v = a.argv[i].num;
    // the range test comes first: casting a double outside int32's range is undefined
    if (v >= -2147483648.0 && v <= 2147483647.0 && v == static_cast<int32_t>(v)) return static_cast<int32_t>(v);
  }
  a.error("expected an integer argument", true);
  return 0;
}

double numArg(Args& a, size_t i, const char* what) {
  if (i < a.argc && a.argv[i].kind == Arg::kNumber) return a.argv[i].num;
  a.error(what, true);
  return 0;
}

bool isNull(const Args& a, size_t i) {
  return i >= a.argc || a.argv[i].kind == Arg::kNull;
}

Buffer* handleArg(Args& a, size_t i) {
  if (i >= a.argc || a.argv[i].kind != Arg::kBuffer) {
    a.error("expected a buffer handle of the native backend", true);
    return nullptr;
  }
  return a.argv[i].buffer;
}

char* bufferArg(Args& a, size_t i, size_t* len, bool input) {
  *len = 0;
  if (i < a.argc && a.argv[i].kind == Arg::kBytes) {
    *len = a.argv[i].len;
    return a.argv[i].bytes;
  }
  Buffer* b = handleArg(a, i);
  if (!b || !b->data) return nullptr;
  if (input) ensureZero(b);
  *len = static_cast<size_t>(b->bytes);
  return b->data;
}

const char* bytesArg(Args& a, size_t i, size_t* len) {
  *len = 0;
  if (i >= a.argc || a.argv[i].kind != Arg::kBytes) {
    a.error("expected a typed array", true);
    return nullptr;
  }
  *len = a.argv[i].len;
  return a.argv[i].bytes;
}

Buffer* ownBuffer(Args& a, size_t i) {
  if (i < a.argc && a.argv[i].kind == Arg::kBytes) return nullptr;
  return handleArg(a, i);
}

double next(Args& a) {
  if (!a.inst || !a.inst->desc || a.pos >= a.inst->descLen) {
    a.error("view descriptor overflow");
    return 0;
  }
  return a.inst->desc[a.pos++];
}

View viewArg(Args& a, size_t i, bool input) {
  View v;
  size_t len = 0;
  v.data = bufferArg(a, i, &len, input);
  v.dtype = static_cast<int>(next(a));
  v.offset = static_cast<int64_t>(next(a));
  v.nd = static_cast<int>(next(a));
  if (v.dtype < 0 || v.dtype > 3 || v.nd < 0 || v.nd > kMaxDims) {
    a.error("bad view descriptor (dtype " + std::to_string(v.dtype) + ", " + std::to_string(v.nd) + " dims, at most " +
            std::to_string(kMaxDims) + ")");
    return v;
  }
  for (int d = 0; d < v.nd; d++) v.shape[d] = static_cast<int64_t>(next(a));
  for (int d = 0; d < v.nd; d++) v.strides[d] = static_cast<int64_t>(next(a));
  int64_t lo = v.offset, hi = v.offset;
  bool empty = false;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] < 0) a.error("bad view descriptor: negative size");
    if (v.shape[d] == 0) empty = true;
    const int64_t span = v.strides[d] * (v.shape[d] - 1);
    (span < 0 ? lo : hi) += span;
  }
  const int64_t elems = static_cast<int64_t>(len) / elemSize(v.dtype);
  if (!empty && (lo < 0 || hi >= elems))
    a.error("view reaches elements [" + std::to_string(lo) + ", " + std::to_string(hi) + "] of a buffer of " +
            std::to_string(elems) + " (was the tensor disposed?)");
  return v;
}

bool optionalView(Args& a, size_t i, View& v, bool input) {
  if (!a.ok() || next(a) == 0) return false;
  v = viewArg(a, i, input);
  return true;
}

char* outArg(Args& a, size_t i, int dt, int64_t n) {
  size_t len = 0;
  char* p = bufferArg(a, i, &len, false);
  if (dt < 0 || dt > 3) a.error("bad output dtype");
  else if (static_cast<int64_t>(len) < n * elemSize(dt))
    a.error("output buffer holds " + std::to_string(len) + " bytes, needs " + std::to_string(n * elemSize(dt)));
  if (a.ok()) {
    a.out = ownBuffer(a, i);
    a.outBytes = n * elemSize(dt);
  }
  return p;
}

bool ready(Args& a) {
  if (!a.ok()) return false;
  if (a.out) {
    if (a.outBytes == a.out->bytes)
      a.out->zeroPending = false;
    else
      ensureZero(a.out);
  }
  return true;
}

bool sameShape(const View& x, const View& y) {
  if (x.nd != y.nd) return false;
  for (int d = 0; d < x.nd; d++)
    if (x.shape[d] != y.shape[d]) return false;
  return true;
}

void requireSameShape(Args& a, const char* op, const View& x, const View& y) {
  if (a.ok() && !sameShape(x, y)) a.error(std::string(op) + ": operand shapes differ");
}

bool coversBuffer(const View& v, const Buffer& b) {
  if (v.offset != 0 || v.numel() * elemSize(v.dtype) != b.bytes) return false;
  int dims[kMaxDims];
  int n = 0;
  for (int d = 0; d < v.nd; d++) {
    if (v.shape[d] == 1) continue;
    // insertion by stride, smallest first
    int i = n++;
    for (; i > 0 && v.strides[dims[i - 1]] > v.strides[d]; i--) dims[i] = dims[i - 1];
    dims[i] = d;
  }
  int64_t s = 1;
  for (int i = 0; i < n; s *= v.shape[dims[i]], i++)
    if (v.strides[dims[i]] != s) return false;
  return true;
}

void settleOutput(Args& a, size_t i, const View& v) {
  if (Buffer* b = ownBuffer(a, i)) {
    if (coversBuffer(v, *b))
      b->zeroPending = false;
    else
      ensureZero(b);
  }
}

}  // namespace cr
