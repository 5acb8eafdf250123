"""A compact PyTorch TD3 with the same settings as a Drive Lab run, for a wall-clock comparison.

Usage: /usr/bin/python3 td3_torch.py CONFIG.json [THREADS]
(CONFIG: a Drive Lab RunConfig; THREADS defaults to the core count; prints one JSON line)

Same algorithm and schedule as src-main/rl/algorithms/td3 + rl/train/trainer.ts: uniform random actions
before learning_starts, then actor + Gaussian noise clipped to [-1, 1]; one update per env step
after learning_starts (train_freq 1, gradient_steps 1); twin critics with the min target, target
policy smoothing, delayed actor and Polyak updates; Adam; deterministic evaluations every
eval_every steps and at the end. Pendulum-v1 dynamics are written out below (Gymnasium's
classic_control/pendulum.py), so no gym install is needed.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Pendulum:
    """Gymnasium Pendulum-v1: g=10, m=1, l=1, dt=0.05, max speed 8, max torque 2, 200 steps."""

    def __init__(self, max_steps=200):
        self.max_steps = max_steps
        self.rng = np.random.default_rng(0)

    def reset(self, seed=None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.th = self.rng.uniform(-math.pi, math.pi)
        self.thdot = self.rng.uniform(-1.0, 1.0)
        self.t = 0
        return self._obs()

    def _obs(self):
        return np.array([math.cos(self.th), math.sin(self.th), self.thdot], dtype=np.float32)

    def step(self, a):
        u = float(np.clip(a[0], -1.0, 1.0)) * 2.0
        th, thdot = self.th, self.thdot
        norm = ((th + math.pi) % (2 * math.pi)) - math.pi
        cost = norm ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2
        newthdot = thdot + (3 * 10.0 / 2 * math.sin(th) + 3.0 * u) * 0.05
        newthdot = min(8.0, max(-8.0, newthdot))
        self.th = th + newthdot * 0.05
        self.thdot = newthdot
        self.t += 1
        return self._obs(), -cost, False, self.t >= self.max_steps


def mlp(inp, hidden, out, tanh):
    layers, d = [], inp
    for h in hidden:
        layers += [nn.Linear(d, h), nn.ReLU()]
        d = h
    layers.append(nn.Linear(d, out))
    if tanh:
        layers.append(nn.Tanh())
    return nn.Sequential(*layers)


def evaluate(actor, episodes, base_seed, max_steps):
    env = Pendulum(max_steps)
    returns = []
    for k in range(episodes):
        obs, done, ret = env.reset(base_seed + k), False, 0.0
        while not done:
            with torch.no_grad():
                a = actor(torch.as_tensor(obs).unsqueeze(0))[0].numpy()
            obs, r, term, trunc = env.step(a)
            ret += r
            done = term or trunc
        returns.append(ret)
    return float(np.mean(returns)), float(np.std(returns))


def blas_library():
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
        return sorted(os.path.basename(x) for x in libs) or ["none mapped"]
    except OSError:
        return ["unknown"]


def main():
    cfg = json.load(open(sys.argv[1]))
    td3 = cfg["td3"]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 1)
    torch.set_num_threads(threads)
    seed = cfg["seed"]
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    max_steps = cfg["env"].get("maxEpisodeSteps", 200)
    od, ad = 3, 1

    actor = mlp(od, td3["actorHidden"], ad, True)
    actor_t = mlp(od, td3["actorHidden"], ad, True)
    actor_t.load_state_dict(actor.state_dict())
    critics = [mlp(od + ad, td3["criticHidden"], 1, False) for _ in range(td3["nCritics"])]
    critics_t = [mlp(od + ad, td3["criticHidden"], 1, False) for _ in critics]
    for c, t in zip(critics, critics_t):
        t.load_state_dict(c.state_dict())
    a_opt = torch.optim.Adam(actor.parameters(), lr=td3["actorLr"])
    c_opt = torch.optim.Adam([p for c in critics for p in c.parameters()], lr=td3["criticLr"])

    total = cfg["totalSteps"]
    cap = min(td3["bufferSize"], total)
    obs_b = np.zeros((cap, od), np.float32)
    next_b = np.zeros((cap, od), np.float32)
    act_b = np.zeros((cap, ad), np.float32)
    rew_b = np.zeros((cap, 1), np.float32)
    term_b = np.zeros((cap, 1), np.float32)
    size = pos = 0

    noise = td3["noise"]
    sigma = noise.get("sigma", 0.1) if noise["type"] == "gaussian" else 0.1
    gamma, tau, batch = td3["gamma"], td3["tau"], td3["batchSize"]
    eval_every, eval_eps = cfg["evalEvery"], cfg["evalEpisodes"]
    eval_base = 0x40000000

    env = Pendulum(max_steps)
    obs = env.reset(seed)
    updates = 0
    evals = []
    t0 = time.perf_counter()
    for step in range(total):
        if step < td3["learningStarts"]:
            a = rng.uniform(-1, 1, size=ad).astype(np.float32)
        else:
            with torch.no_grad():
                a = actor(torch.as_tensor(obs).unsqueeze(0))[0].numpy()
            a = np.clip(a + sigma * rng.standard_normal(ad), -1, 1).astype(np.float32)
        nobs, r, term, trunc = env.step(a)
        obs_b[pos], next_b[pos], act_b[pos], rew_b[pos], term_b[pos] = obs, nobs, a, r, float(term)
        pos, size = (pos + 1) % cap, min(size + 1, cap)
        obs = env.reset() if (term or trunc) else nobs
        n = step + 1
        if n > td3["learningStarts"]:
            idx = rng.integers(0, size, size=batch)
            o, a_, r_, no, d = (torch.as_tensor(x[idx]) for x in (obs_b, act_b, rew_b, next_b, term_b))
            updates += 1
            with torch.no_grad():
                eps = (torch.randn_like(a_) * td3["targetNoise"]).clamp(-td3["noiseClip"], td3["noiseClip"])
                na = (actor_t(no) + eps).clamp(-1, 1)
                nin = torch.cat([no, na], 1)
                nq = torch.min(torch.cat([t(nin) for t in critics_t], 1), 1, keepdim=True)[0]
                y = r_ + (1 - d) * gamma * nq
            inp = torch.cat([o, a_], 1)
            loss = sum(F.mse_loss(c(inp), y) for c in critics)
            c_opt.zero_grad()
            loss.backward()
            c_opt.step()
            if updates % td3["policyDelay"] == 0:
                a_loss = -critics[0](torch.cat([o, actor(o)], 1)).mean()
                a_opt.zero_grad()
                a_loss.backward()
                a_opt.step()
                with torch.no_grad():
                    for net, tgt in list(zip(critics, critics_t)) + [(actor, actor_t)]:
                        for p, tp in zip(net.parameters(), tgt.parameters()):
                            tp.mul_(1 - tau).add_(p, alpha=tau)
        if eval_every > 0 and n % eval_every == 0 and n < total:
            evals.append([n, *evaluate(actor, eval_eps, eval_base, max_steps)])
    mean, std = evaluate(actor, eval_eps, eval_base, max_steps)
    evals.append([total, mean, std])
    wall = time.perf_counter() - t0
    print(json.dumps({
        "wall_clock_s": wall,
        "updates": updates,
        "final_eval_mean": mean,
        "final_eval_std": std,
        "evals": evals,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
    }))


if __name__ == "__main__":
    main()
