import * as tf from "@tensorflow/tfjs-core";
import { TENSOR_PREFIX, tensorSize } from "../../lib/checkpoints/checkpoint-manifest";
import type { LoadedCheckpoint } from "./checkpoint";
import { namedModelVariables } from "./checkpoint-tensors";
import { randomStreams, type TrainingRun } from "./prepare-run";
import type { Transformer } from "./transformer";

/**
 * Puts a run back into the state its checkpoint recorded: model variables, Adam's moments and
 * update count, every random stream, the strategy's state and the optimizer step. The run must
 * have been prepared with the checkpoint's tokenizer and the same config and data. Returns the
 * epoch the checkpoint ended and the best validation BLEU up to it.
 */
export function restoreCheckpoint(run: TrainingRun, checkpoint: LoadedCheckpoint): { epoch: number; bestValidBleu: number } {
  const { manifest } = checkpoint;
  checkCompatible(run, checkpoint);

  assignModelTensors(run.model, checkpoint);
  const names = namedModelVariables(run.model).map(({ name }) => name);
  run.optimizer.restore({
    updates: manifest.optimizer.updates,
    firstMoments: names.map((name) => requireTensor(checkpoint, TENSOR_PREFIX.firstMoment + name)),
    secondMoments: names.map((name) => requireTensor(checkpoint, TENSOR_PREFIX.secondMoment + name)),
  });

  restorePeer(run, checkpoint, names);

  for (const [name, stream] of Object.entries(randomStreams(run))) {
    const state = manifest.random[name];
    if (!state) throw new Error(`checkpoint ${checkpoint.path} has no state for random stream "${name}"`);
    stream.restore(state);
  }
  restoreStrategy(run, checkpoint);
  run.step = manifest.step;
  return { epoch: manifest.epoch, bestValidBleu: manifest.bestValidBleu };
}

/** Overwrites every model variable with the checkpoint's values, checking each shape. */
export function assignModelTensors(model: Transformer, checkpoint: LoadedCheckpoint): void {
  for (const { name, variable } of namedModelVariables(model)) {
    const values = requireTensor(checkpoint, TENSOR_PREFIX.model + name);
    if (values.length !== variable.size) {
      throw new Error(`checkpoint ${checkpoint.path}: tensor ${name} has ${values.length} values, the model expects shape [${variable.shape.join(", ")}]`);
    }
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
  }
}

/** Restores the peer model of co-teaching and its Adam state; a run without a peer skips this. */
function restorePeer(run: TrainingRun, checkpoint: LoadedCheckpoint, names: string[]): void {
  if (!run.peer) return;
  const { peerUpdates } = checkpoint.manifest.optimizer;
  if (peerUpdates === undefined) throw new Error(`checkpoint ${checkpoint.path} has no peer model, but strategy ${run.strategy.name} trains one`);
  namedModelVariables(run.peer.model).forEach(({ name, variable }) => {
    const values = requireTensor(checkpoint, TENSOR_PREFIX.peerModel + name);
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
  });
  run.peer.optimizer.restore({
    updates: peerUpdates,
    firstMoments: names.map((name) => requireTensor(checkpoint, TENSOR_PREFIX.peerFirstMoment + name)),
    secondMoments: names.map((name) => requireTensor(checkpoint, TENSOR_PREFIX.peerSecondMoment + name)),
  });
}

function requireTensor(checkpoint: LoadedCheckpoint, name: string): Float32Array {
  const values = checkpoint.tensors.get(name);
  if (!values) throw new Error(`checkpoint ${checkpoint.path} has no tensor ${name}`);
  const entry = checkpoint.manifest.weights.tensors.find((candidate) => candidate.name === name);
  if (entry && tensorSize(entry.shape) !== values.length) {
    throw new Error(`checkpoint ${checkpoint.path}: tensor ${name} has ${values.length} values for shape [${entry.shape.join(", ")}]`);
  }
  return values;
}

/**
 * Rejects a checkpoint written for another run config, dataset, strategy or tokenizer: resuming
 * from it would silently mix two experiments.
 */
function checkCompatible(run: TrainingRun, checkpoint: LoadedCheckpoint): void {
  const { manifest } = checkpoint;
  const where = `checkpoint ${checkpoint.path}`;
  const savedConfig = canonicalJson(manifest.config);
  const runConfig = canonicalJson(run.options.config);
  if (savedConfig !== runConfig) throw new Error(`${where} was written with run config ${savedConfig}, but this run has ${runConfig}`);

  const datasetHash = run.options.data.datasetHash ?? null;
  if (manifest.datasetHash !== null && datasetHash !== null && manifest.datasetHash !== datasetHash) {
    throw new Error(`${where} was written for dataset hash ${manifest.datasetHash}, but this run's data has ${datasetHash}`);
  }
  if (manifest.tokenizer.sha256 !== run.tokenizerInfo.hash) {
    throw new Error(`${where} has tokenizer SHA-256 ${manifest.tokenizer.sha256}, but the run was prepared with ${run.tokenizerInfo.hash}`);
  }
  if (manifest.strategy.name !== run.strategy.name) {
    throw new Error(`${where} was written by strategy ${manifest.strategy.name}, not ${run.strategy.name}`);
  }
  if (manifest.epoch > run.options.config.epochs) {
    throw new Error(`${where} ends epoch ${manifest.epoch}, after the run's last epoch ${run.options.config.epochs}`);
  }
}

function restoreStrategy(run: TrainingRun, checkpoint: LoadedCheckpoint): void {
  const { state } = checkpoint.manifest.strategy;
  if (state === undefined) return;
  if (!run.strategy.restore) {
    throw new Error(`checkpoint ${checkpoint.path} contains state for strategy ${run.strategy.name}, which has no restore method`);
  }
  run.strategy.restore(state);
}

/** JSON with object keys sorted, so configs compare equal whatever order their keys were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    const keys = Object.keys(item).sort();
    return Object.fromEntries(keys.map((key) => [key, (item as Record<string, unknown>)[key]]));
  });
}
