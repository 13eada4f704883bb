#!/usr/bin/env node
// The `chainrule` command: `train` fits a classifier and saves weights and curves, `predict` runs
// saved weights on samples, the explain commands (explain, graph, diagnose, saliency) show what
// autograd computes, and `playground` writes or serves a page that trains in the browser. Errors
// print as one line (no stack) and exit with status 1.

import { Command } from "commander";
// the package as users get it: every backend that loads here is registered
import "../index.js";
import { packageVersion } from "../explain/node/package-root.js";
import { registerExplainCommands } from "./explain-commands.js";
import { registerPlaygroundCommand } from "./playground-command.js";
import { registerPredictCommand } from "./predict-command.js";
import { registerTrainCommand } from "./train-command.js";

// NOTE: a reader that stops early (`chainrule explain ... | head -1`) closes the pipe, and the next
// write fails with EPIPE. Nobody wants the rest of the output then, so every command ends there,
// quietly and successfully, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(0);
  });
}

const program = new Command("chainrule")
  .description("chainrule: reverse-mode autograd and neural networks in TypeScript")
  .version(packageVersion(), "-v, --version", "print the chainrule version")
  // commander's own errors (a bad flag value, an unknown option) read like the commands' errors:
  // one line, no usage dump; subcommands inherit this when registered below
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "chainrule: ")) });
registerTrainCommand(program);
registerPredictCommand(program);
registerExplainCommands(program);
registerPlaygroundCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`chainrule: ${(e as Error).message}`);
  process.exitCode = 1;
}
