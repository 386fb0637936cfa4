import { describe, expect, it } from "vitest";
import { PayloadTooLargeError, UserInputError } from "../errors";
import { BODY_LIMITS, readBodyText } from "./body";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * A body of `total` bytes made on demand, `chunkSize` at a time; it counts how many chunks
 * were pulled out of it and whether it was cancelled. With `highWaterMark: 0` nothing is
 * produced ahead of a read, so `pulls` is exactly what the reader asked for.
 */
function lazyBody(total: number, chunkSize = 64 * KiB, highWaterMark = 0) {
  const counters = { pulls: 0, produced: 0, cancelled: null as unknown };
  const chunk = new Uint8Array(chunkSize).fill(0x61); // "a"
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        counters.pulls += 1;
        const size = Math.min(chunkSize, total - counters.produced);
        if (size <= 0) return controller.close();
        counters.produced += size;
        controller.enqueue(size === chunkSize ? chunk : chunk.subarray(0, size));
      },
      cancel(reason) {
        counters.cancelled = reason;
      },
    },
    { highWaterMark },
  );
  return { stream, counters };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://app.test/api/v1/workflows/w1/trigger", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe("readBodyText", () => {
  it("has the default limits", () => {
    expect(BODY_LIMITS).toEqual({ runInput: 1 * MiB, graph: 10 * MiB, default: 1 * MiB });
  });

  it("refuses a 50 MiB upload after pulling only a little over the limit, and cancels it", async () => {
    const { stream, counters } = lazyBody(50 * MiB);
    const error = await readBodyText(post(stream), 1 * MiB).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).message).toBe("The request body is larger than the limit of 1 MiB (1048576 bytes)");
    // 1 MiB is 16 chunks of 64 KiB; the 17th crosses the limit.
    expect(counters.pulls).toBe(17);
    expect(counters.produced).toBe(17 * 64 * KiB);
    expect(counters.cancelled).toBe(error);
  });

  it("stays near the limit with the default read-ahead too", async () => {
    const { stream, counters } = lazyBody(50 * MiB, 64 * KiB, 1);
    await expect(readBodyText(post(stream), 1 * MiB)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(counters.pulls).toBeLessThanOrEqual(19);
  });

  it("refuses a declared content-length over the limit before reading anything", async () => {
    const { stream, counters } = lazyBody(50 * MiB);
    const request = post(stream, { "content-length": String(50 * MiB) });
    await expect(readBodyText(request, 1 * MiB)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(counters.pulls).toBe(0);
    expect(request.bodyUsed).toBe(false);
  });

  it("counts the bytes that arrive, whatever content-length claims", async () => {
    const { stream, counters } = lazyBody(5 * MiB);
    await expect(readBodyText(post(stream, { "content-length": "10" }), 1 * MiB)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(counters.produced).toBeLessThanOrEqual(1 * MiB + 64 * KiB);
  });

  it("accepts exactly the limit and refuses one byte more", async () => {
    await expect(readBodyText(post(lazyBody(1 * MiB, 1000).stream), 1 * MiB)).resolves.toHaveLength(1 * MiB);
    await expect(readBodyText(post(lazyBody(1 * MiB + 1, 1000).stream), 1 * MiB)).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(readBodyText(post('{"input":{"topic":"x"}}'), 1 * MiB)).resolves.toBe('{"input":{"topic":"x"}}');
  });

  it("decodes characters split across chunks, and drops a leading BOM like request.text()", async () => {
    // "é" is C3 A9 and "😀" is F0 9F 98 80, each split between two chunks.
    const body = streamOf(bytes(0xef, 0xbb, 0xbf, 0x22, 0xc3), bytes(0xa9, 0xf0, 0x9f), bytes(0x98, 0x80, 0x22));
    await expect(readBodyText(post(body), 1 * MiB)).resolves.toBe('"é😀"');
  });

  it("refuses invalid UTF-8 as user input, not as a replaced character", async () => {
    for (const invalid of [bytes(0x7b, 0xff, 0x7d), bytes(0x22, 0xed, 0xa0, 0x80, 0x22), bytes(0x22, 0xc3)]) {
      // 0xFF never occurs in UTF-8; ED A0 80 is an encoded lone surrogate; C3 is cut off at the end.
      const error = await readBodyText(post(streamOf(invalid)), 1 * MiB).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserInputError);
      expect(error).not.toBeInstanceOf(PayloadTooLargeError);
      expect((error as Error).message).toBe("The request body is not valid UTF-8");
    }
  });

  it("reads no body as empty text", async () => {
    await expect(readBodyText(new Request("http://app.test/x"), 1 * MiB)).resolves.toBe("");
    await expect(readBodyText(post(null), 1 * MiB)).resolves.toBe("");
  });
});
