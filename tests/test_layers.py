"""Layers import downwards only (README, "Layers"): a test that fails when an import goes up or sideways.

Every `import qualicall.X` / `from qualicall.X import …` in the package is read with `ast`, those inside
functions too (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "qualicall"

# Which top-level packages each package may import; anything else is a layering fault.
BOTTOM = {"core"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "security": set(),
    "settings": set(),
    "models": BOTTOM,
    "scorer": BOTTOM | {"models"},
    "audio": BOTTOM | {"models"},
    "privacy": BOTTOM | {"models", "scorer"},
    "store": BOTTOM | {"security"},
    "reports": BOTTOM | {"scorer"},
    "service": BOTTOM | {"models", "scorer", "audio", "privacy", "store", "settings"},
    "batch": BOTTOM | {"models", "scorer", "audio", "privacy", "store", "settings", "service"},
    "api": BOTTOM | {"models", "scorer", "audio", "privacy", "store", "reports", "settings", "security", "service"},
    "cli": BOTTOM | {"models", "scorer", "audio", "privacy", "store", "reports", "settings", "service", "api", "batch"},
    "__main__": {"cli"},
    "__init__": set(),
}


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return [(line, name.split(".")[1]) for line, name in found if name.startswith("qualicall.")]


def test_every_package_has_a_place_in_the_layers() -> None:
    packages = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert packages == set(ALLOWED), "a package was added or removed: give it its place in ALLOWED and the README's picture"


def test_imports_go_downwards_only() -> None:
    faults = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        package = relative.parts[0].removesuffix(".py")
        for line, target in imports_of(path):
            if target != package and target not in ALLOWED[package]:
                faults.append(f"qualicall/{relative}:{line} imports qualicall.{target}")
    assert not faults, "imports that go up a layer:\n" + "\n".join(faults)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("def f():\n    from qualicall.api.app import create_app\n", encoding="utf-8")
    assert imports_of(source) == [(2, "api")]
