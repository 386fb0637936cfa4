// The production web server alone: what `npm start` serves from its launcher process
// (lib/web-server.ts), without the stores, builds and workers the launcher also runs. The
// Docker image and docker-compose.yml's `web` service run it, and so does the e2e suite (so it
// tests what the image serves), as plain JavaScript: dist/serve-web.mjs, bundled by
// scripts/build-web-server.ts (`npm run build:web-server`); the benches run that bundle too.
// Expects a current `next build`. Listens on HOST (default 127.0.0.1; the image sets 0.0.0.0)
// and PORT (default 3000).
import { ROOT } from "./lib/paths";
import { hostInUrl, startWebServer, webPortOf } from "./lib/web-server";

const hostname = process.env.HOST || "127.0.0.1";
const portOrNull = webPortOf(process.env.PORT);
if (portOrNull === null) {
  console.error(`[agentflow] web: PORT must be a TCP port number from 1 to 65535, got "${process.env.PORT ?? ""}"`);
  process.exit(1);
}
const port: number = portOrNull;

Object.assign(process.env, { NODE_ENV: "production" }); // Next reads it when it loads
// A port in use, a host that is not this machine's: the message says what to change, no stack trace.
const server = await startWebServer({ dir: ROOT, hostname, port }).catch((error: unknown) => {
  console.error(`[agentflow] web: ${error instanceof Error ? error.message : String(error)}`);
  return process.exit(1);
});
console.log(`[agentflow] web: serving http://${hostInUrl(hostname)}:${port}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void server.stop().then(() => process.exit(0)));
}
