"""A benchmark measured in a fresh Python process (its own memory peak, no warm caches), its result as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from recommender.paths import ROOT


def in_child(module: str, call: str) -> Any:
    """``call`` (e.g. "bench_size(1000, True)") of ``benchmarks.<module>`` run in a fresh process, its return
    value back through JSON; RuntimeError naming the call and the child's last error line when it fails."""
    code = f"import json; import benchmarks.{module} as m; print(json.dumps(m.{call}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"bench {call} failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
