import { COMPLETE_TASK, REQUEST_HUMAN_INPUT } from "../engine/agent-tools";

/**
 * What a person watching a model answer should read, built from the stream's deltas. Agents
 * finish by calling `complete_task`, so most answers arrive as that call's JSON arguments, not
 * as text: the readable text is the model's own words, then each tool call — for
 * `complete_task` the `result` being written (and for `request_human_input` the question),
 * decoded from the JSON as it streams; for other tools `→ name ` and the raw arguments.
 * The text only ever grows (viewers place each piece at its offset).
 */
export class LiveAnswerText {
  private written = "";
  private readonly calls = new Map<number, { reader: JsonStringFieldReader | null; started: boolean }>();

  constructor(private readonly onText: (text: string) => void) {}

  content(text: string): void {
    this.emit(text);
  }

  /** A tool call's fragment: its name (once, when it starts) and a piece of its arguments. */
  toolCall(index: number, name: string | undefined, argumentsFragment: string): void {
    let call = this.calls.get(index);
    if (!call) {
      if (!name) return; // a server that sends arguments before the name: shown once named
      const field = name === COMPLETE_TASK ? "result" : name === REQUEST_HUMAN_INPUT ? "question" : null;
      call = { reader: field ? new JsonStringFieldReader(field) : null, started: false };
      this.calls.set(index, call);
      if (!call.reader) this.startCall(call, `→ ${name} `);
    }
    if (argumentsFragment === "") return;
    if (!call.reader) return this.emit(argumentsFragment);
    const decoded = call.reader.push(argumentsFragment);
    if (decoded !== "") {
      this.startCall(call, "");
      this.emit(decoded);
    }
  }

  private startCall(call: { started: boolean }, heading: string): void {
    if (call.started) return;
    call.started = true;
    this.emit(`${this.written === "" || this.written.endsWith("\n") ? "" : "\n\n"}${heading}`);
  }

  private emit(text: string): void {
    if (text === "") return;
    this.written += text;
    this.onText(text);
  }
}

/**
 * Decodes one string field of a JSON object while the object arrives in pieces: each `push`
 * returns the newly decoded characters of the field's value. An escape split across pieces
 * waits for its end, so the decoded text only grows.
 */
export class JsonStringFieldReader {
  private buffer = "";
  private position = -1;
  private done = false;

  constructor(private readonly field: string) {}

  push(fragment: string): string {
    if (this.done) return "";
    this.buffer += fragment;
    if (this.position < 0) {
      const opening = new RegExp(`"${this.field}"\\s*:\\s*"`).exec(this.buffer);
      if (!opening) return "";
      this.position = opening.index + opening[0].length;
    }
    let decoded = "";
    while (this.position < this.buffer.length) {
      const char = this.buffer[this.position] as string;
      if (char === '"') {
        this.done = true;
        break;
      }
      if (char !== "\\") {
        decoded += char;
        this.position += 1;
        continue;
      }
      const escaped = this.buffer[this.position + 1];
      if (escaped === undefined) break;
      if (escaped === "u") {
        const hex = this.buffer.slice(this.position + 2, this.position + 6);
        if (hex.length < 4) break;
        decoded += /^[0-9a-fA-F]{4}$/.test(hex) ? String.fromCharCode(Number.parseInt(hex, 16)) : "";
        this.position += 6;
        continue;
      }
      decoded += ESCAPES[escaped] ?? escaped;
      this.position += 2;
    }
    return decoded;
  }
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\", "/": "/" };
