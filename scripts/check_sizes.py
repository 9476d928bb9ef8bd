"""Functions over 60 lines and modules over 400 lines whose docstring gives no reason (refs #16).

    python scripts/check_sizes.py            # app.py, web/, archive/, ingest/, index/, paragraf_common/

A long module or function is allowed when the docstring at its top says why, in a sentence
holding "long" or "lines" (e.g. "One module though long: …"). Exits 1 if anything is left.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ["app.py", "web", "archive", "ingest", "index", "paragraf_common"]
MAX_FUNCTION, MAX_MODULE = 60, 400
REASON = re.compile(r"\blong\b|\blines\b", re.I)


def files() -> list[Path]:
    out = []
    for room in ROOMS:
        path = ROOT / room
        out += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return out


def problems(path: Path) -> list[str]:
    source = path.read_text("utf-8")
    tree = ast.parse(source)
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE and not REASON.search(ast.get_docstring(tree) or ""):
        found.append(f"{path.relative_to(ROOT)}: module of {lines} lines")
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION and not REASON.search(ast.get_docstring(node) or ""):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name}() "
                             f"of {length} lines")
    return found


def main() -> int:
    found = [line for path in files() for line in problems(path)]
    print("\n".join(found) or "no function over 60 lines, no module over 400 lines unexplained")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
