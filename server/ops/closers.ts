// What a process must close before it exits: the Redis connections, queues and database pool
// the app opened on first use. The worker closes its own in order (workers/main.ts). Under
// `npm start` the web runs inside the launcher, which stops Redis and Postgres after it: the
// launcher calls closeAllOnShutdown() when the web stops, so no client is left reconnecting to a
// store that is going away (scripts/lib/web-server.ts).
//
// On globalThis under a registered symbol: the launcher's bundle and Next's server bundle each
// carry their own copy of this module, and both must see the one set.
type Closer = () => Promise<void>;

const CLOSERS = Symbol.for("agentflow.closers");

function closers(): Set<Closer> {
  const global = globalThis as { [CLOSERS]?: Set<Closer> };
  global[CLOSERS] ??= new Set();
  return global[CLOSERS];
}

/** Registers `close` (once, however often it is passed) to run when the process shuts down. */
export function closeOnShutdown(close: Closer): void {
  closers().add(close);
}

/** Runs every registered closer, together; one that fails does not keep the others from running. */
export async function closeAllOnShutdown(): Promise<void> {
  const pending = [...closers()];
  closers().clear();
  await Promise.allSettled(pending.map((close) => close()));
}
