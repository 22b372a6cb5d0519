import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnv } from "../../lib/env";
import { NATIVE_KERNELS_CANDIDATE, selectBackend } from "../../worker/engine/backend";
import { loadNativeAddon } from "../../worker/engine/kernels/native-addon";
import { nativeKernelsActive } from "../../worker/engine/kernels/native-kernels";

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
const ADDON = loadNativeAddon();

/** Skipped backend candidates, leaving out the native kernels, whose entry depends on the build. */
function skippedBackends(skipped: { candidate: string }[]): string[] {
  return skipped.map((entry) => entry.candidate).filter((candidate) => candidate !== NATIVE_KERNELS_CANDIDATE);
}

async function selectWith(requested: string | undefined) {
  if (requested === undefined) delete process.env.WINNOW_BACKEND;
  else process.env.WINNOW_BACKEND = requested;
  resetEnv();
  return selectBackend();
}

afterEach(() => {
  delete process.env.WINNOW_BACKEND;
  delete process.env.WINNOW_NATIVE_KERNELS;
  resetEnv();
});

describe("selectBackend", () => {
  describe("when WINNOW_BACKEND is unset", () => {
    it("activates the first candidate that loads", async () => {
      const info = await selectWith(undefined);

      expect(tf.getBackend()).toBe(info.backend);
      expect(info.backend).toBe(NATIVE_INSTALLED ? "tensorflow" : "wasm");
      if (!NATIVE_INSTALLED) {
        expect(skippedBackends(info.skipped)).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]);
      }
    });
  });

  describe("when WINNOW_BACKEND is wasm", () => {
    it("describes WebAssembly with SIMD", async () => {
      const info = await selectWith("wasm");

      expect(info.backend).toBe("wasm");
      expect(tf.getBackend()).toBe("wasm");
      expect(info.device).toMatch(/^WebAssembly SIMD, 1 thread, /);
      expect(skippedBackends(info.skipped)).toEqual([]);
    });

    it.skipIf(ADDON.addon === null)("uses the native kernels when they are built", async () => {
      const info = await selectWith("wasm");

      expect(info.device).toMatch(/^WebAssembly SIMD, 1 thread, OpenBLAS kernels \(\d+ threads?\), /);
      expect(info.skipped).toEqual([]);
      expect(nativeKernelsActive()).toBe(true);
    });

    it.skipIf(ADDON.addon !== null)("says why the native kernels are not used when they are not built", async () => {
      const info = await selectWith("wasm");

      expect(info.device).not.toContain("OpenBLAS");
      expect(info.skipped).toEqual([{ candidate: NATIVE_KERNELS_CANDIDATE, reason: ADDON.error }]);
      expect(nativeKernelsActive()).toBe(false);
    });
  });

  describe("when WINNOW_NATIVE_KERNELS is 0", () => {
    it("trains on plain WebAssembly and says why", async () => {
      process.env.WINNOW_NATIVE_KERNELS = "0";
      const info = await selectWith("wasm");

      expect(info.device).not.toContain("OpenBLAS");
      expect(info.skipped).toEqual([{ candidate: NATIVE_KERNELS_CANDIDATE, reason: "turned off by WINNOW_NATIVE_KERNELS=0" }]);
      expect(nativeKernelsActive()).toBe(false);
    });
  });

  describe("when WINNOW_NATIVE_KERNELS is invalid", () => {
    it("names the variable", async () => {
      process.env.WINNOW_NATIVE_KERNELS = "yes";

      await expect(selectWith("wasm")).rejects.toThrow("WINNOW_NATIVE_KERNELS");
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
