import { UserInputError } from "../errors";
import { CREDENTIAL_NAME_PATTERN } from "../engine/template";
import { mapJsonStrings } from "./json-walk";

/**
 * `{{credentials.<name>}}` in a tool's arguments or headers. The syntax is the engine's
 * template syntax (`server/engine/template.ts`: double braces, whitespace inside tolerated),
 * in a namespace of its own; the value is substituted only in the worker, at call time.
 *
 * Substitution is ONE pass over the text: a credential's value, or data already in the text,
 * is never scanned for references again. Callers must substitute only in text the workflow's
 * author wrote — never in text that run data (input, model output, a previous tool's result)
 * was spliced into, or a prompt injection could name any credential of the workspace and have
 * it sent wherever that text goes.
 */

/** One pattern everywhere: the engine's (the graph schema and the tool catalog check names with it too). */
export const CREDENTIAL_NAME = CREDENTIAL_NAME_PATTERN;
/** Anything in the `credentials.` namespace, so a malformed reference is reported, not sent as is. */
const REFERENCE = /\{\{\s*credentials\.([^{}]*?)\s*\}\}/g;

/** The credential does not exist (or is not visible) in the workflow's workspace. */
export class UnknownCredentialError extends UserInputError {
  constructor(readonly credentialName: string) {
    super(`credential "${credentialName}" does not exist in this workspace`);
    this.name = "UnknownCredentialError";
  }
}

export class InvalidCredentialReferenceError extends UserInputError {
  constructor(reference: string) {
    super(
      `invalid credential reference "${clip(reference)}": a credential name starts with a letter and has at most 64 letters, digits, "_" or "-"`,
    );
    this.name = "InvalidCredentialReferenceError";
  }
}

/** Returns the credential's value, or undefined when there is no such credential. */
export type CredentialResolver = (name: string) => string | undefined;

/** The credential names referenced in `text`, each once, in order of first use. */
export function findCredentialRefs(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(REFERENCE)) names.add(referenceName(match[0], match[1]));
  return [...names];
}

/** `text` with every reference replaced by `resolve(name)`; an unknown name throws `UnknownCredentialError`. */
export function substituteCredentialRefs(text: string, resolve: CredentialResolver): string {
  return substitute(text, cachedResolver(resolve));
}

/** Every credential name referenced in the string values of a JSON value (tool arguments). */
export function findCredentialRefsInValue(value: unknown): string[] {
  const names = new Set<string>();
  mapJsonStrings(value, {
    string: (text) => {
      for (const name of findCredentialRefs(text)) names.add(name);
      return text;
    },
  });
  return [...names];
}

/**
 * A copy of a JSON value (tool arguments) with references substituted in every string value.
 * Keys are left as they are. Each credential is resolved once however often it is used.
 */
export function substituteCredentialRefsInValue<T>(value: T, resolve: CredentialResolver): T {
  const cached = cachedResolver(resolve);
  return mapJsonStrings(value, { string: (text) => substitute(text, cached) }) as T;
}

function substitute(text: string, resolve: (name: string) => string): string {
  // A replacer function, not a string: a value holding "$&" or "$1" must be inserted as is.
  return text.replace(REFERENCE, (reference: string, raw: string) => resolve(referenceName(reference, raw)));
}

function cachedResolver(resolve: CredentialResolver): (name: string) => string {
  const values = new Map<string, string>();
  return (name) => {
    let value = values.get(name);
    if (value === undefined) {
      value = resolve(name);
      if (value === undefined) throw new UnknownCredentialError(name);
      values.set(name, value);
    }
    return value;
  };
}

function referenceName(reference: string, raw: string | undefined): string {
  if (raw === undefined || !CREDENTIAL_NAME.test(raw)) throw new InvalidCredentialReferenceError(reference);
  return raw;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
