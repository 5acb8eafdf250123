"""Learning curves of `bench pendulum`: /usr/bin/python3 plot.py CURVES.json OUT.png"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

data = json.load(open(sys.argv[1]))
algos = sorted({r["algo"] for r in data["runs"]}, key=lambda a: ["td3", "ddpg"].index(a) if a in ("td3", "ddpg") else 9)
fig, axes = plt.subplots(1, len(algos), figsize=(4.2 * len(algos), 3.2), sharey=True, squeeze=False)
for ax, algo in zip(axes[0], algos):
    for r in [r for r in data["runs"] if r["algo"] == algo]:
        steps = [e[0] for e in r["episodes"]]
        rets = [e[1] for e in r["episodes"]]
        # Mean of the last 10 training episodes (with exploration noise), faint.
        sm = [sum(rets[max(0, i - 9): i + 1]) / len(rets[max(0, i - 9): i + 1]) for i in range(len(rets))]
        line, = ax.plot(steps, sm, alpha=0.35, linewidth=1)
        ax.plot([e[0] for e in r["evals"]], [e[1] for e in r["evals"]], "o-", color=line.get_color(),
                markersize=3, linewidth=1.5, label=f"seed {r['seed']}: {r['final']:.0f}")
    ax.axhline(-200, color="grey", linestyle="--", linewidth=0.8)
    ax.set_title(f"{algo.upper()} on pendulum ({data['backend']})", fontsize=10)
    ax.set_xlabel("env steps")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
axes[0][0].set_ylabel("return (dots: deterministic eval)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=90)
