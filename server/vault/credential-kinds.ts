import { z } from "zod";
import { FORBIDDEN_REQUEST_HEADERS } from "../tools/http-request";

/**
 * What a credential holds, by kind, and the forms it takes on the way out: request headers
 * (the http_request credential picker), the text `{{credentials.<name>}}` becomes, what the
 * UI may show once it is saved, and every string that must be redacted from tool output.
 *
 * The schema is applied when a credential is created or rotated and again to the decrypted
 * JSON before use. Its messages never quote a value.
 */

export const CREDENTIAL_LIMITS = {
  /** Leaves room for "Bearer " within the http_request tool's 8,192-character header value. */
  tokenChars: 8_000,
  /** As the http_request tool's header names. */
  headerNameChars: 256,
  headerValueChars: 8_000,
  usernameChars: 256,
  passwordChars: 1_024,
  /** Model-provider keys are short; service-account JSON and PEM keys are a few KB. */
  secretChars: 32_768,
} as const;

/**
 * Set by the HTTP client, never by a credential: mirrors the http_request tool's own
 * forbidden list (host routing, request framing and smuggling, proxy auth, encoding), plus
 * `expect`, which changes how the body is sent.
 */
export const FORBIDDEN_CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([...FORBIDDEN_REQUEST_HEADERS, "expect"]);

/** RFC 9110 `token`: what a header name may be. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * Header values are printable ASCII with inner spaces: control characters would split the
 * header, and node sends a string header as Latin-1, so other characters would arrive changed.
 */
const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** A bearer token is one word of printable ASCII (it follows "Bearer "). */
const TOKEN_VALUE = /^[\x21-\x7e]+$/;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Unicode text that survives UTF-8 (the cipher's encoding) unchanged. */
const text = (label: string, max: number) =>
  z
    .string()
    .max(max, { error: `${label} is longer than ${max} characters` })
    .refine((value) => !LONE_SURROGATE.test(value), { error: `${label} is not valid Unicode text` });

const bearerSchema = z.strictObject({
  kind: z.literal("bearer"),
  token: z
    .string()
    .trim()
    .min(1, { error: "the token is empty" })
    .max(CREDENTIAL_LIMITS.tokenChars, { error: `the token is longer than ${CREDENTIAL_LIMITS.tokenChars} characters` })
    .regex(TOKEN_VALUE, { error: "the token may contain only printable ASCII characters, without spaces" }),
});

const basicSchema = z.strictObject({
  kind: z.literal("basic"),
  username: text("the username", CREDENTIAL_LIMITS.usernameChars)
    .refine((value) => value.length > 0, { error: "the username is empty" })
    // RFC 7617: the first colon ends the user-id.
    .refine((value) => !value.includes(":"), { error: 'the username may not contain ":"' })
    .refine((value) => !CONTROL_CHARACTER.test(value), { error: "the username may not contain control characters" }),
  // May be empty: some APIs take a key as the username and no password.
  password: text("the password", CREDENTIAL_LIMITS.passwordChars).refine((value) => !CONTROL_CHARACTER.test(value), {
    error: "the password may not contain control characters",
  }),
});

const headerSchema = z.strictObject({
  kind: z.literal("header"),
  name: z
    .string()
    .trim()
    .min(1, { error: "the header name is empty" })
    .max(CREDENTIAL_LIMITS.headerNameChars, { error: `the header name is longer than ${CREDENTIAL_LIMITS.headerNameChars} characters` })
    .regex(HTTP_TOKEN, { error: "the header name may contain only letters, digits and !#$%&'*+-.^_`|~" })
    .refine((name) => !FORBIDDEN_CREDENTIAL_HEADERS.has(name.toLowerCase()), {
      error: "this header is set by the HTTP client and cannot be a credential",
    }),
  value: z
    .string()
    .trim()
    .min(1, { error: "the header value is empty" })
    .max(CREDENTIAL_LIMITS.headerValueChars, { error: `the header value is longer than ${CREDENTIAL_LIMITS.headerValueChars} characters` })
    .regex(HEADER_VALUE, { error: "the header value may contain only printable ASCII characters and spaces" }),
});

const secretSchema = z.strictObject({
  kind: z.literal("secret"),
  // Not trimmed: a PEM key's final newline is part of it.
  value: text("the value", CREDENTIAL_LIMITS.secretChars).refine((value) => value.length > 0, { error: "the value is empty" }),
});

export const credentialSecretSchema = z.discriminatedUnion("kind", [bearerSchema, basicSchema, headerSchema, secretSchema]);

export type CredentialSecret = z.infer<typeof credentialSecretSchema>;
export type CredentialKind = CredentialSecret["kind"];

/** What the UI may show about a saved credential. */
export type CredentialPreview = {
  kind: CredentialKind;
  /** For `header` credentials: the header it sets (a name, not a secret). */
  headerName?: string;
  /** The last 4 characters of the secret part, only when it has at least 16. */
  last4?: string;
};

/** A credential used in a way its kind does not support. Names no value. */
export class CredentialUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialUsageError";
  }
}

