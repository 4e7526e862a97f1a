#!/usr/bin/env python3
"""Fixtures for Tests/A2MKitTests/NN (torch 2.13.0+cpu, safetensors 0.8.0). Run from anywhere:
    python3 Tests/A2MKitTests/Fixtures/nn/make_fixtures.py
Writes ops.safetensors (layer norm, GELU/SiLU/Mish, timestep embedding, rotary, FiLM, self- and cross-attention
with key-padding masks), denoiser_weights.safetensors + denoiser_io.safetensors (the whole reference denoiser,
eval mode, explicit keep mask), python_written.safetensors (F32/F16/BF16/I64 + metadata, for the reader), and
checks ours_f32.safetensors / ours_f16.safetensors (written by a2m's SafetensorsWriter) with Python's reader.
To (re)write those two: A2M_NN_FIXTURE_OUT=$PWD/Tests/A2MKitTests/Fixtures/nn swift test --filter oursReadableByPython
The model classes are the reference's, Tests/Reference/torch_denoiser.py (also the benchmark's PyTorch peer)."""
import json, os, sys
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'Reference'))
from torch_denoiser import Denoiser, FiLM, Rotary  # noqa: E402

torch.manual_seed(0)


def c(x): return x.detach().float().clone().contiguous()


def ops():
    o = {}
    x = torch.randn(4, 12) * 2 + 0.5; w = torch.randn(12); b = torch.randn(12)
    o.update(ln_x=x, ln_w=w, ln_b=b, ln_out=F.layer_norm(x, (12,), w, b))
    a = torch.linspace(-6, 6, 97)
    o.update(act_x=a, gelu_out=nn.GELU()(a), silu_out=F.silu(a), mish_out=F.mish(a))
    ref = Denoiser(16, 2, 24, 1, 5, 4, 6)
    t = torch.tensor([0, 1, 37, 999])
    o.update(temb_t=t.float(), temb_out=ref.temb(t))
    r = torch.randn(2, 5, 8); o.update(rot_x=r, rot_out=Rotary(8)(r))
    film = FiLM(8); cv = torch.randn(2, 8); fx = torch.randn(2, 5, 8)
    o.update(film_c=cv, film_x=fx, film_w=film.l[1].weight, film_b=film.l[1].bias, film_out=film(fx, cv))
    # Self-attention block as in Layer: q = k = rot(y), v = y; row 1 has its last 2 keys padded.
    d, h = 8, 2
    sa = nn.MultiheadAttention(d, h, batch_first=True).eval(); rot = Rotary(d)
    with torch.no_grad():
        sa.in_proj_bias.normal_(); sa.out_proj.bias.normal_()
    y = torch.randn(2, 5, d); mask = torch.tensor([[False] * 5, [False, False, False, True, True]])
    q = rot(y)
    o.update(sa_y=y, sa_mask=(~mask).float(), sa_in_w=sa.in_proj_weight, sa_in_b=sa.in_proj_bias, sa_out_w=sa.out_proj.weight,
             sa_out_b=sa.out_proj.bias, sa_out=sa(q, q, y, key_padding_mask=mask, need_weights=False)[0])
    ca = nn.MultiheadAttention(d, h, batch_first=True).eval()
    with torch.no_grad():
        ca.in_proj_bias.normal_(); ca.out_proj.bias.normal_()
    mem = torch.randn(2, 7, d); mmask = torch.tensor([[False] * 7, [False, True, False, False, False, True, False]])
    o.update(ca_y=y, ca_mem=mem, ca_mask=(~mmask).float(), ca_in_w=ca.in_proj_weight, ca_in_b=ca.in_proj_bias, ca_out_w=ca.out_proj.weight,
             ca_out_b=ca.out_proj.bias, ca_out=ca(rot(y), rot(mem), mem, key_padding_mask=mmask, need_weights=False)[0])
    save_file({k: c(v) for k, v in o.items()}, os.path.join(HERE, 'ops.safetensors'), metadata={'torch': torch.__version__})


def denoiser():
    cfg = dict(width=16, layers=2, heads=2, ffn=24, encoderLayers=2, dropout=0.1, windowFrames=6, motionDim=5, audioDim=4,
               condDropProbability=0.25, diffusionSteps=1000)
    m = Denoiser(16, 2, 24, 2, 5, 4, 6).eval()
    with torch.no_grad():  # non-zero attention biases so they are exercised
        for name, p in m.named_parameters():
            if name.endswith('in_proj_bias') or name.endswith('out_proj.bias'): p.normal_(0, 0.1)
    sd = {k: c(v) for k, v in m.state_dict().items() if not k.endswith('rot.inv')}
    save_file(sd, os.path.join(HERE, 'denoiser_weights.safetensors'), metadata={'a2m.model': json.dumps(cfg, sort_keys=True)})
    x = torch.randn(3, 6, 5); t = torch.tensor([5, 480, 999]); mel = torch.randn(3, 6, 4); keep = torch.tensor([True, False, True])
    with torch.no_grad(): out = m(x, t, mel, keep)
    save_file({'x': x, 't': t.float(), 'mel': mel, 'keep': keep.float(), 'out': c(out)}, os.path.join(HERE, 'denoiser_io.safetensors'))


def python_written():
    save_file({'f32': torch.tensor([[1.5, -2.0], [3.25, 1e-3]]), 'f16': torch.tensor([0.1, -65504.0, 6e-8, 1.0]).half(),
               'bf16': torch.tensor([0.1, -3.0e38, 1.0]).bfloat16(), 'i64': torch.tensor([1, -2, 3])},
              os.path.join(HERE, 'python_written.safetensors'), metadata={'note': 'written by safetensors.torch', 'n': '3'})


OURS = {'a': ([2, 3], [0, 1, -2.5, 3.25, 65504, 1e-5]), 'b.c': ([4], [-0.0, 0.333, 7, -1e-3]), 's': ([], [42]), 'empty': ([0], [])}
OURS_META = {'a2m.test': 'yes', 'json': '{"k": [1, 2]}'}


def check_ours():
    for name, dt in (('ours_f32.safetensors', np.float32), ('ours_f16.safetensors', np.float16)):
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            print(f'{name}: not present (run the Swift test SafetensorsTests to write it)'); continue
        with safe_open(path, 'np') as f:
            assert f.metadata() == OURS_META, f.metadata()
            assert sorted(f.keys()) == sorted(OURS), f.keys()
            for k, (shape, vals) in OURS.items():
                t = f.get_tensor(k)
                assert t.dtype == dt and list(t.shape) == shape, (k, t.dtype, t.shape)
                assert np.array_equal(t.reshape(-1), np.array(vals, dtype=np.float32).astype(dt)), (k, t)
        print(f'{name}: read by Python safetensors, values and metadata as written')


if __name__ == '__main__':
    ops(); denoiser(); python_written(); check_ours()
    print('fixtures written to', HERE)
