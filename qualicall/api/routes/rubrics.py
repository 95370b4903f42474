"""/v1/rubrics: the grids interactions are scored against."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from qualicall.api.deps import ANY_ROLE, Client
from qualicall.api.routes.interactions import ERRORS
from qualicall.api.schemas import Problem, RubricSummary
from qualicall.scorer.rubric import Rubric, RubricError, list_rubrics, load_rubric

router = APIRouter(prefix="/v1/rubrics", tags=["rubrics"])


@router.get("", response_model=list[RubricSummary], responses=ERRORS, summary="The rubrics available by id")
def rubrics(client: Annotated[Client, Depends(ANY_ROLE)]) -> list[RubricSummary]:
    out = []
    for rubric_id, path in list_rubrics():
        try:
            rubric = load_rubric(str(path))
        except RubricError:
            continue  # a deployment's file that does not load (`qualicall rubric list` says why): not one to score with
        out.append(RubricSummary(id=rubric_id, version=rubric.version, language=rubric.language, name=rubric.name, description=rubric.description))
    return out


@router.get("/{rubric_id}", response_model=Rubric, responses={**ERRORS, 404: {"model": Problem}}, summary="One rubric: criteria, items, checks, thresholds")
def rubric(rubric_id: Annotated[str, Path(max_length=200)], client: Annotated[Client, Depends(ANY_ROLE)]) -> Rubric:
    # Only ids listed by the server: a path here must never reach the file system.
    paths = dict(list_rubrics())
    if rubric_id not in paths:
        raise HTTPException(404, f"unknown rubric {rubric_id!r} (known: {', '.join(paths)})")
    return load_rubric(str(paths[rubric_id]))
