// nn.functional's composites with their samples: the losses, activations, resampling and
// attention functions, each declared beside its function, listed here for the table's tests.

import type { AnyComposite } from "../../ops/table.js";

const composites: AnyComposite[] = [];

/** nn.functional's composite functions, by name, with their samples. */
export const nnCompositeTable: Readonly<Record<string, AnyComposite>> = Object.fromEntries(
  composites.map((c) => [c.name, c]),
);
