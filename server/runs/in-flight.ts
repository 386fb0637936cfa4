import type { RunEvent } from "../engine/events";

/**
 * The worker's I/O for one run that has been started but not committed yet, by effect key.
 * Each effect settles on its own, so a fast branch's result is committed as soon as it
 * arrives instead of waiting for a slow sibling. A result waits here until the loop commits
 * it (or finds it is no longer wanted); it is never requested twice while it is here.
 */
export class InFlightEffects {
  private readonly pending = new Set<string>();
  private readonly settled = new Map<string, RunEvent>();
  private failure: unknown = null;
  /** Something settled since the loop last waited: it must look before waiting again. */
  private unseen = false;
  private wake: (() => void) | null = null;

  has(key: string): boolean {
    return this.pending.has(key) || this.settled.has(key);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  start(key: string, perform: () => Promise<RunEvent>): void {
    this.pending.add(key);
    perform().then(
      (event) => {
        this.pending.delete(key);
        this.settled.set(key, event);
        this.notify();
      },
      (error: unknown) => {
        // Performers turn every expected failure into an event; a throw is a bug.
        this.pending.delete(key);
        this.failure ??= error;
        this.notify();
      },
    );
  }

  /** The settled results whose keys `isWanted` accepts, in settling order; they stay until `forget`. */
  settledWanted(isWanted: (key: string) => boolean): { keys: string[]; events: RunEvent[] } {
    const keys = [...this.settled.keys()].filter(isWanted);
    return { keys, events: keys.map((key) => this.settled.get(key) as RunEvent) };
  }

  /** Drops results once they are committed. */
  forget(keys: readonly string[]): void {
    for (const key of keys) this.settled.delete(key);
  }

  /** Forgets settled results nobody wants any more (e.g. a model reply to a thread that moved on). */
  dropSettledExcept(isWanted: (key: string) => boolean): void {
    for (const key of [...this.settled.keys()]) if (!isWanted(key)) this.settled.delete(key);
  }

  /**
   * Resolves when an effect settles (at once if one did since the last call), when `signal`
   * aborts, or on `interrupt()`.
   */
  async nextSettlement(signal?: AbortSignal): Promise<void> {
    this.throwIfFailed();
    if (this.unseen || signal?.aborted) {
      this.unseen = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const onAbort = () => resolve();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
    });
    this.wake = null;
    this.unseen = false;
    this.throwIfFailed();
  }

  /** Wakes a pending `nextSettlement` without a settlement: the caller has something else to look at. */
  interrupt(): void {
    this.wake?.();
  }

  private notify(): void {
    this.unseen = true;
    this.wake?.();
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}
