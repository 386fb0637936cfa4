import type { LlmRequest } from "../engine/decide";
import type { FallbackAttempt, RunEvent } from "../engine/events";
import { callModel, type CallModelOptions } from "./call-model";

/**
 * An agent's fallback chain: its provider first, then each fallback in order. A provider is
 * left for the next one when trying again could help (5xx, 429, network, the client's own
 * timeout — after the client's retries) or when it has not answered within the agent's
 * `fallbackAfterMs` (a RunPod worker still cold); a streamed call is timed to its first token,
 * so a provider that has started answering is not abandoned halfway. A refused key, an
 * unknown model or a request the provider rejects is not handed on: it fails the node at once,
 * as without fallbacks, because another provider would only hide the misconfiguration.
 *
 * The committed event is the answering (or last) provider's own: its provider, model, usage
 * and cost — the call is billed to the provider that answered — with `fallbackFrom` listing
 * what was tried before and why it was left.
 */
export async function callModelWithFallbacks(nodeId: string, request: LlmRequest, options: CallModelOptions = {}): Promise<RunEvent> {
  const chain = [{ provider: request.provider, model: request.model }, ...(request.fallbacks ?? [])];
  const tried: FallbackAttempt[] = [];
  for (const [index, candidate] of chain.entries()) {
    const isLast = index === chain.length - 1;
    const patience = !isLast && request.fallbackAfterMs ? request.fallbackAfterMs : 0;
    const attempt = patience > 0 ? withDeadline(options.signal, patience) : { signal: options.signal, timedOut: () => false, answering: () => undefined, done: () => undefined };
    const onTextDelta = options.onTextDelta;
    let event: RunEvent;
    try {
      event = await callModel(
        nodeId,
        { ...request, provider: candidate.provider, model: candidate.model },
        {
          ...options,
          signal: attempt.signal,
          ...(onTextDelta
            ? {
                onTextDelta: (text: string) => {
                  attempt.answering();
                  onTextDelta(text);
                },
              }
            : {}),
        },
      );
    } finally {
      attempt.done();
    }
    const withHistory = tried.length > 0 && (event.type === "llm_response" || event.type === "llm_error") ? { ...event, fallbackFrom: tried } : event;
    if (event.type !== "llm_error" || isLast || options.signal?.aborted) return withHistory;
    const timedOut = attempt.timedOut();
    if (!timedOut && event.retryable === false) return withHistory;
    tried.push({
      provider: event.provider,
      model: event.model,
      reason: timedOut ? "timeout" : "error",
      error: timedOut ? `No answer within ${Math.round(patience / 1000)} s` : event.error,
      latencyMs: event.latencyMs,
    });
  }
  throw new Error("unreachable: the chain always has a provider");
}

/** The run's signal plus a deadline of our own, told apart so a cancelled run is not taken for a slow provider. */
function withDeadline(runSignal: AbortSignal | undefined, ms: number) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no answer within ${ms} ms`));
  }, ms);
  const onRunAbort = () => controller.abort(runSignal?.reason);
  runSignal?.addEventListener("abort", onRunAbort, { once: true });
  if (runSignal?.aborted) onRunAbort();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    /** The provider has started answering: the deadline was for its first token. */
    answering: () => clearTimeout(timer),
    done: () => {
      clearTimeout(timer);
      runSignal?.removeEventListener("abort", onRunAbort);
    },
  };
}
