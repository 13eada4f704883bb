// Child process of pool.test.ts: the buffer pool's policies measured in a fresh process, where no
// dropped tensor waits for the collector (whose finalizers would return blocks to the pool in the
// middle of a measurement). Prints the pool's size at each point as one line of JSON (bytes).

import { addon, native, skip } from "./conformance.js";

if (skip) {
  console.log(JSON.stringify({ skip }));
} else {
  const k = native as NonNullable<typeof native> & { free(h: unknown): void };
  const pooled = () => addon!.pooledBytes();
  const MiB = 1 << 20;
  // 4 GiB of pooled 4 MiB blocks, several of the pool's epochs (512 MiB each): its recent peak
  // becomes what is live now, and blocks unused through them go back to the system
  const settle = () => {
    for (let i = 0; i < 1024; i++) k.free(k.alloc("float32", MiB));
  };
  const allocs = (n: number, floats: number) => Array.from({ length: n }, () => k.alloc("float32", floats));
  const out: Record<string, number> = {};

  // a collection's worth beyond the 128 MiB that V8 is told of: 12 blocks of 16 MiB
  settle();
  for (const h of allocs(12, 4 * MiB)) k.free(h);
  out.keptBeyondFloor = pooled();
  const again = allocs(12, 4 * MiB);
  out.reusedBytes = out.keptBeyondFloor - pooled();
  for (const h of again) k.free(h);

  // unused through the epochs of settle: given back
  settle();
  out.afterEpochs = pooled();

  // a full pool: 9 blocks of 16 MiB fill it to the recent peak, then 8 of 4 MiB are released
  settle();
  for (const h of allocs(9, 4 * MiB)) k.free(h);
  out.full = pooled();
  for (const h of allocs(8, MiB)) k.free(h);
  out.afterSmall = pooled();
  const small = allocs(8, MiB);
  out.smallReused = out.afterSmall - pooled();
  for (const h of small) k.free(h);
  console.log(JSON.stringify(out));
}
