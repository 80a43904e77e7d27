#!/usr/bin/env python3
"""Write one file that is a single line holding many key-shaped candidates.

    python3 bench/gen_longline.py OUT [--keys N] [--bytes B] [--seed S]

Each candidate is `WANDB_API_KEY=<fake v1 key>;` (a direct W&B assignment, so every one is a
finding); the line is padded with `x` to B bytes (default 10 MiB) and has no line break.
Keys are generated fakes of the v1 shape (`wandb_v1_` + 27 + `_` + 49 alphanumerics), never
real keys. The same arguments always give the same bytes.
"""
import argparse
import random
import string

ALNUM = string.ascii_letters + string.digits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--bytes", type=int, default=10 * 1024 * 1024)
    ap.add_argument("--seed", type=int, default=14)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    parts = []
    size = 0
    for _ in range(a.keys):
        key = "wandb_v1_" + "".join(rng.choices(ALNUM, k=27)) + "_" + "".join(rng.choices(ALNUM, k=49))
        item = f"WANDB_API_KEY={key};"
        parts.append(item)
        size += len(item)
    line = "".join(parts)
    if size > a.bytes:
        raise SystemExit(f"{a.keys} candidates need {size} bytes, more than --bytes {a.bytes}")
    line += "x" * (a.bytes - size)
    with open(a.out, "w", encoding="ascii", newline="") as f:
        f.write(line)


if __name__ == "__main__":
    main()
