#!/usr/bin/env python3
"""Deterministic git-history benchmark repositories for `wandb-sa-lint scan --history`.

    python3 bench/gen_history.py --out DIR [--size small|large] [--commits N]
                                 [--target-mib M] [--seed N] [--no-repack] [--force]
    python3 bench/gen_history.py --out DIR --mode staged [--files 100000] [--staged 20]

--mode history (the default) builds a git repository that looks like the history
of an ML project: Python packages, tests and scripts, YAML experiment configs,
GitHub Actions workflows, Dockerfiles, shell scripts, requirements files,
Jupyter notebooks (with base64 image outputs), Markdown docs, CSV results and
JSONL data manifests. Over the commits files are edited (lines changed,
inserted, deleted, rows appended, notebooks re-run), added, renamed (single
files and the odd whole directory) and deleted; the history is linear.

  size    commits   unique blobs / bytes   HEAD files   generation here (2 busy cores)
  small       500      ~1,300 / ~20 MiB         ~400     ~6 s
  large    10,000     ~21,000 / ~360 MiB      ~2,350     ~1 min 45 s (75 s stream + fast-import,
                                                           27 s repack; pack 39 MiB)

Hard negatives are part of the content: pinned action SHAs in workflows, pinned
model revisions and dataset digests (40 hex, the legacy key shape), sha256
hashes in lock files.

Fake W&B keys of the three shapes (current `wandb_v1_` + 27 + `_` + 49
alphanumerics, legacy 40 lowercase hex, self-managed `local-`/`vm-` + 40 hex),
all from the seeded PRNG, are planted in W&B contexts (`WANDB_API_KEY=` in .env
files, `wandb.login(key=...)`, `os.environ["WANDB_API_KEY"]`, workflow `env:`,
`export` in shell scripts, `ENV` in Dockerfiles, a `wandb:` section in a YAML
config, a netrc entry for the W&B host, a notebook cell). Each key is ADDED in
one commit and most are REMOVED in a later one (the line is replaced by an
environment lookup, or the file is deleted); the rest are still there at HEAD.
A file never holds more than one planted key at a time and is never renamed
while it holds one, so (path, shape, commit) identifies a key.

The manifest DIR.planted.tsv (beside DIR, not in it) lists them, without the
key text: path, added (0-based commit index in `git rev-list --reverse HEAD`
order), removed (index of the commit that removed it, or empty if it is still
at HEAD), shape (v1 | legacy | prefixed), context. DIR.stats.json holds the
counts (commits, unique blobs and bytes, HEAD files, timings).

--mode staged builds the pre-commit case: ONE commit with --files small files
(default 100,000) checked out, then --staged of them (default 20) modified and
`git add`ed, one of them with a planted fake key (listed in DIR.planted.tsv with
added = "staged"). About 80 s here, most of it checking out the 100,000 files.

The stream is generated in Python and piped into `git fast-import` (commit
dates come from the PRNG, so the same --seed and size always give the same
commit ids); the pack fast-import writes has almost no deltas, so it is then
repacked with `git repack -a -d -f` the way a server-side clone would be
(skip with --no-repack). DIR gets a checked-out work tree.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import string
import subprocess
import sys
import time

MiB = 1 << 20

# commits: length of the history; mib: unique blob bytes to aim for over the whole
# history (the byte controller in History.choose_edits keeps within a few %);
# head_files: how many files HEAD should have.
SIZES = {
    "small": dict(commits=500, mib=20, head_files=450),
    "large": dict(commits=10_000, mib=360, head_files=2600),
}

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"

# --- vocabulary ------------------------------------------------------------------------
NOUNS = (
    "model encoder decoder attention layer batch loss optimizer scheduler dataset loader "
    "tokenizer embedding logits metric checkpoint feature sample gradient weight config "
    "trainer pipeline head backbone mask token vocab label split augment transform buffer "
    "cache window kernel stride channel block residual norm dropout activation projection "
    "query value context memory policy reward critic actor sweep run artifact table report "
    "benchmark prompt completion adapter lora teacher student anchor margin queue shard "
    "epoch step warmup schedule image caption frame clip patch prior posterior latent"
).split()
VERBS = (
    "build load save compute apply init update reset prepare collate encode decode normalize "
    "sample evaluate train validate predict log export register resolve parse merge split "
    "filter shuffle pad truncate clip accumulate schedule freeze unfreeze project aggregate "
    "summarize gather scatter reduce cache restore upload download fetch render plot"
).split()
ADJS = (
    "fast slow small large shared frozen masked causal sparse dense global local stable "
    "noisy clean raw cached pretrained finetuned quantized distilled mixed robust"
).split()
WORDS = (
    "the a this that we our training run model data each new old when if before after "
    "with without for into from over under loss rate batch size step epoch config value "
    "result metric baseline experiment should must can will not only also then results "
    "improves reduces matches follows uses keeps logs saves loads returns handles"
).split()
MODULES = ["torch", "np", "F", "nn", "torch.nn.functional", "math", "utils", "ops", "dist"]
FUNCS = (
    "mean sum stack cat softmax log_softmax relu gelu matmul einsum zeros ones arange "
    "linspace clamp where topk argmax sqrt exp tanh sigmoid normalize interpolate"
).split()
PKGS = [
    "torch", "torchvision", "numpy", "pandas", "scikit-learn", "transformers", "datasets",
    "accelerate", "wandb", "hydra-core", "omegaconf", "einops", "timm", "tqdm", "pyyaml",
    "matplotlib", "seaborn", "rich", "typer", "pydantic", "safetensors", "sentencepiece",
    "lightning", "jsonlines", "pyarrow", "scipy", "opencv-python", "albumentations",
]
PEOPLE = [
    ("Ada Lin", "ada.lin@example.com", "+0100"), ("Bo Chen", "bo.chen@example.com", "+0800"),
    ("Carla Mendes", "carla@example.org", "-0300"), ("Dev Patel", "dev.patel@example.com", "+0530"),
    ("Erik Larsen", "erik@example.net", "+0100"), ("Fatima Noor", "fatima.noor@example.com", "+0400"),
    ("Gus Walker", "gus@example.org", "-0700"), ("Hana Sato", "hana.sato@example.jp", "+0900"),
    ("Ivan Petrov", "ivan.p@example.com", "+0200"), ("Jess Moore", "jess@example.com", "-0500"),
    ("Kofi Mensah", "kofi@example.org", "+0000"), ("ci-bot", "ci-bot@example.com", "+0000"),
]
PROJECT = "visiongpt"
SUBPKGS = ["models", "data", "training", "eval", "utils", "layers", "losses", "inference", "tracking"]
CONFIG_GROUPS = ["experiment", "model", "data", "optimizer", "sweep", "trainer"]
STAGES = ["dev", "staging", "prod", "local", "gpu-box", "cluster"]
ACTIONS = ["actions/checkout", "actions/setup-python", "actions/cache",
           "actions/upload-artifact", "docker/build-push-action", "astral-sh/setup-uv"]

# kind: (weight among new files, weight among edits, line cap)
KINDS = {
    "py": (44, 52, 1400),
    "test": (10, 8, 700),
    "yaml": (12, 10, 300),
    "md": (8, 7, 1500),
    "ipynb": (4, 5, 0),
    "csv": (4, 6, 20000),
    "jsonl": (3, 3, 12000),
    "sh": (5, 3, 200),
    "workflow": (2, 3, 260),
    "docker": (2, 1, 120),
    "req": (2, 2, 120),
    "json": (4, 2, 400),
}


def rnd_str(rng, alphabet, n):
    return "".join(rng.choices(alphabet, k=n))


def ident(rng):
    r = rng.random()
    if r < 0.4:
        return rng.choice(NOUNS)
    if r < 0.7:
        return f"{rng.choice(ADJS)}_{rng.choice(NOUNS)}"
    return f"{rng.choice(NOUNS)}_{rng.choice(NOUNS)}"


def sentence(rng, lo=6, hi=18):
    w = rng.choices(WORDS + NOUNS, k=rng.randint(lo, hi))
    return " ".join(w).capitalize() + "."


def num(rng):
    r = rng.random()
    if r < 0.3:
        return str(rng.choice([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]))
    if r < 0.6:
        return f"{rng.choice([1, 2, 3, 5])}e-{rng.randint(2, 6)}"
    return f"{rng.random():.{rng.randint(2, 4)}f}"


# --- line and block generators, one per kind ---------------------------------------------
def py_stmt(rng, ind, wb):
    """One Python-looking statement at indent `ind`."""
    p = " " * ind
    a, b = ident(rng), ident(rng)
    r = rng.random()
    if wb and r < 0.05:
        return f'{p}wandb.log({{"{rng.choice(NOUNS)}/{rng.choice(NOUNS)}": {a}}}, step=step)'
    if r < 0.25:
        return f"{p}{a} = {rng.choice(MODULES)}.{rng.choice(FUNCS)}({b}, dim={rng.randint(-2, 3)})"
    if r < 0.35:
        return f'{p}logger.info("{rng.choice(VERBS)} {rng.choice(NOUNS)}: %s", {a})'
    if r < 0.45:
        return f"{p}{a} = self.{b}({ident(rng)}, {rng.choice(NOUNS)}={num(rng)})"
    if r < 0.55:
        return f"{p}{a} += {b} * {num(rng)}"
    if r < 0.62:
        return f"{p}# {sentence(rng, 4, 12)}"
    if r < 0.70:
        return f"{p}{a} = cfg.{rng.choice(NOUNS)}.{rng.choice(NOUNS)}"
    if r < 0.78:
        return f"{p}assert {a}.shape[{rng.randint(0, 2)}] == {b}.shape[{rng.randint(0, 2)}], \"{rng.choice(NOUNS)} mismatch\""
    if r < 0.86:
        return f"{p}{a} = [{rng.choice(VERBS)}_{rng.choice(NOUNS)}(x) for x in {b}]"
    if r < 0.93:
        return f"{p}{a}.{rng.choice(['append', 'extend', 'update', 'add'])}({b})"
    return f"{p}{a} = {{\"{rng.choice(NOUNS)}\": {b}, \"{rng.choice(NOUNS)}\": {num(rng)}}}"


def py_block(rng, wb):
    """A function or a class: a list of lines ending with a blank line."""
    out = []
    if rng.random() < 0.25:
        cls = "".join(w.capitalize() for w in ident(rng).split("_")) + rng.choice(["", "Module", "Config", "Head"])
        out.append(f"class {cls}({rng.choice(['nn.Module', 'object', 'Dataset', 'Callback'])}):")
        out.append(f'    """{sentence(rng)}"""')
        out.append("")
        for m in range(rng.randint(1, 4)):
            name = "__init__" if m == 0 else f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
            out.append(f"    def {name}(self, {ident(rng)}, {ident(rng)}={num(rng)}):")
            for _ in range(rng.randint(2, 10)):
                out.append(py_stmt(rng, 8, wb))
            if name != "__init__":
                out.append(f"        return {ident(rng)}")
            out.append("")
    else:
        out.append(f"def {rng.choice(VERBS)}_{rng.choice(NOUNS)}({ident(rng)}, {ident(rng)}={num(rng)}):")
        out.append(f'    """{sentence(rng)}"""')
        for _ in range(rng.randint(2, 14)):
            if rng.random() < 0.12:
                out.append(f"    for i, {ident(rng)} in enumerate({ident(rng)}):")
                out.append(py_stmt(rng, 8, wb))
            else:
                out.append(py_stmt(rng, 4, wb))
        out.append(f"    return {ident(rng)}")
    out.append("")
    out.append("")
    return out


def py_file(rng, wb, test=False, nblocks=None):
    lines = [f'"""{sentence(rng)}"""', ""]
    imps = ["import logging", "import os", "import math", "from pathlib import Path",
            "import torch", "import torch.nn as nn", "import torch.nn.functional as F",
            "import numpy as np", f"from {PROJECT}.utils import {rng.choice(NOUNS)}",
            "from dataclasses import dataclass", "from typing import Any, Optional"]
    lines += sorted(set(rng.sample(imps, rng.randint(3, 8))))
    if wb:
        lines.append("import wandb")
    if test:
        lines.append("import pytest")
    lines += ["", "logger = logging.getLogger(__name__)", ""]
    if rng.random() < 0.06:  # hard negative: a pinned revision, 40 hex
        lines.append(f'MODEL_REVISION = "{rnd_str(rng, HEX, 40)}"  # pinned hub revision')
        lines.append("")
    lines.append("")
    for _ in range(nblocks if nblocks is not None else rng.randint(1, 14)):
        if test:
            lines.append(f"def test_{rng.choice(VERBS)}_{rng.choice(NOUNS)}({ident(rng)}):")
            for _ in range(rng.randint(2, 8)):
                lines.append(py_stmt(rng, 4, False))
            lines += [f"    assert {ident(rng)} == {num(rng)}", "", ""]
        else:
            lines += py_block(rng, wb)
    if wb and not test:
        lines += [
            "def main(cfg):",
            f'    run = wandb.init(project="{PROJECT}", entity="ml-team", config=cfg, job_type="{rng.choice(["train", "eval", "sweep"])}")',
            "    for step in range(cfg.trainer.max_steps):",
            "        loss = train_step(cfg, step)",
            '        wandb.log({"train/loss": loss}, step=step)',
            "    run.finish()",
            "",
        ]
    return lines


def yaml_line(rng, ind=2):
    p = " " * ind
    r = rng.random()
    if r < 0.6:
        return f"{p}{ident(rng)}: {num(rng)}"
    if r < 0.75:
        return f"{p}{rng.choice(NOUNS)}: {rng.choice(['true', 'false', 'null', 'auto'])}"
    if r < 0.9:
        return f"{p}{rng.choice(NOUNS)}: [{', '.join(num(rng) for _ in range(rng.randint(2, 5)))}]"
    return f"{p}# {sentence(rng, 3, 9)}"


def yaml_block(rng):
    out = [f"{rng.choice(NOUNS)}:"]
    out += [yaml_line(rng) for _ in range(rng.randint(2, 12))]
    out.append("")
    return out


def yaml_file(rng):
    lines = [f"# {sentence(rng)}", f"defaults:", f"  - {rng.choice(CONFIG_GROUPS)}: {ident(rng)}", ""]
    for _ in range(rng.randint(2, 12)):
        lines += yaml_block(rng)
    if rng.random() < 0.08:  # hard negative
        lines += ["dataset:", f"  revision: {rnd_str(rng, HEX, 40)}", f"  sha256: {rnd_str(rng, HEX, 64)}", ""]
    return lines


def md_para(rng):
    out = []
    r = rng.random()
    if r < 0.15:
        out.append(f"{'#' * rng.randint(2, 3)} {sentence(rng, 2, 5)[:-1]}")
        out.append("")
    if r > 0.8:
        out += ["```bash", f"python -m {PROJECT}.{rng.choice(SUBPKGS)}.{rng.choice(VERBS)} "
                f"--config configs/{rng.choice(CONFIG_GROUPS)}/{ident(rng)}.yaml", "```", ""]
    elif r > 0.6:
        out += [f"- {sentence(rng, 4, 12)}" for _ in range(rng.randint(2, 6))] + [""]
    else:
        out += [sentence(rng, 8, 24) for _ in range(rng.randint(1, 4))] + [""]
    return out


def md_file(rng):
    lines = [f"# {sentence(rng, 2, 5)[:-1]}", ""]
    for _ in range(rng.randint(3, 30)):
        lines += md_para(rng)
    return lines


CSV_HEADER = "run_id,step,epoch,loss,val_loss,accuracy,lr,grad_norm,tokens_per_s,timestamp"


def csv_row(rng):
    return (f"{rnd_str(rng, string.ascii_lowercase + string.digits, 8)},{rng.randint(0, 200000)},"
            f"{rng.randint(0, 90)},{rng.random() * 4:.5f},{rng.random() * 4:.5f},{rng.random():.4f},"
            f"{rng.random() * 1e-3:.6f},{rng.random() * 10:.3f},{rng.randint(1000, 90000)},"
            f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00")


def jsonl_row(rng):
    return json.dumps({"id": rng.randint(0, 10**7), "path": f"data/{rng.choice(['train', 'val', 'test'])}/"
                       f"{rnd_str(rng, HEX, 12)}.jpg", "label": rng.randint(0, 999),
                       "caption": sentence(rng, 5, 14), "split": rng.choice(["train", "val", "test"])})


def sh_line(rng):
    r = rng.random()
    if r < 0.4:
        return (f"python -m {PROJECT}.{rng.choice(SUBPKGS)}.{rng.choice(VERBS)} --{rng.choice(NOUNS)} {num(rng)} "
                f"--{rng.choice(NOUNS)}-{rng.choice(NOUNS)} {num(rng)}")
    if r < 0.6:
        return f'export {rng.choice(NOUNS).upper()}_{rng.choice(NOUNS).upper()}="{num(rng)}"'
    if r < 0.8:
        return f"# {sentence(rng, 3, 10)}"
    return f'echo "{rng.choice(VERBS)} {rng.choice(NOUNS)} done"'


def sh_file(rng):
    lines = ["#!/usr/bin/env bash", "set -euo pipefail", ""]
    lines += [sh_line(rng) for _ in range(rng.randint(5, 40))]
    return lines


def workflow_file(rng, name):
    lines = [f"name: {name}", "", "on:", "  push:", "    branches: [main]", "  pull_request:", "",
             "env:", '  PYTHONUNBUFFERED: "1"', f"  WANDB_PROJECT: {PROJECT}", "", "jobs:", f"  {name}:",
             "    runs-on: ubuntu-latest", "    steps:"]
    for act in rng.sample(ACTIONS, rng.randint(2, 4)):  # pinned actions: 40-hex hard negatives
        lines.append(f"      - uses: {act}@{rnd_str(rng, HEX, 40)}  # v{rng.randint(2, 5)}")
    for _ in range(rng.randint(2, 8)):
        lines += [f"      - name: {rng.choice(VERBS)} {rng.choice(NOUNS)}",
                  f"        run: {sh_line(rng)}"]
    if rng.random() < 0.6:
        lines += ["      - name: train smoke test", "        env:",
                  "          WANDB_API_KEY: ${{ secrets.WANDB_API_KEY }}",
                  "          WANDB_MODE: offline", f"        run: python -m {PROJECT}.training.train --smoke"]
    return lines


def docker_file(rng):
    lines = [f"FROM pytorch/pytorch:2.{rng.randint(0, 5)}.{rng.randint(0, 2)}-cuda12.1-cudnn8-runtime",
             "WORKDIR /app", "COPY requirements.txt .", "RUN pip install --no-cache-dir -r requirements.txt"]
    for _ in range(rng.randint(3, 15)):
        r = rng.random()
        if r < 0.4:
            lines.append(f"RUN apt-get update && apt-get install -y {rng.choice(['git', 'curl', 'ffmpeg', 'libgl1', 'htop'])}")
        elif r < 0.7:
            lines.append(f"ENV {rng.choice(NOUNS).upper()}_{rng.choice(NOUNS).upper()}={num(rng)}")
        else:
            lines.append(f"COPY {rng.choice(SUBPKGS)}/ /app/{rng.choice(SUBPKGS)}/")
    lines += ["COPY . .", f'CMD ["python", "-m", "{PROJECT}.training.train"]']
    return lines


def req_line(rng):
    pkg = rng.choice(PKGS)
    if rng.random() < 0.3:  # pip-compile style with a hash
        return f"{pkg}=={rng.randint(0, 5)}.{rng.randint(0, 40)}.{rng.randint(0, 9)} \\\n    --hash=sha256:{rnd_str(rng, HEX, 64)}"
    return f"{pkg}>={rng.randint(0, 5)}.{rng.randint(0, 40)}"


def json_file(rng):
    lines = ["{"]
    n = rng.randint(5, 60)
    for i in range(n):
        lines.append(f'  "{ident(rng)}": {num(rng)}' + ("," if i < n - 1 else ""))
    lines.append("}")
    return lines


def png_b64(rng, lo=4_000, hi=60_000):
    """A fake PNG output: an 8-byte PNG signature plus PRNG bytes, base64 (incompressible, like real plots)."""
    raw = b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(lo, hi))
    return base64.b64encode(raw).decode()


def nb_code_cell(rng, count, wb):
    src = [py_stmt(rng, 0, wb) + "\n" for _ in range(rng.randint(1, 12))]
    src[-1] = src[-1].rstrip("\n")
    outputs = []
    r = rng.random()
    if r < 0.3:
        outputs.append({"output_type": "stream", "name": "stdout",
                        "text": [f"{rng.choice(NOUNS)}: {num(rng)}\n" for _ in range(rng.randint(1, 20))]})
    elif r < 0.5:
        outputs.append({"output_type": "display_data", "metadata": {},
                        "data": {"image/png": png_b64(rng), "text/plain": ["<Figure size 640x480 with 1 Axes>"]}})
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": outputs, "source": src}


def nb_md_cell(rng):
    return {"cell_type": "markdown", "metadata": {}, "source": [l + "\n" for l in md_para(rng)][:-1] or ["#"]}


def notebook(rng, wb):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {sentence(rng, 2, 6)[:-1]}"]}]
    first = ["import torch\n", "import numpy as np\n", "import matplotlib.pyplot as plt\n"]
    if wb:
        first += ["import wandb\n", f'run = wandb.init(project="{PROJECT}", job_type="analysis")']
    cells.append({"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": first})
    for i in range(rng.randint(4, 24)):
        cells.append(nb_code_cell(rng, i + 2, wb) if rng.random() < 0.7 else nb_md_cell(rng))
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
            "name": "python3"}, "language_info": {"name": "python", "version": "3.10.12"}},
            "nbformat": 4, "nbformat_minor": 5}


# --- files ---------------------------------------------------------------------------------
class File:
    """One file of the work tree: its kind and content (lines, or a notebook dict)."""

    __slots__ = ("kind", "lines", "nb", "wb", "protect", "key", "exe", "_data")

    def __init__(self, kind, lines=None, nb=None, wb=False, exe=False):
        self.kind = kind
        self.lines = lines
        self.nb = nb
        self.wb = wb
        self.protect = set()  # lines (or notebook cell indices' ids) generic edits keep
        self.key = None  # the Plant live in this file, if any
        self.exe = exe
        self._data = None

    def data(self):
        if self._data is None:
            if self.nb is not None:
                s = json.dumps(self.nb, indent=1, ensure_ascii=False) + "\n"
            else:
                s = "\n".join(self.lines) + "\n"
            self._data = s.encode()
        return self._data

    def touch(self):
        self._data = None

    def size(self):
        return len(self.data())


def new_file(rng, kind, path):
    wb = kind in ("py", "ipynb") and ("training" in path or "tracking" in path or "scripts" in path
                                      or "notebooks" in path or rng.random() < 0.15)
    if kind == "py":
        return File(kind, py_file(rng, wb), wb=wb)
    if kind == "test":
        return File(kind, py_file(rng, False, test=True))
    if kind == "yaml":
        return File(kind, yaml_file(rng))
    if kind == "md":
        return File(kind, md_file(rng))
    if kind == "ipynb":
        return File(kind, nb=notebook(rng, wb), wb=wb)
    if kind == "csv":
        return File(kind, [CSV_HEADER] + [csv_row(rng) for _ in range(rng.randint(20, 2500))])
    if kind == "jsonl":
        return File(kind, [jsonl_row(rng) for _ in range(rng.randint(50, 1500))])
    if kind == "sh":
        return File(kind, sh_file(rng), exe=True)
    if kind == "workflow":
        return File(kind, workflow_file(rng, os.path.basename(path).split(".")[0]))
    if kind == "docker":
        return File(kind, docker_file(rng))
    if kind == "req":
        return File(kind, sorted(req_line(rng) for _ in range(rng.randint(8, 40))))
    if kind == "json":
        return File(kind, json_file(rng))
    raise ValueError(kind)


def new_path(rng, kind, taken):
    for _ in range(100):
        if kind == "py":
            p = f"src/{PROJECT}/{rng.choice(SUBPKGS)}/{ident(rng)}.py" if rng.random() < 0.8 \
                else f"scripts/{rng.choice(VERBS)}_{rng.choice(NOUNS)}.py"
        elif kind == "test":
            p = f"tests/{rng.choice(SUBPKGS)}/test_{ident(rng)}.py"
        elif kind == "yaml":
            p = f"configs/{rng.choice(CONFIG_GROUPS)}/{ident(rng)}.yaml"
        elif kind == "md":
            p = f"docs/{rng.choice(['', 'guides/', 'design/', 'experiments/'])}{ident(rng).replace('_', '-')}.md"
        elif kind == "ipynb":
            p = f"notebooks/{rng.randint(0, 99):02d}_{ident(rng)}.ipynb"
        elif kind == "csv":
            p = f"results/{rng.choice(['ablations', 'baselines', 'sweeps', 'leaderboard'])}/{ident(rng)}.csv"
        elif kind == "jsonl":
            p = f"data/manifests/{ident(rng)}_{rng.choice(['train', 'val', 'test'])}.jsonl"
        elif kind == "sh":
            p = f"scripts/{rng.choice(VERBS)}_{rng.choice(NOUNS)}.sh"
        elif kind == "workflow":
            p = f".github/workflows/{rng.choice(VERBS)}-{rng.choice(NOUNS)}.yml"
        elif kind == "docker":
            p = f"docker/{rng.choice(NOUNS)}.Dockerfile"
        elif kind == "req":
            p = f"requirements/{rng.choice(['base', 'dev', 'train', 'serve', 'docs', 'eval'])}-{rng.randint(1, 9)}.txt"
        else:
            p = f"configs/{rng.choice(NOUNS)}_{rng.choice(['schema', 'defaults', 'labels', 'classes'])}.json"
        if p not in taken:
            return p
    raise RuntimeError("no free path")


def edit(rng, f, behind):
    """Edit one file in place (never a protected line or cell)."""
    f.touch()
    k = f.kind
    if k == "ipynb":
        cells = f.nb["cells"]
        r = rng.random()
        if r < 0.35:  # re-run: new execution counts and some new outputs
            n = 1
            for c in cells:
                if c["cell_type"] == "code":
                    n += 1
                    c["execution_count"] = n
                    if id(c) not in f.protect and c["outputs"] and rng.random() < 0.4:
                        c["outputs"] = nb_code_cell(rng, n, f.wb)["outputs"]
        elif r < 0.6 and len(cells) < 60:
            cells.insert(rng.randint(2, len(cells)), nb_code_cell(rng, len(cells), f.wb) if rng.random() < 0.7 else nb_md_cell(rng))
        elif r < 0.75 and len(cells) > 5:
            i = rng.randint(2, len(cells) - 1)
            if id(cells[i]) not in f.protect:
                del cells[i]
        else:
            c = rng.choice(cells[1:])
            if id(c) not in f.protect and c["cell_type"] == "code":
                c["source"] = nb_code_cell(rng, 0, f.wb)["source"]
        return
    lines = f.lines
    cap = KINDS[k][2]
    if k in ("csv", "jsonl"):  # mostly appends; trimmed from the top past the cap
        gen = csv_row if k == "csv" else jsonl_row
        lines.extend(gen(rng) for _ in range(rng.randint(5, 300 if behind else 60)))
        if len(lines) > cap:
            del lines[1:1 + len(lines) - cap]
        return
    r = rng.random()
    n = len(lines)
    if r < 0.45 or n < 8:  # change a few lines
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(n)
            if lines[i] in f.protect:
                continue
            old = lines[i]
            ind = len(old) - len(old.lstrip(" "))
            if k in ("py", "test"):
                lines[i] = py_stmt(rng, ind, f.wb) if old.strip() else old
            elif k in ("yaml", "workflow"):
                lines[i] = yaml_line(rng, ind) if ind else old
            elif k == "md":
                lines[i] = sentence(rng, 6, 24) if old and old[0].isalpha() else old
            elif k == "sh":
                lines[i] = sh_line(rng) if i > 2 else old
            elif k == "req":
                lines[i] = req_line(rng)
            elif k == "docker":
                lines[i] = f"ENV {rng.choice(NOUNS).upper()}_{rng.choice(NOUNS).upper()}={num(rng)}" if i > 3 else old
            elif k == "json":
                if 0 < i < n - 1:
                    lines[i] = f'  "{ident(rng)}": {num(rng)},'
    elif r < 0.8 and n < cap:  # insert a block
        if k in ("py", "test"):
            starts = [i for i in range(n) if lines[i].startswith(("def ", "class "))] or [n]
            i = rng.choice(starts + [n])
            blk = py_block(rng, f.wb)
        elif k == "yaml":
            i, blk = n, yaml_block(rng)
        elif k == "md":
            i = rng.randint(1, n)
            blk = md_para(rng)
        elif k == "workflow":
            i, blk = n, [f"      - name: {rng.choice(VERBS)} {rng.choice(NOUNS)}", f"        run: {sh_line(rng)}"]
        elif k == "json":
            i, blk = max(1, n - 1), [f'  "{ident(rng)}": {num(rng)},']
        elif k == "req":
            i, blk = n, [req_line(rng)]
        else:
            i, blk = max(3, n - 1), [sh_line(rng) if k == "sh" else f"RUN echo {rng.choice(NOUNS)}"]
        lines[i:i] = blk
    else:  # delete a few lines
        if n < 12:
            return
        i = rng.randrange(3, n - 2)
        j = min(n - 1, i + rng.randint(1, 12))
        if any(l in f.protect for l in lines[i:j]):
            return
        del lines[i:j]


# --- planted keys -----------------------------------------------------------------------
class Plant:
    __slots__ = ("key", "shape", "context", "path", "added", "removed", "undo")

    def __init__(self, key, shape, context):
        self.key, self.shape, self.context = key, shape, context
        self.path = None
        self.added = None
        self.removed = None
        self.undo = None  # callable: takes the key out of the file again; returns "delete" to delete the file


def fake_key(rng, shape):
    if shape == "v1":
        return f"wandb_v1_{rnd_str(rng, ALNUM, 27)}_{rnd_str(rng, ALNUM, 49)}"
    if shape == "legacy":
        return rnd_str(rng, HEX, 40)
    return f"{rng.choice(['local', 'vm'])}-{rnd_str(rng, HEX, 40)}"


# context -> kind of file it goes in (None: a file of its own)
CONTEXTS = {
    "env-file": None, "netrc": None, "py-login": "py", "py-environ": "py", "workflow-env": "workflow",
    "shell-export": "sh", "yaml-wandb-section": "yaml", "dockerfile-env": "docker", "notebook-login": "ipynb",
}


# --- the history ----------------------------------------------------------------------------
class History:
    def __init__(self, args, rng):
        self.args = args
        self.rng = rng
        self.files: dict[str, File] = {}
        self.by_kind: dict[str, list[str]] = {k: [] for k in KINDS}
        self.by_kind["other"] = []
        self.produced = 0  # unique blob bytes so far
        self.seen = set()  # sha1 of every blob written
        self.plants: list[Plant] = []
        self.time = 1_609_750_800  # 2021-01-04 09:00 UTC

    # bookkeeping -------------------------------------------------------------
    def add(self, path, f):
        self.files[path] = f
        self.by_kind.get(f.kind, self.by_kind["other"]).append(path)

    def remove(self, path):
        f = self.files.pop(path)
        self.by_kind.get(f.kind, self.by_kind["other"]).remove(path)
        return f

    def blob(self, data):
        h = hashlib.sha1(b"blob %d\0" % len(data))
        h.update(data)
        d = h.digest()
        if d not in self.seen:
            self.seen.add(d)
            self.produced += len(data)

    # the initial tree -------------------------------------------------------------
    def initial(self):
        rng = self.rng
        self.add("README.md", File("md", md_file(rng)))
        self.add(".gitignore", File("other", ["__pycache__/", "*.pyc", "wandb/", "outputs/", "*.ckpt", ".ipynb_checkpoints/"]))
        self.add("pyproject.toml", File("other", ["[project]", f'name = "{PROJECT}"', 'version = "0.1.0"',
                                                  'requires-python = ">=3.10"', "dependencies = ["] +
                                        [f'    "{p}",' for p in rng.sample(PKGS, 12)] + ["]"]))
        self.add("requirements.txt", File("req", sorted(req_line(rng) for _ in range(20))))
        self.add("Makefile", File("other", ["train:", f"\tpython -m {PROJECT}.training.train", "test:", "\tpytest -q"]))
        self.add(".github/workflows/ci.yml", File("workflow", workflow_file(rng, "ci")))
        self.add(f"src/{PROJECT}/training/train.py", File("py", py_file(rng, True), wb=True))
        for sub in SUBPKGS:
            self.add(f"src/{PROJECT}/{sub}/__init__.py", File("other", [f'"""{sentence(rng)}"""']))
        n0 = max(30, self.args.head_files // 12)
        for _ in range(n0):
            self.new_random_file()

    def new_random_file(self, kind=None):
        rng = self.rng
        if kind is None:
            kind = rng.choices(list(KINDS), weights=[v[0] for v in KINDS.values()])[0]
        path = new_path(rng, kind, self.files)
        f = new_file(rng, kind, path)
        self.add(path, f)
        return path

    # one commit's changes -------------------------------------------------------------
    def choose_edits(self, i, ncommits, target):
        """Pick files to edit: fewer and smaller when ahead of the byte budget, bigger when behind."""
        rng = self.rng
        expected = target * (i + 1) / ncommits
        per = target / ncommits
        ahead = self.produced > expected + per
        behind = self.produced < expected - 3 * per
        n = 1
        while n < 8 and rng.random() < (0.35 if ahead else 0.55):
            n += 1
        kinds = [k for k in KINDS if self.by_kind[k]]
        weights = [KINDS[k][1] for k in kinds]
        out = []
        for _ in range(n):
            for _try in range(12):
                kind = rng.choices(kinds, weights=weights)[0]
                p = rng.choice(self.by_kind[kind])
                sz = self.files[p].size()
                if ahead and sz > 12_000:
                    continue
                if behind and sz < 8_000 and _try < 8:
                    continue
                out.append(p)
                break
        return out, behind

    def plant(self, i, p: Plant, touched):
        """Put key `p` into a file (new or existing) in commit i; record its path."""
        rng = self.rng
        kind = CONTEXTS[p.context]
        key = p.key
        selfm = p.shape == "prefixed"
        host = "wandb.acme.internal" if selfm else "api.wandb.ai"
        if kind is None:
            if p.context == "env-file":
                cands = [".env", ".env.local", f"deploy/{rng.choice(STAGES)}.env", f"services/{ident(rng)}/.env"]
            else:
                cands = [".netrc", f"docker/{rng.choice(STAGES)}.netrc", f"deploy/{rng.choice(STAGES)}/netrc"]
            cands.append(f"deploy/{ident(rng)}-{rng.randint(0, 10**6)}.{'env' if p.context == 'env-file' else 'netrc'}")
            path = next(c for c in cands if c not in self.files)
            if p.context == "env-file":
                keyline = f"WANDB_API_KEY={key}" if rng.random() < 0.6 else f'WANDB_API_KEY="{key}"'
                lines = [f"WANDB_ENTITY=ml-team", f"WANDB_PROJECT={PROJECT}"]
                if selfm:
                    lines.append(f"WANDB_BASE_URL=https://{host}")
                lines += [keyline, f"DATA_DIR=/mnt/data/{ident(rng)}"]
            else:
                keyline = f"  password {key}"
                lines = [f"machine {host}", "  login user", keyline]
            f = File("other", lines)
            f.protect.update(lines)
            self.add(path, f)
            p.undo = lambda: "delete"
        else:
            pool = [q for q in self.by_kind[kind] if self.files[q].key is None and q not in touched]
            if not pool:
                path = self.new_random_file(kind)
            else:
                path = rng.choice(pool)
            f = self.files[path]
            f.touch()
            if kind == "ipynb":
                src = ["import wandb\n"]
                if selfm:
                    src.append(f'wandb.login(key="{key}", host="https://{host}")\n')
                else:
                    src.append(f'wandb.login(key="{key}")\n')
                src.append(f'run = wandb.init(project="{PROJECT}")')
                cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": src}
                f.nb["cells"].insert(1, cell)
                f.protect.add(id(cell))

                def undo(f=f, cell=cell):
                    cell["source"] = ["import wandb\n", "wandb.login()\n", f'run = wandb.init(project="{PROJECT}")']
                    f.protect.discard(id(cell))
                p.undo = undo
            else:
                lines = f.lines
                if p.context in ("py-login", "py-environ"):
                    at = next((j + 1 for j, l in enumerate(lines) if l.startswith("logger = ")), 2)
                    if p.context == "py-login":
                        block = ["import wandb", ""] if "import wandb" not in lines else []
                        kl = (f'wandb.login(key="{key}", host="https://{host}")' if selfm
                              else f'wandb.login(key="{key}")')
                        block += ["", kl]
                        repl = ["wandb.login()"]
                    else:
                        block = ["", f'os.environ["WANDB_API_KEY"] = "{key}"']
                        if selfm:
                            block.append(f'os.environ["WANDB_BASE_URL"] = "https://{host}"')
                        repl = ['os.environ.setdefault("WANDB_MODE", "offline")']
                    kl = block[-1] if p.context == "py-login" or not selfm else block[-2]
                elif p.context == "workflow-env":
                    at = next((j + 1 for j, l in enumerate(lines) if l == "env:"), None)
                    if at is None:
                        lines[len(lines):] = ["env:"]
                        at = len(lines)
                    kl = f"  WANDB_API_KEY: {key}"
                    block = [kl] + ([f"  WANDB_BASE_URL: https://{host}"] if selfm else [])
                    repl = ["  WANDB_API_KEY: ${{ secrets.WANDB_API_KEY }}"]
                elif p.context == "shell-export":
                    at = 2
                    kl = f"export WANDB_API_KEY={key}"
                    block = [kl] + ([f"export WANDB_BASE_URL=https://{host}"] if selfm else [])
                    repl = ['export WANDB_API_KEY="${WANDB_API_KEY:?set WANDB_API_KEY}"']
                elif p.context == "dockerfile-env":
                    at = 2
                    kl = f"ENV WANDB_API_KEY={key}"
                    block = [kl]
                    repl = ["# WANDB_API_KEY comes from the runtime environment"]
                else:  # yaml-wandb-section
                    at = len(lines)
                    kl = f"  api_key: {key}"
                    block = ["wandb:", f"  project: {PROJECT}", "  entity: ml-team"]
                    if selfm:
                        block.append(f"  base_url: https://{host}")
                    block.append(kl)
                    repl = ["  # api_key: read from WANDB_API_KEY"]
                lines[at:at] = block
                f.protect.update(block)

                def undo(f=f, kl=kl, block=block, repl=repl):
                    j = f.lines.index(kl)
                    f.lines[j:j + 1] = repl
                    f.protect.difference_update(block)
                p.undo = undo
        f.key = p
        p.path = path
        p.added = i
        assert key.encode() in self.files[path].data(), p.context
        return path

    def unplant(self, i, p: Plant):
        f = self.files[p.path]
        r = p.undo()
        f.touch()
        f.key = None
        p.removed = i
        if r == "delete":
            self.remove(p.path)
            return "delete"
        assert p.key.encode() not in f.data(), p.context
        return "modify"


def commit_message(rng, changed):
    p = rng.choice(changed) if changed else "repo"
    base = os.path.basename(p).rsplit(".", 1)[0]
    return rng.choice([
        f"Add {rng.choice(VERBS)}_{rng.choice(NOUNS)} to {base}", f"Fix {rng.choice(NOUNS)} {rng.choice(['shape', 'dtype', 'device', 'off-by-one'])} bug in {base}",
        f"Refactor {base}", f"Update {base}", f"Tune {rng.choice(NOUNS)} {rng.choice(['lr', 'warmup', 'batch size', 'dropout'])}",
        f"WIP {rng.choice(NOUNS)}", f"Bump {rng.choice(PKGS)}", f"Log {rng.choice(NOUNS)} metrics", f"Docs: {base}",
        f"Re-run {base}", f"Merge {rng.choice(NOUNS)} experiment results",
    ])


def fi_data(b: bytes) -> bytes:
    return b"data %d\n" % len(b) + b


def git(args, cwd, **kw):
    # stdin is an empty pipe, never /dev/null (see repack())
    return subprocess.run(["git", *args], cwd=cwd, check=True, input=b"", **kw)


def repack(repo):
    """What `git repack -a -d -f --window=10 --depth=50` does, with pack-objects run directly.

    fast-import's pack is nearly delta-free; a repository cloned from a server has delta
    chains, and reading through them is part of what a history scanner pays for. repack is
    not called itself because it starts pack-objects with stdin from /dev/null and
    pack-objects --revs reads revisions from it: on a machine where /dev/null has been
    clobbered into a regular file (a tool that writes its report by rename, pointed at
    /dev/null), the stray text in it is read as revisions and repack fails.
    """
    pack_dir = os.path.join(repo, ".git", "objects", "pack")
    old = [f for f in os.listdir(pack_dir) if f.startswith("pack-")]
    git(["pack-objects", "-q", "--all", "--reflog", "--indexed-objects", "--non-empty",
         "--no-reuse-delta", "--no-reuse-object", "--delta-base-offset", "--window=10", "--depth=50",
         os.path.join(pack_dir, "pack")], cwd=repo, stdout=subprocess.PIPE)
    new = [f for f in os.listdir(pack_dir) if f.startswith("pack-") and f not in old]
    if not any(f.endswith(".idx") for f in new):
        sys.exit("gen_history: pack-objects wrote no pack")
    for f in old:
        os.remove(os.path.join(pack_dir, f))
    git(["prune-packed", "-q"], cwd=repo)


def init_repo(out):
    os.makedirs(out)
    git(["init", "-q", "--initial-branch=main", out], cwd=".")
    git(["config", "gc.auto", "0"], cwd=out)  # no surprise auto-gc while tools run
    git(["config", "user.name", "Bench"], cwd=out)
    git(["config", "user.email", "bench@example.com"], cwd=out)


def start_fast_import(out):
    return subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=out, stdin=subprocess.PIPE)


def gen_history(args):
    rng = random.Random(args.seed)
    h = History(args, rng)
    n = args.commits
    target = args.target_mib * MiB
    # key schedule: one plant event per chosen commit (never commit 0)
    nkeys = max(24, n * 3 // 200)
    add_at = sorted(rng.sample(range(1, n), min(nkeys, n - 1)))
    shapes = ["v1"] * 4 + ["legacy"] * 4 + ["prefixed"] * 3
    contexts = list(CONTEXTS)
    adds = {}
    removes: dict[int, list[Plant]] = {}
    for j, c in enumerate(add_at):
        # cycle contexts so every context x shape pair turns up in the large history
        p = Plant(None, shapes[j % len(shapes)], contexts[(j // len(shapes) + j) % len(contexts)])
        p.key = fake_key(rng, p.shape)
        adds[c] = p
    # extra files per commit needed to reach head_files (deletes and renames are balanced in)
    add_rate = max(0.0, (args.head_files - 60 - max(30, args.head_files // 12)) / n) * 1.12

    init_repo(args.out)
    t0 = time.time()
    fi = start_fast_import(args.out)
    w = fi.stdin
    w.write(b"feature done\n")
    h.initial()
    for i in range(n):
        changed: list[str] = []
        deleted: list[str] = []
        touched: set[str] = set()
        if i == 0:
            changed = sorted(h.files)
            msg = "Initial commit"
        else:
            edits, behind = h.choose_edits(i, n, target)
            for p in edits:
                if p in touched:
                    continue
                edit(rng, h.files[p], behind)
                touched.add(p)
            # new files
            k = int(add_rate) + (1 if rng.random() < add_rate - int(add_rate) else 0)
            for _ in range(k):
                touched.add(h.new_random_file())
            # deletes and renames (never of a file holding a live key)
            if rng.random() < 0.05:
                cand = rng.choice(list(h.files))
                if h.files[cand].key is None and cand not in touched and cand not in ("README.md", ".gitignore"):
                    h.remove(cand)
                    deleted.append(cand)
            if rng.random() < 0.03:
                cand = rng.choice(list(h.files))
                f = h.files[cand]
                if f.key is None and cand not in touched and f.kind in KINDS:
                    newp = new_path(rng, f.kind, h.files)
                    h.remove(cand)
                    h.add(newp, f)
                    deleted.append(cand)
                    touched.add(newp)
                    if rng.random() < 0.4:
                        edit(rng, f, False)
            if rng.random() < 0.002 and i > 10:  # move a whole directory
                sub = rng.choice(SUBPKGS)
                pre = f"src/{PROJECT}/{sub}/"
                moving = [q for q in h.files if q.startswith(pre)]
                if moving and all(h.files[q].key is None and q not in touched for q in moving):
                    newsub = f"{sub}_{rng.choice(['v2', 'legacy', 'core', 'new'])}"
                    for q in moving:
                        f = h.remove(q)
                        nq = q.replace(pre, f"src/{PROJECT}/{newsub}/", 1)
                        h.add(nq, f)
                        deleted.append(q)
                        touched.add(nq)
                    SUBPKGS[SUBPKGS.index(sub)] = newsub
            # planted keys
            for p in removes.pop(i, []):
                if h.unplant(i, p) == "delete":
                    deleted.append(p.path)
                    touched.discard(p.path)
                else:
                    touched.add(p.path)
            if i in adds:
                p = adds[i]
                touched.add(h.plant(i, p, touched))
                deleted = [d for d in deleted if d != p.path]
                h.plants.append(p)
                if rng.random() < 0.7:  # most keys get removed later
                    r = i + rng.randint(1, max(2, n // 4))
                    if r < n:
                        removes.setdefault(r, []).append(p)
            changed = sorted(touched)
            msg = commit_message(rng, changed)
            if i in adds and rng.random() < 0.5:
                msg = rng.choice(["quick fix for the cluster run", "make local runs work", "debug logging",
                                  "hotfix: training on the new box", "wip"])
        name, email, tz = PEOPLE[rng.randrange(len(PEOPLE))]
        h.time += rng.randint(120, 36_000)
        out = [b"commit refs/heads/main\n", b"mark :%d\n" % (i + 1),
               f"author {name} <{email}> {h.time} {tz}\n".encode(),
               f"committer {name} <{email}> {h.time} {tz}\n".encode(), fi_data(msg.encode() + b"\n")]
        for d in sorted(set(deleted)):
            if d not in h.files:
                out.append(f"D {d}\n".encode())
        for c in changed:
            f = h.files[c]
            data = f.data()
            h.blob(data)
            out.append(f"M {'100755' if f.exe else '100644'} inline {c}\n".encode())
            out.append(fi_data(data))
        out.append(b"\n")
        w.write(b"".join(out))
    w.write(b"done\n")
    w.close()
    if fi.wait() != 0:
        sys.exit("gen_history: git fast-import failed")
    t_import = time.time() - t0

    t1 = time.time()
    if not args.no_repack:
        repack(args.out)
    t_repack = time.time() - t1
    t2 = time.time()
    git(["reset", "-q", "--hard", "main"], cwd=args.out)
    t_checkout = time.time() - t2

    manifest = args.out.rstrip("/") + ".planted.tsv"
    with open(manifest, "w") as fh:
        fh.write("path\tadded\tremoved\tshape\tcontext\n")
        for p in h.plants:
            fh.write(f"{p.path}\t{p.added}\t{'' if p.removed is None else p.removed}\t{p.shape}\t{p.context}\n")
    stats = dict(mode="history", size=args.size, seed=args.seed, commits=n, unique_blobs=len(h.seen),
                 unique_blob_bytes=h.produced, head_files=len(h.files),
                 head_bytes=sum(f.size() for f in h.files.values()), planted=len(h.plants),
                 planted_at_head=sum(1 for p in h.plants if p.removed is None),
                 seconds=dict(generate_and_import=round(t_import, 1), repack=round(t_repack, 1),
                              checkout=round(t_checkout, 1)))
    with open(args.out.rstrip("/") + ".stats.json", "w") as fh:
        json.dump(stats, fh, indent=1)
    return stats


def gen_staged(args):
    """One commit of --files small files, then --staged of them modified and staged."""
    rng = random.Random(args.seed)
    init_repo(args.out)
    t0 = time.time()
    fi = start_fast_import(args.out)
    w = fi.stdin
    w.write(b"feature done\n")
    out = [b"commit refs/heads/main\nmark :1\n",
           b"author Bench <bench@example.com> 1700000000 +0000\n",
           b"committer Bench <bench@example.com> 1700000000 +0000\n", fi_data(b"Import monorepo\n")]
    per_dir = 100
    paths = []
    for j in range(args.files):
        d = j // per_dir
        path = f"pkg{d // 100:02d}/mod{d % 100:02d}/{ident(rng)}_{j}.py"
        paths.append(path)
        lines = [f'"""{sentence(rng)}"""', "import torch", ""]
        lines += [py_stmt(rng, 0, False) for _ in range(rng.randint(3, 12))]
        out.append(f"M 100644 inline {path}\n".encode())
        out.append(fi_data(("\n".join(lines) + "\n").encode()))
        if len(out) > 4000:
            w.write(b"".join(out))
            out = []
    out.append(b"\ndone\n")
    w.write(b"".join(out))
    w.close()
    if fi.wait() != 0:
        sys.exit("gen_history: git fast-import failed")
    git(["reset", "-q", "--hard", "main"], cwd=args.out)
    # the staged change: append to --staged files, one of them with a fake key
    picks = sorted(rng.sample(range(args.files), args.staged))
    key = fake_key(rng, "v1")
    for n, j in enumerate(picks):
        with open(os.path.join(args.out, paths[j]), "a") as fh:
            fh.write(f"\n\ndef {rng.choice(VERBS)}_{rng.choice(NOUNS)}(x):\n    return x * {num(rng)}\n")
            if n == 0:
                fh.write(f'\nimport wandb\nwandb.login(key="{key}")\n')
    git(["add", "--", *[paths[j] for j in picks]], cwd=args.out)
    with open(args.out.rstrip("/") + ".planted.tsv", "w") as fh:
        fh.write("path\tadded\tremoved\tshape\tcontext\n")
        fh.write(f"{paths[picks[0]]}\tstaged\t\tv1\tpy-login\n")
    stats = dict(mode="staged", seed=args.seed, files=args.files, staged=args.staged,
                 seconds=round(time.time() - t0, 1))
    with open(args.out.rstrip("/") + ".stats.json", "w") as fh:
        json.dump(stats, fh, indent=1)
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="the repository to create")
    ap.add_argument("--mode", choices=["history", "staged"], default="history")
    ap.add_argument("--size", choices=list(SIZES), default="small")
    ap.add_argument("--commits", type=int, help="override the size's commit count (bytes scale with it)")
    ap.add_argument("--target-mib", type=float, help="override the unique blob bytes to aim for")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--no-repack", action="store_true", help="keep fast-import's pack as it is")
    ap.add_argument("--files", type=int, default=100_000, help="--mode staged: files in the commit")
    ap.add_argument("--staged", type=int, default=20, help="--mode staged: files modified and staged")
    ap.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = ap.parse_args()

    s = SIZES[args.size]
    base = s["commits"]
    args.commits = args.commits or base
    if args.commits < 2:
        ap.error("--commits must be at least 2")
    args.target_mib = args.target_mib or s["mib"] * args.commits / base
    args.head_files = int(s["head_files"] * min(1.0, (args.commits / base) ** 0.5)) if args.commits < base else s["head_files"]
    args.out = os.path.abspath(args.out)
    if os.path.exists(args.out):
        if not args.force:
            ap.error(f"{args.out} exists (use --force to replace it)")
        shutil.rmtree(args.out)
    for ext in (".planted.tsv", ".stats.json"):
        if os.path.exists(args.out + ext):
            os.remove(args.out + ext)

    t = time.time()
    stats = gen_staged(args) if args.mode == "staged" else gen_history(args)
    stats["total_seconds"] = round(time.time() - t, 1)
    with open(args.out + ".stats.json", "w") as fh:
        json.dump(stats, fh, indent=1)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
