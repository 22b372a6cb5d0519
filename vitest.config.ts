import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    pool: "forks",
    // Integration and browser tests train real models and start real servers.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
