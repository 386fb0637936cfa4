/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages stay external to the server bundle (loaded from node_modules).
  serverExternalPackages: ["bullmq", "ioredis", "pg", "@prisma/adapter-pg", "@prisma/client"],
  typedRoutes: false,
  devIndicators: false,
};
export default nextConfig;
