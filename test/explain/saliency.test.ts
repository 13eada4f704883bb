// Saliency maps: |∂score/∂x| equals central finite differences; maps for a digits model (8x8)
// and an MNIST model (28x28) render as SVG and as valid PNG (chunk CRCs, zlib stream, pixel size),
// both from one layout: the title and colour scale drawn in the PNG too, no text past the edge.

import { test } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import * as cr from "../../src/index.js";
import { trainClassifier } from "../../src/explain/node/demo-models.js";
import { crc32 } from "../../src/explain/png.js";

test("saliency is |d score / d input|, checked against central differences", () => {
  cr.manualSeed(4);
  const model = new cr.nn.Sequential(new cr.nn.Linear(6, 5), new cr.nn.Tanh(), new cr.nn.Linear(5, 3)).double();
  const x = cr.randn([1, 6], { dtype: "float64" });
  const s = cr.explain.saliency((t) => model.call(t), x, 2);
  assert.equal(s.target, 2);
  assert.equal(s.values.length, 6);
  const score = (v: number[]) => cr.noGrad(() => model.call(cr.tensor([v], { dtype: "float64" })).dataSync()[2]!);
  const base = Array.from(x.dataSync());
  const eps = 1e-6;
  base.forEach((_, i) => {
    const up = base.map((v, j) => (j === i ? v + eps : v));
    const down = base.map((v, j) => (j === i ? v - eps : v));
    const fd = Math.abs((score(up) - score(down)) / (2 * eps));
    assert.ok(Math.abs(fd - s.values[i]!) < 1e-7, `pixel ${i}: ${s.values[i]} vs ${fd}`);
  });
  for (const p of model.parameters()) assert.equal(p.grad, null, "parameters' .grad untouched");
});

/** Checks a PNG's signature, chunk CRCs and that its pixel data inflates to w·h RGB rows; returns the RGB pixels. */
function checkPng(png: Uint8Array, width: number, height: number): Uint8Array {
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let o = 8;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (o < png.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    types.push(type);
    assert.equal(view.getUint32(o + 8 + len), crc32(png, o + 4, o + 8 + len), `${type} CRC`);
    if (type === "IHDR") assert.deepEqual([view.getUint32(o + 8), view.getUint32(o + 12)], [width, height]);
    if (type === "IDAT") idat.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  assert.deepEqual(types, ["IHDR", "IDAT", "IEND"]);
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, height * (width * 3 + 1));
  // every row is filter byte 0 (none) then its pixels
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    rgb.set(raw.subarray(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  return rgb;
}

/** The SVG and the PNG of one heatmap show the layout: texts inside the picture, drawn in both. */
function checkPictures(values: number[], h: number, w: number, opts: cr.explain.HeatmapOptions): void {
  const lay = cr.explain.heatmapLayout(values, h, w, opts);
  const rgb = checkPng(cr.explain.heatmapPng(values, h, w, opts), lay.width, lay.height);
  const at = (x: number, y: number) => Array.from(rgb.subarray((y * lay.width + x) * 3, (y * lay.width + x) * 3 + 3));
  for (const t of lay.texts) {
    const left = t.x - { start: 0, middle: 0.5, end: 1 }[t.anchor] * (t.text.length * 12 - 2);
    assert.ok(left >= 0 && left + t.text.length * 12 - 2 <= lay.width, `'${t.text}' fits the picture`);
    let ink = 0;
    for (let y = t.y; y < t.y + 16; y++)
      for (let x = Math.round(left); x < left + t.text.length * 12 - 2; x++) ink += +(at(x, y)[0]! < 100);
    assert.ok(ink > 4 * t.text.replace(/ /g, "").length, `'${t.text}' is drawn in the PNG`);
  }
  // the colour scale runs from white (0) to red (the largest value)
  const bar = lay.rects.filter((r) => r.group === "scale");
  assert.ok(bar.length > 10);
  const [first, last] = [bar[0]!, bar.at(-1)!];
  assert.deepEqual(at(first.x, first.y), first.rgb);
  assert.ok(
    first.rgb.every((v) => v > 240),
    "white at 0",
  );
  assert.deepEqual(at(last.x + last.width - 1, last.y), last.rgb);
  assert.deepEqual([last.rgb[0], last.rgb[1]! < 20, last.rgb[2]! < 20], [255, true, true], "red at the top");
  const svg = cr.explain.heatmapSvg(values, h, w, opts);
  assert.match(svg, new RegExp(`width="${lay.width}" height="${lay.height}"`));
  for (const t of lay.texts)
    assert.ok(svg.includes(`>${t.text.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text>`), t.text);
  assert.equal(
    svg
      .split('<g class="scale">')[1]!
      .split("</g>")[0]!
      .match(/<rect /g)!.length,
    bar.length,
  );
}

async function mapFor(dataset: "digits" | "mnist", limit: number) {
  const c = await trainClassifier(dataset, { epochs: 1, limit });
  const x = c.inputs.narrow(0, 0, 1);
  return { c, x, s: cr.explain.saliency((t) => c.model.call(t), x) };
}

test("digits (8x8): saliency heatmap as SVG and PNG", async () => {
  const { c, x, s } = await mapFor("digits", 400);
  assert.deepEqual([c.height, c.width, s.values.length], [8, 8, 64]);
  assert.ok(c.accuracy > 0.5, `a quickly trained model is better than chance: ${c.accuracy}`);
  assert.ok(s.values.every((v) => v >= 0) && Math.max(...s.values) > 0);
  const image = Array.from(x.dataSync());
  const svg = cr.explain.heatmapSvg(s.values, 8, 8, { image, title: "digit" });
  assert.equal(svg.match(/<g class="heat">/g)!.length, 1);
  assert.equal(
    svg
      .split('<g class="heat">')[1]!
      .split("</g>")[0]!
      .match(/<rect /g)!.length,
    64,
  );
  // a title far wider than the two 8x8 panels widens the picture instead of being cut off
  const title = "digits #0: label 0, predicted 0\n|d score[0] / d pixel| of a quickly trained MLP";
  checkPictures(s.values, 8, 8, { image, title, label: "|d score / d pixel|", cell: 4 });
  checkPictures(s.values, 8, 8, { title: "no image" });
});

test("MNIST (28x28, the bundled test set): saliency heatmap as PNG", async () => {
  const { c, s } = await mapFor("mnist", 300);
  assert.deepEqual([c.height, c.width, s.values.length], [28, 28, 784]);
  checkPictures(s.values, 28, 28, { cell: 2, title: "mnist" });
  const svg = cr.explain.heatmapSvg(s.values, 28, 28);
  assert.equal(
    svg
      .split('<g class="heat">')[1]!
      .split("</g>")[0]!
      .match(/<rect x=/g)!.length,
    784,
  );
});
