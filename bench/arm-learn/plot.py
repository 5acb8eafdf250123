"""Learning curves of `bench arm-learn`: /usr/bin/python3 plot.py CURVES.json OUT.png"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

data = json.load(open(sys.argv[1]))
fig, (ax, bx) = plt.subplots(1, 2, figsize=(8.4, 3.2))
for r in data["runs"]:
    eps = r["episodes"]
    steps = [e[0] for e in eps]
    succ = [e[1] for e in eps]
    dist = [e[2] for e in eps]
    w = 20  # training episodes (with exploration noise) averaged, faint
    sm = [sum(succ[max(0, i - w + 1): i + 1]) / len(succ[max(0, i - w + 1): i + 1]) for i in range(len(succ))]
    line, = ax.plot(steps, [100 * s for s in sm], alpha=0.3, linewidth=1)
    c = line.get_color()
    ev = r["evals"]
    ax.plot([e[0] for e in ev], [100 * e[1] for e in ev], "o-", color=c, markersize=3, linewidth=1.5,
            label=f"seed {r['seed']}: {100 * r['finalSuccess']:.0f}%")
    dm = [sum(dist[max(0, i - w + 1): i + 1]) / len(dist[max(0, i - w + 1): i + 1]) for i in range(len(dist))]
    bx.plot(steps, [100 * d for d in dm], alpha=0.3, linewidth=1, color=c)
    bx.plot([e[0] for e in ev], [100 * e[2] for e in ev], "o-", color=c, markersize=3, linewidth=1.5)
ax.axhline(100 * data["goal"], color="grey", linestyle="--", linewidth=0.8)
ax.set_ylim(-2, 102)
ax.set_ylabel("success rate (%)")
ax.set_title(f"TD3 on {data['env']}: success ({data['backend']})", fontsize=10)
ax.legend(fontsize=7, loc="lower right")
bx.axhline(5, color="grey", linestyle="--", linewidth=0.8)
bx.set_yscale("log")
bx.set_ylabel("final distance to goal (cm)")
bx.set_title("mean final distance", fontsize=10)
for a in (ax, bx):
    a.set_xlabel("env steps")
    a.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=80)
