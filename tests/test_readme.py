"""The README starts with exactly two commands, and they (or the scripts they call) work."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_readme_starts_with_the_two_commands():
    assert readme_commands() == ["bash scripts/quickstart.sh", "bash scripts/test.sh"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci  # CI calls the same test command as the README


def test_quickstart_script_runs_tiny(tmp_path):
    """The README's first command, at the tiny size (the full size is timed in docs/benchmarks.md)."""
    out = tmp_path / "qs"
    proc = subprocess.run(["bash", "scripts/quickstart.sh", "--size", "tiny", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("summary.json", "metrics.jsonl", "config.yaml", "report.md", "report.html", "plots/loss.png"):
        assert (out / name).exists(), name
    assert "val/loss" in proc.stdout


def test_test_script_collects(tmp_path):
    """The README's second command, limited to collecting one file (running it all here would recurse)."""
    proc = subprocess.run(["bash", "scripts/test.sh", "--collect-only", "-q", "tests/test_config.py"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"test_config.py: [1-9]", proc.stdout), proc.stdout[-2000:]
