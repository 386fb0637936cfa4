/**
 * Reading text the way an encoding spells characters, to find a secret a server echoed back
 * encoded: JSON string escapes (once, or twice as in a JSON string holding JSON),
 * percent-encoding (either hex case, `+` for space; plain, inside JSON, or twice) and HTML
 * character references. Each encoding is a decoder of one code point at a position;
 * `decodeText` runs it over a whole string once and keeps where each decoded character came
 * from, so the caller searches the decoded text with `indexOf` and maps a match back to the
 * span that spelled it.
 *
 * Why not a regex per secret with every spelling of every character as alternatives: a long
 * secret overflows V8's regex compiler, and alternatives that share a prefix (`\` and `\\`,
 * `%` and `%25`) backtrack exponentially on hostile text. Decoding is deterministic and
 * linear, and `indexOf` is the engine's fast string search.
 */

/** Decodes one code point of `text` at `pos` into `cp`, with `next` the position after it. */
export type Decoder = {
  read(text: string, pos: number): boolean;
  cp: number;
  next: number;
};

const NONE = -1;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;
const AMPERSAND = 0x26;

class RawDecoder implements Decoder {
  cp = 0;
  next = 0;
  read(text: string, pos: number): boolean {
    const cp = text.codePointAt(pos);
    if (cp === undefined) return false;
    this.cp = cp;
    this.next = pos + (cp > 0xffff ? 2 : 1);
    return true;
  }
}

const JSON_ESCAPES = new Map<number, number>([
  [0x22, 0x22], // \"
  [0x5c, 0x5c], // \\
  [0x2f, 0x2f], // \/
  [0x62, 0x08], // \b
  [0x66, 0x0c], // \f
  [0x6e, 0x0a], // \n
  [0x72, 0x0d], // \r
  [0x74, 0x09], // \t
]);

/** JSON string escapes over another decoder, so two of them read doubly escaped text. */
class JsonDecoder implements Decoder {
  cp = 0;
  next = 0;
  private hexEnd = 0;
  constructor(private readonly source: Decoder) {}

  read(text: string, pos: number): boolean {
    const source = this.source;
    const first = codeAt(source, text, pos);
    if (first === NONE) return false;
    if (first !== BACKSLASH) return this.emit(first, source.next);
    const escape = codeAt(source, text, source.next);
    const simple = JSON_ESCAPES.get(escape);
    if (simple !== undefined) return this.emit(simple, source.next);
    if (escape !== 0x75) return false; // \u
    const unit = this.unicodeEscapeBody(text, source.next);
    if (unit < 0) return false;
    const afterHigh = this.hexEnd;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // A character outside the BMP is written as two escapes (a surrogate pair).
      const low = this.unicodeEscape(text, afterHigh);
      if (low >= 0xdc00 && low <= 0xdfff) return this.emit(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00), this.hexEnd);
    }
    return this.emit(unit, afterHigh);
  }

  private unicodeEscape(text: string, pos: number): number {
    const source = this.source;
    if (codeAt(source, text, pos) !== BACKSLASH || codeAt(source, text, source.next) !== 0x75) return -1;
    return this.unicodeEscapeBody(text, source.next);
  }

  private unicodeEscapeBody(text: string, pos: number): number {
    let value = 0;
    let at = pos;
    for (let digit = 0; digit < 4; digit += 1) {
      const nibble = hexValue(codeAt(this.source, text, at));
      if (nibble < 0) return -1;
      value = value * 16 + nibble;
      at = this.source.next;
    }
    this.hexEnd = at;
    return value;
  }

  private emit(cp: number, next: number): boolean {
    this.cp = cp;
    this.next = next;
    return true;
  }
}

/** `%XX` bytes (UTF-8) over another decoder; other characters pass through. */
class PercentDecoder implements Decoder {
  cp = 0;
  next = 0;
  private byteEnd = 0;
  constructor(private readonly source: Decoder) {}

