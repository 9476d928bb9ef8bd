"""The house's direction of flow, checked on the source (refs #16):

    python scripts/check_imports.py

- archive/ and paragraf_common/ import nothing of ours; ingest/ and index/ never import each
  other; nothing imports app.py;
- only app.py and web/ import Flask (flask, flask_htmx, werkzeug), only index/backend/ Whoosh,
  only ingest/pdf.py pdfminer;
- no import cycle between our packages, nor between the modules of one package.
Imports inside functions count too. Exits 1 on any breach.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("app", "archive", "index", "ingest", "paragraf_common", "web")
FLASK = ("flask", "flask_htmx", "werkzeug")
# a dependency lives in one room: (its top-level names, the module prefix allowed to import it)
ROOMS = [(("whoosh",), "index.backend"), (("pdfminer",), "ingest.pdf")]
MAY_NOT = {"archive": set(OURS) - {"archive"},
           "paragraf_common": set(OURS) - {"paragraf_common"},
           "ingest": {"index", "web", "app"}, "index": {"ingest", "web", "app"},
           "web": {"app"}}


def modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in OURS[1:]:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """The absolute names a module imports (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def main() -> int:
    mods = modules()
    graph = {name: {m for m in imports_of(name, path) if m in mods and m != name}
             for name, path in mods.items()}
    problems = []
    for name, path in mods.items():
        top = name.split(".")[0]
        for target in imports_of(name, path):
            target_top = target.split(".")[0]
            if target_top in MAY_NOT.get(top, ()):
                problems.append(f"{name} imports {target}")
            if target_top == "app" and top != "app":
                problems.append(f"{name} imports app")
            if target_top in FLASK and top not in ("app", "web"):
                problems.append(f"{name} imports {target} (only app.py and web/ import Flask)")
            for names, room in ROOMS:
                if target_top in names and not (name == room or name.startswith(room + ".")):
                    problems.append(f"{name} imports {target} (only {room} may)")
    # package-level cycles
    packages = {top: set() for top in OURS}
    for name, targets in graph.items():
        packages[name.split(".")[0]] |= {t.split(".")[0] for t in targets} - {name.split(".")[0]}
    problems += [f"package cycle: {' -> '.join(c)}" for c in cycles(packages)]
    # module-level cycles (an __init__ importing its own modules is no cycle)
    inner = {n: {t for t in ts if not n.startswith(t + ".") and not (n == t.rpartition(".")[0])}
             for n, ts in graph.items()}
    problems += [f"module cycle: {' -> '.join(c)}" for c in cycles(inner)]
    print("\n".join(problems) or f"{len(mods)} modules: no cycle, every import flows the house's way")
    return 1 if problems else 0


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One path for each cycle found by depth-first search."""
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


if __name__ == "__main__":
    sys.exit(main())
