import { parseStrategyParams } from "../../lib/strategies";
import type { SampleWeights, Strategy, StrategyBatch } from "./strategy";

/**
 * Co-teaching (Han, Yao, Yu, Niu, Xu, Hu, Tsang and Sugiyama, NeurIPS 2018): two models with
 * different initial parameters train side by side, and each one's update uses the pairs its peer
 * finds easy. In each batch the peer keeps the share R(t) = 1 - min(t / T_k * tau, tau) of the
 * noisy pairs with the smallest loss under the peer (round(R * noisy count) pairs, ties by
 * position in the batch), and the main model trains on those plus every clean pair at weight 1;
 * the peer trains on the main model's selection the same way. t = epoch - 1, so the first
 * epoch keeps every pair, and T_k is `rampEpochs`. Twice the cost of one model.
 *
 * Traces, validation and test report the main model; a dropped noisy pair is one the peer did
 * not select for the main model in that step.
 */
export function createCoTeaching(params: unknown): Strategy {
  const { tau, rampEpochs } = parseStrategyParams("co-teaching", params);
  return {
    name: "co-teaching",
    peerModel: true,
    // With tau 1, epochs after the ramp keep no noisy pair.
    needsCleanPairs: (epochs: number) => tau === 1 && epochs > rampEpochs,
    weights(batch: StrategyBatch): SampleWeights {
      if (!batch.peerLosses) throw new Error("co-teaching: the batch has no peer losses; the engine must run the peer model for strategies with peerModel set");
      const share = 1 - Math.min(((batch.epoch - 1) / rampEpochs) * tau, tau);
      const forMain = selectSmallLoss(batch, batch.peerLosses, share);
      const forPeer = selectSmallLoss(batch, batch.losses, share);
      return {
        weights: forMain.map((kept) => (kept ? 1 : 0)),
        dropped: forMain.map((kept) => !kept),
        peer: { weights: forPeer.map((kept) => (kept ? 1 : 0)), dropped: forPeer.map((kept) => !kept) },
      };
    },
  };
}

/** Flags clean pairs and the round(share * n) noisy pairs with the smallest `losses`. */
function selectSmallLoss(batch: StrategyBatch, losses: Float32Array, share: number): boolean[] {
  const noisy = batch.samples.flatMap((sample, index) => (sample.noisy ? [index] : []));
  noisy.sort((a, b) => losses[a] - losses[b] || a - b);
  const kept = new Set(noisy.slice(0, Math.round(share * noisy.length)));
  return batch.samples.map((sample, index) => !sample.noisy || kept.has(index));
}
