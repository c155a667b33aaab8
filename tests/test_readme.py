"""The README starts with the two commands of a fresh machine, and CI runs the second one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)


def test_the_readme_opens_with_install_and_run_then_install_and_test() -> None:
    first, second = _commands()[:2]
    assert first == "pip install . && accord run"
    assert second.startswith('pip install -e ".[test]" && python -m pytest')


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    pattern = re.search(r'grep -m1 -E "([^"]+)" README.md', ci).group(1)
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if re.search(pattern, line)]
    assert lines[0] == _commands()[1]
