/** A periodic job's handle for the worker: `tick()` never rejects and never overlaps itself; `stop()` waits for the tick in hand. */
export type Sweeper = { tick(): Promise<void>; stop(): Promise<void> };

/** Wraps `sweep` (which reports its own errors through `onError`) so timers can call `tick()` freely. */
export function createSweeper(sweep: () => Promise<void>, onError: (error: unknown) => void): Sweeper {
  let current: Promise<void> | undefined;
  let stopped = false;
  const run = async () => {
    try {
      await sweep();
    } catch (error) {
      onError(error);
    } finally {
      current = undefined;
    }
  };
  return {
    tick(): Promise<void> {
      if (stopped || current) return current ?? Promise.resolve();
      current = run();
      return current;
    },
    async stop(): Promise<void> {
      stopped = true;
      await current;
    },
  };
}
