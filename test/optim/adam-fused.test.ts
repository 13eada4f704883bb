// The one-pass Adam/AdamW kernel against the composed update it replaces: the same gradients
// applied to a dense parameter (the kernel) and to a transposed view of the same values (the
// composed ops, which any layout takes), with weight decay, AMSGrad and maximisation, in float32
// and float64, on every backend.

import { test } from "node:test";
import * as cr from "../../src/index.js";
import { assertClose } from "../helpers.js";

const configs = [
  { optimizer: "Adam", options: {} },
  { optimizer: "Adam", options: { weightDecay: 0.1, amsgrad: true } },
  { optimizer: "Adam", options: { maximize: true, weightDecay: 0.05, betas: [0.8, 0.95] } },
  { optimizer: "AdamW", options: {} },
  { optimizer: "AdamW", options: { weightDecay: 0.3, amsgrad: true, maximize: true, eps: 1e-3 } },
] as const;

for (const dtype of ["float32", "float64"] as const) {
  test(`fused Adam and AdamW follow the composed update (${dtype})`, () => {
    for (const c of configs) {
      cr.manualSeed(3);
      const start = cr.randn([6, 37], { dtype });
      const dense = start.clone().requiresGrad_();
      // a transposed view: not dense, so its update runs as composed ops
      const strided = start.transpose(0, 1).contiguous().transpose(0, 1).requiresGrad_();
      const Ctor = cr.optim[c.optimizer];
      const opts = { lr: 0.05, ...c.options } as ConstructorParameters<typeof Ctor>[1];
      const [a, b] = [new Ctor([dense], opts), new Ctor([strided], opts)];
      for (let step = 0; step < 6; step++) {
        const g = cr.randn([6, 37], { dtype });
        dense.grad = g.clone();
        strided.grad = g.transpose(0, 1).contiguous().transpose(0, 1);
        a.step();
        b.step();
      }
      const tol = dtype === "float32" ? { rtol: 1e-5, atol: 1e-6 } : { rtol: 1e-13, atol: 1e-14 };
      assertClose(dense, strided, { ...tol, msg: `${c.optimizer} ${JSON.stringify(c.options)}` });
      assertClose(a.state.get(dense)!.expAvgSq as cr.Tensor, b.state.get(strided)!.expAvgSq as cr.Tensor, tol);
    }
  });
}
