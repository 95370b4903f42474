"""/docs: Swagger UI on the OpenAPI schema, its assets served by the service itself (from the
`swagger-ui-bundle-v2` package): the page works offline and runs no third-party script on the
origin of the coaches' pages, under the same Content-Security-Policy as they do."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from qualicall import __version__

router = APIRouter(include_in_schema=False)

OWN = Path(__file__).resolve().parent.parent / "static"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>qualicall {__version__} — API</title>
<link rel="icon" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    if name == "swagger-init.js":
        return FileResponse(OWN / name, headers={"Cache-Control": "public, max-age=86400"})
    if name not in ASSETS:
        raise HTTPException(404)
    from swagger_ui_bundle import swagger_ui_path

    return FileResponse(Path(str(swagger_ui_path)) / name, headers={"Cache-Control": "public, max-age=86400"})
