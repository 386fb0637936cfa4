import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

// Client code (components/, app/providers.tsx) must never pull server-only modules into the
// browser bundle. The pure engine (server/engine) is the one exception: the editor shares
// its graph schema, validator and reducer. Pages and layouts under app/ are server
// components (they check the session and read the database); a page marked "use client"
// gets its data through tRPC like any component.
const serverOnlyImports = {
  patterns: [
    { group: ["@prisma/*", "**/generated/prisma/**"], message: "Prisma is server-only (server/, workers/)." },
    { group: ["bullmq", "ioredis", "pg"], message: "Queue and database clients are server-only." },
    {
      group: ["@/server/*", "!@/server/engine", "!@/server/engine/*", "../server/*", "../../server/*"],
      allowTypeImports: true,
      message: "Client code may import only types from server/ (runtime imports: server/engine only).",
    },
  ],
};

const config = [
  { ignores: [".next/**", "node_modules/**", "server/generated/**", "dist/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    files: ["components/**/*.{ts,tsx}", "app/**/providers.tsx", "lib/**/*.ts"],
    rules: { "no-restricted-imports": ["error", serverOnlyImports], "@typescript-eslint/no-restricted-imports": "off" },
  },
  {
    files: ["server/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["node:*", "@prisma/*", "bullmq", "ioredis", "openai", "pg", "../*", "!../engine/*"], message: "server/engine is pure: no I/O imports." }] },
      ],
      "no-restricted-globals": ["error", { name: "fetch", message: "server/engine is pure: no I/O." }],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Pass time in through events." },
        { object: "Math", property: "random", message: "Pass randomness in; the engine must replay identically." },
      ],
    },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.name='eval']", message: "Never evaluate text." },
        { selector: "NewExpression[callee.name='Function']", message: "Never evaluate text." },
      ],
    },
  },
];

export default config;
