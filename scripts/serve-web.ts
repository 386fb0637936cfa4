// The production web server alone: what `npm start` serves from its launcher process
// (lib/web-server.ts), without the stores, builds and workers the launcher also runs. The e2e
// suite serves the app through this, so it tests the server users run. Expects a current
// `next build`; PORT (default 3000) on 127.0.0.1.
import { ROOT } from "./lib/paths";
import { startWebServer } from "./lib/web-server";

const port = Number(process.env.PORT ?? "3000");
Object.assign(process.env, { NODE_ENV: "production" }); // Next reads it when it loads
const server = await startWebServer({ dir: ROOT, hostname: "127.0.0.1", port });
console.log(`[agentflow] web: serving http://127.0.0.1:${port}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void server.stop().then(() => process.exit(0)));
}
