/** The e2e suite's OIDC provider (e2e/support/oidc-provider.ts) and how the app is told of it. */
export const OIDC_PORT = 3300;
export const OIDC_ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
export const OIDC_CLIENT_ID = "agentflow-e2e";
export const OIDC_CLIENT_SECRET = "e2e-only-oidc-client-secret";

/** The provider's test accounts: any login, with this email. */
export function emailOfSsoLogin(login: string): string {
  return `${login}@sso.agentflow.test`;
}
