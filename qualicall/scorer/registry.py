"""The check registry: rubric items name their check, code registers it.

Adding a check is one function decorated with `@register_check("name", Params)`
and one line `check: name` in a rubric. `Params` is a pydantic model of the
check's settings: `qualicall rubric validate` checks a rubric's `params`
against it, so a typo in a deployment's YAML is caught before scoring.
Third-party packages can add checks through the `qualicall.checks` entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from qualicall.scorer.context import CheckContext
    from qualicall.core.result import ItemResult

CheckFunction = Callable[["CheckContext", Any], "ItemResult"]


@dataclass(frozen=True)
class Check:
    name: str
    func: CheckFunction
    params: type[BaseModel]
    doc: str


_CHECKS: dict[str, Check] = {}
_loaded = False


def register_check(name: str, params: type[BaseModel]) -> Callable[[CheckFunction], CheckFunction]:
    def decorate(func: CheckFunction) -> CheckFunction:
        if name in _CHECKS and _CHECKS[name].func is not func:
            raise ValueError(f"check {name!r} is registered twice")
        _CHECKS[name] = Check(name, func, params, (func.__doc__ or "").strip().split("\n")[0])
        return func

    return decorate


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import qualicall.scorer.checks  # noqa: F401  (registers the built-in checks)

    for entry in entry_points(group="qualicall.checks"):
        entry.load()


def get_check(name: str) -> Check | None:
    _load()
    return _CHECKS.get(name)


def all_checks() -> dict[str, Check]:
    _load()
    return dict(sorted(_CHECKS.items()))
