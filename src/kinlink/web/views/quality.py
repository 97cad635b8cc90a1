"""The data-quality page: findings and quarantined rows charted by agency, rule, severity."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kinlink.quality.figures import quality_figures
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/quality")
def quality(request: Request, actor: CurrentActor) -> Response:
    core = core_of(request)
    findings = core.quality.findings(actor)
    figures = quality_figures(findings, core.ingest.status(actor))
    return render(request, "quality.html", title="Data quality", figures=figures,
                  findings=findings[:50])
