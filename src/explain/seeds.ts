// The notes' three worked examples as scenarios, with every figure each note prints, as printed:
// the computational graph f = (x+y)z, the 2-2-1 sigmoid network with binary cross-entropy and the
// 3-4-2 network with softmax and ½Σ(a−y)². Explanations compute every number exactly and mark
// where a printed figure differs (the 2-2-1 example prints z⁽²⁾ = 0.854 where 0.5·0.6248 +
// 0.6·0.7540 + 0.05 = 0.8149, and the slip carries through everything after it).

import type { NotesFigure } from "./render-walkthrough.js";
import type { Scenario } from "./scenario.js";

/** The names of the worked examples. */
export type SeedName = "seed-graph" | "seed-2-2-1" | "seed-3-4-2";

/** A worked example: its scenario, where it comes from, and the figures the note prints. */
export interface Seed {
  /** Its name, as `chainrule explain` takes it. */
  name: SeedName;
  /** The heading. */
  title: string;
  /** Paragraphs on where it comes from. */
  intro: string[];
  /** What is run. */
  scenario: Scenario;
  /** The figures the note prints, checked against the run. */
  notes: NotesFigure[];
}

/** Figures sharing a section: [key, printed] pairs. */
function figures(where: string, pairs: [string, string][]): NotesFigure[] {
  return pairs.map(([key, printed]) => ({ key, printed, where }));
}

/** A matrix of printed figures under keys prefix_{j,k} (1-based). */
function matrix(where: string, prefix: string, rows: string[][]): NotesFigure[] {
  return rows.flatMap((r, j) => r.map((printed, k) => ({ key: `${prefix}_${j + 1},${k + 1}`, printed, where })));
}

/** A vector of printed figures under keys prefix_{j} (1-based). */
function vector(where: string, prefix: string, items: string[], suffix = ""): NotesFigure[] {
  return items.map((printed, j) => ({ key: `${prefix}_${j + 1}${suffix}`, printed, where }));
}

const GRAPH: Seed = {
  name: "seed-graph",
  title: "Backprop on a computational graph: f = (x + y)·z with x = -2, y = 5, z = -4",
  intro: ["Source: the notes' computational-graph example (forward q = x + y, f = q·z; backward by the chain rule)."],
  scenario: { kind: "expression", source: "q = x + y; f = q * z", vars: { x: -2, y: 5, z: -4 } },
  notes: figures("backward", [
    ["df/df", "1"],
    ["df/dz", "3"],
    ["q", "3"],
    ["df/dq", "-4"],
    ["dq/dy", "1"],
    ["df/dy", "-4"],
    ["dq/dx", "1"],
    ["df/dx", "-4"],
  ]),
};

const NET_221: Seed = {
  name: "seed-2-2-1",
  title: "2-2-1 network: 2 inputs -> 2 hidden (sigmoid) -> 1 output (sigmoid), binary cross-entropy",
  intro: [
    "Source: the notes' 2-2-1 worked example, 'Numerical Example of Forward & Backward Pass', and its ASCII flow chart.",
    "x = [1, 2], y = 1, W1 = [[0.1, 0.2], [0.3, 0.4]], b1 = [0.01, 0.02], W2 = [[0.5, 0.6]], b2 = [0.05], lr = 0.1.",
  ],
  scenario: {
    kind: "mlp",
    sizes: [2, 2, 1],
    activations: ["sigmoid", "sigmoid"],
    loss: "bce",
    layers: [
      {
        weight: [
          [0.1, 0.2],
          [0.3, 0.4],
        ],
        bias: [0.01, 0.02],
      },
      { weight: [[0.5, 0.6]], bias: [0.05] },
    ],
    input: [[1, 2]],
    target: [[1]],
    lr: 0.1,
    secondForward: true,
  },
  notes: [
    ...figures("forward 1", [
      ["z1_1", "0.51"],
      ["z1_2", "1.12"],
      ["a1_1", "0.625"],
      ["a1_2", "0.754"],
      ["z2_1", "0.854"],
      ["a2_1", "0.701"],
      ["L", "0.355"],
    ]),
    ...figures("backward", [
      ["delta2_1", "-0.299"],
      ["dW2_1,1", "-0.187"],
      ["dW2_1,2", "-0.226"],
      ["db2_1", "-0.299"],
      ["back1_1", "-0.149"],
      ["back1_2", "-0.179"],
      ["fprime1_1", "0.234"],
      ["fprime1_2", "0.186"],
      ["delta1_1", "-0.035"],
      ["delta1_2", "-0.033"],
    ]),
    ...matrix("backward", "dW1", [
      ["-0.035", "-0.070"],
      ["-0.033", "-0.066"],
    ]),
    ...vector("backward", "db1", ["-0.035", "-0.033"]),
    ...matrix("update", "W2_new", [["0.519", "0.623"]]),
    ...vector("update", "b2_new", ["0.08"]),
    ...matrix("update", "W1_new", [
      ["0.1035", "0.207"],
      ["0.3033", "0.4066"],
    ]),
    ...vector("update", "b1_new", ["0.0135", "0.0233"]),
    ...figures("forward 2", [
      ["z1_1'", "0.530"],
      ["z1_2'", "1.1398"],
      ["a1_1'", "0.629"],
      ["a1_2'", "0.758"],
      ["z2_1'", "0.872"],
      ["a2_1'", "0.705"],
      ["L'", "0.350"],
    ]),
  ],
};

