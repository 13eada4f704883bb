// Rows along the last dim of views of one shape, the unit of the row kernels (softmax, scan,
// sort): a walk over the other dims hands each row's start in every view to a body, rows shared
// between threads.
#pragma once

#include <cstdint>

#include "common.h"
#include "thread-pool.h"

namespace cr {

/** The rows of views of one shape along its last dim: a walk over the other dims. */
struct Rows {
  Walk outer;
  int64_t len;                 // elements per row
  int64_t step[kMaxOperands];  // each view's stride along the row
};

/** The rows of nv views of one shape (a 0-d view is one row of one). */
inline Rows rowsOf(const View* const* views, int nv) {
  const View& first = *views[0];
  const int nd = first.nd;
  const int64_t* strides[kMaxOperands];
  int64_t offsets[kMaxOperands];
  Rows r;
  for (int v = 0; v < nv; v++) {
    strides[v] = views[v]->strides;
    offsets[v] = views[v]->offset;
    r.step[v] = nd > 0 ? views[v]->strides[nd - 1] : 0;
  }
  r.len = nd > 0 ? first.shape[nd - 1] : 1;
  r.outer = coalesce(nd > 0 ? nd - 1 : 0, first.shape, nv, strides, offsets);
  return r;
}

/**
 * Calls row(offsets) for every row, in parallel parts of about `grain` row elements; offsets[v]
 * is where view v's row starts.
 */
template <class F>
void forRows(const Rows& r, int64_t grain, F&& row) {
  if (r.len == 0 || r.outer.numel == 0) return;
  parallelFor(r.outer.numel, grain / r.len + 1, [&](int64_t b, int64_t e) {
    walkRange(r.outer, b, e, [&](const int64_t* off, int64_t n) {
      int64_t at[kMaxOperands];
      for (int64_t i = 0; i < n; i++) {
        for (int v = 0; v < r.outer.nv; v++) at[v] = off[v] + i * r.outer.inner(v);
        row(static_cast<const int64_t*>(at));
      }
    });
  });
}

}  // namespace cr