  read(text: string, pos: number): boolean {
    const lead = this.byte(text, pos);
    if (lead < 0) {
      if (!this.source.read(text, pos)) return false;
      this.cp = this.source.cp;
      this.next = this.source.next;
      return true;
    }
    const extra = lead < 0x80 ? 0 : lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : -1;
    if (extra < 0) return false;
    let cp = extra === 0 ? lead : lead & (0x3f >> extra);
    let at = this.byteEnd;
    for (let index = 0; index < extra; index += 1) {
      const continuation = this.byte(text, at);
      if (continuation < 0 || (continuation & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (continuation & 0x3f);
      at = this.byteEnd;
    }
    this.cp = cp;
    this.next = at;
    return true;
  }

  private byte(text: string, pos: number): number {
    const source = this.source;
    if (codeAt(source, text, pos) !== PERCENT) return -1;
    const high = hexValue(codeAt(source, text, source.next));
    if (high < 0) return -1;
    const low = hexValue(codeAt(source, text, source.next));
    if (low < 0) return -1;
    this.byteEnd = source.next;
    return high * 16 + low;
  }
}

const NAMED_REFERENCES = new Map<string, number>([
  ["amp", 0x26],
  ["lt", 0x3c],
  ["gt", 0x3e],
  ["quot", 0x22],
  ["apos", 0x27],
]);

const MAX_REFERENCE_CHARS = 16;

/** HTML character references (`&quot;`, `&#34;`, `&#x22;`); a stray `&` is itself. */
class HtmlDecoder implements Decoder {
  cp = 0;
  next = 0;
  constructor(private readonly source: RawDecoder) {}

  read(text: string, pos: number): boolean {
    if (!this.source.read(text, pos)) return false;
    this.cp = this.source.cp;
    this.next = this.source.next;
    if (this.cp !== AMPERSAND) return true;
    // A bounded look ahead: scanning to the next ";" from every "&" would be quadratic.
    const body = text.slice(pos + 1, pos + 1 + MAX_REFERENCE_CHARS);
    const length = body.indexOf(";");
    if (length < 0) return true;
    const name = body.slice(0, length);
    const end = pos + 1 + length;
    const named = NAMED_REFERENCES.get(name);
    const numeric = /^#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,7}))$/.exec(name);
    const cp = named ?? (numeric ? Number.parseInt(numeric[1] ?? numeric[2] ?? "", numeric[1] ? 16 : 10) : -1);
    if (cp >= 0 && cp <= 0x10ffff) {
      this.cp = cp;
      this.next = end + 1;
    }
    return true;
  }
}

/** The code point `decoder` reads at `pos` (its `next` is then the position after it), or NONE. */
function codeAt(decoder: Decoder, text: string, pos: number): number {
  return decoder.read(text, pos) ? decoder.cp : NONE;
}

function hexValue(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  if (cp >= 0x61 && cp <= 0x66) return cp - 0x57;
  if (cp >= 0x41 && cp <= 0x46) return cp - 0x37;
  return -1;
}


export type Encoding = {
  name: string;
  /** Whether `text` can hold this encoding at all (text without its escape character reads as raw). */
  applies(text: string): boolean;
  decoder: Decoder;
  /** Percent-encoding writes a space as "+" in forms: space and "+" compare equal (both read as a space). */
  plusIsSpace: boolean;
};

const hasAny = (text: string, ...needles: string[]) => needles.some((needle) => text.includes(needle));

/** The encodings tried besides the raw text. */
export function encodings(): Encoding[] {
  const raw = new RawDecoder();
  const json = (source: Decoder) => new JsonDecoder(source);
  const percent = (source: Decoder) => new PercentDecoder(source);
  return [
    { name: "json", applies: (text) => text.includes("\\"), decoder: json(raw), plusIsSpace: false },
    { name: "json-twice", applies: (text) => text.includes("\\\\"), decoder: json(json(raw)), plusIsSpace: false },
    { name: "percent", applies: (text) => hasAny(text, "%", "+"), decoder: percent(raw), plusIsSpace: true },
    { name: "percent-in-json", applies: (text) => text.includes("\\") && hasAny(text, "%", "+"), decoder: percent(json(raw)), plusIsSpace: true },
    { name: "percent-twice", applies: (text) => text.includes("%25"), decoder: percent(percent(raw)), plusIsSpace: true },
    { name: "html", applies: (text) => text.includes("&"), decoder: new HtmlDecoder(raw), plusIsSpace: false },
  ];
}

/**
 * `text` as `encoding` reads it, from its start: `text` is the decoded string and
 * `offsets[i]` the position in the original of the character that decoded unit `i` came
 * from (`offsets[text.length]` is the original's length), so a match in the decoded text
 * maps back to the span that spelled it. Whatever does not decode (a stray "\" or "%")
 * stands for itself. Linear in the length of the original, whatever it holds.
 */
export type DecodedText = { text: string; offsets: Int32Array };

export function decodeText(original: string, encoding: Encoding): DecodedText {
  const { decoder, plusIsSpace } = encoding;
  const offsets = new Int32Array(original.length + 1);
  const chunks: string[] = [];
  let length = 0;
  let pos = 0;
  while (pos < original.length) {
    let cp: number;
    let next: number;
    if (decoder.read(original, pos)) {
      cp = decoder.cp;
      next = decoder.next;
    } else {
      cp = original.codePointAt(pos) ?? 0;
      next = pos + (cp > 0xffff ? 2 : 1);
    }
    if (plusIsSpace && cp === PLUS) cp = SPACE;
    // A decoded surrogate (a lone \ud800 escape) stays a single unit.
    const char = cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
    chunks.push(char);
    for (let unit = 0; unit < char.length; unit += 1) offsets[length + unit] = pos;
    length += char.length;
    pos = next;
  }
  offsets[length] = original.length;
  return { text: chunks.join(""), offsets: offsets.subarray(0, length + 1) };
}

/** The secret as it must appear in text decoded by `encoding`. */
export function normalizeForEncoding(secret: string, encoding: Encoding): string {
  return encoding.plusIsSpace ? secret.replaceAll("+", " ") : secret;
}
