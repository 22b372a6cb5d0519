import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Loaded with Node's own require instead of being bundled: pg and Prisma's adapter open
  // sockets and read native bindings, bullmq and pino spawn or load files at run time.
  serverExternalPackages: ["pg", "@prisma/client", "@prisma/adapter-pg", "bullmq", "ioredis", "pino"],
  poweredByHeader: false,
  turbopack: { root: import.meta.dirname },
};

export default nextConfig;
