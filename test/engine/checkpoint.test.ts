import { cp, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRunConfig, type RunConfigInput } from "../../lib/run-config";
import { selectBackend } from "../../worker/engine/backend";
import { latestCheckpoint, listCheckpoints, loadCheckpoint } from "../../worker/engine/checkpoint";
import { TEST_BEAM_SIZE } from "../../worker/engine/evaluate-epoch";
import { checkpointManifestSchema } from "../../lib/checkpoints/checkpoint-manifest";
import { loadModelForDecoding } from "../../worker/engine/load-model-for-decoding";
import { CancelledError, trainModel } from "../../worker/engine/train-model";
import { translate } from "../../worker/engine/translate";
import { EOS_ID } from "../../lib/tokenizer/subword-tokenizer";
import type { CheckpointWritten, EpochReport, TrainOptions, TrainResult } from "../../worker/engine/types";
import { loadMicroData } from "./micro-data";

let data: TrainOptions["data"];
let scratch: string;

interface RecordedRun {
  reports: EpochReport[];
  checkpoints: CheckpointWritten[];
  tensorsAtEpoch: number[];
  result: TrainResult;
}

/** The tiny preset has dropout 0.1, so a resumed run must also restore the dropout stream. */
const CONFIG: RunConfigInput = { datasetId: 1, strategy: "fixed-weight", strategyParams: { lambda: 0.5 }, preset: "tiny", epochs: 3, seed: 11 };

/** Trains CONFIG; `stopAt` cancels the run before that step of that epoch, as a killed worker would stop. */
async function recordRun(options: { dir: string; resumeFrom?: string; stopAt?: { epoch: number; step: number } }): Promise<RecordedRun> {
  const recorded: Omit<RecordedRun, "result"> = { reports: [], checkpoints: [], tensorsAtEpoch: [] };
  let checksInEpoch = 0;
  const result = await trainModel({
    config: parseRunConfig(CONFIG),
    data,
    checkpoints: { dir: options.dir, resumeFrom: options.resumeFrom },
    onEpoch: async (report) => {
      recorded.reports.push(report);
      checksInEpoch = 0;
    },
    onCheckpoint: async (checkpoint) => {
      recorded.checkpoints.push(checkpoint);
      recorded.tensorsAtEpoch.push(tf.memory().numTensors);
    },
    onProgress: () => {},
    shouldStop: () => {
      checksInEpoch += 1;
      const epoch = (recorded.reports.at(-1)?.epoch ?? 0) + 1;
      return options.stopAt !== undefined && epoch === options.stopAt.epoch && checksInEpoch > options.stopAt.step;
    },
  });
  return { ...recorded, result };
}

function summary(report: EpochReport) {
  return { epoch: report.epoch, step: report.step, trainLoss: report.trainLoss, validBleu: report.validBleu, traces: report.traces, translations: report.translations };
}

