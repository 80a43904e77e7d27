#!/usr/bin/env python3
"""Write a registry of N service accounts for timing its loading.

    python3 bench/gen_registry.py OUT [--accounts N] [--teams T]

Every account has a unique name, a team among T, an owner, a purpose, two `used_by` globs
and two API keys with unique ids; the same arguments always give the same bytes.
"""
import argparse


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--teams", type=int, default=50)
    a = ap.parse_args()
    out = ["organization: acme", "teams:"]
    for t in range(a.teams):
        out.append(f"  team-{t}: {{members: [lead-{t}@acme.com], projects: {{proj-{t}-a: {{visibility: team}}}}}}")
    out.append("service_accounts:")
    for i in range(a.accounts):
        t = i % a.teams
        out += [
            f"  - name: svc-{i:06d}-runner",
            "    scope: team",
            f"    team: team-{t}",
            "    auth: api-key",
            f"    purpose: Training job {i} of team {t}",
            f"    owner: owner-{i % 977}@acme.com",
            f"    used_by: [.github/workflows/job-{i}.yml, k8s/job-{i}/*.yaml]",
            "    created: 2025-01-01",
            "    api_keys:",
            f"      - {{name: k1, id: id-{i}-a, created: 2026-01-01, last_used: 2026-10-01}}",
            f"      - {{name: k2, id: id-{i}-b, created: 2026-02-01}}",
        ]
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
