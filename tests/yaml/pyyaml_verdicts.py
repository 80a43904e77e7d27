#!/usr/bin/env python3
"""Prints PyYAML's verdict on every YAML file under the given folders, one line per file:
`ok<TAB>path`, `err<TAB>path<TAB>message`, or `skip<TAB>path` for a file that is not UTF-8
(the linter reads only UTF-8 text as YAML). Uses libyaml through `yaml.CSafeLoader` when
PyYAML was built with it, else the pure-Python loader; the first line names which.

Used by tests/yaml_pyyaml.rs; exits 3 when PyYAML cannot be imported."""
import os
import sys

try:
    import yaml
except ImportError:
    print("pyyaml-missing", flush=True)
    sys.exit(3)

LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
print("loader\t%s\t%s" % (LOADER.__name__, yaml.__version__))


def verdict(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "skip", ""
    try:
        for _ in yaml.compose_all(text, Loader=LOADER):
            pass
    except yaml.YAMLError as e:
        return "err", " ".join(str(e).split())[:300]
    except (ValueError, TypeError, RecursionError, OverflowError) as e:
        # Construction errors (a timestamp out of range, an unhashable key, nesting past
        # Python's recursion limit): PyYAML did not accept the file either.
        return "err", type(e).__name__
    return "ok", ""


def main(roots):
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith((".yml", ".yaml")):
                    continue
                path = os.path.join(dirpath, name)
                v, msg = verdict(path)
                print("%s\t%s\t%s" % (v, path, msg) if msg else "%s\t%s" % (v, path))


if __name__ == "__main__":
    main(sys.argv[1:])
