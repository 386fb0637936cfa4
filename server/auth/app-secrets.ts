import path from "node:path";
import { getEnv } from "../env";
import { deriveKey, loadMasterKey } from "../vault/master-key";

/**
 * Every secret the app needs is derived from one master key (AGENTFLOW_SECRET_KEY, or the
 * key file generated at first start), each for its own purpose, so the web and worker
 * processes agree without passing secrets around, and one derived key reveals nothing of
 * another. Losing the master key signs everyone out and makes stored credentials unreadable.
 */
export type SecretPurpose = "auth-session" | "credentials:v1" | "demo-model";

const globalForSecrets = globalThis as unknown as { agentflowMasterKey?: Buffer };

function masterKey(): Buffer {
  if (!globalForSecrets.agentflowMasterKey) {
    const env = getEnv();
    globalForSecrets.agentflowMasterKey = loadMasterKey({
      env: env.AGENTFLOW_SECRET_KEY,
      keyFile: path.resolve(env.AGENTFLOW_SECRET_KEY_FILE),
    });
  }
  return globalForSecrets.agentflowMasterKey;
}

export function appSecret(purpose: SecretPurpose): Buffer {
  return deriveKey(masterKey(), purpose);
}
