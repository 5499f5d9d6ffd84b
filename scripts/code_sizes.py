"""Module sizes and the longest function of each module, for the size limits the code keeps.

Functions should fit on a screen (about 60 lines) and modules stay under about 400
lines; ruff's C901 checks branches, this checks length. Migrations are skipped.

    python scripts/code_sizes.py [PATH ...]          # default: the application packages
    python scripts/code_sizes.py --over 60 extraction  # only modules with a longer function
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ("config", "extraction", "partnerships", "scrapers", "bench")


def measure(path: Path) -> tuple[int, int, str]:
    """Lines in the module, and the length and name of its longest function."""
    source = path.read_text(encoding="utf-8")
    functions = [
        (node.end_lineno - node.lineno + 1, node.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    length, name = max(functions, default=(0, "-"))
    return len(source.splitlines()), length, name


def modules(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for arg in paths:
        path = ROOT / arg if not Path(arg).is_absolute() else Path(arg)
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [p for p in found if "migrations" not in p.parts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT))
    parser.add_argument(
        "--over", type=int, default=0, help="only show modules whose longest function is longer"
    )
    args = parser.parse_args()
    total = 0
    for path in modules(args.paths):
        lines, length, name = measure(path)
        total += lines
        if length > args.over:
            print(f"{lines:6d}  {path.relative_to(ROOT)!s:60}  longest {name} ({length} lines)")
    print(f"{total:6d}  total lines")


if __name__ == "__main__":
    main()
