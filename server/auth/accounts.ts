import { ConflictError, UserInputError } from "../errors";
import { getAuth, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./better-auth";

export type NewAccount = { name: string; email: string; password: string };

/**
 * Creates a user with a password through better-auth (its hashing, its tables) and signs
 * them in. Only the setup page and invite links call this; there is no open sign-up.
 */
export async function signUp(account: NewAccount): Promise<{ user: { id: string; name: string; email: string }; headers: Headers }> {
  if (account.password.length < PASSWORD_MIN_LENGTH) {
    throw new UserInputError(`The password must be at least ${PASSWORD_MIN_LENGTH} characters`, "password");
  }
  if (account.password.length > PASSWORD_MAX_LENGTH) {
    throw new UserInputError(`The password must be at most ${PASSWORD_MAX_LENGTH} characters`, "password");
  }
  try {
    const { headers, response } = await getAuth().api.signUpEmail({
      body: { name: account.name, email: account.email.toLowerCase(), password: account.password },
      returnHeaders: true,
    });
    return { user: { id: response.user.id, name: response.user.name, email: response.user.email }, headers };
  } catch (error) {
    throw authError(error);
  }
}

/**
 * better-auth's API errors as ours (4xx with a message a person can act on, and the field).
 * Recognised by shape, not `instanceof`: the Next bundle may hold a second copy of its class.
 */
export function authError(error: unknown): Error {
  const status = typeof error === "object" && error !== null && "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : null;
  if (status !== null && status >= 400 && status < 500) {
    const body = (error as { body?: { message?: unknown; code?: unknown } }).body;
    const message = typeof body?.message === "string" ? body.message : error instanceof Error ? error.message : "Refused";
    const code = typeof body?.code === "string" ? body.code : "";
    if (status === 422 || /already exists/i.test(message)) return new ConflictError("An account with this email already exists: sign in instead");
    if (code === "INVALID_PASSWORD" || /invalid password/i.test(message)) return new UserInputError("This is not your current password", "currentPassword");
    if (/password too (short|long)/i.test(message)) return new UserInputError(`Passwords are ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`, "newPassword");
    return new UserInputError(message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
