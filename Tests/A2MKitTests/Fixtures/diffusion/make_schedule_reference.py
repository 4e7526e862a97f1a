#!/usr/bin/env python3
"""Reference numbers for DiffusionScheduleTests (numpy, float64).

Cosine: Nichol & Dhariwal 2021, improved-diffusion `betas_for_alpha_bar` with s = 0.008, max_beta = 0.999.
Linear: improved-diffusion `get_named_beta_schedule("linear")`, scale = 1000 / T.
Prints: schedule t beta alpha_bar posterior_variance posterior_mean_coef1 posterior_mean_coef2
"""
import math
import numpy as np

def cosine_betas(T, s=0.008, max_beta=0.999):
    f = lambda u: math.cos((u + s) / (1 + s) * math.pi / 2) ** 2
    return np.array([min(1 - f((i + 1) / T) / f(i / T), max_beta) for i in range(T)], dtype=np.float64)

def linear_betas(T):
    scale = 1000 / T
    return np.linspace(scale * 1e-4, scale * 0.02, T, dtype=np.float64)

for name, b in [("cosine", cosine_betas(1000)), ("linear", linear_betas(1000))]:
    a = 1 - b
    ac = np.cumprod(a)
    acp = np.append(1.0, ac[:-1])
    pv = b * (1 - acp) / (1 - ac)
    c1 = b * np.sqrt(acp) / (1 - ac)
    c2 = (1 - acp) * np.sqrt(a) / (1 - ac)
    for t in [0, 1, 499, 998, 999]:
        print(name, t, "%.9g %.9g %.9g %.9g %.9g" % (b[t], ac[t], pv[t], c1[t], c2[t]))
