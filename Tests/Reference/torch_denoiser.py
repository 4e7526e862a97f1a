#!/usr/bin/env python3
"""The PyTorch reference of a2m's denoiser: the EDGE / audio2photoreal FiLM transformer in PyTorch eager.

a2m's Swift denoiser (Sources/A2MKit/Diffusion/Denoiser*.swift) has this model's modules, parameter names and
shapes: its checkpoints are this module's `state_dict()` minus the rotary `inv` buffers (docs/architecture.md;
docs/design.md, "The denoiser"). Two uses, both with torch 2.13.0+cpu (`pip install torch==2.13.0+cpu`):

1. Imported by Tests/A2MKitTests/Fixtures/nn/make_fixtures.py, which writes the fixtures of TorchParityTests
   (a2m's forward pass against this one, run from the repository root):

       python3 Tests/A2MKitTests/Fixtures/nn/make_fixtures.py

2. Run as a script, the benchmark: one training step (forward, loss, backward, AdamW) and one CFG forward pass
   over 2B rows, medians of --steps timed repetitions, printed on one line. This is the PyTorch peer of
   `a2m bench train-step --torch-script Tests/Reference/torch_denoiser.py` (docs/benchmarks.md), which passes
   the same sizes and parses that line:

       python3 Tests/Reference/torch_denoiser.py --d 256 --layers 6 --heads 8 --ff 1024 --frames 150 \\
           --batch 32 --mel 80 --pose 135 --threads 2 --steps 5
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Rotary(nn.Module):
    """Rotate-half rotary embedding over the full width, applied before the q/k projections."""
    def __init__(s, d):
        super().__init__(); s.register_buffer('inv', 1.0 / (10000 ** (torch.arange(0, d, 2).float() / d)))
    def forward(s, x):
        t = torch.arange(x.shape[1]).float(); f = torch.einsum('i,j->ij', t, s.inv); e = torch.cat([f, f], -1)
        x1, x2 = x.chunk(2, -1); rot = torch.cat([-x2, x1], -1)
        return x * e.cos() + rot * e.sin()


class FiLM(nn.Module):
    """(scale, shift) = Linear(Mish(c)); out = (scale + 1)·x + shift."""
    def __init__(s, d): super().__init__(); s.l = nn.Sequential(nn.Mish(), nn.Linear(d, 2 * d))
    def forward(s, x, c): sc, sh = s.l(c).unsqueeze(1).chunk(2, -1); return (sc + 1) * x + sh


class Layer(nn.Module):
    """Pre-norm decoder layer: self-attention, cross-attention, FFN, each FiLM-modulated before the residual add."""
    def __init__(s, d, h, ff):
        super().__init__()
        s.sa = nn.MultiheadAttention(d, h, batch_first=True, dropout=0.1); s.ca = nn.MultiheadAttention(d, h, batch_first=True, dropout=0.1)
        s.ffn = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Dropout(0.1), nn.Linear(ff, d))
        s.n1, s.n2, s.n3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d); s.f1, s.f2, s.f3 = FiLM(d), FiLM(d), FiLM(d); s.rot = Rotary(d)
    def forward(s, x, mem, c):
        y = s.n1(x); q = s.rot(y); x = x + s.f1(s.sa(q, q, y, need_weights=False)[0], c)
        y = s.n2(x); x = x + s.f2(s.ca(s.rot(y), s.rot(mem), mem, need_weights=False)[0], c)
        return x + s.f3(s.ffn(s.n3(x)), c)


class Denoiser(nn.Module):
    """x0 prediction from noisy motion x [B, T, pose], timesteps t [B] and audio features mel [B, T, mel].

    keep [B] (bool) is the classifier-free-guidance mask: a row with keep = False sees the learned null
    embeddings (null_tok, null_hid) instead of its audio. Sizes: width d, attention heads, FFN size ff, decoder
    layers, motion features pose, audio features mel, window frames (the length of null_tok)."""
    def __init__(s, d, heads, ff, layers, pose, mel, frames, encoder_layers=2):
        super().__init__(); s.d = d
        s.inp = nn.Linear(pose, d); s.cin = nn.Linear(mel, d)
        s.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, heads, ff, 0.1, 'gelu', batch_first=True, norm_first=True),
                                      encoder_layers, enable_nested_tensor=False)
        s.t1 = nn.Sequential(nn.Linear(d, 4 * d), nn.Mish()); s.t2 = nn.Linear(4 * d, d); s.ttok = nn.Linear(4 * d, 2 * d)
        s.pool = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.SiLU(), nn.Linear(d, d)); s.nm = nn.LayerNorm(d)
        s.null_tok = nn.Parameter(torch.randn(1, frames, d)); s.null_hid = nn.Parameter(torch.randn(1, d))
        s.layers = nn.ModuleList([Layer(d, heads, ff) for _ in range(layers)]); s.out = nn.Linear(d, pose)
    def temb(s, t):
        half = s.d // 2; f = torch.exp(-math.log(10000) * torch.arange(half) / half); e = t[:, None].float() * f[None]
        return torch.cat([e.sin(), e.cos()], -1)
    def forward(s, x, t, mel, keep):
        B = x.shape[0]; tok = s.enc(s.cin(mel))
        tok = torch.where(keep[:, None, None], tok, s.null_tok[:, :tok.shape[1]]); hid = s.pool(tok.mean(1)); hid = torch.where(keep[:, None], hid, s.null_hid)
        th = s.t1(s.temb(t)); c = s.t2(th) + hid; mem = s.nm(torch.cat([tok, s.ttok(th).view(B, 2, s.d)], 1))
        h = s.inp(x)
        for l in s.layers: h = l(h, mem, c)
        return s.out(h)


def bench(argv=None):
    p = argparse.ArgumentParser(description='Time one training step and one CFG forward pass of the reference denoiser.')
    for k, v in dict(d=256, layers=6, heads=8, ff=1024, frames=150, batch=32, mel=80, pose=135, threads=2, steps=5).items():
        p.add_argument(f'--{k}', type=int, default=v)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    m = Denoiser(a.d, a.heads, a.ff, a.layers, a.pose, a.mel, a.frames); opt = torch.optim.AdamW(m.parameters(), 1e-4)
    nparam = sum(q.numel() for q in m.parameters())
    x = torch.randn(a.batch, a.frames, a.pose); mel = torch.randn(a.batch, a.frames, a.mel); t = torch.randint(0, 1000, (a.batch,))
    cfg_keep = torch.cat([torch.ones(a.batch, dtype=torch.bool), torch.zeros(a.batch, dtype=torch.bool)])

    def step():  # condition dropout p = 0.25 per row, as a2m's training default
        opt.zero_grad(); out = m(x, t, mel, torch.rand(a.batch) >= 0.25)
        loss = F.mse_loss(out, x) + F.mse_loss(out[:, 1:] - out[:, :-1], x[:, 1:] - x[:, :-1]); loss.backward(); opt.step()

    def fwd():  # B conditioned rows, then the same B rows unconditioned, in one call
        with torch.no_grad():
            m.eval(); m(torch.cat([x, x]), torch.cat([t, t]), torch.cat([mel, mel]), cfg_keep); m.train()

    for f in (step, fwd): f()  # warm-up
    ts = []
    for _ in range(a.steps): t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
    tf = []
    for _ in range(a.steps): t0 = time.perf_counter(); fwd(); tf.append(time.perf_counter() - t0)
    ts.sort(); tf.sort()
    print(f'torch {torch.__version__} threads={a.threads} params={nparam/1e6:.2f}M d={a.d} L={a.layers} B={a.batch} T={a.frames}: '
          f'train step median {ts[len(ts)//2]:.3f}s ({a.batch*a.frames/ts[len(ts)//2]:.0f} frames/s); '
          f'CFG forward (2B) median {tf[len(tf)//2]:.3f}s')


if __name__ == '__main__':
    bench()
