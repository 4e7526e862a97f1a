#!/usr/bin/env python3
"""Reference for DPMSolverTests: DPM-Solver++(2M) written from Lu et al. 2022 (Algorithm 2, data prediction,
"lower order final"), numpy float64, independent of the Swift code.

Model: the analytic x0 predictor of `AnalyticDenoiser` in DPMSolverTests.swift,
  cond(x, t)[i]   = 0.7*tanh(1.3*x[i])*(1 - 0.4*t/T) + 0.5*sin(0.37*i + 0.2)
  uncond(x, t)[i] = 0.7*tanh(1.3*x[i])*(1 - 0.4*t/T) + 0.2*cos(0.11*i)
guided x0 = u + w*(c - u) (classifier-free guidance) at w in {1, 2.5}.
Schedule: improved-diffusion cosine, T = 1000; timesteps: trailing spacing round(T*(n - i)/n) - 1.
x_T: N = 48 values 0.9*sin(0.5*i + 1) + 0.3*cos(1.7*i) (deterministic, no RNG to port).
Writes dpmpp_reference.json: for each (steps, w) the visited timesteps, per-step coefficients (a, b, c) and the
final sample.
Run: python3 make_dpmpp_reference.py  (from this directory)
"""
import json
import math
import numpy as np

T = 1000
N = 48


def cosine_alphas_cumprod(T, s=0.008, max_beta=0.999):
    f = lambda u: math.cos((u + s) / (1 + s) * math.pi / 2) ** 2
    b = np.array([min(1 - f((i + 1) / T) / f(i / T), max_beta) for i in range(T)], dtype=np.float64)
    return np.cumprod(1 - b)


AC = cosine_alphas_cumprod(T)
IDX = np.arange(N, dtype=np.float64)


def model(x, t, w):
    base = 0.7 * np.tanh(1.3 * x) * (1 - 0.4 * t / T)
    c = base + 0.5 * np.sin(0.37 * IDX + 0.2)
    u = base + 0.2 * np.cos(0.11 * IDX)
    return u + w * (c - u)


def trailing(n):
    return [int(round(T * (n - i) / n)) - 1 for i in range(n)]


def dpmpp_2m(x, timesteps, w):
    lam = lambda ab: 0.5 * math.log(ab / (1 - ab))
    prev = None
    h_prev = None
    coeffs = []
    for i, t in enumerate(timesteps):
        x0 = model(x, t, w)
        if i + 1 == len(timesteps):
            coeffs.append([0.0, 1.0, 0.0])
            return x0, coeffs
        ab, ab_next = AC[t], AC[timesteps[i + 1]]
        alpha_next = math.sqrt(ab_next)
        h = lam(ab_next) - lam(ab)
        a = math.sqrt(1 - ab_next) / math.sqrt(1 - ab)
        phi = math.expm1(-h)
        if prev is None:
            x = a * x - alpha_next * phi * x0
            coeffs.append([a, -alpha_next * phi, 0.0])
        else:
            r0 = h_prev / h
            d1 = (1 / r0) * (x0 - prev)
            x = a * x - alpha_next * phi * x0 - 0.5 * alpha_next * phi * d1
            coeffs.append([a, -alpha_next * phi, 1 / (2 * r0)])
        prev, h_prev = x0, h
    raise AssertionError("unreachable")


x_T = 0.9 * np.sin(0.5 * IDX + 1) + 0.3 * np.cos(1.7 * IDX)
cases = []
for steps in [2, 5, 10, 25]:
    for w in [1.0, 2.5]:
        ts = trailing(steps)
        sample, coeffs = dpmpp_2m(x_T.copy(), ts, w)
        cases.append({"steps": steps, "guidance": w, "timesteps": ts, "coefficients": coeffs, "sample": sample.tolist()})
with open("dpmpp_reference.json", "w") as f:
    json.dump({"trainingSteps": T, "xT": x_T.tolist(), "cases": cases}, f, indent=1)
print("wrote dpmpp_reference.json:", len(cases), "cases")
