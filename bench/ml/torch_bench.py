#!/usr/bin/python3
"""PyTorch reference for `npm run cli -- bench ml`: the same TD3 update (policy delay 2), VAE step
and batch-1 actor inference as bench/ml/ml-bench-child.ts times in the app's code, on the CPU. Prints one JSON object on stdout.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 bench/ml/torch_bench.py --json
Point BLAS at OpenBLAS first (see bench/README.md); the reference BLAS is ~15x slower.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp(inp, hidden, out, tanh):
    layers, d = [], inp
    for h in hidden:
        layers += [nn.Linear(d, h), nn.ReLU()]
        d = h
    layers.append(nn.Linear(d, out))
    if tanh:
        layers.append(nn.Tanh())
    return nn.Sequential(*layers)


class Td3:
    def __init__(self, obs_dim, act_dim, hidden, n_critics=2, gamma=0.99, tau=0.005, target_noise=0.2, noise_clip=0.5, lr=1e-3):
        self.actor = mlp(obs_dim, hidden, act_dim, True)
        self.actor_target = mlp(obs_dim, hidden, act_dim, True)
        self.actor_target.load_state_dict(self.actor.state_dict())
        self.critics = [mlp(obs_dim + act_dim, hidden, 1, False) for _ in range(n_critics)]
        self.critic_targets = [mlp(obs_dim + act_dim, hidden, 1, False) for _ in range(n_critics)]
        for c, t in zip(self.critics, self.critic_targets):
            t.load_state_dict(c.state_dict())
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=lr)
        self.critic_opt = torch.optim.Adam([p for c in self.critics for p in c.parameters()], lr=lr)
        self.gamma, self.tau, self.target_noise, self.noise_clip = gamma, tau, target_noise, noise_clip

    def update(self, obs, act, rew, next_obs, term, update_actor=True):
        with torch.no_grad():
            noise = (torch.randn_like(act) * self.target_noise).clamp(-self.noise_clip, self.noise_clip)
            next_a = (self.actor_target(next_obs) + noise).clamp(-1, 1)
            nxt = torch.cat([next_obs, next_a], 1)
            q = torch.min(torch.cat([t(nxt) for t in self.critic_targets], 1), 1).values
            y = rew + self.gamma * (1 - term) * q
        sa = torch.cat([obs, act], 1)
        critic_loss = sum(F.mse_loss(c(sa).squeeze(1), y) for c in self.critics)
        self.critic_opt.zero_grad()
        critic_loss.backward()
        self.critic_opt.step()
        if update_actor:
            actor_loss = -self.critics[0](torch.cat([obs, self.actor(obs)], 1)).mean()
            self.actor_opt.zero_grad()
            actor_loss.backward()
            self.actor_opt.step()
            with torch.no_grad():
                for net, tgt in [(self.actor, self.actor_target)] + list(zip(self.critics, self.critic_targets)):
                    for p, tp in zip(net.parameters(), tgt.parameters()):
                        tp.mul_(1 - self.tau).add_(p, alpha=self.tau)


class ConvVae(nn.Module):
    """4x4 stride-2 convs (padding 1: exact halving), mirrored transposed convs, sigmoid output."""

    def __init__(self, height=64, width=64, channels=(32, 64, 128, 256), latent=32, beta=1.0):
        super().__init__()
        enc, c_in = [], 3
        for c in channels:
            enc += [nn.Conv2d(c_in, c, 4, 2, 1), nn.ReLU()]
            c_in = c
        self.enc = nn.Sequential(*enc)
        s = 2 ** len(channels)
        self.h0, self.w0 = height // s, width // s
        flat = channels[-1] * self.h0 * self.w0
        self.mean = nn.Linear(flat, latent)
        self.log_var = nn.Linear(flat, latent)
        self.fc = nn.Linear(latent, flat)
        dec, rev = [], list(channels[::-1]) + [3]
        for i in range(len(channels)):
            dec.append(nn.ConvTranspose2d(rev[i], rev[i + 1], 4, 2, 1))
            if i < len(channels) - 1:
                dec.append(nn.ReLU())
        self.dec = nn.Sequential(*dec)
        self.channels, self.beta = channels, beta

    def loss(self, x):
        h = self.enc(x).flatten(1)
        mu, lv = self.mean(h), self.log_var(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * lv)
        d = F.relu(self.fc(z)).view(-1, self.channels[-1], self.h0, self.w0)
        r = torch.sigmoid(self.dec(d))
        rec = ((r - x) ** 2).sum(dim=(1, 2, 3)).mean()
        kl = (-0.5 * (1 + lv - mu ** 2 - lv.exp()).sum(1)).mean()
        return rec + self.beta * kl, rec, kl


def timeit(fn, repeats, warmup):
    """(median, min) of `repeats` timed calls in ms, after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
    return med, times[0]


def blas_info():
    try:
        out = subprocess.run(["update-alternatives", "--query", "libblas.so.3-x86_64-linux-gnu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Value:"):
                return line.split(":", 1)[1].strip()
    except Exception:  # noqa: BLE001 - informational only
        pass
    return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--vae-repeats", type=int, default=3)
    p.add_argument("--skip-vae", action="store_true")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--vae-batch", type=int, default=64)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    obs_dim, act_dim, hidden = 32, 2, [256, 256]
    td3 = Td3(obs_dim, act_dim, hidden)
    b = args.batch
    batch = (torch.rand(b, obs_dim) * 2 - 1, torch.rand(b, act_dim) * 2 - 1, torch.randn(b), torch.rand(b, obs_dim) * 2 - 1, (torch.rand(b) < 0.1).float())
    res = {"torch_version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_info()}
    # As the app's Td3 (policy delay 2): the critics every update, the actor and targets every 2nd;
    # one timed sample is such a pair, halved.
    def pair():
        td3.update(*batch, update_actor=False)
        td3.update(*batch, update_actor=True)

    med, low = timeit(pair, args.repeats, 3)
    res["td3_update_ms"], res["td3_update_min_ms"] = med / 2, low / 2
    one = torch.rand(1, obs_dim)

    def infer():
        with torch.no_grad():
            td3.actor(one).numpy()

    res["actor_infer_ms"], _ = timeit(infer, args.repeats * 10, 20)
    if not args.skip_vae:
        vae = ConvVae(beta=0.1)  # the drive pipeline's default
        opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
        x = torch.rand(args.vae_batch, 3, 64, 64)

        def step():
            loss, rec, kl = vae.loss(x)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return float(rec), float(kl)

        res["vae_step_ms"], res["vae_step_min_ms"] = timeit(step, args.vae_repeats, 1)
    json.dump(res, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
