import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnv } from "../../lib/env";
import { selectBackend } from "../../worker/engine/backend";

const require = createRequire(import.meta.url);

function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

const NATIVE_INSTALLED = isInstalled("@tensorflow/tfjs-node") || isInstalled("@tensorflow/tfjs-node-gpu");

async function selectWith(requested: string | undefined) {
  if (requested === undefined) delete process.env.WINNOW_BACKEND;
  else process.env.WINNOW_BACKEND = requested;
  resetEnv();
  return selectBackend();
}

afterEach(() => {
  delete process.env.WINNOW_BACKEND;
  resetEnv();
});

describe("selectBackend", () => {
  describe("when WINNOW_BACKEND is unset", () => {
    it("activates the first candidate that loads", async () => {
      const info = await selectWith(undefined);

      expect(tf.getBackend()).toBe(info.backend);
      expect(info.backend).toBe(NATIVE_INSTALLED ? "tensorflow" : "wasm");
      if (!NATIVE_INSTALLED) {
        expect(info.skipped.map((entry) => entry.candidate)).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]);
      }
    });
  });

  describe("when WINNOW_BACKEND is wasm", () => {
    it("describes WebAssembly with SIMD", async () => {
      const info = await selectWith("wasm");

      expect(info.backend).toBe("wasm");
      expect(tf.getBackend()).toBe("wasm");
      expect(info.device).toMatch(/^WebAssembly SIMD, 1 thread, /);
      expect(info.skipped).toEqual([]);
    });
  });

  describe("when WINNOW_BACKEND is cpu", () => {
    it("activates the JavaScript backend", async () => {
      const info = await selectWith("cpu");

      expect(info.backend).toBe("cpu");
      expect(tf.getBackend()).toBe("cpu");
      expect(info.device).toMatch(/^JavaScript, 1 thread, /);
    });
  });

  describe.skipIf(NATIVE_INSTALLED)("when WINNOW_BACKEND is tensorflow without tfjs-node", () => {
    it("fails naming both packages", async () => {
      const selection = selectWith("tensorflow");

      await expect(selection).rejects.toThrow(/failed to load backend tensorflow \(WINNOW_BACKEND\): @tensorflow\/tfjs-node-gpu: .*; @tensorflow\/tfjs-node: /);
    });
  });

  describe("when WINNOW_BACKEND is invalid", () => {
    it("names the variable", async () => {
      await expect(selectWith("gpu")).rejects.toThrow("WINNOW_BACKEND");
    });
  });
});
