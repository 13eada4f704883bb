// Runs the chainrule command in-process: commander with the given commands registered and its
// exits turned into rejections, its printed text collected.

import { Command } from "commander";

/** Registers commands on a program, printing through `say`. */
export type Register = (program: Command, say: (text: string) => void) => void;

/** Starts `chainrule <args>` with `register`'s commands; output() is what it has printed so far. */
export function startCommand(register: Register, args: string[]): { done: Promise<string>; output(): string } {
  const program = new Command("chainrule").exitOverride().configureOutput({ writeErr: () => {} });
  let out = "";
  register(program, (text) => void (out += text));
  const done = program.parseAsync(["node", "chainrule", ...args]).then(() => out);
  return { done, output: () => out };
}
