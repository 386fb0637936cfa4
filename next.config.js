/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages stay external to the server bundle (loaded from node_modules).
  serverExternalPackages: ["bullmq", "ioredis", "pg", "@prisma/adapter-pg", "@prisma/client", "nodemailer", "pino", "pino-pretty", "@opentelemetry/sdk-trace-node", "@opentelemetry/exporter-trace-otlp-http"],
  typedRoutes: false,
  devIndicators: false,
  poweredByHeader: false,
  experimental: {
    // proxy.ts sees every request, so Next buffers request bodies for it, cutting them at this
    // size. Above MAX_GRAPH_BYTES (at most 16 MiB), so a route's own limit answers 413 first.
    proxyClientMaxBodySize: "17mb",
    // Next loads every page and route module when the server starts, by default. Turbopack
    // gives each route its own server chunks, most of them repeating the same ~0.9 MB of our
    // server code, and V8 keeps every loaded chunk's source: ~23 MiB of an idle web process
    // (110 → 87 MiB measured). Loaded on first request instead, which costs that first
    // request a few milliseconds per route.
    preloadEntriesOnStart: false,
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};
export default nextConfig;
