#!/usr/bin/env python3
"""Count the findings in one tool's report and how many planted keys they hit.

    python3 bench/count_findings.py TOOL REPORT TREE_DIR [MANIFEST]

Prints one line: `<findings>\t<planted hit>/<planted total>` (the second field
is `-` when there is no manifest or the report has no locations, and `?` for
the first field when the report cannot be read).

A planted key counts as hit when some finding's path (made relative to
TREE_DIR) and start line equal the manifest's. Reports understood:
  rg              `path:count` lines (findings = matching lines)
  ripsecrets      `path:line:text` lines
  detect-secrets  {"results": {path: [{"line_number": n}, ...]}}
  any other JSON  a list of finding objects, or an object holding one under
                  findings/results/leaks/matches/issues; each object's path and
                  line are looked up under the usual key names, nested or not
                  (gitleaks File/StartLine, betterleaks location.path/start_line,
                  kingfisher finding.path/line, wandb-sa-lint location.path/line).
"""

import json
import os
import sys

PATH_KEYS = ("path", "File", "file", "filename", "file_path", "Path")
LINE_KEYS = ("line", "start_line", "StartLine", "line_number", "Line", "startLine")
LIST_KEYS = ("findings", "results", "leaks", "matches", "issues", "Findings")


def norm(path, tree):
    if not path:
        return None
    path = path.replace("\\", "/")
    if path.startswith("file://"):
        path = path[7:]
    if os.path.isabs(path):
        return os.path.relpath(path, tree)
    if os.path.exists(os.path.join(tree, path)):
        return os.path.normpath(path)
    if os.path.exists(path):  # relative to the current directory
        return os.path.relpath(os.path.abspath(path), tree)
    base = os.path.basename(tree.rstrip("/")) + "/"
    if path.startswith(base):
        return path[len(base):]
    return os.path.normpath(path)


def find_key(obj, keys, want, depth=0):
    """First value of a wanted type under one of keys, breadth-first-ish."""
    if not isinstance(obj, dict) or depth > 3:
        return None
    for k in keys:
        v = obj.get(k)
        if isinstance(v, want) and not isinstance(v, bool):
            return v
    for v in obj.values():
        if isinstance(v, dict):
            r = find_key(v, keys, want, depth + 1)
            if r is not None:
                return r
    return None


def locations_from_json(data):
    if isinstance(data, dict):
        items = None
        for k in LIST_KEYS:
            if k in data:
                items = data[k]
                break
        if items is None:
            return None
        if isinstance(items, dict):  # detect-secrets: {path: [findings]}
            out = []
            for p, lst in items.items():
                for f in lst or []:
                    out.append((p, f.get("line_number") if isinstance(f, dict) else None))
            return out
        data = items
    if not isinstance(data, list):
        return None
    out = []
    for f in data:
        out.append((find_key(f, PATH_KEYS, str), find_key(f, LINE_KEYS, int)))
    return out


def main():
    tool, report, tree = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    manifest = sys.argv[4] if len(sys.argv) > 4 else None
    try:
        if tool == "rg":
            n = 0
            with open(report, errors="replace") as fh:
                for line in fh:
                    n += int(line.rstrip("\n").rsplit(":", 1)[1])
            print(f"{n}\t-")
            return
        if tool == "ripsecrets":
            locs = []
            with open(report, errors="replace") as fh:
                for line in fh:
                    parts = line.split(":", 2)
                    if len(parts) >= 2 and parts[1].isdigit():
                        locs.append((parts[0], int(parts[1])))
        else:
            with open(report, "rb") as fh:
                raw = fh.read()
            if raw.strip() == b"":
                locs = []
            else:
                try:
                    data = json.loads(raw)
                except ValueError:  # JSON lines
                    data = [json.loads(l) for l in raw.splitlines() if l.strip()]
                locs = locations_from_json(data)
            if locs is None:
                print("?\t-")
                return
    except Exception:
        print("?\t-")
        return

    hit = "-"
    if manifest and os.path.exists(manifest):
        planted = set()
        with open(manifest) as fh:
            next(fh, None)
            for line in fh:
                p, ln = line.rstrip("\n").split("\t")[:2]
                planted.add((p, int(ln)))
        if any(p for p, _ in locs) and any(l for _, l in locs):
            found = {(norm(p, tree), l) for p, l in locs if p and l}
            hit = f"{len(planted & found)}/{len(planted)}"
    print(f"{len(locs)}\t{hit}")


if __name__ == "__main__":
    main()
