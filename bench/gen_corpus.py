#!/usr/bin/env python3
"""Deterministic benchmark corpus for wandb-sa-lint.

    python3 bench/gen_corpus.py --size small|medium|large --out DIR [--seed N] [--force]

Writes a tree of fake repositories under DIR: source code (Python, Go, JS/TS,
Rust, Java, shell), configs (GitHub Actions workflows, Kubernetes manifests,
compose files, Dockerfiles, TOML, JSON, .env, netrc, lockfiles), Jupyter
notebooks, Markdown docs, W&B run logs and a few binary assets.

  * roughly 10-20 % of the files mention wandb, almost all without a key
    (`import wandb`, `wandb.init(project=...)`, `WANDB_PROJECT: foo`,
    `WANDB_API_KEY: ${{ secrets.WANDB_API_KEY }}` ...);
  * some of those carry hard negatives next to the word wandb: git SHAs
    (40 hex, the same shape as a legacy key), sha256 checksums, UUIDs,
    lockfile hashes, image digests;
  * a sprinkling of files carry planted FAKE keys (seeded PRNG) of the three
    shapes: `wandb_v1_` + 27 + `_` + 49 alphanumerics, legacy 40 lowercase hex,
    and self-managed `local-`/`vm-` + 40 hex, in W&B contexts.

The planted keys are listed in DIR/../<dirname>.planted.tsv (outside the tree):
path (relative to DIR), 1-based line, shape (v1|legacy|local), file kind.
A summary goes to DIR/../<dirname>.stats.json. The same --size and --seed
always give byte-identical trees.

Speed: text comes from pools of pre-generated blocks (generated once per run
from the seeded PRNG) that are stitched together per file, with a per-file
identifier substituted in, so the large tree (>1 GiB, >100k files) is written
in about a minute or two.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import random
import re
import shutil
import string
import sys
import time

MiB = 1 << 20
GiB = 1 << 30

# files: number of regular files to aim for; bytes: total bytes to aim for;
# big: number of "large" files (1.5 - 6.5 MiB each, never over 8 MiB).
SIZES = {
    "tiny": dict(files=300, bytes=3 * MiB, big=1),
    "small": dict(files=2000, bytes=20 * MiB, big=2),
    "medium": dict(files=20000, bytes=200 * MiB, big=6),
    # both floors (>= 1 GiB and >= 100,000 files) must hold: aim a bit above.
    "large": dict(files=104000, bytes=int(1.08 * GiB), big=24),
}
BIG_MIN, BIG_MAX, BIG_CAP = int(1.5 * MiB), int(6.5 * MiB), 8 * MiB

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"

WORDS = (
    "account action adapter agent alpha anchor archive array asset audit batch beacon "
    "binary bridge buffer bundle cache canvas cargo catalog channel checkpoint chunk cipher "
    "client cluster codec column commit config context cursor dataset decoder delta device "
    "digest dispatch domain driver encoder engine entity epoch event export feature fetch "
    "filter flag format frame gateway graph handler header index input job kernel label "
    "layer ledger loader logger loss matrix merge metric mirror model module monitor node "
    "optimizer output packet parser patch payload pipeline plugin policy pool portal probe "
    "profile queue record registry relay render replica report request resolver router "
    "runner sample scaler schema scope sensor session shard signal snapshot socket source "
    "span stage store stream sweep table target task tensor thread token trace tracker "
    "trainer transform tunnel update upload vector vertex worker"
).split()
FILLER = "the of to and a in is for with on that this by from as it be are".split()
ADJ = "brisk calm dark eager fancy gentle hardy icy jolly keen lively misty noble proud quiet rosy silver sunny swift vivid".split()
NOUN = "breeze cloud dawn dust fire flower forest frost glade haze lake leaf meadow moon night pine rain river sea shadow sky snow star stone sun wave wind".split()
PKGS_PY = "numpy pandas torch torchvision scikit-learn requests pydantic fastapi uvicorn transformers datasets tqdm pyyaml click rich httpx boto3 matplotlib scipy jinja2".split()
PKGS_JS = "react react-dom next axios lodash zod express typescript vite vitest eslint prettier dayjs uuid chalk commander yargs dotenv ws".split()


# ---------------------------------------------------------------------------
# small random helpers
# ---------------------------------------------------------------------------
def hexs(r: random.Random, n: int) -> str:
    return "%0*x" % (n, r.getrandbits(4 * n))


def alnum(r: random.Random, n: int) -> str:
    return "".join(r.choices(ALNUM, k=n))


def uuid(r: random.Random) -> str:
    h = hexs(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def b64(r: random.Random, nbytes: int) -> str:
    return base64.b64encode(r.randbytes(nbytes)).decode()


def snake(r, n=2):
    return "_".join(r.choice(WORDS) for _ in range(n))


def camel(r, n=2):
    w = [r.choice(WORDS) for _ in range(n)]
    return w[0] + "".join(x.capitalize() for x in w[1:])


def pascal(r, n=2):
    return "".join(r.choice(WORDS).capitalize() for _ in range(n))


def kebab(r, n=2):
    return "-".join(r.choice(WORDS) for _ in range(n))


def sentence(r, lo=6, hi=16):
    n = r.randint(lo, hi)
    ws = [r.choice(WORDS) if r.random() < 0.6 else r.choice(FILLER) for _ in range(n)]
    return " ".join(ws).capitalize()


def para(r, lo=2, hi=6):
    return ". ".join(sentence(r) for _ in range(r.randint(lo, hi))) + "."


def ver(r):
    return f"{r.randint(0, 4)}.{r.randint(0, 30)}.{r.randint(0, 12)}"


def wbver(r):
    return f"0.{r.randint(15, 19)}.{r.randint(0, 9)}"


def run_name(r):
    return f"{r.choice(ADJ)}-{r.choice(NOUN)}-{r.randint(1, 400)}"


def run_id(r):
    return "".join(r.choices(string.ascii_lowercase + string.digits, k=8))


# Fake keys -----------------------------------------------------------------
def key_v1(r):
    return "wandb_v1_" + alnum(r, 27) + "_" + alnum(r, 49)


def key_legacy(r):
    return hexs(r, 40)


def key_local(r):
    return r.choice(("local-", "local-", "vm-")) + hexs(r, 40)


def fake_key(r):
    x = r.random()
    if x < 0.5:
        return "v1", key_v1(r)
    if x < 0.8:
        return "legacy", key_legacy(r)
    return "local", key_local(r)


# ---------------------------------------------------------------------------
# Per-kind text generators. Each kind has:
#   plain(r)   -> block that never mentions wandb
#   mention(r) -> block that mentions wandb, no key
#   hardneg(r) -> block that mentions wandb next to key-like non-keys
#   keyed(r)   -> block containing @@KEY@@ in a W&B context
#   header(r), footer, sep
# "@@ID@@" in any block is replaced by a per-file identifier.
# ---------------------------------------------------------------------------

# --- Python ----------------------------------------------------------------
def py_stmt(r, ind="    "):
    a, b, c = snake(r, 1), snake(r, 2), snake(r, 1)
    k = r.randrange(10)
    if k == 0:
        return f"{ind}{a} = {b}({c}, timeout={r.randint(1, 120)})"
    if k == 1:
        return f"{ind}if {a} is None:\n{ind}    raise ValueError(\"{sentence(r, 3, 7)}\")"
    if k == 2:
        return f"{ind}for {c} in {b}:\n{ind}    {a}.append({c}.{snake(r, 1)}())"
    if k == 3:
        return f"{ind}logger.info(\"{sentence(r, 3, 8)}: %s\", {a})"
    if k == 4:
        return f"{ind}{a} = {{\"{c}\": {b}, \"{snake(r, 1)}\": {r.randint(0, 9999)}}}"
    if k == 5:
        return f"{ind}# {sentence(r)}"
    if k == 6:
        return f"{ind}{a} += {r.random():.4f} * {c}"
    if k == 7:
        return f"{ind}with open({a}_path, \"r\", encoding=\"utf-8\") as fh:\n{ind}    {b} = json.load(fh)"
    if k == 8:
        return f"{ind}{a} = [{c} for {c} in {b} if {c}.{snake(r, 1)} > {r.randint(0, 100)}]"
    return f"{ind}self.{a} = {b}.get(\"{c}\", {r.choice(['None', 'True', 'False', '0', '[]'])})"


def py_plain(r):
    if r.random() < 0.35:
        name = pascal(r)
        lines = [f"class {name}@@ID@@({r.choice(['object', 'BaseModel', 'nn.Module', 'Exception'])}):",
                 f'    """{sentence(r)}."""', ""]
        for _ in range(r.randint(1, 4)):
            lines.append(f"    def {snake(r)}(self, {snake(r, 1)}, {snake(r, 1)}=None):")
            lines.extend(py_stmt(r, "        ") for _ in range(r.randint(2, 9)))
            lines.append(f"        return {snake(r, 1)}")
            lines.append("")
        return "\n".join(lines) + "\n\n"
    args = ", ".join(snake(r, 1) for _ in range(r.randint(1, 4)))
    lines = [f"def {snake(r)}_@@ID@@({args}):", f'    """{sentence(r)}."""']
    lines.extend(py_stmt(r) for _ in range(r.randint(3, 16)))
    lines.append(f"    return {snake(r, 1)}")
    return "\n".join(lines) + "\n\n\n"


def py_header(r):
    imps = r.sample(["os", "sys", "json", "logging", "time", "pathlib", "typing", "dataclasses", "re", "math"], r.randint(2, 6))
    s = "".join(f"import {m}\n" for m in imps)
    if r.random() < 0.5:
        s += f"from {snake(r, 1)}.{snake(r, 1)} import {pascal(r)}, {snake(r)}\n"
    return f'"""{sentence(r)}."""\n\n' + s + "\nlogger = logging.getLogger(__name__)\n\n\n"


def py_mention(r):
    p, e = kebab(r), snake(r, 1)
    opts = [
        "import wandb\n\n",
        f"import wandb\nfrom wandb.integration.{r.choice(['keras', 'lightgbm', 'xgboost', 'sb3'])} import WandbCallback\n\n",
        f"def init_tracking(config):\n    run = wandb.init(project=\"{p}\", entity=\"{e}\", config=config, job_type=\"{r.choice(['train', 'eval', 'sweep'])}\")\n    return run\n\n\n",
        f"    wandb.log({{\"loss\": loss.item(), \"epoch\": epoch, \"{snake(r)}\": {snake(r, 1)}}})\n",
        f"    wandb.log({{\"val/acc\": acc, \"lr\": scheduler.get_last_lr()[0]}}, step=step)\n",
        "# The API key is read from the WANDB_API_KEY environment variable by wandb.login().\nwandb.login()\n\n",
        "api_key = os.environ.get(\"WANDB_API_KEY\")\nif not api_key:\n    raise SystemExit(\"set WANDB_API_KEY first\")\nwandb.login(key=api_key)\n\n",
        f"artifact = wandb.Artifact(\"{kebab(r)}\", type=\"{r.choice(['model', 'dataset'])}\")\nartifact.add_dir(\"{snake(r, 1)}/\")\nrun.log_artifact(artifact)\n\n",
        f"os.environ.setdefault(\"WANDB_PROJECT\", \"{p}\")\nos.environ.setdefault(\"WANDB_MODE\", \"{r.choice(['online', 'offline', 'disabled'])}\")\n\n",
        f"sweep_id = wandb.sweep(sweep_config, project=\"{p}\")\nwandb.agent(sweep_id, function=train, count={r.randint(5, 100)})\n\n",
        "if wandb.run is not None:\n    wandb.finish()\n\n",
        "wandb.login(key=get_secret(\"wandb/api-key\"))  # fetched from the vault at start-up\n\n",
    ]
    return r.choice(opts)


def py_hardneg(r):
    opts = [
        f"# wandb run id: {uuid(r)}\nWANDB_RUN_ID = \"{uuid(r)}\"\n\n",
        f"# Pinned wandb SDK commit {hexs(r, 40)} (see upstream changelog)\nWANDB_SDK_COMMIT = \"{hexs(r, 40)}\"\n\n",
        f"WANDB_ARTIFACT_DIGEST = \"{hexs(r, 32)}\"  # md5 of the wandb artifact manifest\n",
        f"EXPECTED_WANDB_WHEEL_SHA256 = \"{hexs(r, 64)}\"\n\n",
        f"run = wandb.init(project=\"{kebab(r)}\", id=\"{run_id(r)}\", resume=\"allow\")\nrun.config.update({{\"git_commit\": \"{hexs(r, 40)}\"}})\n\n",
        f"api = wandb.Api()\nrun = api.run(\"{snake(r, 1)}/{kebab(r)}/{run_id(r)}\")\nassert run.commit == \"{hexs(r, 40)}\"\n\n",
    ]
    return r.choice(opts)


def py_keyed(r):
    opts = [
        'wandb.login(key="@@KEY@@")\n\n',
        "wandb.login(key='@@KEY@@', relogin=True)\n\n",
        'os.environ["WANDB_API_KEY"] = "@@KEY@@"\n\n',
        'WANDB_API_KEY = "@@KEY@@"  # TODO: move to secrets manager\n\n',
        'api = wandb.Api(api_key="@@KEY@@")\n\n',
        f'def _login():\n    wandb.login(\n        key="@@KEY@@",\n        host="https://{snake(r, 1)}.wandb.example.com",\n    )\n\n',
    ]
    return r.choice(opts)


# --- Go ---------------------------------------------------------------------
def go_stmt(r):
    a, b = camel(r, 1), camel(r)
    k = r.randrange(8)
    if k == 0:
        return f"\t{a}, err := {b}(ctx, {camel(r, 1)})\n\tif err != nil {{\n\t\treturn fmt.Errorf(\"{sentence(r, 2, 5).lower()}: %w\", err)\n\t}}"
    if k == 1:
        return f"\tfor _, {a} := range {b} {{\n\t\t{camel(r, 1)} = append({camel(r, 1)}, {a}.{pascal(r, 1)})\n\t}}"
    if k == 2:
        return f"\t// {sentence(r)}"
    if k == 3:
        return f"\tlog.Printf(\"{sentence(r, 3, 7)}: %v\", {a})"
    if k == 4:
        return f"\t{a} := make(map[string]int, {r.randint(1, 64)})"
    if k == 5:
        return f"\tif {a} == nil {{\n\t\treturn nil\n\t}}"
    if k == 6:
        return f"\t{a}.{pascal(r, 1)} = time.Duration({r.randint(1, 900)}) * time.Second"
    return f"\tdefer {a}.Close()"


def go_plain(r):
    if r.random() < 0.3:
        fields = "\n".join(f"\t{pascal(r, 1)} {r.choice(['string', 'int', 'int64', 'bool', 'time.Duration', '[]byte'])} `json:\"{snake(r, 1)}\"`" for _ in range(r.randint(2, 8)))
        return f"// {pascal(r)}@@ID@@ {sentence(r).lower()}.\ntype {pascal(r)}@@ID@@ struct {{\n{fields}\n}}\n\n"
    body = "\n".join(go_stmt(r) for _ in range(r.randint(3, 14)))
    return f"// {pascal(r)} {sentence(r).lower()}.\nfunc {pascal(r)}@@ID@@(ctx context.Context, {camel(r, 1)} string) error {{\n{body}\n\treturn nil\n}}\n\n"


def go_header(r):
    return f"package {r.choice(WORDS)}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"log\"\n\t\"os\"\n\t\"time\"\n)\n\n"


def go_mention(r):
    return r.choice([
        "\tproject := os.Getenv(\"WANDB_PROJECT\")\n\tapiKey := os.Getenv(\"WANDB_API_KEY\") // never hard-code the wandb key\n\t_ = apiKey\n",
        f"// syncRun uploads metrics to wandb through the public GraphQL API.\nconst wandbBaseURL = \"https://api.wandb.ai\"\n\n",
        f"func wandbEntity() string {{\n\tif v := os.Getenv(\"WANDB_ENTITY\"); v != \"\" {{\n\t\treturn v\n\t}}\n\treturn \"{snake(r, 1)}\"\n}}\n\n",
    ])


def go_hardneg(r):
    return r.choice([
        f"// wandb-go vendored at commit {hexs(r, 40)}\nconst wandbVendorCommit = \"{hexs(r, 40)}\"\n\n",
        f"var wandbRunID = \"{uuid(r)}\" // wandb run id used by the integration test\n\n",
        f"const wandbCLIChecksum = \"sha256:{hexs(r, 64)}\" // wandb binary checksum\n\n",
    ])


def go_keyed(r):
    return r.choice([
        '\tos.Setenv("WANDB_API_KEY", "@@KEY@@")\n',
        'const wandbAPIKey = "@@KEY@@"\n\n',
        '\treq.SetBasicAuth("api", "@@KEY@@") // wandb\n',
    ])


# --- JS / TS ------------------------------------------------------------------
def js_stmt(r):
    a, b = camel(r, 1), camel(r)
    k = r.randrange(8)
    if k == 0:
        return f"  const {a} = await {b}({camel(r, 1)}, {{ retries: {r.randint(0, 5)} }});"
    if k == 1:
        return f"  if (!{a}) {{\n    throw new Error(\"{sentence(r, 3, 7)}\");\n  }}"
    if k == 2:
        return f"  // {sentence(r)}"
    if k == 3:
        return f"  const {a} = {b}.filter((x) => x.{camel(r, 1)} > {r.randint(0, 99)}).map((x) => x.{camel(r, 1)});"
    if k == 4:
        return f"  console.debug(`{sentence(r, 3, 6)}: ${{{a}}}`);"
    if k == 5:
        return f"  let {a} = {{ {camel(r, 1)}: {r.randint(0, 999)}, {camel(r, 1)}: \"{kebab(r)}\" }};"
    if k == 6:
        return f"  for (const {a} of {b}) {{\n    {camel(r, 1)}.push({a});\n  }}"
    return f"  return {a} ?? {b};"


def js_plain(r):
    k = r.random()
    if k < 0.25:
        n = pascal(r)
        return (f"export function {n}@@ID@@({{ {camel(r, 1)}, {camel(r, 1)} }}) {{\n"
                f"  const [{camel(r, 1)}, set{pascal(r, 1)}] = useState({r.choice(['null', '0', '[]', 'false'])});\n"
                f"  return (\n    <div className=\"{kebab(r)}\">\n      <h2>{sentence(r, 2, 5)}</h2>\n      <p>{{{camel(r, 1)}}}</p>\n    </div>\n  );\n}}\n\n")
    body = "\n".join(js_stmt(r) for _ in range(r.randint(3, 12)))
    return f"/**\n * {sentence(r)}.\n */\nexport async function {camel(r)}@@ID@@({camel(r, 1)}, {camel(r, 1)}) {{\n{body}\n}}\n\n"


def js_header(r):
    return "".join(f"import {camel(r, 1)} from \"{r.choice(PKGS_JS)}\";\n" for _ in range(r.randint(1, 5))) + "\n"


def js_mention(r):
    return r.choice([
        "import wandb from \"@wandb/sdk\";\n\n",
        f"await wandb.init({{ project: \"{kebab(r)}\", config: {{ lr: {r.random():.4f} }} }});\n",
        "const apiKey = process.env.WANDB_API_KEY; // injected by CI, do not commit\n",
        f"wandb.log({{ loss, step: {camel(r, 1)} }});\n",
        f"export const WANDB_PROJECT = \"{kebab(r)}\";\n",
    ])


def js_hardneg(r):
    return r.choice([
        f"// wandb run {uuid(r)}\nexport const wandbRunId = \"{run_id(r)}\";\n",
        f"export const WANDB_SDK_INTEGRITY = \"sha512-{b64(r, 64)}\"; // @wandb/sdk tarball\n",
        f"const wandbBuildCommit = \"{hexs(r, 40)}\"; // wandb sdk git sha\n",
    ])


def js_keyed(r):
    return r.choice([
        'process.env.WANDB_API_KEY = "@@KEY@@";\n',
        'const WANDB_API_KEY = "@@KEY@@";\n',
        "await wandb.login({ key: \"@@KEY@@\" });\n",
        "const wandbKey = '@@KEY@@';\n",
    ])


# --- Rust ---------------------------------------------------------------------
def rs_plain(r):
    if r.random() < 0.3:
        fields = "\n".join(f"    pub {snake(r, 1)}: {r.choice(['String', 'u64', 'usize', 'bool', 'Vec<u8>', 'Option<String>'])}," for _ in range(r.randint(2, 7)))
        return f"/// {sentence(r)}.\n#[derive(Debug, Clone, Default)]\npub struct {pascal(r)}@@ID@@ {{\n{fields}\n}}\n\n"
    stmts = []
    for _ in range(r.randint(3, 12)):
        k = r.randrange(5)
        a = snake(r, 1)
        if k == 0:
            stmts.append(f"    let {a} = {snake(r)}(&{snake(r, 1)})?;")
        elif k == 1:
            stmts.append(f"    // {sentence(r)}")
        elif k == 2:
            stmts.append(f"    for {a} in {snake(r, 1)}.iter() {{\n        out.push({a}.{snake(r, 1)}());\n    }}")
        elif k == 3:
            stmts.append(f"    if {a}.is_empty() {{\n        return Err(Error::{pascal(r)});\n    }}")
        else:
            stmts.append(f"    let {a}: u64 = {r.randint(0, 1 << 20)};")
    body = "\n".join(stmts)
    return f"/// {sentence(r)}.\npub fn {snake(r)}_@@ID@@({snake(r, 1)}: &str) -> Result<Vec<String>, Error> {{\n    let mut out = Vec::new();\n{body}\n    Ok(out)\n}}\n\n"


def rs_header(r):
    return f"//! {sentence(r)}.\n\nuse std::collections::HashMap;\nuse std::path::Path;\n\nuse crate::{snake(r, 1)}::{pascal(r)};\n\n"


def rs_mention(r):
    return r.choice([
        "    let project = std::env::var(\"WANDB_PROJECT\").unwrap_or_default();\n",
        "/// Reads the wandb API key from WANDB_API_KEY; never embed it.\nfn wandb_key() -> Option<String> {\n    std::env::var(\"WANDB_API_KEY\").ok()\n}\n\n",
        f"const WANDB_HOST: &str = \"https://{snake(r, 1)}.wandb.io\";\n\n",
    ])


def rs_hardneg(r):
    return r.choice([
        f"/// wandb proto definitions generated from commit {hexs(r, 40)}.\npub const WANDB_PROTO_REV: &str = \"{hexs(r, 40)}\";\n\n",
        f"const WANDB_RUN: &str = \"{uuid(r)}\"; // wandb run used in tests\n\n",
    ])


def rs_keyed(r):
    return r.choice([
        '    std::env::set_var("WANDB_API_KEY", "@@KEY@@");\n',
        'const WANDB_API_KEY: &str = "@@KEY@@";\n\n',
    ])


# --- Java -------------------------------------------------------------------------
def java_plain(r):
    stmts = []
    for _ in range(r.randint(3, 10)):
        k = r.randrange(4)
        a = camel(r, 1)
        if k == 0:
            stmts.append(f"        {pascal(r, 1)} {a} = {camel(r)}.get{pascal(r, 1)}();")
        elif k == 1:
            stmts.append(f"        if ({a} == null) {{\n            throw new IllegalStateException(\"{sentence(r, 3, 6)}\");\n        }}")
        elif k == 2:
            stmts.append(f"        // {sentence(r)}")
        else:
            stmts.append(f"        LOG.info(\"{sentence(r, 3, 6)} {{}}\", {a});")
    body = "\n".join(stmts)
    return f"    /**\n     * {sentence(r)}.\n     */\n    public {r.choice(['void', 'int', 'String', 'boolean'])} {camel(r)}@@ID@@(String {camel(r, 1)}) {{\n{body}\n    }}\n\n"


def java_header(r):
    pkg = ".".join(r.choice(WORDS) for _ in range(3))
    return (f"package com.{pkg};\n\nimport java.util.List;\nimport java.util.Map;\nimport org.slf4j.Logger;\n\n"
            f"public class {pascal(r)}@@ID@@ {{\n    private static final Logger LOG = LoggerFactory.getLogger({pascal(r)}.class);\n\n")


def java_mention(r):
    return r.choice([
        "        String project = System.getenv(\"WANDB_PROJECT\");\n",
        "    // The wandb key comes from the WANDB_API_KEY environment variable.\n    private final String wandbKey = System.getenv(\"WANDB_API_KEY\");\n\n",
    ])


def java_hardneg(r):
    return f"    private static final String WANDB_SDK_SHA = \"{hexs(r, 40)}\"; // wandb git commit\n\n"


def java_keyed(r):
    return r.choice([
        '    private static final String WANDB_API_KEY = "@@KEY@@";\n\n',
        '        env.put("WANDB_API_KEY", "@@KEY@@");\n',
    ])


# --- shell ------------------------------------------------------------------------
def sh_plain(r):
    lines = [f"{snake(r)}() {{"]
    for _ in range(r.randint(2, 10)):
        k = r.randrange(6)
        if k == 0:
            lines.append(f"  echo \"{sentence(r, 3, 8)}\"")
        elif k == 1:
            lines.append(f"  if [ -z \"${{{snake(r, 1).upper()}:-}}\" ]; then\n    echo \"missing {snake(r, 1)}\" >&2\n    return 1\n  fi")
        elif k == 2:
            lines.append(f"  for f in {snake(r, 1)}/*.{r.choice(['json', 'yaml', 'txt'])}; do\n    {r.choice(['cat', 'wc -l', 'sha256sum'])} \"$f\"\n  done")
        elif k == 3:
            lines.append(f"  # {sentence(r)}")
        elif k == 4:
            lines.append(f"  {snake(r, 1).upper()}=\"${{{snake(r, 1).upper()}:-{kebab(r)}}}\"")
        else:
            lines.append(f"  python -m {snake(r, 1)}.{snake(r, 1)} --{kebab(r)} \"$@\"")
    lines.append("}\n\n")
    return "\n".join(lines)


def sh_header(r):
    return "#!/usr/bin/env bash\n# " + sentence(r) + ".\nset -euo pipefail\n\n"


def sh_mention(r):
    return r.choice([
        f"pip install --quiet wandb=={wbver(r)}\n",
        "wandb login --relogin  # prompts for the key\n",
        "wandb sync ./wandb/offline-run-*\n",
        f"export WANDB_PROJECT={kebab(r)}\nexport WANDB_ENTITY={snake(r, 1)}\n",
        "wandb login \"$WANDB_API_KEY\"\n",
        "export WANDB_API_KEY=\"$(vault kv get -field=api_key secret/wandb)\"\n",
        ": \"${WANDB_API_KEY:?set WANDB_API_KEY}\"\n",
    ])


def sh_hardneg(r):
    return r.choice([
        f"echo \"{hexs(r, 64)}  wandb-{wbver(r)}.tar.gz\" | sha256sum -c -\n",
        f"git -C vendor/wandb checkout {hexs(r, 40)}\n",
        f"WANDB_RUN_ID={uuid(r)} python train.py\n",
        f"# wandb: Synced {run_name(r)}: https://wandb.ai/{snake(r, 1)}/{kebab(r)}/runs/{run_id(r)}\n",
    ])


def sh_keyed(r):
    return r.choice([
        "export WANDB_API_KEY=@@KEY@@\n",
        "wandb login @@KEY@@\n",
        "WANDB_API_KEY=\"@@KEY@@\" python train.py --epochs 10\n",
    ])


# --- GitHub Actions workflow -------------------------------------------------------------
def wf_step(r):
    k = r.randrange(5)
    if k == 0:
        return f"      - uses: actions/checkout@{hexs(r, 40)} # v4\n"
    if k == 1:
        return f"      - uses: actions/setup-python@v5\n        with:\n          python-version: \"3.{r.randint(9, 12)}\"\n"
    if k == 2:
        return f"      - name: {sentence(r, 2, 5)}\n        run: |\n          pip install -r requirements.txt\n          pytest -q {snake(r, 1)}/\n"
    if k == 3:
        return f"      - name: {sentence(r, 2, 4)}\n        run: make {snake(r, 1)}\n"
    return f"      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n          key: pip-${{{{ hashFiles('**/requirements.txt') }}}}\n"


def wf_job(r, env=""):
    steps = "".join(wf_step(r) for _ in range(r.randint(2, 6)))
    env = f"    env:\n{env}" if env else ""
    return f"  {snake(r)}_@@ID@@:\n    runs-on: ubuntu-latest\n{env}    steps:\n{steps}\n"


def wf_plain(r):
    return wf_job(r)


def wf_header(r):
    return f"name: {sentence(r, 1, 3)}\n\non:\n  push:\n    branches: [main]\n  pull_request:\n\njobs:\n"


def wf_mention(r):
    return r.choice([
        wf_job(r, f"      WANDB_PROJECT: {kebab(r)}\n      WANDB_API_KEY: ${{{{ secrets.WANDB_API_KEY }}}}\n"),
        wf_job(r, "      WANDB_MODE: offline\n"),
        wf_job(r, f"      WANDB_ENTITY: {snake(r, 1)}\n      WANDB_API_KEY: ${{{{ secrets.WANDB_KEY }}}}\n"),
    ])


def wf_hardneg(r):
    return wf_job(r, f"      WANDB_RUN_GROUP: ${{{{ github.sha }}}}\n      WANDB_SDK_REV: {hexs(r, 40)}\n      WANDB_NOTES: \"run {uuid(r)}\"\n")


def wf_keyed(r):
    return r.choice([
        wf_job(r, f"      WANDB_PROJECT: {kebab(r)}\n      WANDB_API_KEY: @@KEY@@\n"),
        wf_job(r, "      WANDB_API_KEY: \"@@KEY@@\"\n"),
    ])


# --- Kubernetes --------------------------------------------------------------------------------
def k8s_plain(r):
    name = kebab(r)
    k = r.randrange(3)
    if k == 0:
        envs = "".join(f"            - name: {snake(r, 1).upper()}_{snake(r, 1).upper()}\n              value: \"{kebab(r)}\"\n" for _ in range(r.randint(1, 5)))
        return (f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}-@@ID@@\n  labels:\n    app: {name}\nspec:\n"
                f"  replicas: {r.randint(1, 6)}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n"
                f"    spec:\n      containers:\n        - name: {name}\n          image: ghcr.io/{snake(r, 1)}/{name}:{ver(r)}\n          env:\n{envs}"
                f"          resources:\n            limits:\n              memory: {r.choice(['256Mi', '512Mi', '1Gi', '4Gi'])}\n")
    if k == 1:
        return (f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}-@@ID@@\nspec:\n  selector:\n    app: {name}\n"
                f"  ports:\n    - port: {r.randint(80, 9000)}\n      targetPort: {r.randint(1024, 9999)}\n")
    data = "".join(f"  {snake(r, 1)}.{snake(r, 1)}: \"{kebab(r)}\"\n" for _ in range(r.randint(2, 8)))
    return f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-@@ID@@\ndata:\n{data}"


def k8s_mention(r):
    return r.choice([
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wandb-config-@@ID@@\ndata:\n  WANDB_PROJECT: {kebab(r)}\n  WANDB_BASE_URL: https://wandb.{snake(r, 1)}.internal\n  WANDB_MODE: online\n",
        "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train-@@ID@@\nspec:\n  template:\n    spec:\n      containers:\n        - name: train\n          image: trainer:latest\n          env:\n            - name: WANDB_API_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: wandb-secret\n                  key: api-key\n      restartPolicy: Never\n",
    ])


def k8s_hardneg(r):
    return r.choice([
        f"---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: wandb-local-@@ID@@\n  annotations:\n    wandb.ai/run-id: \"{uuid(r)}\"\n    wandb.ai/git-sha: \"{hexs(r, 40)}\"\nspec:\n  template:\n    spec:\n      containers:\n        - name: wandb\n          image: wandb/local@sha256:{hexs(r, 64)}\n",
    ])


def k8s_keyed(r):
    return r.choice([
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: wandb-secret-@@ID@@\ntype: Opaque\nstringData:\n  WANDB_API_KEY: @@KEY@@\n",
        "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: sweep-@@ID@@\nspec:\n  template:\n    spec:\n      containers:\n        - name: agent\n          image: trainer:latest\n          env:\n            - name: WANDB_API_KEY\n              value: \"@@KEY@@\"\n",
    ])


# --- compose -----------------------------------------------------------------------------------
def compose_plain(r):
    env = "".join(f"      - {snake(r, 1).upper()}={kebab(r)}\n" for _ in range(r.randint(1, 4)))
    return (f"  {snake(r, 1)}-@@ID@@:\n    image: {snake(r, 1)}/{kebab(r)}:{ver(r)}\n    restart: unless-stopped\n    ports:\n"
            f"      - \"{r.randint(1000, 9999)}:{r.randint(1000, 9999)}\"\n    environment:\n{env}\n")


def compose_mention(r):
    return f"  trainer-{r.choice(WORDS)}-@@ID@@:\n    build: .\n    environment:\n      - WANDB_PROJECT={kebab(r)}\n      - WANDB_API_KEY=${{WANDB_API_KEY}}\n\n"


def compose_hardneg(r):
    return f"  wandb-{r.choice(WORDS)}-@@ID@@:\n    image: wandb/local@sha256:{hexs(r, 64)}\n    environment:\n      - WANDB_BUILD_SHA={hexs(r, 40)}\n\n"


def compose_keyed(r):
    return f"  worker-{r.choice(WORDS)}-@@ID@@:\n    image: trainer:latest\n    environment:\n      - WANDB_API_KEY=@@KEY@@\n\n"


# --- Dockerfile ---------------------------------------------------------------------------------
def docker_plain(r):
    k = r.randrange(4)
    if k == 0:
        return f"RUN apt-get update && apt-get install -y --no-install-recommends {' '.join(r.sample(WORDS, 3))} \\\n    && rm -rf /var/lib/apt/lists/*\n"
    if k == 1:
        return f"COPY {snake(r, 1)}/ /app/{snake(r, 1)}/\n"
    if k == 2:
        return f"ENV {snake(r, 1).upper()}_{snake(r, 1).upper()}={kebab(r)}\n"
    return f"RUN pip install --no-cache-dir {' '.join(r.sample(PKGS_PY, 3))}\n"


def docker_header(r):
    return f"FROM python:3.{r.randint(9, 12)}-slim@sha256:{hexs(r, 64)}\n\nWORKDIR /app\n"


def docker_mention(r):
    return r.choice([f"RUN pip install --no-cache-dir wandb=={wbver(r)}\n", f"ENV WANDB_PROJECT={kebab(r)}\n", "ARG WANDB_API_KEY\n"])


def docker_hardneg(r):
    return f"# wandb sdk pinned to commit {hexs(r, 40)}\nRUN pip install \"wandb @ git+https://github.com/wandb/wandb@{hexs(r, 40)}\"\n"


def docker_keyed(r):
    return r.choice(["ENV WANDB_API_KEY=@@KEY@@\n", "RUN wandb login @@KEY@@\n"])


# --- TOML -------------------------------------------------------------------------------------------
def toml_plain(r):
    keys = dict.fromkeys(snake(r, 1) for _ in range(r.randint(2, 8)))  # distinct, ordered
    body = "".join(f"{k} = {r.choice([str(r.randint(0, 999)), 'true', 'false', chr(34) + kebab(r) + chr(34)])}\n" for k in keys)
    return f"[{snake(r, 1)}.{snake(r, 1)}]\n{body}\n"


def toml_header(r):
    return f"# {sentence(r)}.\n\n[project]\nname = \"{kebab(r)}\"\nversion = \"{ver(r)}\"\n\n"


def toml_mention(r):
    return r.choice([
        f"[tool.poetry.dependencies]\nwandb = \"^{wbver(r)}\"\n\n",
        f"[wandb]\nproject = \"{kebab(r)}\"\nentity = \"{snake(r, 1)}\"\n# api_key is read from WANDB_API_KEY\n\n",
    ])


def toml_hardneg(r):
    return (f"[[package]]\nname = \"wandb\"\nversion = \"{wbver(r)}\"\ndescription = \"A CLI and library for interacting with the Weights & Biases API.\"\n"
            f"files = [\n    {{file = \"wandb-{wbver(r)}-py3-none-any.whl\", hash = \"sha256:{hexs(r, 64)}\"}},\n"
            f"    {{file = \"wandb-{wbver(r)}.tar.gz\", hash = \"sha256:{hexs(r, 64)}\"}},\n]\n\n")


def toml_keyed(r):
    return r.choice([
        f"[wandb]\nproject = \"{kebab(r)}\"\napi_key = \"@@KEY@@\"\n\n",
        "[env]\nWANDB_API_KEY = \"@@KEY@@\"\n\n",
    ])


# --- JSON (array-of-objects documents) -------------------------------------------------------------
def json_plain(r):
    obj = {snake(r, 1): r.choice([r.randint(0, 99999), kebab(r), True, None, r.random()]) for _ in range(r.randint(3, 10))}
    obj["id"] = "@@ID@@-" + hexs(r, 6)
    return "    " + json.dumps(obj)


def json_mention(r):
    return r.choice([
        f"    {{\"wandb\": {{\"project\": \"{kebab(r)}\", \"entity\": \"{snake(r, 1)}\", \"log_model\": true}}}}",
        "    {\"env\": {\"WANDB_API_KEY\": \"${WANDB_API_KEY}\", \"WANDB_MODE\": \"offline\"}}",
    ])


def json_hardneg(r):
    return r.choice([
        f"    {{\"program\": \"train.py\", \"git\": {{\"commit\": \"{hexs(r, 40)}\", \"remote\": \"https://github.com/{snake(r, 1)}/{kebab(r)}\"}}, \"wandb_run_id\": \"{uuid(r)}\"}}",
        f"    {{\"name\": \"@wandb/sdk\", \"version\": \"{ver(r)}\", \"integrity\": \"sha512-{b64(r, 64)}\", \"wandb_digest\": \"{hexs(r, 64)}\"}}",
    ])


def json_keyed(r):
    return r.choice([
        "    {\"env\": {\"WANDB_API_KEY\": \"@@KEY@@\"}}",
        f"    {{\"wandb\": {{\"project\": \"{kebab(r)}\", \"api_key\": \"@@KEY@@\"}}}}",
    ])


# --- .env -------------------------------------------------------------------------------------------
def env_plain(r):
    k = r.randrange(4)
    if k == 0:
        return f"DATABASE_URL=postgres://{snake(r, 1)}@db:5432/{snake(r, 1)}\n"
    if k == 1:
        return f"{snake(r, 1).upper()}_{snake(r, 1).upper()}={kebab(r)}\n"
    if k == 2:
        return f"# {sentence(r, 3, 8)}\n"
    return f"{snake(r, 1).upper()}_PORT={r.randint(1000, 65000)}\n"


def env_mention(r):
    return r.choice([f"WANDB_PROJECT={kebab(r)}\nWANDB_ENTITY={snake(r, 1)}\n", "WANDB_API_KEY=\n", "WANDB_API_KEY=<your-wandb-api-key>\n", "WANDB_MODE=offline\n"])


def env_hardneg(r):
    return f"WANDB_RUN_GROUP={uuid(r)}\nGIT_SHA={hexs(r, 40)}  # used by wandb code saving\n"


def env_keyed(r):
    return "WANDB_API_KEY=@@KEY@@\n"


# --- netrc ------------------------------------------------------------------------------------------
def netrc_plain(r):
    return f"machine {snake(r, 1)}.example.com\n  login {snake(r, 1)}\n  password ${{{snake(r, 1).upper()}_TOKEN}}\n"


def netrc_mention(r):
    return "machine api.wandb.ai\n  login user\n  password ${WANDB_API_KEY}\n"


def netrc_keyed(r):
    return f"machine {r.choice(['api.wandb.ai', 'wandb.' + snake(r, 1) + '.internal'])}\n  login user\n  password @@KEY@@\n"


# --- requirements / lockfiles --------------------------------------------------------------------
def req_plain(r):
    return f"{r.choice(PKGS_PY)}=={ver(r)} \\\n    --hash=sha256:{hexs(r, 64)} \\\n    --hash=sha256:{hexs(r, 64)}\n"


def req_mention(r):
    return f"wandb>={wbver(r)}\n"


def req_hardneg(r):
    return r.choice([
        f"wandb=={wbver(r)} \\\n    --hash=sha256:{hexs(r, 64)} \\\n    --hash=sha256:{hexs(r, 64)}\n",
        f"wandb @ git+https://github.com/wandb/wandb@{hexs(r, 40)}\n",
    ])


def npm_entry(r, name):
    return (f"    \"node_modules/{name}\": {{\n      \"version\": \"{ver(r)}\",\n"
            f"      \"resolved\": \"https://registry.example.org/{name}/-/{name.split('/')[-1]}-{ver(r)}.tgz\",\n"
            f"      \"integrity\": \"sha512-{b64(r, 64)}\"\n    }}")


def npm_plain(r):
    return npm_entry(r, r.choice(PKGS_JS) + "-" + r.choice(WORDS))


def npm_header(r):
    return f"{{\n  \"name\": \"{kebab(r)}\",\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n"


def npm_mention(r):
    return npm_entry(r, "@wandb/sdk-@@ID@@")


def cargolock_plain(r):
    return (f"[[package]]\nname = \"{kebab(r)}\"\nversion = \"{ver(r)}\"\n"
            f"source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{hexs(r, 64)}\"\n\n")


def cargolock_mention(r):
    return f"[[package]]\nname = \"wandb-rs\"\nversion = \"{ver(r)}\"\ndependencies = [\n \"serde\",\n]\n\n"


def cargolock_hardneg(r):
    return (f"[[package]]\nname = \"wandb-rs\"\nversion = \"{ver(r)}\"\n"
            f"source = \"git+https://github.com/{snake(r, 1)}/wandb-rs?rev={hexs(r, 40)}#{hexs(r, 40)}\"\nchecksum = \"{hexs(r, 64)}\"\n\n")


# --- Markdown ---------------------------------------------------------------------------------------
def md_plain(r):
    k = r.randrange(5)
    if k == 0:
        return f"## {sentence(r, 2, 5)}\n\n{para(r)}\n\n"
    if k == 1:
        return "".join(f"- {sentence(r, 3, 9)}\n" for _ in range(r.randint(2, 7))) + "\n"
    if k == 2:
        return f"```bash\n{r.choice(['make', 'cargo', 'npm run', 'python -m'])} {snake(r, 1)} --{kebab(r)}\n```\n\n"
    if k == 3:
        rows = "".join(f"| `{snake(r, 1)}` | {r.randint(0, 999)} | {sentence(r, 2, 5)} |\n" for _ in range(r.randint(2, 6)))
        return f"| name | value | notes |\n| --- | --- | --- |\n{rows}\n"
    return f"{para(r, 3, 8)}\n\n"


def md_header(r):
    return f"# {sentence(r, 2, 5)}\n\n{para(r)}\n\n"


def md_mention(r):
    return r.choice([
        "## Experiment tracking\n\nWe log runs to Weights & Biases. Run `wandb login` once, or set `WANDB_API_KEY` in your environment (never commit it).\n\n```bash\nexport WANDB_API_KEY=<your-api-key>\nwandb login\n```\n\n",
        f"Results are on the [wandb dashboard](https://wandb.ai/{snake(r, 1)}/{kebab(r)}).\n\n",
        "```python\nimport wandb\nwandb.init(project=\"demo\")\n```\n\n",
        "> **Note**: W&B API keys look like `wandb_v1_...`; rotate yours at https://wandb.ai/authorize if it leaks.\n\n",
    ])


def md_hardneg(r):
    return r.choice([
        f"Commit `{hexs(r, 40)}` upgraded wandb to {wbver(r)}.\n\n",
        f"The baseline wandb run is `{uuid(r)}` (sha256 of the checkpoint: `{hexs(r, 64)}`).\n\n",
    ])


def md_keyed(r):
    return r.choice([
        "```bash\nexport WANDB_API_KEY=@@KEY@@\npython train.py\n```\n\n",
        "Use `wandb login @@KEY@@` on the shared box.\n\n",
    ])


# --- W&B run logs -------------------------------------------------------------------------------------
def log_plain(r):
    lines = []
    for _ in range(r.randint(5, 25)):
        lines.append(f"2024-0{r.randint(1, 9)}-1{r.randint(0, 9)} {r.randint(10, 23)}:{r.randint(10, 59)}:{r.randint(10, 59)},{r.randint(100, 999)} INFO "
                     f"{snake(r, 1)}: epoch={r.randint(0, 99)} step={r.randint(0, 99999)} loss={r.random():.5f} lr={r.random() / 100:.6f}")
    return "\n".join(lines) + "\n"


def log_mention(r):
    rn, rid, ent, proj = run_name(r), run_id(r), snake(r, 1), kebab(r)
    return (f"wandb: Currently logged in as: {ent}. Use `wandb login --relogin` to force relogin\n"
            f"wandb: Tracking run with wandb version {wbver(r)}\n"
            f"wandb: Run data is saved locally in /workspace/wandb/run-20240{r.randint(1, 9)}1{r.randint(0, 9)}_1{r.randint(0, 9)}0000-{rid}\n"
            f"wandb: Syncing run {rn}\n"
            f"wandb:  View project at https://wandb.ai/{ent}/{proj}\n"
            f"wandb:  View run at https://wandb.ai/{ent}/{proj}/runs/{rid}\n")


def log_hardneg(r):
    return (f"wandb: Run summary:\nwandb:   git_commit {hexs(r, 40)}\nwandb:   checkpoint_sha256 {hexs(r, 64)}\n"
            f"wandb:   run_uuid {uuid(r)}\n")


def log_keyed(r):
    return "wandb: WARNING Using WANDB_API_KEY=@@KEY@@ from the environment\n"


# --- notebooks -----------------------------------------------------------------------------------------
def nb_cell(kind, lines, outputs=None):
    src = ",\n".join("    " + json.dumps(l) for l in lines)
    if kind == "markdown":
        return f"  {{\n   \"cell_type\": \"markdown\",\n   \"metadata\": {{}},\n   \"source\": [\n{src}\n   ]\n  }}"
    outs = outputs or ""
    return (f"  {{\n   \"cell_type\": \"code\",\n   \"execution_count\": null,\n   \"metadata\": {{}},\n"
            f"   \"outputs\": [{outs}],\n   \"source\": [\n{src}\n   ]\n  }}")


def nb_stream(text_lines):
    body = ",\n".join("      " + json.dumps(l) for l in text_lines)
    return f"\n    {{\n     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n     \"text\": [\n{body}\n     ]\n    }}\n   "


def src_lines(block):
    ls = block.rstrip("\n").split("\n")
    return [l + "\n" for l in ls[:-1]] + [ls[-1]]


def nb_plain(r):
    if r.random() < 0.3:
        return nb_cell("markdown", src_lines(md_plain(r)))
    outs = nb_stream(src_lines(log_plain(r))) if r.random() < 0.3 else None
    return nb_cell("code", src_lines(py_plain(r)), outs)


def nb_header(r):
    return "{\n \"cells\": [\n"


NB_FOOTER = ("\n ],\n \"metadata\": {\n  \"kernelspec\": {\n   \"display_name\": \"Python 3\",\n   \"language\": \"python\",\n   \"name\": \"python3\"\n  }\n },\n"
             " \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n")


def nb_mention(r):
    if r.random() < 0.5:
        return nb_cell("code", ["import wandb\n", f"wandb.init(project=\"{kebab(r)}\")"], nb_stream(src_lines(log_mention(r))))
    return nb_cell("code", ["!pip install -q wandb\n", "import wandb\n", "wandb.login()"])


def nb_hardneg(r):
    return nb_cell("code", [f"run = wandb.init(id=\"{run_id(r)}\", resume=\"must\")\n", f"run.summary[\"commit\"] = \"{hexs(r, 40)}\""],
                   nb_stream(src_lines(log_hardneg(r))))


def nb_keyed(r):
    return r.choice([
        nb_cell("code", ["import wandb\n", "wandb.login(key=\"@@KEY@@\")"]),
        nb_cell("code", ["import os\n", "os.environ[\"WANDB_API_KEY\"] = \"@@KEY@@\"\n", f"wandb.init(project=\"{kebab(r)}\")"]),
    ])


# ---------------------------------------------------------------------------
# Kinds: name -> generators, separator, size multiplier, mention/plant odds.
# ---------------------------------------------------------------------------
class Kind:
    def __init__(self, name, plain, header=None, footer="", sep="", mention=None, hardneg=None, keyed=None,
                 size=1.0, p_mention=0.12, p_plant=0.004, unique=False):
        self.name, self.plain_fn, self.header_fn, self.footer, self.sep = name, plain, header, footer, sep
        self.mention_fn, self.hardneg_fn, self.keyed_fn = mention, hardneg, keyed
        self.unique = unique
        self.size, self.p_mention, self.p_plant = size, p_mention if mention else 0.0, p_plant if keyed else 0.0

    def build_pools(self, r, n_plain):
        self.plain = [self.plain_fn(r) for _ in range(n_plain)]
        for b in self.plain:
            assert "wandb" not in b.lower(), (self.name, b)
        self.headers = [self.header_fn(r) for _ in range(40)] if self.header_fn else [""]
        for b in self.headers:
            assert "wandb" not in b.lower(), (self.name, b)
        self.mention = [self.mention_fn(r) for _ in range(80)] if self.mention_fn else []
        self.hardneg = [self.hardneg_fn(r) for _ in range(60)] if self.hardneg_fn else []
        self.keyed = [self.keyed_fn(r) for _ in range(30)] if self.keyed_fn else []
        for b in self.mention + self.hardneg + self.keyed:
            assert "wandb" in b.lower(), (self.name, b)
        for b in self.keyed:
            assert "@@KEY@@" in b, (self.name, b)
        avg = sum(map(len, self.plain)) / len(self.plain)
        self.avg_plain = avg + len(self.sep)


KINDS = {
    "py": Kind("py", py_plain, py_header, mention=py_mention, hardneg=py_hardneg, keyed=py_keyed, size=1.2, p_mention=0.16, p_plant=0.008),
    "go": Kind("go", go_plain, go_header, mention=go_mention, hardneg=go_hardneg, keyed=go_keyed, size=1.2, p_mention=0.05, p_plant=0.002),
    "js": Kind("js", js_plain, js_header, mention=js_mention, hardneg=js_hardneg, keyed=js_keyed, size=1.0, p_mention=0.05, p_plant=0.002),
    "rs": Kind("rs", rs_plain, rs_header, mention=rs_mention, hardneg=rs_hardneg, keyed=rs_keyed, size=1.2, p_mention=0.04, p_plant=0.002),
    "java": Kind("java", java_plain, java_header, footer="}\n", mention=java_mention, hardneg=java_hardneg, keyed=java_keyed, size=1.2, p_mention=0.03, p_plant=0.002),
    "sh": Kind("sh", sh_plain, sh_header, mention=sh_mention, hardneg=sh_hardneg, keyed=sh_keyed, size=0.4, p_mention=0.2, p_plant=0.01),
    "wf": Kind("wf", wf_plain, wf_header, mention=wf_mention, hardneg=wf_hardneg, keyed=wf_keyed, size=0.3, p_mention=0.35, p_plant=0.015, unique=True),
    "k8s": Kind("k8s", k8s_plain, mention=k8s_mention, hardneg=k8s_hardneg, keyed=k8s_keyed, size=0.5, p_mention=0.25, p_plant=0.01),
    "compose": Kind("compose", compose_plain, lambda r: "services:\n", mention=compose_mention, hardneg=compose_hardneg, keyed=compose_keyed, size=0.2, p_mention=0.35, p_plant=0.015, unique=True),
    "docker": Kind("docker", docker_plain, docker_header, mention=docker_mention, hardneg=docker_hardneg, keyed=docker_keyed, size=0.1, p_mention=0.3, p_plant=0.01),
    "toml": Kind("toml", toml_plain, toml_header, mention=toml_mention, hardneg=toml_hardneg, keyed=toml_keyed, size=0.3, p_mention=0.2, p_plant=0.008, unique=True),
    "json": Kind("json", json_plain, lambda r: "{\n  \"items\": [\n", footer="\n  ]\n}\n", sep=",\n", mention=json_mention, hardneg=json_hardneg, keyed=json_keyed, size=1.5, p_mention=0.08, p_plant=0.004),
    "env": Kind("env", env_plain, mention=env_mention, hardneg=env_hardneg, keyed=env_keyed, size=0.03, p_mention=0.5, p_plant=0.05),
    "netrc": Kind("netrc", netrc_plain, mention=netrc_mention, keyed=netrc_keyed, size=0.02, p_mention=0.6, p_plant=0.08),
    "req": Kind("req", req_plain, mention=req_mention, hardneg=req_hardneg, size=1.0, p_mention=0.3),
    "npmlock": Kind("npmlock", npm_plain, npm_header, footer="\n  }\n}\n", sep=",\n", mention=npm_mention, hardneg=npm_mention, size=4.0, p_mention=0.2),
    "cargolock": Kind("cargolock", cargolock_plain, lambda r: "# This file is automatically @generated by Cargo.\nversion = 4\n\n", mention=cargolock_mention, hardneg=cargolock_hardneg, size=3.0, p_mention=0.2),
    "md": Kind("md", md_plain, md_header, mention=md_mention, hardneg=md_hardneg, keyed=md_keyed, size=0.8, p_mention=0.15, p_plant=0.004),
    "log": Kind("log", log_plain, mention=log_mention, hardneg=log_hardneg, keyed=log_keyed, size=2.0, p_mention=0.6, p_plant=0.01),
    "nb": Kind("nb", nb_plain, nb_header, footer=NB_FOOTER, sep=",\n", mention=nb_mention, hardneg=nb_hardneg, keyed=nb_keyed, size=3.0, p_mention=0.4, p_plant=0.01),
    "bin": None,  # binary assets, handled separately
}

# Where each kind lives and how its files are named. {w}=word, {n}=counter.
def path_for(r, kind, repo_pkgs, used):
    pk = r.choice(repo_pkgs)
    sub = r.choice(WORDS)
    n = len(used)
    w = r.choice(WORDS)
    choices = {
        "py": [f"src/{pk}/{w}_{n}.py", f"src/{pk}/{sub}/{w}_{n}.py", f"tests/test_{w}_{n}.py", f"scripts/{w}_{n}.py"],
        "go": [f"internal/{pk}/{w}_{n}.go", f"pkg/{pk}/{sub}/{w}_{n}.go", f"cmd/{pk}/{w}_{n}.go"],
        "js": [f"web/src/components/{pascal(r)}{n}.tsx", f"web/src/lib/{w}-{n}.ts", f"src/{pk}/{w}_{n}.js", f"web/src/{sub}/{w}{n}.jsx"],
        "rs": [f"src/{pk}/{w}_{n}.rs", f"crates/{pk}/src/{w}_{n}.rs"],
        "java": [f"src/main/java/com/{pk}/{sub}/{pascal(r)}{n}.java", f"src/test/java/com/{pk}/{pascal(r)}{n}Test.java"],
        "sh": [f"scripts/{w}-{n}.sh", f"bin/{w}-{n}", f"ci/{w}_{n}.sh"],
        "wf": [f".github/workflows/{w}-{n}.yml"],
        "k8s": [f"deploy/k8s/{w}-{n}.yaml", f"charts/{pk}/templates/{w}-{n}.yaml"],
        "compose": ["docker-compose.yml", f"deploy/compose/{w}-{n}.yml"],
        "docker": ["Dockerfile", f"docker/{w}/Dockerfile", f"docker/Dockerfile.{w}{n}"],
        "toml": ["pyproject.toml", f"config/{w}-{n}.toml", f"crates/{pk}/Cargo.toml"],
        "json": [f"config/{w}-{n}.json", f"fixtures/{pk}/{w}_{n}.json", f"wandb/run-{n}/files/wandb-metadata.json"],
        "env": [".env", ".env.example", f"deploy/.env.{w}", f"{pk}/.env.{n}"],
        "netrc": [".netrc", f"deploy/netrc-{w}", f"ci/{w}.netrc"],
        "req": ["requirements.txt", f"requirements/{w}-{n}.txt"],
        "npmlock": ["package-lock.json", f"web/{w}/package-lock.json", f"packages/{w}-{n}/package-lock.json"],
        "cargolock": ["Cargo.lock", f"crates/{w}-{n}/Cargo.lock", "poetry.lock"],
        "md": ["README.md", f"docs/{w}-{n}.md", f"docs/{sub}/{w}_{n}.md", "CHANGELOG.md"],
        "log": [f"wandb/run-2024{n:04d}-{run_id(r)}/files/output.log", f"logs/{w}-{n}.log"],
        "nb": [f"notebooks/{w}_{n}.ipynb", f"notebooks/{sub}/{w}-{n}.ipynb"],
        "bin": [f"assets/{w}-{n}.png", f"docs/img/{w}_{n}.png", f"models/{w}-{n}.bin"],
    }[kind]
    p = r.choice(choices)
    if p in used:
        p = choices[-1] if choices[-1] not in used else f"{p}.{n}"
        if p in used:
            p = f"{p}.{n}"
    used.add(p)
    return p


# Repository flavours: kind weights (files per kind).
REPO_TYPES = {
    "python-ml": dict(py=40, nb=6, md=8, sh=5, wf=3, toml=3, json=6, req=2, cargolock=0.3, env=1.5, docker=1.5, k8s=2, compose=0.5, log=3, bin=2, netrc=0.3),
    "go-service": dict(go=45, md=8, sh=5, wf=3, json=8, k8s=8, docker=2, compose=1, env=1, req=0.5, bin=1, netrc=0.2),
    "web-app": dict(js=50, json=12, md=8, wf=3, npmlock=2, docker=1.5, env=1.5, sh=3, compose=1, bin=4),
    "rust-cli": dict(rs=45, toml=6, md=8, wf=3, sh=4, json=5, cargolock=1, bin=1),
    "java-app": dict(java=50, md=6, json=6, wf=2, k8s=6, docker=2, sh=3, bin=1, env=0.5),
    "infra": dict(k8s=30, wf=10, sh=20, docker=6, compose=5, toml=5, json=8, md=8, env=4, netrc=1, py=6, go=3, req=1),
}
REPO_TYPE_W = {"python-ml": 40, "go-service": 15, "web-app": 18, "rust-cli": 9, "java-app": 8, "infra": 10}


# ---------------------------------------------------------------------------
class Generator:
    def __init__(self, size, out, seed):
        self.cfg = SIZES[size]
        self.out = out
        self.r = random.Random(f"wsl-bench:{seed}:{size}")
        self.files = 0
        self.bytes = 0
        self.mention_files = 0
        self.largest = (0, "")
        self.planted = []  # (path, line, shape, kind)
        self.dirs = set()
        self.big_written = 0
        r = random.Random(f"wsl-bench-pools:{seed}")  # pools are the same for every size
        for k in KINDS.values():
            if k:
                k.build_pools(r, 200)
        raw = r.randbytes(3 * MiB)
        self.rand_bytes = raw
        b = base64.b64encode(raw).decode()
        self.b64_pool = re.sub("(?i)wandb", "AAAAA", b)

    # -- writing ----------------------------------------------------------------
    def write(self, rel, data: bytes, mentions: bool):
        path = os.path.join(self.out, rel)
        d = os.path.dirname(path)
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)
        with open(path, "wb") as fh:
            fh.write(data)
        self.files += 1
        self.bytes += len(data)
        self.mention_files += mentions
        if len(data) > self.largest[0]:
            self.largest = (len(data), rel)

    def plant(self, rel, text, kind_name):
        """Replace each @@KEY@@ with a fresh fake key and record its line."""
        r = self.r
        pieces = text.split("@@KEY@@")
        out = [pieces[0]]
        line = 1 + pieces[0].count("\n")
        for p in pieces[1:]:
            shape, key = fake_key(r)
            self.planted.append((rel, line, shape, kind_name))
            out.append(key)
            out.append(p)
            line += p.count("\n")
        return "".join(out)

    def text_file(self, kind, target, rel, fid):
        r = self.r
        if kind.unique:
            # Kinds whose blocks are top-level keys (TOML tables, workflow jobs,
            # compose services): never repeat a block's first line in a file,
            # so the file stays valid TOML/YAML.
            seen = set()

            def ok(b):
                h = b.split("\n", 1)[0]
                if h in seen:
                    return False
                seen.add(h)
                return True
        else:
            def ok(b):
                return True
        mention = r.random() < kind.p_mention
        plant = r.random() < kind.p_plant
        extra = []
        if plant:
            mention = True
            n_keys = 2 if (r.random() < 0.1 and not kind.unique) else 1
            for _ in range(n_keys):
                b = r.choice(kind.keyed)
                ok(b)
                extra.append(b)
        parts = []
        size = 0
        misses = 0
        while size < target and misses < 50:
            b = r.choice(kind.plain)
            if not ok(b):
                misses += 1
                continue
            parts.append(b)
            size += len(b) + len(kind.sep)
        if not parts:
            parts.append(kind.plain[0])
        if mention and not plant or (plant and r.random() < 0.5):
            if kind.mention:
                for _ in range(r.randint(1, 3)):
                    b = r.choice(kind.mention)
                    if ok(b):
                        extra.append(b)
            if kind.hardneg and r.random() < 0.35:
                b = r.choice(kind.hardneg)
                if ok(b):
                    extra.append(b)
        if plant or extra:
            mention = True
        for b in extra:
            parts.insert(r.randint(0, len(parts)), b)
        text = r.choice(kind.headers) + kind.sep.join(parts) + kind.footer
        text = text.replace("@@ID@@", fid)
        if plant:
            text = self.plant(rel, text, kind.name)
        self.write(rel, text.encode(), mention)

    def bin_file(self, target, rel):
        r = self.r
        n = max(64, min(int(target), len(self.rand_bytes) - 1))
        off = r.randrange(0, len(self.rand_bytes) - n)
        self.write(rel, b"\x89PNG\r\n\x1a\n" + self.rand_bytes[off:off + n], False)

    # -- big files -------------------------------------------------------------------
    def big_file(self, repo, idx):
        r = self.r
        target = r.randint(BIG_MIN, BIG_MAX)
        which = idx % 4
        fid = f"big{idx}"
        if which == 0:  # JSONL training data, no wandb
            rel = f"{repo}/data/{r.choice(WORDS)}-{idx:03d}.jsonl"
            recs = []
            size = 0
            while size < target:
                rec = json.dumps({"id": size, "text": sentence(r, 10, 40), "label": r.randint(0, 9), "source": kebab(r)}) + "\n"
                recs.append(rec)
                size += len(rec)
                if len(recs) > 4000:  # then reuse the records already made
                    while size < target:
                        rec = r.choice(recs)
                        recs.append(rec)
                        size += len(rec)
            text, mention = "".join(recs), False
        elif which == 1:  # long W&B run log: many wandb mentions, a key near the end
            rel = f"{repo}/wandb/run-2024{idx:04d}-{run_id(r)}/logs/debug-internal.log"
            k = KINDS["log"]
            parts, size = [], 0
            while size < target:
                b = r.choice(k.plain) if r.random() < 0.8 else r.choice(k.mention + k.hardneg)
                parts.append(b)
                size += len(b)
            parts.insert(len(parts) - r.randint(1, 20), k.keyed[0])
            text, mention = "".join(parts), True
        elif which == 2:  # minified bundle: very long lines, a key inside one
            rel = f"{repo}/web/dist/assets/index-{hexs(r, 8)}.min.js"
            k = KINDS["js"]
            lines, size = [], 0
            while size < target:
                n = r.randint(40, 400)  # blocks per line -> lines of ~20-200 KB
                line = ";".join(r.choice(k.plain).replace("\n", " ") for _ in range(n))
                lines.append(line)
                size += len(line) + 1
            pos = r.randrange(len(lines))
            lines[pos] = lines[pos][: len(lines[pos]) // 2] + ';const e={WANDB_API_KEY:"@@KEY@@",project:"web"};' + lines[pos][len(lines[pos]) // 2:]
            text, mention = "\n".join(lines) + "\n", True
        else:  # notebook with big base64 image outputs (lines of hundreds of KB)
            rel = f"{repo}/notebooks/{r.choice(WORDS)}-report-{idx:03d}.ipynb"
            k = KINDS["nb"]
            cells, size = [], 0
            while size < target:
                if r.random() < 0.3:
                    n = r.randint(50_000, 600_000)
                    off = r.randrange(0, len(self.b64_pool) - n)
                    img = self.b64_pool[off:off + n]
                    out = (f"\n    {{\n     \"data\": {{\n      \"image/png\": \"{img}\",\n      \"text/plain\": [\"<Figure size 640x480 with 1 Axes>\"]\n     }},\n"
                           f"     \"metadata\": {{}},\n     \"output_type\": \"display_data\"\n    }}\n   ")
                    c = nb_cell("code", ["plt.plot(history)\n", "plt.show()"], out)
                else:
                    c = r.choice(k.plain + k.mention)
                cells.append(c)
                size += len(c) + 2
            cells.insert(r.randint(0, len(cells)), k.keyed[0])
            text, mention = k.headers[0] + ",\n".join(cells) + k.footer, True
        text = text.replace("@@ID@@", fid)
        if "@@KEY@@" in text:
            text = self.plant(rel, text, "big-" + rel.rsplit(".", 1)[-1])
        data = text.encode()
        assert len(data) <= BIG_CAP, (rel, len(data))
        self.write(rel, data, mention)
        self.big_written += 1

    # -- repositories ------------------------------------------------------------------
    def run(self):
        r = self.r
        cfg = self.cfg
        big_total = cfg["big"]
        big_budget = big_total * (BIG_MIN + BIG_MAX) // 2
        rt_names, rt_w = list(REPO_TYPE_W), list(REPO_TYPE_W.values())
        repo_i = 0
        sigma = 1.0
        while self.files < cfg["files"] or self.bytes < cfg["bytes"]:
            repo_i += 1
            rtype = r.choices(rt_names, rt_w)[0]
            repo = f"{r.choice(WORDS)}-{r.choice(WORDS)}-{repo_i:04d}"
            kinds, kw = list(REPO_TYPES[rtype]), list(REPO_TYPES[rtype].values())
            mean_mult = sum(w * (KINDS[k].size if KINDS[k] else 1.0) for k, w in zip(kinds, kw)) / sum(kw)
            pkgs = [r.choice(WORDS) for _ in range(r.randint(2, 6))]
            n_files = r.randint(60, 440)
            left_files = cfg["files"] - self.files
            if 0 < left_files < n_files + 60:
                n_files = left_files
            # mean bytes per regular file needed to hit both targets together
            left_bytes = cfg["bytes"] - self.bytes - max(0, big_budget - self.big_written * (BIG_MIN + BIG_MAX) // 2)
            mean = max(800.0, left_bytes / max(left_files, n_files))
            used = set()
            for _ in range(n_files):
                kname = r.choices(kinds, kw)[0]
                kind = KINDS[kname]
                rel_in = path_for(r, kname, pkgs, used)
                rel = f"{repo}/{rel_in}"
                m = mean * (kind.size if kind else 1.0) / mean_mult
                target = min(r.lognormvariate(math.log(m) - sigma * sigma / 2, sigma), 1.2 * MiB)
                if kind is None:
                    self.bin_file(min(target, 64 * 1024), rel)
                else:
                    self.text_file(kind, target, rel, f"{repo_i}x{len(used)}")
            # spread the big files over the run
            while self.big_written < big_total and self.files >= (self.big_written + 0.5) * cfg["files"] / big_total:
                self.big_file(repo, self.big_written)
        while self.big_written < big_total:
            self.big_file(repo, self.big_written)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=list(SIZES), default="small")
    ap.add_argument("--out", required=True, help="tree root to create (must not exist, or use --force)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="delete DIR first if it exists")
    a = ap.parse_args()

    out = os.path.abspath(a.out.rstrip("/"))
    parent, name = os.path.dirname(out), os.path.basename(out)
    manifest = os.path.join(parent, f"{name}.planted.tsv")
    stats_path = os.path.join(parent, f"{name}.stats.json")
    if os.path.exists(out):
        if not a.force:
            sys.exit(f"{out} exists; pass --force to regenerate")
        shutil.rmtree(out)
    for p in (manifest, stats_path):
        if os.path.exists(p):
            os.remove(p)
    os.makedirs(out)

    t0 = time.time()
    g = Generator(a.size, out, a.seed)
    g.run()
    elapsed = time.time() - t0

    with open(manifest, "w") as fh:
        fh.write("path\tline\tshape\tkind\n")
        for p, line, shape, kind in g.planted:
            fh.write(f"{p}\t{line}\t{shape}\t{kind}\n")
    shapes = {s: sum(1 for x in g.planted if x[2] == s) for s in ("v1", "legacy", "local")}
    stats = dict(size=a.size, seed=a.seed, files=g.files, bytes=g.bytes, mention_files=g.mention_files,
                 mention_pct=round(100.0 * g.mention_files / g.files, 2), planted=len(g.planted), planted_by_shape=shapes,
                 planted_files=len({x[0] for x in g.planted}), largest_bytes=g.largest[0], largest_path=g.largest[1],
                 big_files=g.big_written, seconds=round(elapsed, 1))
    with open(stats_path, "w") as fh:
        json.dump(stats, fh, indent=2)
        fh.write("\n")
    print(f"wrote {g.files} files, {g.bytes} bytes ({g.bytes / MiB:.1f} MiB) to {out} in {elapsed:.1f}s")
    print(f"  files mentioning wandb: {g.mention_files} ({stats['mention_pct']}%)")
    print(f"  planted keys: {len(g.planted)} in {stats['planted_files']} files {shapes}")
    print(f"  largest file: {g.largest[0]} bytes ({g.largest[0] / MiB:.2f} MiB) {g.largest[1]}")
    print(f"  manifest: {manifest}")
    print(f"  stats:    {stats_path}")


if __name__ == "__main__":
    main()
