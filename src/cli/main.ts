#!/usr/bin/env node
// The `chainrule` command: `train` fits a classifier and saves weights and curves, `predict` runs
// saved weights on samples, and the explain commands (explain, graph, diagnose, saliency) show
// what autograd computes. Errors print as one line (no stack) and exit with status 1.

import { Command } from "commander";
// the package as users get it: every backend that loads here is registered
import "../index.js";
import { registerExplainCommands } from "./explain-commands.js";
import { registerPredictCommand } from "./predict-command.js";
import { registerTrainCommand } from "./train-command.js";

const program = new Command("chainrule")
  .description("chainrule: reverse-mode autograd and neural networks in TypeScript")
  .showHelpAfterError();
registerTrainCommand(program);
registerPredictCommand(program);
registerExplainCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`chainrule: ${(e as Error).message}`);
  process.exitCode = 1;
}
