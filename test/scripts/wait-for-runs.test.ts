import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDataset } from "../../lib/datasets/store-dataset";
import { createRun } from "../../lib/runs";
import { assertPortFree, startProcess } from "../../scripts/lib/processes";
import { waitForRuns } from "../../scripts/lib/run-report";
import { createTestStack, type TestStack } from "../helpers/test-stack";
import net from "node:net";

let stack: TestStack;
let runId: number;

beforeAll(async () => {
  stack = await createTestStack("wait");
  const pairs = { srcLang: "de", tgtLang: "en", train: [{ src: "ein Hund", tgt: "a dog", noisy: false }], valid: [], test: [] };
  const dataset = await storeDataset("wait-for-runs", "test", pairs);
  runId = (await createRun({ datasetId: dataset.id, strategy: "uniform", preset: "micro" })).id;
});

afterAll(async () => {
  await stack?.teardown();
});

describe("waitForRuns", () => {
  describe("when the worker exits before the runs finish", () => {
    it("fails naming the exit code", async () => {
      const worker = startProcess("fake-worker", process.execPath, ["-e", "process.exit(3)"], { quiet: true });
      await new Promise((resolve) => worker.child.once("exit", resolve));

      const waiting = waitForRuns([runId], () => undefined, { pollMs: 50, worker });

      await expect(waiting).rejects.toThrow(`the worker stopped (exit code 3) before runs ${runId} finished`);
    });
  });
});

describe("assertPortFree", () => {
  describe("when the port is taken", () => {
    it("names the port and the flag", async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        await expect(assertPortFree(port)).rejects.toThrow(`port ${port} is in use; choose another with --port`);
      } finally {
        server.close();
      }
    });
  });
});
