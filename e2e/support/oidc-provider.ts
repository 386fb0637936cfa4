// A real OpenID Connect provider for the SSO specs (panva's certified `oidc-provider`), on
// 127.0.0.1:3300, started by playwright.config.ts next to the app. Its development login
// page accepts any login; the login becomes the subject and the email's local part.
import Provider from "oidc-provider";
import { emailOfSsoLogin, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ISSUER, OIDC_PORT } from "./oidc";

/** The app's callback (better-auth's generic OAuth, provider id "sso"), both spellings it uses. */
const APP = "http://localhost:3100";

async function main(): Promise<void> {
  const provider = new Provider(OIDC_ISSUER, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [`${APP}/api/auth/callback/sso`, `${APP}/api/auth/oauth2/callback/sso`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, email: emailOfSsoLogin(sub), email_verified: true, name: `SSO ${sub}` }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["e2e-only-cookie-key"] },
    // The app sends PKCE (S256); nothing here is a secret worth more.
    pkce: { required: () => false },
  });
  // Plain http on loopback: allowed for this test provider only.
  provider.proxy = false;
  provider.listen(OIDC_PORT, "127.0.0.1", () => console.log(`[oidc] ready at ${OIDC_ISSUER}`));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
