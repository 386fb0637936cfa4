// Two projects: `unit` (beside the code, no services) and `integration` (tests/, against the
// real Postgres and Redis that scripts/with-services.ts or scripts/test.ts start).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The "@/..." imports from tsconfig.json.
    tsconfigPaths: true,
    alias: {
      // `server-only` throws outside React's server bundle; tests run server code in plain
      // node, which is exactly where it is safe, so use the package's no-op variant.
      "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          environment: "node",
          include: ["server/**/*.test.ts", "components/**/*.test.{ts,tsx}", "scripts/**/*.test.ts", "lib/**/*.test.ts"],
          exclude: ["**/node_modules/**", "server/generated/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          environment: "node",
          include: ["tests/**/*.test.ts"],
          // Real databases and queues: slower than unit tests, and files share one Postgres
          // and Redis, so they run one at a time.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
