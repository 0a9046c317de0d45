"""The apps depend one way (README, Architecture): a module may import its own app and the apps
below it, never one above. Every import counts, those inside functions too.

The layers are listed here once, lowest first; README's Architecture section says the same.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS = [
    "core",  # Thai text, digits and dates; national IDs; settings helpers; the clock; the cache
    "registry",  # provinces, districts, LAOs and units; the registry loader
    "accounts",  # users, roles, scope (who acts where), the officers' second-factor gate
    "maintenance",  # the access policy: rules, decisions, the unit gate, the status page
    "notifications",  # the outbox, delivery, inbox and log; the reminder ladder and its pass
    "circulars",  # letters, their chain down to LAOs, acknowledgements
    "onboarding",  # identity verification requests, evidence, review
    "compliance",  # dashboards, late lists, exports, the compliance API
    "elaas_portal",  # settings, URLs, context processors: wires everything
]
# Outside the layers, free to import any of them, never imported by them (devidp: the
# development stand-in for ThaID, a Django project of its own, never in production).
OUTSIDE = ["demo", "devidp", "bench", "tests"]
RANK = {name: i for i, name in enumerate(LAYERS)}


def imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def layer_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in RANK or top in OUTSIDE else None


def violations(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, module in imported_modules(tree):
            target = layer_of(module)
            if target is None or target == package:
                continue
            if target in OUTSIDE or RANK[target] > RANK[package]:
                found.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_each_app_imports_only_the_apps_below_it(package):
    assert violations(package) == []


def test_the_check_finds_an_import_against_the_direction(tmp_path, monkeypatch):
    """The check itself can fail: an import of a higher app inside a function is caught."""
    fake_root = tmp_path
    (fake_root / "registry").mkdir()
    (fake_root / "registry" / "bad.py").write_text(
        "def f():\n    from onboarding.models import VerificationRequest\n", encoding="utf-8"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", fake_root)
    assert violations("registry") == ["registry/bad.py:2 imports onboarding.models"]


def test_every_app_of_ours_is_in_a_layer():
    ours = {p.parent.name for p in ROOT.glob("*/apps.py") if p.parent.name not in OUTSIDE} | {
        "elaas_portal"
    }
    assert ours <= set(LAYERS)


def test_readme_lists_the_layers_in_the_same_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    positions = [section.find(f"`{name}`") for name in LAYERS]
    assert -1 not in positions, "every layer is named in README's Architecture section"
    assert positions == sorted(positions)
