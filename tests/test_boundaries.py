"""agent/ is the Reflex-free core: the worker loads neither Reflex nor the web app."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_the_worker_loads_neither_reflex_nor_the_web_app():
    code = (
        "import sys, agent.worker, agent.follow, agent.store\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('reflex', 'reflex_base', 'cofounder_app'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_no_module_under_agent_imports_reflex_or_the_web_app():
    offenders = []
    for path in (ROOT / "agent").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("reflex", "reflex_base", "cofounder_app")]
    assert offenders == []
