import { decodeText, encodings as allEncodings, normalizeForEncoding } from "./encoded-match";
import { mapJsonStrings } from "./json-walk";

/**
 * Redaction of credential values from what the worker stores and shows: every tool result
 * and error message goes through this before it is committed to the event log (and so
 * before any SSE message, export or UI sees it).
 *
 * A secret is found as written and as the common encodings spell it when a server echoes it
 * back: JSON-escaped (`\"`, `\/`, `\u00e9`, surrogate pairs; also escaped twice, as in a
 * JSON string holding JSON), percent-encoded (either hex case, `+` for space, inside JSON,
 * or encoded twice) and as HTML character references. A secret cut off at the end of a
 * string (a response clipped mid-token, with or without a trailing `…`) is redacted from its
 * 8th character on. Keys are redacted like values; a number whose digits contain a secret
 * becomes the replacement text.
 *
 * Secrets shorter than 4 characters are ignored: replacing every "abc" in a response would
 * destroy ordinary text while protecting nothing (3 characters are guessed in moments).
 *
 * What this cannot do: a server (or model) that transforms a secret — reverses it, base64s
 * it, splits it — defeats any redactor. It is the last line against accidental echoes; the
 * first is that a secret only reaches the endpoints its workflow sends it to.
 */

export const MIN_REDACTED_SECRET_CHARS = 4;
export const DEFAULT_REPLACEMENT = "[redacted]";
/** A clipped secret is redacted when at least this much of its start ends a string. */
const MIN_CLIPPED_PREFIX_CHARS = 8;
const CLIP_MARKERS = ["…", "..."];
const MAX_CLIP_CANDIDATES = 32;

export type Redactor = {
  /** A deep copy of a JSON value with every secret replaced. */
  value<T>(value: T): T;
  text(text: string): string;
};

/** Prepared once per set of secrets (e.g. per run), then applied to every result. */
export function createRedactor(secrets: readonly string[], replacement: string = DEFAULT_REPLACEMENT): Redactor {
  const targets = [...new Set(secrets)].filter((secret) => [...secret].length >= MIN_REDACTED_SECRET_CHARS);
  const encodings = allEncodings();

  const text = (input: string): string => {
    if (targets.length === 0 || input.length < MIN_REDACTED_SECRET_CHARS) return input;
    const spans: Array<[number, number]> = [];
    for (const secret of targets) {
      for (let at = input.indexOf(secret); at >= 0; at = input.indexOf(secret, at + secret.length)) {
        spans.push([at, at + secret.length]);
      }
      clippedTail(input, secret, spans);
    }
    for (const encoding of encodings) {
      if (!encoding.applies(input)) continue;
      const decoded = decodeText(input, encoding);
      if (decoded.text === input) continue;
      for (const secret of targets) {
        const needle = normalizeForEncoding(secret, encoding);
        for (let at = decoded.text.indexOf(needle); at >= 0; at = decoded.text.indexOf(needle, at + needle.length)) {
          spans.push([decoded.offsets[at] ?? 0, decoded.offsets[at + needle.length] ?? input.length]);
        }
      }
    }
    return spans.length === 0 ? input : replaceSpans(input, spans, replacement);
  };

  const value = <T>(input: T): T =>
    mapJsonStrings(input, {
      string: text,
      key: text,
      number: (number) => (text(String(number)) === String(number) ? number : replacement),
    }) as T;

  return { value, text };
}

/** `redactSecrets(value, secrets)`: a one-off `createRedactor(secrets).value(value)`. */
export function redactSecrets<T>(value: T, secrets: readonly string[], replacement: string = DEFAULT_REPLACEMENT): T {
  return createRedactor(secrets, replacement).value(value);
}

/** The start of `secret` ending `text` (before a clip marker): a value cut off mid-secret. */
function clippedTail(text: string, secret: string, spans: Array<[number, number]>): void {
  if (secret.length <= MIN_CLIPPED_PREFIX_CHARS) return;
  const marker = CLIP_MARKERS.find((candidate) => text.endsWith(candidate));
  const end = text.length - (marker?.length ?? 0);
  const head = secret.slice(0, MIN_CLIPPED_PREFIX_CHARS);
  const earliest = end - (secret.length - 1);
  // Bounded: a secret with a repetitive start must not make this quadratic on hostile text.
  let tries = MAX_CLIP_CANDIDATES;
  // Earliest first, so the longest cut-off piece is the one redacted.
  for (let at = text.indexOf(head, Math.max(0, earliest)); at >= 0 && at <= end - head.length && tries > 0; at = text.indexOf(head, at + 1), tries -= 1) {
    if (secret.startsWith(text.slice(at, end))) {
      spans.push([at, end]);
      return;
    }
  }
}

/** Overlapping or touching spans (of different secrets or encodings) become one replacement. */
function replaceSpans(text: string, spans: Array<[number, number]>, replacement: string): string {
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = "";
  let copied = 0;
  let index = 0;
  while (index < spans.length) {
    const span = spans[index];
    if (!span) break;
    let [start, end] = span;
    index += 1;
    for (let next = spans[index]; next && next[0] <= end; next = spans[index]) {
      end = Math.max(end, next[1]);
      index += 1;
    }
    start = Math.max(start, copied);
    out += text.slice(copied, start) + replacement;
    copied = end;
  }
  return out + text.slice(copied);
}
