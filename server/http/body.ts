import { PayloadTooLargeError, UserInputError } from "../errors";

const MiB = 1024 * 1024;

/**
 * Body size limits in bytes. `graph` is for calls that carry a whole workflow (save, create,
 * import: a 5,000-node graph is a few MiB of JSON); everything else, run inputs included,
 * gets 1 MiB. (To be read from env later; these are the defaults.)
 */
export const BODY_LIMITS = { runInput: 1 * MiB, graph: 10 * MiB, default: 1 * MiB } as const;

/**
 * The request body as text, refusing more than `maxBytes` without buffering it first: a
 * declared `content-length` over the limit is refused before anything is read, and a body
 * that grows past the limit (chunked, or lying about its length) is cancelled as soon as it
 * does. `request.text()` would read all 50 MiB a client chose to send and then decode
 * invalid UTF-8 into U+FFFD; here invalid UTF-8 is refused (a 400, not altered data).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (request.body === null) return "";

  const reader = request.body.getReader();
  // `fatal` refuses invalid UTF-8 instead of replacing it; a leading BOM is dropped, as by text().
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let received = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("The request body stream produced something other than bytes");
      received += value.byteLength;
      if (received > maxBytes) throw new PayloadTooLargeError(maxBytes);
      text += decodeUtf8(decoder, value);
    }
    return text + decodeUtf8(decoder);
  } catch (error) {
    // Stop the client's upload now; a failure to cancel (already closed, errored) changes nothing.
    reader.cancel(error).catch(() => undefined);
    throw error;
  }
}

/** One chunk (a character may continue in the next one), or with no chunk the end of the body. */
function decodeUtf8(decoder: TextDecoder, chunk?: Uint8Array): string {
  try {
    return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
  } catch {
    throw new UserInputError("The request body is not valid UTF-8");
  }
}
