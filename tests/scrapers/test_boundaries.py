"""Scraping stops at the stored announcement: from partnerships it uses only what an announcement needs.

That is the models (an announcement's newsroom belongs to a company; dates share their
precision choices) and the admin's base class; candidate deals and everything after them
are curation's, reached through a task named, not imported.
"""

import ast
from pathlib import Path

SCRAPERS = Path(__file__).resolve().parents[2] / "scrapers"
ALLOWED = ("partnerships.models", "partnerships.admin.base")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _curation(name: str) -> bool:
    return name.split(".")[0] == "partnerships" and not name.startswith(ALLOWED)


def test_no_scrapers_module_imports_partnerships_beyond_models_and_the_admin_base():
    offenders = {
        str(path.relative_to(SCRAPERS)): sorted(n for n in _imports(path) if _curation(n))
        for path in SCRAPERS.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_extraction_task_scrapers_enqueue_by_name_is_registered():
    from celery import current_app

    from scrapers.services.articles import ANNOUNCEMENT_EXTRACT_TASK

    assert ANNOUNCEMENT_EXTRACT_TASK in current_app.tasks
