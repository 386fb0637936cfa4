// End-to-end tests against the production build, served on 127.0.0.1:3100 (not 3000, so a
// running `npm start` doesn't collide), with a real worker. DATABASE_URL and REDIS_URL come
// from scripts/test.ts or scripts/with-services.ts (the test services).
import { defineConfig, devices } from "@playwright/test";
import { stateFile } from "./e2e/support/users";
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ISSUER } from "./e2e/support/oidc";
import { leanNodeEnv, webNodeFlags } from "./scripts/lib/lean-node";

const PORT = 3100;
const APP_URL = `http://localhost:${PORT}`;
const serverEnv: Record<string, string> = {
  APP_URL,
  PORT: String(PORT),
  NEXT_TELEMETRY_DISABLED: "1",
  // Single sign-on against a real OIDC provider on loopback (e2e/support/oidc-provider.ts).
  OIDC_ISSUER,
  OIDC_CLIENT_ID,
  OIDC_CLIENT_SECRET,
  // The notifications spec receives webhooks on a loopback server of its own; every other
  // private address (10.x in the SSRF specs) stays refused.
  HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1",
  // Traces from both processes go to the OTLP receiver e2e/runs/run-trace.spec.ts listens with
  // (while no spec listens, a batch is dropped without a word).
  OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4319",
};

const chromiumUse = {
  ...devices["Desktop Chrome"],
  // Debian's chromium: `playwright install` would download a browser, which this
  // environment can't. scripts/test.ts installs it when missing.
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  },
};

export default defineConfig({
  testDir: "e2e",
  // One worker: specs share one database and one worker process; 2 cores leave no room anyway.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: APP_URL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  projects: [
    // First start, as a new user sees it: creates the owner account in the browser and the
    // other roles' accounts through invite links; every other spec reuses those sessions.
    { name: "setup", testMatch: /auth\.setup\.ts/, use: { ...chromiumUse } },
    {
      name: "chromium",
      dependencies: ["setup"],
      testIgnore: /auth\.setup\.ts/,
      use: {
        ...chromiumUse,
        storageState: stateFile("owner"),
      },
    },
  ],
  webServer: [
    {
      name: "oidc",
      command: "node_modules/.bin/tsx e2e/support/oidc-provider.ts",
      url: `${OIDC_ISSUER}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: !process.env.CI,
      stdout: "ignore",
    },
    {
      name: "web",
      // The production server `npm start` runs (scripts/lib/web-server.ts), exactly as the Docker
      // image runs it: the plain-JavaScript bundle of scripts/serve-web.ts, with the web's node
      // flags and malloc setting. Expects a current `next build` and dist/serve-web.mjs
      // (scripts/test.ts's build tier makes both; by hand, `npm run build && npm run build:web-server`).
      command: ["node", ...webNodeFlags(process.env), "dist/serve-web.mjs"].join(" "),
      // 127.0.0.1 (serve-web's default HOST) rather than localhost: the server binds IPv4 only
      // and "localhost" may resolve to ::1 first.
      url: `http://127.0.0.1:${PORT}`,
      env: { ...serverEnv, MALLOC_ARENA_MAX: leanNodeEnv(process.env).MALLOC_ARENA_MAX ?? "2" },
      timeout: 120_000,
      reuseExistingServer: !process.env.CI,
      gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
      stdout: "ignore",
    },
    {
      name: "worker",
      command: "node_modules/.bin/tsx workers/main.ts",
      env: serverEnv,
      // No port to wait for: specs start once the worker says it is consuming the queue.
      wait: { stdout: /\[worker\] ready/ },
      timeout: 60_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
      stdout: "pipe",
    },
  ],
});
