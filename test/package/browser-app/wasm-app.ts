// The app of the README's browser example: the package's WebAssembly module inlined into the
// bundle by esbuild's binary loader and handed to initWasm, then a small network trained on it.
// Its result goes to document.body.dataset for the test to read.

import * as cr from "chainrule";
import wasm from "chainrule/wasm/chainrule.wasm";

/** What the page reports. */
export interface WasmAppResult {
  threads: number;
  backend: string;
  losses: [number, number];
}

async function main(): Promise<WasmAppResult> {
  const threads = await cr.initWasm(wasm);
  cr.manualSeed(0);
  const model = new cr.nn.Sequential(new cr.nn.Linear(2, 16), new cr.nn.Tanh(), new cr.nn.Linear(16, 1));
  const opt = new cr.optim.Adam(model.parameters(), { lr: 0.05 });
  const x = cr
    .tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ])
    .repeat([32, 1]);
  const y = cr.tensor([[0], [1], [1], [0]]).repeat([32, 1]);
  const losses: number[] = [];
  for (let step = 0; step < 300; step++) {
    const loss = cr.nn.functional.binaryCrossEntropyWithLogits(model.call(x) as cr.Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { threads, backend: cr.getBackend(), losses: [losses[0]!, losses.at(-1)!] };
}

main().then(
  (r) => (document.body.dataset.result = JSON.stringify(r)),
  (e: unknown) => (document.body.dataset.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e)),
);