/** Headers to add to an HTTP request (names lowercased, as the http_request tool keeps them). */
export function credentialHeaders(secret: CredentialSecret, name?: string): Record<string, string> {
  switch (secret.kind) {
    case "bearer":
      return { authorization: `Bearer ${secret.token}` };
    case "basic":
      return { authorization: `Basic ${basicToken(secret)}` };
    case "header":
      return { [secret.name.toLowerCase()]: secret.value };
    case "secret":
      throw new CredentialUsageError(
        `${label(name)} is a plain secret and has no header form; use {{credentials.${name ?? "<name>"}}} in a header value instead, ` +
          `e.g. "Authorization": "Bearer {{credentials.${name ?? "<name>"}}}"`,
      );
  }
}

/**
 * What `{{credentials.<name>}}` becomes: the token, the header value, or the plain value.
 * Basic credentials are refused: `user:pass` is not what any API takes as text — its usual
 * place, the URL's userinfo, is refused by http_request — and building the Authorization
 * header by hand is what the credential picker does correctly.
 */
export function credentialTemplateValue(secret: CredentialSecret, name?: string): string {
  switch (secret.kind) {
    case "bearer":
      return secret.token;
    case "header":
      return secret.value;
    case "secret":
      return secret.value;
    case "basic":
      throw new CredentialUsageError(
        `${label(name)} is a username and password; attach it with the credential picker of http_request ` +
          `(it sends the Authorization header) rather than in a template`,
      );
  }
}

/**
 * Kind, header name, and the last 4 characters of the secret part when it has at least 16
 * (4 of 16+ random characters leave the rest unguessable; of a short value they would not).
 * Basic credentials show no username: some APIs use an API key as the username.
 */
export function maskedPreview(secret: CredentialSecret): CredentialPreview {
  switch (secret.kind) {
    case "bearer":
      return withLast4({ kind: "bearer" }, secret.token);
    case "basic":
      return withLast4({ kind: "basic" }, secret.password);
    case "header":
      return withLast4({ kind: "header", headerName: secret.name }, secret.value);
    case "secret":
      return withLast4({ kind: "secret" }, secret.value);
  }
}

/**
 * Every sensitive string in the credential and the forms it takes on the wire, for redacting
 * tool output (URL-encoded and JSON-escaped spellings are the redactor's job). The username of
 * a basic credential is included — some APIs use the API key as the username — at the cost
 * of also hiding an ordinary login name (of 4+ characters) where a response repeats it.
 */
export function secretValues(secret: CredentialSecret): string[] {
  const values: string[] = [];
  switch (secret.kind) {
    case "bearer":
      values.push(secret.token, `Bearer ${secret.token}`);
      break;
    case "basic": {
      const token = basicToken(secret);
      values.push(secret.username, secret.password, `${secret.username}:${secret.password}`, token, `Basic ${token}`);
      break;
    }
    case "header":
      values.push(secret.value);
      break;
    case "secret":
      values.push(secret.value);
      break;
  }
  return [...new Set(values.filter((value) => value !== ""))];
}

/** RFC 7617 with charset=UTF-8, which every current server assumes. */
function basicToken(secret: Extract<CredentialSecret, { kind: "basic" }>): string {
  return Buffer.from(`${secret.username}:${secret.password}`, "utf8").toString("base64");
}

function withLast4(preview: CredentialPreview, value: string): CredentialPreview {
  // By code point, so a character outside the BMP is never cut in half.
  const chars = [...value];
  return chars.length >= 16 ? { ...preview, last4: chars.slice(-4).join("") } : preview;
}

function label(name: string | undefined): string {
  return name === undefined ? "this credential" : `credential "${name}"`;
}
