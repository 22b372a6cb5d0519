/**
 * Checkpoints of a training run, one folder per epoch inside the run's folder:
 *
 *   <run folder>/epoch-0003/
 *     manifest.json   format version, epoch, optimizer step, best validation BLEU, run config,
 *                     dataset hash and model shape. Then the state of every random stream,
 *                     Adam's update count, the strategy's state and the tokenizer's SHA-256.
 *                     Last, a table of the tensors in weights.bin (name, shape, byte offset).
 *     weights.bin     every tensor as float32 little-endian, back to back: the model variables
 *                     (the "model" section), then Adam's first and second moments (the
 *                     "optimizer" section). Each section has its own SHA-256 in the manifest,
 *                     so decoding reads and checks only the model section.
 *     tokenizer.json  the run's SubwordTokenizerJson, so a checkpoint decodes without the cache
 *
 * `saveCheckpoint` writes the files into a temporary folder, flushes them to disk and renames
 * the folder into place, so a folder named epoch-NNNN is always complete. A crash mid-write
 * leaves a hidden temporary folder, which a later save removes.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { moduleLogger } from "../../lib/logger";
import {
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  MANIFEST_FILE,
  TENSOR_PREFIX,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
} from "../../lib/checkpoints/checkpoint-manifest";
import { readCheckpointManifest, readCheckpointTokenizer } from "../../lib/checkpoints/read-checkpoint";
import type { SubwordTokenizer } from "../../lib/tokenizer/subword-tokenizer";
import { type NamedVariable, namedModelVariables, readTensorSection, writeTensorSection } from "./checkpoint-tensors";
import { randomStreams, type TrainingRun } from "./prepare-run";

const log = moduleLogger("checkpoint");

const CHECKPOINT_FOLDER = /^epoch-(\d+)$/;
/** Temporary folders of crashed saves older than this are removed by the next save. */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/** A checkpoint folder and the epoch it ends. */
export interface CheckpointRef {
  path: string;
  epoch: number;
}

/** A checkpoint read back: its manifest, tokenizer and tensor values by manifest name. */
export interface LoadedCheckpoint {
  path: string;
  manifest: CheckpointManifest;
  tokenizer: SubwordTokenizer;
  /** Values of the model tensors, plus the optimizer's unless it was left out. */
  tensors: Map<string, Float32Array>;
}

