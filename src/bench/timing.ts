/** Timing helpers for benchmarks: the median of several runs, after a warm-up run. */

export async function medianSeconds(run: () => unknown | Promise<unknown>, repeats = 3): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
