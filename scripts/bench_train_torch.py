#!/usr/bin/env python3
"""Time training steps of winnow's Transformer in PyTorch, as the reference for `npm run bench:train`.

The model matches worker/engine/transformer.ts. It is a pre-norm encoder-decoder (Xiong et al.,
ICML 2020) with sinusoidal positions and one embedding table for source, target and output
projection. Embeddings start as N(0, 1/d_model) and are scaled by sqrt(d_model); projections are
Xavier-uniform with zero biases. Dropout acts on embeddings and on each sub-layer output, layer
norms use epsilon 1e-5, and attention masks add -1e9. The loss is label-smoothed cross-entropy
averaged per pair over its target tokens, then over the pairs of the batch. Adam (beta2 0.98,
epsilon 1e-9) updates after the global gradient norm is clipped to 1, with inverse-square-root
warm-up.

The batches come from a JSON file that scripts/bench-train.ts writes: the same padded token ids
that winnow trains on. The script prints one JSON object on stdout. It installs nothing: without
PyTorch it prints how to install it and exits with status 3.
"""

import argparse
import json
import math
import os
import sys
import time

MISSING_TORCH_EXIT = 3
INSTALL_HINT = "apt-get install python3-torch libopenblas0-pthread"

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:
    print(f"PyTorch is not installed for {sys.executable}: {INSTALL_HINT}", file=sys.stderr)
    sys.exit(MISSING_TORCH_EXIT)

MASKED_SCORE = -1e9
LAYER_NORM_EPSILON = 1e-5


def sinusoidal_positions(max_positions, d_model):
    """Positions [max_positions, d_model]: sin on even, cos on odd dimensions."""
    position = torch.arange(max_positions, dtype=torch.float32).unsqueeze(1)
    exponent = torch.arange(0, d_model, 2, dtype=torch.float32) / d_model
    angle = position / torch.pow(10000.0, exponent)
    table = torch.zeros(max_positions, d_model)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return table


class Attention(nn.Module):
    def __init__(self, d_model, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.output = nn.Linear(d_model, d_model)

    def split(self, x):
        batch, length, d_model = x.shape
        return x.view(batch, length, self.heads, d_model // self.heads).transpose(1, 2)

    def forward(self, x, memory, bias):
        queries, keys, values = self.split(self.query(x)), self.split(self.key(memory)), self.split(self.value(memory))
        scores = torch.matmul(queries, keys.transpose(-1, -2)) / math.sqrt(queries.shape[-1])
        probabilities = torch.softmax(scores + bias, dim=-1)
        context = torch.matmul(probabilities, values).transpose(1, 2).reshape(x.shape[0], x.shape[1], -1)
        return self.output(context)


class FeedForward(nn.Module):
    def __init__(self, d_model, ff_dim):
        super().__init__()
        self.inner = nn.Linear(d_model, ff_dim)
        self.outer = nn.Linear(ff_dim, d_model)

    def forward(self, x):
        return self.outer(torch.relu(self.inner(x)))


class EncoderLayer(nn.Module):
    def __init__(self, d_model, ff_dim, heads, dropout):
        super().__init__()
        self.self_attention_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPSILON)
        self.self_attention = Attention(d_model, heads)
        self.feed_forward_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPSILON)
        self.feed_forward = FeedForward(d_model, ff_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, src_bias):
        h = self.self_attention_norm(x)
        x = x + self.dropout(self.self_attention(h, h, src_bias))
        return x + self.dropout(self.feed_forward(self.feed_forward_norm(x)))


class DecoderLayer(nn.Module):
    def __init__(self, d_model, ff_dim, heads, dropout):
        super().__init__()
        self.self_attention_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPSILON)
        self.self_attention = Attention(d_model, heads)
        self.cross_attention_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPSILON)
        self.cross_attention = Attention(d_model, heads)
        self.feed_forward_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPSILON)
        self.feed_forward = FeedForward(d_model, ff_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, memory, src_bias, causal_bias):
        h = self.self_attention_norm(x)
        x = x + self.dropout(self.self_attention(h, h, causal_bias))
        x = x + self.dropout(self.cross_attention(self.cross_attention_norm(x), memory, src_bias))
        return x + self.dropout(self.feed_forward(self.feed_forward_norm(x)))


