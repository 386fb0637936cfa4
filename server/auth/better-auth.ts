import { betterAuth } from "better-auth";
import { genericOAuth } from "better-auth/plugins";
import { getDb, getPool } from "../db";
import { getEnv } from "../env";
import { newId } from "../ids";
import { appSecret } from "./app-secrets";
import { allowedOrigins } from "./hosts";
import { recordAudit } from "../audit/audit";
import { listMemberships } from "./workspaces";

async function recordSignIn(userId: string, ip: string | null): Promise<void> {
  const db = getDb();
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, name: true, email: true } });
  if (!user) return;
  for (const membership of await listMemberships(db, userId)) {
    await recordAudit(db, { workspaceId: membership.workspaceId, actor: { kind: "user", ...user }, ip }, "auth.signed_in", { kind: "user", id: user.id, name: user.name });
  }
}

/**
 * Identity is better-auth's job: password hashing (scrypt), database sessions in our
 * Postgres (they survive restarts), sign-in rate limiting, and OpenID Connect with PKCE.
 * Workspaces, roles, API keys, invitations and the vault are ours (server/auth, server/vault):
 * they are the product's domain, checked in one place on every request.
 *
 * Only a few of better-auth's endpoints are reachable over HTTP (see AUTH_ROUTES in
 * app/api/auth/[...all]/route.ts); accounts are created by the setup page and invite links
 * through `auth.api` on the server, never by an open sign-up endpoint.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
/** The OIDC provider's id in better-auth (its callback is /api/auth/oauth2/callback/sso). */
export const SSO_PROVIDER_ID = "sso";

function createAuth() {
  const env = getEnv();
  const oidc = oidcConfig();
  return betterAuth({
    appName: "AgentFlow",
    baseURL: env.APP_URL,
    basePath: "/api/auth",
    secret: appSecret("auth-session").toString("base64url"),
    trustedOrigins: allowedOrigins(),
    // better-auth talks to Postgres through Kysely over our one pool; the tables are ours
    // (prisma/schema.prisma), created by our migrations.
    database: getPool(),
    user: { modelName: "User" },
    session: {
      modelName: "Session",
      expiresIn: 60 * 60 * 24 * 30,
      // Sliding: a session used within a day of expiry is extended.
      updateAge: 60 * 60 * 24,
    },
    account: {
      modelName: "Account",
      // A person invited by email who later signs in with SSO under the same verified email
      // keeps one account.
      accountLinking: { enabled: true, trustedProviders: [SSO_PROVIDER_ID] },
    },
    verification: { modelName: "Verification" },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      autoSignIn: true,
    },
    rateLimit: {
      enabled: true,
      window: 60,
      max: 300,
      // Guessing passwords: a few tries a minute per address.
      customRules: { "/sign-in/email": { window: 60, max: 20 }, "/change-password": { window: 60, max: 10 } },
      storage: "database",
      modelName: "RateLimit",
    },
    advanced: {
      cookiePrefix: "agentflow",
      useSecureCookies: env.APP_URL.startsWith("https://"),
      database: { generateId: ({ model }) => newId(ID_PREFIXES[model] ?? "id") },
    },
    telemetry: { enabled: false },
    databaseHooks: {
      // Every new session is a sign-in (password, SSO, or an account just created): each of
      // the user's workspaces records it.
      session: { create: { after: (session) => recordSignIn(session.userId, session.ipAddress ?? null) } },
    },
    plugins: oidc
      ? [
          genericOAuth({
            config: [
              {
                providerId: SSO_PROVIDER_ID,
                name: env.OIDC_DISPLAY_NAME,
                discoveryUrl: `${oidc.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
                clientId: oidc.clientId,
                clientSecret: oidc.clientSecret,
                scopes: ["openid", "email", "profile"],
                pkce: true,
              },
            ],
          }),
        ]
      : [],
  });
}

const ID_PREFIXES: Record<string, Parameters<typeof newId>[0]> = {
  user: "usr",
  session: "ses",
  account: "acc",
  verification: "ver",
  rateLimit: "rl",
};

export function oidcConfig(): { issuer: string; clientId: string; clientSecret: string } | null {
  const env = getEnv();
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return null;
  return { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET };
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { agentflowAuth?: Auth };

export function getAuth(): Auth {
  globalForAuth.agentflowAuth ??= createAuth();
  return globalForAuth.agentflowAuth;
}