/** Folder name of an epoch's checkpoint; zero-padded so names sort by epoch. */
export function checkpointFolderName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, "0")}`;
}

/**
 * Writes the state of `run` after `epoch` into `runDir/epoch-NNNN` and returns that path. An
 * existing checkpoint of the same epoch (an epoch trained again) is replaced.
 */
export async function saveCheckpoint(options: {
  runDir: string;
  run: TrainingRun;
  epoch: number;
  bestValidBleu: number;
}): Promise<string> {
  const { runDir, run, epoch } = options;
  await mkdir(runDir, { recursive: true });
  await removeStaleTemporaryFolders(runDir);
  const folder = checkpointFolderName(epoch);
  const finalPath = path.join(runDir, folder);
  const temporary = path.join(runDir, `.${folder}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);

  await mkdir(temporary);
  try {
    const weights = await writeWeights(path.join(temporary, WEIGHTS_FILE), run);
    await writeFileSynced(path.join(temporary, TOKENIZER_FILE), JSON.stringify(run.tokenizer.toJson()));
    const manifest = buildManifest({ ...options, weights });
    await writeFileSynced(path.join(temporary, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    await replaceFolder(temporary, finalPath);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw new Error(`failed to write checkpoint ${finalPath}: ${(error as Error).message}`, { cause: error });
  }
  await syncFolder(runDir);
  return finalPath;
}

/**
 * Reads a checkpoint folder and checks it: manifest schema and version, file sizes, the SHA-256
 * of each weights section and of the tokenizer. `optimizer: false` skips Adam's moments, which
 * decoding does not need. Throws an Error naming the folder and the problem.
 */
export async function loadCheckpoint(dir: string, options: { optimizer?: boolean } = {}): Promise<LoadedCheckpoint> {
  const manifest = await readCheckpointManifest(dir);
  const tokenizer = await readCheckpointTokenizer(dir, manifest);
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  const handle = await open(weightsFile, "r");
  try {
    const { size } = await handle.stat();
    if (size !== manifest.weights.bytes) {
      throw new Error(`checkpoint file ${weightsFile} has ${size} bytes, expected ${manifest.weights.bytes}`);
    }
    const sections = options.optimizer === false ? [manifest.weights.model] : [manifest.weights.model, manifest.weights.optimizer];
    const tensors = new Map<string, Float32Array>();
    for (const section of sections) {
      const values = await readTensorSection({ handle, file: weightsFile, section, entries: manifest.weights.tensors });
      for (const [name, value] of values) tensors.set(name, value);
    }
    return { path: dir, manifest, tokenizer, tensors };
  } finally {
    await handle.close();
  }
}

/** Lists the checkpoint folders of a run by epoch, oldest first, without reading them; [] when there is no folder. */
export async function listCheckpoints(runDir: string): Promise<CheckpointRef[]> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names
    .map((name) => ({ name, match: CHECKPOINT_FOLDER.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map((entry) => ({ path: path.join(runDir, entry.name), epoch: Number(entry.match[1]) }))
    .sort((a, b) => a.epoch - b.epoch);
}

/**
 * Returns the newest checkpoint of a run whose manifest is valid and whose files have the
 * recorded sizes, or undefined when there is none. Invalid ones are logged and skipped, so a
 * damaged last checkpoint falls back to the one before; section checksums are checked later,
 * by `loadCheckpoint`.
 */
export async function latestCheckpoint(runDir: string): Promise<CheckpointRef | undefined> {
  const checkpoints = await listCheckpoints(runDir);
  for (const checkpoint of checkpoints.reverse()) {
    try {
      const manifest = await readCheckpointManifest(checkpoint.path);
      const weights = await stat(path.join(checkpoint.path, WEIGHTS_FILE));
      if (weights.size !== manifest.weights.bytes) {
        throw new Error(`${WEIGHTS_FILE} has ${weights.size} bytes, expected ${manifest.weights.bytes}`);
      }
      await stat(path.join(checkpoint.path, TOKENIZER_FILE));
      return { path: checkpoint.path, epoch: manifest.epoch };
    } catch (error) {
      log.warn({ checkpoint: checkpoint.path, err: error }, "checkpoint invalid, trying the one before");
    }
  }
  return undefined;
}

/** Deletes a checkpoint folder; a missing folder is not an error. */
export async function removeCheckpoint(checkpointPath: string): Promise<void> {
  await rm(checkpointPath, { recursive: true, force: true });
}

async function writeWeights(file: string, run: TrainingRun): Promise<CheckpointManifest["weights"]> {
  const variables = namedModelVariables(run.model);
  const adam = run.optimizer.snapshot();
  const moments = (prefix: string, list: readonly NamedVariable["variable"][]): NamedVariable[] =>
    variables.map(({ name }, index) => ({ name: prefix + name, variable: list[index] }));

  const handle = await open(file, "w");
  try {
    const model = await writeTensorSection(handle, 0, variables.map(({ name, variable }) => ({ name: TENSOR_PREFIX.model + name, variable })));
    const optimizer = await writeTensorSection(handle, model.section.bytes, [
      ...moments(TENSOR_PREFIX.firstMoment, adam.firstMoments),
      ...moments(TENSOR_PREFIX.secondMoment, adam.secondMoments),
      ...peerTensors(run, variables.map(({ name }) => name)),
    ]);
    await handle.sync();
    return {
      file: WEIGHTS_FILE,
      dtype: "float32",
      byteOrder: "little-endian",
      bytes: model.section.bytes + optimizer.section.bytes,
      model: model.section,
      optimizer: optimizer.section,
      tensors: [...model.entries, ...optimizer.entries],
    };
  } finally {
    await handle.close();
  }
}

/** The peer model's variables and Adam moments, named like the main model's; none without a peer. */
function peerTensors(run: TrainingRun, names: string[]): NamedVariable[] {
  if (!run.peer) return [];
  const adam = run.peer.optimizer.snapshot();
  const named = (prefix: string, list: readonly NamedVariable["variable"][]) => names.map((name, index) => ({ name: prefix + name, variable: list[index] }));
  return [
    ...named(TENSOR_PREFIX.peerModel, run.peer.model.variables),
    ...named(TENSOR_PREFIX.peerFirstMoment, adam.firstMoments),
    ...named(TENSOR_PREFIX.peerSecondMoment, adam.secondMoments),
  ];
}

function buildManifest(options: {
  run: TrainingRun;
  epoch: number;
  bestValidBleu: number;
  weights: CheckpointManifest["weights"];
}): CheckpointManifest {
  const { run } = options;
  const { config } = run.options;
  const shape = run.model.config;
  const strategyState = run.strategy.state?.();
  return {
    format: "winnow-checkpoint",
    version: CHECKPOINT_FORMAT_VERSION,
    epoch: options.epoch,
    step: run.step,
    bestValidBleu: options.bestValidBleu,
    final: options.epoch === config.epochs,
    createdAt: new Date().toISOString(),
    config: { ...config },
    datasetHash: run.options.data.datasetHash ?? null,
    model: {
      vocabSize: shape.vocabSize,
      dModel: shape.dModel,
      ffDim: shape.ffDim,
      heads: shape.heads,
      encoderLayers: shape.encoderLayers,
      decoderLayers: shape.decoderLayers,
      dropout: shape.dropout,
      maxPositions: shape.maxPositions,
    },
    maxLength: run.preset.maxLength,
    random: Object.fromEntries(Object.entries(randomStreams(run)).map(([name, stream]) => [name, stream.state()])),
    optimizer: run.peer
      ? { updates: run.optimizer.snapshot().updates, peerUpdates: run.peer.optimizer.snapshot().updates }
      : { updates: run.optimizer.snapshot().updates },
    strategy: strategyState === undefined ? { name: run.strategy.name } : { name: run.strategy.name, state: strategyState },
    tokenizer: { file: TOKENIZER_FILE, sha256: run.tokenizerInfo.hash, cacheFile: run.tokenizerInfo.cacheFile },
    weights: options.weights,
  };
}

async function writeFileSynced(file: string, text: string): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Renames `source` to `target`; an existing `target` is moved aside first and then deleted. */
async function replaceFolder(source: string, target: string): Promise<void> {
  const aside = `${path.join(path.dirname(target), `.${path.basename(target)}`)}.old-${randomBytes(4).toString("hex")}`;
  let replaced = false;
  try {
    await rename(target, aside);
    replaced = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await rename(source, target);
  if (replaced) await rm(aside, { recursive: true, force: true });
}

/** Flushes a folder's entries, so a rename inside it survives a power loss. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeStaleTemporaryFolders(runDir: string): Promise<void> {
  for (const name of await readdir(runDir)) {
    if (!name.startsWith(".epoch-")) continue;
    const folder = path.join(runDir, name);
    const info = await stat(folder).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_TEMPORARY_MS) await rm(folder, { recursive: true, force: true });
  }
}
