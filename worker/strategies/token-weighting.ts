import { parseStrategyParams } from "../../lib/strategies";
import type { SampleWeights, Strategy, StrategyBatch } from "./strategy";

/**
 * Token-level weighting of noisy targets. A noisy target is often partly right (the caption
 * shares words with the source), so each of its tokens t weighs the model's own detached
 * probability of it, tw_t = p_t^beta with p_t = exp(-l_t), and 0 when p_t < floor; every clean
 * token weighs 1. The batch loss is sum_t tw_t l_t / sum_t tw_t over all tokens of the batch.
 * Related work: token-level adaptive training (Gu et al., EMNLP 2020), and bootstrapping with
 * the model's own predictions (Reed et al., 2014). Bootstrapping mixes the targets with beta
 * 0.95, whereas this strategy weights them.
 *
 * p_t comes from the training forward pass itself (dropout on), read before the backward pass.
 * Pairs keep sentence weight 1, and the trace weight is the mean token weight. A noisy pair whose
 * every token is under the floor has trace weight 0 and is marked dropped.
 */
export function createTokenWeighting(params: unknown): Strategy {
  const { beta, floor } = parseStrategyParams("token-weighting", params);
  const tokenWeight = (loss: number) => {
    const probability = Math.exp(-loss);
    return probability < floor ? 0 : probability ** beta;
  };
  return {
    name: "token-weighting",
    needs: ["token-losses"],
    weights(batch: StrategyBatch): SampleWeights {
      const { tokenLosses } = batch;
      if (!tokenLosses) throw new Error("token-weighting: the batch has no per-token losses; the engine must compute them for strategies that list \"token-losses\" in needs");
      const tokenWeights = batch.samples.map((sample, index) =>
        Array.from(tokenLosses[index], (loss) => (sample.noisy ? tokenWeight(loss) : 1)),
      );
      return {
        weights: batch.samples.map(() => 1),
        dropped: tokenWeights.map((row) => row.every((weight) => weight === 0)),
        tokenWeights,
      };
    },
  };
}