class Transformer(nn.Module):
    def __init__(self, preset, max_positions):
        super().__init__()
        d_model, ff_dim, heads, dropout = preset["dModel"], preset["ffDim"], preset["heads"], preset["dropout"]
        self.d_model = d_model
        self.embedding = nn.Parameter(torch.randn(preset["vocabSize"], d_model) / math.sqrt(d_model))
        self.register_buffer("positions", sinusoidal_positions(max_positions, d_model))
        self.encoder_layers = nn.ModuleList(
            EncoderLayer(d_model, ff_dim, heads, dropout) for _ in range(preset["encoderLayers"])
        )
        self.decoder_layers = nn.ModuleList(
            DecoderLayer(d_model, ff_dim, heads, dropout) for _ in range(preset["decoderLayers"])
        )
        self.encoder_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPSILON)
        self.decoder_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPSILON)
        self.dropout = nn.Dropout(dropout)
        # winnow's initialisation (transformer-params.ts): Xavier-uniform weights, zero biases.
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def embed(self, ids):
        tokens = F.embedding(ids, self.embedding) * math.sqrt(self.d_model)
        return self.dropout(tokens + self.positions[: ids.shape[1]])

    def forward(self, src_ids, src_mask, tgt_input):
        src_bias = ((1 - src_mask) * MASKED_SCORE)[:, None, None, :]
        length = tgt_input.shape[1]
        causal_bias = torch.triu(torch.full((length, length), MASKED_SCORE), diagonal=1)
        memory = self.embed(src_ids)
        for layer in self.encoder_layers:
            memory = layer(memory, src_bias)
        memory = self.encoder_norm(memory)
        x = self.embed(tgt_input)
        for layer in self.decoder_layers:
            x = layer(x, memory, src_bias, causal_bias)
        return torch.matmul(self.decoder_norm(x), self.embedding.t())


def pair_losses(logits, targets, mask, label_smoothing):
    """Label-smoothed and plain cross-entropy, each averaged over every pair's target tokens: [batch]."""
    log_probabilities = torch.log_softmax(logits, dim=-1)
    token_nll = -log_probabilities.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    token_uniform = -log_probabilities.mean(dim=-1)
    token_smoothed = (1 - label_smoothing) * token_nll + label_smoothing * token_uniform
    counts = mask.sum(dim=1).clamp(min=1)
    return (token_smoothed * mask).sum(dim=1) / counts, (token_nll * mask).sum(dim=1) / counts


def to_tensors(batch):
    """Padded int64 ids and float32 masks of one batch from the JSON file."""
    def ids(name):
        return torch.tensor(batch[name], dtype=torch.int64)

    def mask(name):
        return torch.tensor(batch[name], dtype=torch.float32)

    return ids("srcIds"), mask("srcMask"), ids("tgtInput"), ids("tgtOutput"), mask("tgtMask")


def learning_rate(step, peak, warmup_steps):
    warmup_steps = max(1, warmup_steps)
    return peak * min(step / warmup_steps, math.sqrt(warmup_steps / step))


def train_step(model, optimizer, batch, preset, step):
    src_ids, src_mask, tgt_input, tgt_output, tgt_mask = batch
    logits = model(src_ids, src_mask, tgt_input)
    smoothed, nll = pair_losses(logits, tgt_output, tgt_mask, preset["labelSmoothing"])
    # winnow hands the per-pair losses to the noise strategy every step, so they are read here too.
    pair_nll = nll.detach().tolist()
    loss = smoothed.mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    for group in optimizer.param_groups:
        group["lr"] = learning_rate(step, preset["learningRate"], preset["warmupSteps"])
    optimizer.step()
    return sum(pair_nll) / len(pair_nll)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", required=True, help="JSON file written by scripts/bench-train.ts")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads (default: all CPUs)")
    args = parser.parse_args()

    with open(args.batches, encoding="utf-8") as file:
        spec = json.load(file)
    preset = spec["preset"]
    torch.manual_seed(spec["seed"])
    torch.set_num_threads(args.threads)

    batches = [to_tensors(batch) for batch in spec["batches"]]
    max_positions = max(max(b[0].shape[1], b[2].shape[1]) for b in batches)
    model = Transformer(preset, max_positions)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=preset["learningRate"], betas=(0.9, 0.98), eps=1e-9)

    milliseconds, cpu_milliseconds, losses = [], [], []
    for step, batch in enumerate(batches, start=1):
        started, cpu_started = time.perf_counter(), time.process_time()
        losses.append(train_step(model, optimizer, batch, preset, step))
        milliseconds.append((time.perf_counter() - started) * 1000)
        cpu_milliseconds.append((time.process_time() - cpu_started) * 1000)

    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "stepMilliseconds": milliseconds,
        "stepCpuMilliseconds": cpu_milliseconds,
        "nllLosses": losses,
    }
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
