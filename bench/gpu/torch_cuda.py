#!/usr/bin/python3
"""PyTorch CUDA reference for `npm run cli -- bench gpu`: the same TD3 update, VAE step and
actor inference (batch 1 and 256) as bench/gpu/speed-child.ts, on the GPU, with
torch.cuda.synchronize() closing every timed call. The models are bench/ml/torch_bench.py's.
Prints one JSON object on stdout; {"note": ...} when CUDA is not available.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ml"))

try:
    import torch  # noqa: E402

    from torch_bench import ConvVae, Td3  # noqa: E402
except ImportError as e:
    json.dump({"note": f"PyTorch not available: {e}"}, sys.stdout)
    sys.exit(0)


def timed(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    if not torch.cuda.is_available():
        json.dump({"note": f"torch {torch.__version__}: CUDA not available"}, sys.stdout)
        return
    dev = torch.device("cuda")
    torch.set_default_device(dev)
    torch.manual_seed(0)
    hidden = [64, 64] if args.quick else [256, 256]
    b = 64 if args.quick else 256
    td3 = Td3(32, 2, hidden)
    batch = (torch.rand(b, 32) * 2 - 1, torch.rand(b, 2) * 2 - 1, torch.randn(b), torch.rand(b, 32) * 2 - 1, (torch.rand(b) < 0.1).float())
    res = {"torch_version": torch.__version__, "device": torch.cuda.get_device_name(0)}
    res["td3_update_ms"] = timed(lambda: td3.update(*batch), args.repeats, 5)

    def infer(n):
        x = torch.rand(n, 32)
        with torch.no_grad():
            td3.actor(x).cpu().numpy()

    res["actor_infer_b1_ms"] = timed(lambda: infer(1), args.repeats * 5, 10)
    res["actor_infer_b256_ms"] = timed(lambda: infer(256), args.repeats * 2, 10)
    vae = ConvVae(32, 32, (8, 16, 32, 64), 8) if args.quick else ConvVae()
    opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
    x = torch.rand(8, 3, 32, 32) if args.quick else torch.rand(64, 3, 64, 64)

    def step():
        loss, _, _ = vae.loss(x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        float(loss)

    res["vae_step_ms"] = timed(step, max(2, args.repeats // 4), 2)
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