const NET_342: Seed = {
  name: "seed-3-4-2",
  title: "3-4-2 network: sigmoid hidden layer, softmax output, L = 1/2 sum (a - y)^2, y = (1, 0)",
  intro: [
    "Source: the notes' 3-4-2 worked example: feedforward, backpropagation and an SGD step with eta = 0.1.",
    "a0 = (1.0, 0.5, -1.0); W1, b1, W2, b2 as the notes print them.",
  ],
  scenario: {
    kind: "mlp",
    sizes: [3, 4, 2],
    activations: ["sigmoid", "softmax"],
    loss: "half-sse",
    layers: [
      {
        weight: [
          [0.2, -0.3, 0.5],
          [0.7, 0.1, -0.2],
          [-0.5, 0.4, 0.3],
          [0.1, -0.4, 0.2],
        ],
        bias: [0.1, -0.2, 0.05, 0.0],
      },
      {
        weight: [
          [0.3, -0.6, 0.2, 0.1],
          [-0.2, 0.1, 0.4, -0.5],
        ],
        bias: [0.05, -0.1],
      },
    ],
    input: [[1.0, 0.5, -1.0]],
    target: [[1, 0]],
    lr: 0.1,
  },
  notes: [
    ...matrix("2.2.1 layer 1", "wa1", [
      ["0.2", "-0.15", "-0.5"],
      ["0.7", "0.05", "0.2"],
      ["-0.5", "0.2", "-0.3"],
      ["0.1", "-0.2", "-0.2"],
    ]),
    ...vector("2.2.1 layer 1", "z1", ["-0.35", "0.75", "-0.55", "-0.30"]),
    ...vector("2.2.1 layer 1", "a1", ["0.4134", "0.6792", "0.3659", "0.4256"]),
    ...matrix("2.2.2 layer 2", "wa2", [
      ["0.1240", "-0.4075", "0.0732", "0.0426"],
      ["-0.0827", "0.0679", "0.1464", "-0.2128"],
    ]),
    ...vector("2.2.2 layer 2", "z2", ["-0.1178", "-0.1812"]),
    ...vector("2.2.2 softmax", "e2", ["0.889", "0.834"]),
    ...figures("2.2.2 softmax", [["S2", "1.723"]]),
    ...vector("2.2.2 softmax", "a2", ["0.5159", "0.4841"]),
    ...figures("2.2.3 loss", [["L", "0.2344"]]),
    ...vector("3.2.2 dL/da", "a2", ["0.515852", "0.484148"]),
    ...vector("3.2.2 dL/da", "dL/da2", ["-0.484148", "0.484148"]),
    ...matrix("3.2.3 softmax Jacobian", "J2", [
      ["0.249749", "-0.249749"],
      ["-0.249749", "0.249749"],
    ]),
    ...vector("3.2.3 error signal", "delta2", ["-0.241831", "0.241831"]),
    ...matrix("3.2.4 output gradients", "dW2", [
      ["-0.099969", "-0.164246", "-0.088477", "-0.102913"],
      ["0.099969", "0.164246", "0.088477", "0.102913"],
    ]),
    ...vector("3.2.4 output gradients", "db2", ["-0.241831", "0.241831"]),
    ...vector("3.3.1 hidden error", "a1", ["0.413382", "0.679179", "0.365864", "0.425557"]),
    ...vector("3.3.1 hidden error", "back1", ["-0.120915", "0.169282", "0.048366", "-0.145099"]),
    ...vector("3.3.1 hidden error", "fprime1", ["0.242497", "0.217877", "0.2326", "0.244596"]),
    ...vector("3.3.1 hidden error", "delta1", ["-0.029322", "0.036886", "0.011221", "-0.035471"]),
    ...matrix("3.3.2 hidden gradients", "dW1", [
      ["-0.029322", "-0.014661", "0.029322"],
      ["0.036886", "0.018443", "-0.036886"],
      ["0.011221", "0.005611", "-0.011221"],
      ["-0.035471", "-0.017735", "0.035471"],
    ]),
    ...vector("3.3.2 hidden gradients", "db1", ["-0.029322", "0.036886", "0.011221", "-0.035471"]),
    ...figures("3.4 update", [
      ["stepW2_1,1", "0.009997"],
      ["W2_new_1,1", "0.309997"],
      ["stepb1_1", "0.002932"],
      ["b1_new_1", "0.102932"],
    ]),
  ],
};

/** The worked examples by name. */
export const SEEDS: Record<SeedName, Seed> = {
  "seed-graph": GRAPH,
  "seed-2-2-1": NET_221,
  "seed-3-4-2": NET_342,
};

/** True for the name of a worked example. */
export function isSeedName(name: string): name is SeedName {
  return Object.prototype.hasOwnProperty.call(SEEDS, name);
}
