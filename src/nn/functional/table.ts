// nn.functional's composites with their samples: the losses, activations, resampling and
// attention functions, each declared beside its function, listed here for the table's tests.

import type { AnyComposite } from "../../ops/table.js";
import { adaptivePoolComposites } from "./adaptive-pool.js";
import { poolComposites } from "./pool.js";
import { unpoolComposites } from "./unpool.js";
import { attentionComposite } from "./attention.js";
import { padComposite } from "./basic.js";
import { convComposites } from "./conv.js";
import { foldComposites } from "./fold.js";
import { pixelShuffleComposites } from "./pixel-shuffle.js";
import { interpolateComposite } from "./resample.js";
import { piecewiseActivationComposites } from "./activation.js";
import { smoothActivationComposites } from "./activation-smooth.js";
import { distanceComposites } from "./distance.js";
import { lossComposites } from "./loss.js";
import { ctcLossComposite } from "./loss-ctc.js";
import { likelihoodLossComposites } from "./loss-likelihood.js";
import { marginLossComposites } from "./loss-margin.js";
import { normalizeComposite } from "./norm.js";

const composites: AnyComposite[] = [...poolComposites, ...adaptivePoolComposites, ...unpoolComposites];
// convolution, resampling, padding and attention
composites.push(
  ...convComposites,
  ...foldComposites,
  ...pixelShuffleComposites,
  interpolateComposite,
  padComposite,
  attentionComposite,
);
// activations, distances and losses
composites.push(
  ...piecewiseActivationComposites,
  ...smoothActivationComposites,
  ...distanceComposites,
  normalizeComposite,
  ...lossComposites,
  ...marginLossComposites,
  ...likelihoodLossComposites,
  ctcLossComposite,
);

/** nn.functional's composite functions, by name, with their samples. */
export const nnCompositeTable: Readonly<Record<string, AnyComposite>> = Object.fromEntries(
  composites.map((c) => [c.name, c]),
);