beforeAll(async () => {
  data = await loadMicroData();
  await selectBackend();
  scratch = await mkdtemp(path.join(os.tmpdir(), "winnow-checkpoint-test-"));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("checkpoints", () => {
  let straight: RecordedRun;
  let straightDir: string;
  let tensorsBefore: number;

  beforeAll(async () => {
    straightDir = path.join(scratch, "straight");
    tensorsBefore = tf.memory().numTensors;
    straight = await recordRun({ dir: straightDir });
  });

  describe("when a run trains straight through", () => {
    it("writes one checkpoint per epoch", async () => {
      expect(straight.checkpoints.map((checkpoint) => checkpoint.epoch)).toEqual([1, 2, 3]);
      expect(straight.checkpoints.map((checkpoint) => checkpoint.final)).toEqual([false, false, true]);
      expect((await listCheckpoints(straightDir)).map((checkpoint) => checkpoint.path)).toEqual(straight.checkpoints.map((checkpoint) => checkpoint.path));
    });

    it("keeps the tensor count flat and frees every tensor", () => {
      expect(new Set(straight.tensorsAtEpoch).size).toBe(1);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });

    it("records epoch, step, best BLEU and every random stream", async () => {
      const manifest = checkpointManifestSchema.parse(JSON.parse(await readFile(path.join(straight.checkpoints[1].path, "manifest.json"), "utf8")));

      expect(manifest.epoch).toBe(2);
      expect(manifest.step).toBe(straight.reports[1].step);
      expect(manifest.optimizer.updates).toBe(straight.reports[1].step);
      expect(manifest.bestValidBleu).toBe(Math.max(straight.reports[0].validBleu, straight.reports[1].validBleu));
      expect(Object.keys(manifest.random).sort()).toEqual(["dropout", "init", "shuffle"]);
      expect(manifest.strategy).toEqual({ name: "fixed-weight" });
      expect(manifest.weights.bytes).toBe(manifest.weights.model.bytes * 3);
    });

    it("finds the newest checkpoint", async () => {
      expect(await latestCheckpoint(straightDir)).toEqual({ path: straight.checkpoints[2].path, epoch: 3 });
      expect(await latestCheckpoint(path.join(scratch, "no-such-run"))).toBeUndefined();
    });
  });

  describe("when a run resumes from its epoch 2 checkpoint", () => {
    let resumed: RecordedRun;

    beforeAll(async () => {
      resumed = await recordRun({ dir: path.join(scratch, "resumed"), resumeFrom: straight.checkpoints[1].path });
    });

    it("trains only the remaining epoch", () => {
      expect(resumed.reports.map((report) => report.epoch)).toEqual([3]);
    });

    it("repeats the uninterrupted epoch bit for bit", () => {
      expect(summary(resumed.reports[0])).toEqual(summary(straight.reports[2]));
    });

    it("repeats the test translations and scores", () => {
      expect(resumed.result.testTranslations).toEqual(straight.result.testTranslations);
      expect(resumed.result.testBleu).toBe(straight.result.testBleu);
      expect(resumed.result.bestValidBleu).toBe(straight.result.bestValidBleu);
    });
  });

  describe("when a run is stopped mid-epoch and resumed from its latest checkpoint", () => {
    const dir = () => path.join(scratch, "interrupted");
    let resumed: RecordedRun;

    beforeAll(async () => {
      const stopped = recordRun({ dir: dir(), stopAt: { epoch: 3, step: 4 } });
      await expect(stopped).rejects.toBeInstanceOf(CancelledError);
      const latest = await latestCheckpoint(dir());
      expect(latest?.epoch).toBe(2);
      resumed = await recordRun({ dir: dir(), resumeFrom: latest?.path });
    });

    it("ends like the uninterrupted run", () => {
      expect(resumed.reports.map(summary)).toEqual(straight.reports.slice(2).map(summary));
      expect(resumed.result.testTranslations).toEqual(straight.result.testTranslations);
    });

    it("rejects resuming with another seed", async () => {
      const latest = await latestCheckpoint(dir());
      const training = trainModel({
        config: parseRunConfig({ ...CONFIG, seed: 12 }),
        data,
        checkpoints: { dir: dir(), resumeFrom: latest?.path },
        onEpoch: async () => {},
        onProgress: () => {},
        shouldStop: () => false,
      });

      await expect(training).rejects.toThrow(/checkpoint .*epoch-0003 was written with run config .*"seed":11.* but this run has .*"seed":12/);
    });
  });

  describe("when the final checkpoint is loaded for decoding", () => {
    it("translates the test set as training did", async () => {
      const tensorsBefore = tf.memory().numTensors;
      const decoding = await loadModelForDecoding(straight.checkpoints[2].path);
      try {
        const sources = data.test.map((pair, index) => ({
          index,
          srcIds: [...decoding.tokenizer.encode(pair.src).slice(0, decoding.maxLength - 1), EOS_ID],
          tgtIds: [],
        }));
        const hypotheses = translate({
          model: decoding.model, tokenizer: decoding.tokenizer, sources, batchSize: 64, maxLength: decoding.maxLength, beamSize: TEST_BEAM_SIZE,
        });
        const rows = data.test.map((pair, index) => ({ sampleId: pair.sampleId, hypothesis: hypotheses.get(index) ?? "" }));

        expect(decoding.epoch).toBe(3);
        expect(decoding.final).toBe(true);
        expect(decoding.config.seed).toBe(11);
        expect(rows).toEqual(straight.result.testTranslations);
      } finally {
        decoding.dispose();
      }
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    });
  });

  describe("when a checkpoint is damaged", () => {
    it("skips a truncated newest checkpoint", async () => {
      const dir = path.join(scratch, "truncated");
      await cp(straightDir, dir, { recursive: true });
      await truncate(path.join(dir, "epoch-0003", "weights.bin"), 100);

      expect(await latestCheckpoint(dir)).toEqual({ path: path.join(dir, "epoch-0002"), epoch: 2 });
    });

    it("rejects weights whose checksum does not match", async () => {
      const dir = path.join(scratch, "corrupt");
      await cp(straightDir, dir, { recursive: true });
      const weightsFile = path.join(dir, "epoch-0001", "weights.bin");
      const bytes = await readFile(weightsFile);
      bytes[10] ^= 0xff;
      await writeFile(weightsFile, bytes);

      await expect(loadCheckpoint(path.join(dir, "epoch-0001"))).rejects.toThrow(/weights\.bin is corrupt: SHA-256 of bytes 0\.\./);
    });

    it("rejects a manifest of another format version", async () => {
      const dir = path.join(scratch, "future");
      await cp(straightDir, dir, { recursive: true });
      const manifestFile = path.join(dir, "epoch-0001", "manifest.json");
      const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Record<string, unknown>;
      await writeFile(manifestFile, JSON.stringify({ ...manifest, version: 99 }));

      await expect(loadCheckpoint(path.join(dir, "epoch-0001"))).rejects.toThrow(/manifest\.json has format version 99, expected 1/);
    });
  });
});
