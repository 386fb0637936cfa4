import path from "node:path";
import { getEnv, type Env } from "../env";
import { deriveKey, loadMasterKey } from "../vault/master-key";
import { guardSecretValues } from "../ops/log";

/**
 * Every secret the app needs is derived from one master key (AGENTFLOW_SECRET_KEY, or the
 * key file generated at first start), each for its own purpose, so the web and worker
 * processes agree without passing secrets around, and one derived key reveals nothing of
 * another. Losing the master key signs everyone out and makes stored credentials unreadable.
 */
export type SecretPurpose = "auth-session" | "credentials:v1" | "demo-model";

const globalForSecrets = globalThis as unknown as { agentflowMasterKey?: Buffer; agentflowAppSecrets?: Map<SecretPurpose, Buffer> };

function masterKey(env: Pick<Env, "AGENTFLOW_SECRET_KEY" | "AGENTFLOW_SECRET_KEY_FILE">): Buffer {
  if (!globalForSecrets.agentflowMasterKey) {
    globalForSecrets.agentflowMasterKey = loadMasterKey({
      env: env.AGENTFLOW_SECRET_KEY,
      keyFile: path.resolve(env.AGENTFLOW_SECRET_KEY_FILE),
    });
    const key = globalForSecrets.agentflowMasterKey;
    guardSecretValues([key.toString("base64"), key.toString("base64url"), key.toString("hex")]);
  }
  return globalForSecrets.agentflowMasterKey;
}

/** `env` defaults to the process's (callers that were handed an env pass it on). */
export function appSecret(purpose: SecretPurpose, env: Pick<Env, "AGENTFLOW_SECRET_KEY" | "AGENTFLOW_SECRET_KEY_FILE"> = getEnv()): Buffer {
  // Derived once per process and purpose, like the master key it comes from: every model call
  // and every credential read asks for one, and HKDF is not free.
  const derived = (globalForSecrets.agentflowAppSecrets ??= new Map());
  let secret = derived.get(purpose);
  if (!secret) {
    secret = deriveKey(masterKey(env), purpose);
    derived.set(purpose, secret);
  }
  return secret;
}
