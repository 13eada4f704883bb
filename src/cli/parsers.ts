// Option parsers shared by the commands. Each throws commander's InvalidArgumentError, which
// commander prints as one line naming the flag ("option '--epochs <n>' argument '0' is invalid.
// expected a positive integer, got '0'") before exiting with status 1.

import { InvalidArgumentError } from "commander";

function numeric(v: string, ok: (n: number) => boolean, what: string): number {
  const n = v.trim() === "" ? NaN : Number(v);
  if (!ok(n)) throw new InvalidArgumentError(`expected ${what}, got '${v}'`);
  return n;
}

/** A number > 0. */
export const positiveNumber = (v: string): number =>
  numeric(v, (n) => Number.isFinite(n) && n > 0, "a positive number");

/** An integer >= 1. */
export const positiveInt = (v: string): number =>
  numeric(v, (n) => Number.isInteger(n) && n >= 1, "a positive integer");

/** An integer >= 0. */
export const nonNegativeInt = (v: string): number =>
  numeric(v, (n) => Number.isInteger(n) && n >= 0, "a non-negative integer");

/** An integer from `min` to `max`. */
export const intInRange =
  (min: number, max = Infinity) =>
  (v: string): number =>
    numeric(
      v,
      (n) => Number.isInteger(n) && n >= min && n <= max,
      max === Infinity ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
    );

/** A TCP port, 0 (any free port) to 65535. */
export const port = intInRange(0, 65535);

/** A file name ending in one of `extensions` (".svg", ".png"). */
export const fileWithExtension =
  (...extensions: string[]) =>
  (v: string): string => {
    if (!extensions.some((e) => v.toLowerCase().endsWith(e)))
      throw new InvalidArgumentError(`expected a file name ending in ${extensions.join(" or ")}, got '${v}'`);
    return v;
  };
