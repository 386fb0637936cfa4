import type * as O200k from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage } from "./events";

/**
 * Token counts of an agent's thread, for its context budget (compaction) and the `sentTokens`
 * figure of each model call. What a provider reports replaces these for usage and cost.
 *
 * One encoding, o200k_base, for every model: it is exact for GPT-4o, GPT-4.1, GPT-5 and the
 * o-series; for other families (Claude, Llama, Mistral…) whose tokenizers are not public or
 * differ, it is a close approximation, which is all a context budget needs. The encoder is
 * big (~2.4 MB of rank data, ~40 MiB of a process's memory once loaded), so it is loaded on the
 * first count rather than at import: a worker that has not run an agent yet does not hold it.
 * Only server code reaches this module (agent.ts ← decide.ts); client bundles import
 * step/state/events, never decide.
 *
 * Pure: the same messages always give the same count. Messages are immutable once in a
 * thread, so each one's count is memoized by identity — a compaction check every step costs a
 * lookup per message, not a re-tokenization of the thread.
 */

/** Per message: <|im_start|>, the separator after the role and <|im_end|> (OpenAI's chat framing). */
const TOKENS_PER_MESSAGE = 3;
/** Every reply is primed with <|im_start|>assistant<|im_sep|>. */
const REPLY_PRIMING_TOKENS = 3;
/** A tool call's own framing besides its name and arguments (an estimate: the wire format is not public). */
const TOKENS_PER_TOOL_CALL = 3;

/**
 * BPE is quadratic in the length of one pre-tokenized piece: 100,000 letters without a space
 * take seconds. Text is counted in segments of at most this many characters, cut at a
 * space when there is one, which keeps ordinary text exact.
 */
const SEGMENT_CHARS = 1_000;
/** Beyond this, the rest of a text is extrapolated from its first part, bounding the cost of one huge message. */
const MAX_EXACT_CHARS = 100_000;

/** User text is text: "<|endoftext|>" in a message is counted as characters, never as a control token. */
const ORDINARY_TEXT = { disallowedSpecial: new Set<string>() };

type O200kEncoding = typeof O200k;
let o200k: O200kEncoding | undefined;

/**
 * The encoding, loaded synchronously on first use through node's own require (counting is part
 * of the synchronous decide step). Deterministic like the rest: only when it is loaded changes.
 */
function encoding(): O200kEncoding {
  o200k ??= process.getBuiltinModule("node:module").createRequire(import.meta.url)("gpt-tokenizer/encoding/o200k_base") as O200kEncoding;
  return o200k;
}

const messageCounts = new WeakMap<ChatMessage, number>();

/** Tokens of a thread as a chat model receives it, framing and reply priming included. */
export function countTokens(messages: readonly ChatMessage[]): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) total += countMessageTokens(message);
  return total;
}

/** Tokens of one message with its framing (the reply priming is counted once per thread, by countTokens). */
export function countMessageTokens(message: ChatMessage): number {
  const cached = messageCounts.get(message);
  if (cached !== undefined) return cached;
  let count = TOKENS_PER_MESSAGE + countTextTokens(message.role) + countTextTokens(message.content ?? "");
  if (message.role === "assistant") {
    for (const call of message.toolCalls ?? []) count += TOKENS_PER_TOOL_CALL + countTextTokens(call.name) + countTextTokens(call.arguments);
  }
  messageCounts.set(message, count);
  return count;
}

/**
 * Counts of recent texts, for the messages that are built anew at each step (an agent's
 * rendered instructions and task, the same for every run of it): looked up by their text.
 * Bounded (at most 2 M characters held: a few MiB) and the oldest entry goes first.
 */
const textCounts = new Map<string, number>();
const TEXT_CACHE_ENTRIES = 500;
const TEXT_CACHE_MAX_CHARS = 4_000;

/** Tokens of plain text in o200k_base. */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length > TEXT_CACHE_MAX_CHARS) return countUncached(text);
  const cached = textCounts.get(text);
  if (cached !== undefined) return cached;
  const count = countUncached(text);
  if (textCounts.size >= TEXT_CACHE_ENTRIES) textCounts.delete(textCounts.keys().next().value as string);
  textCounts.set(text, count);
  return count;
}

function countUncached(text: string): number {
  if (text.length > MAX_EXACT_CHARS) {
    const counted = countSegments(text.slice(0, MAX_EXACT_CHARS));
    return Math.ceil((counted * text.length) / MAX_EXACT_CHARS);
  }
  return countSegments(text);
}

function countSegments(text: string): number {
  let count = 0;
  let start = 0;
  while (text.length - start > SEGMENT_CHARS) {
    // Cut before the window's last space: a space starts the piece after it (" word", " (")
    // and ends none, so ordinary text counts exactly as if whole.
    const lastSpace = text.lastIndexOf(" ", start + SEGMENT_CHARS - 1);
    const end = lastSpace > start ? lastSpace : start + SEGMENT_CHARS;
    count += encoding().countTokens(text.slice(start, end), ORDINARY_TEXT);
    start = end;
  }
  return count + encoding().countTokens(text.slice(start), ORDINARY_TEXT);
}
