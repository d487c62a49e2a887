"""What the quality step takes and gives: the checks as the dbt project declares them (one ``qc_*`` model per
check, its meta saying what Great Expectations expects of its rows) and the summary of a run. Pure
reading of a dbt manifest, no Great Expectations: the refresh process and the worker import it freely."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

META_KEY = "quality_check"
MODEL_PREFIX = "qc_"


@dataclass(frozen=True)
class QualityCheck:
    """One invariant: the relation holding its rows, the mart it guards and the GX expectation on the rows."""

    name: str
    relation: str
    target_model: str
    severity: str
    description: str
    expectation: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QualitySummary:
    """What a quality step did: checks run, checks failing, and the Data Docs entry page."""

    checks: int
    failing: int
    docs: str


def checks_from_manifest(manifest: Mapping[str, Any]) -> list[QualityCheck]:
    """Every model of ``manifest`` (a dbt manifest as parsed JSON) with a ``meta.quality_check``, by name."""
    out = []
    for node in manifest["nodes"].values():
        meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
        if node.get("resource_type") != "model" or META_KEY not in meta:
            continue
        check = meta[META_KEY]
        out.append(QualityCheck(
            name=node["name"].removeprefix(MODEL_PREFIX),
            relation=f"{node['schema']}.{node.get('alias') or node['name']}",
            target_model=check["target_model"],
            severity=check["severity"],
            description=" ".join(node.get("description", "").split()),
            expectation=check["expectation"],
            kwargs=check.get("kwargs") or {},
        ))
    return sorted(out, key=lambda check: check.name)


def load_checks(manifest_path: Path | str | None = None) -> list[QualityCheck]:
    """The checks of the manifest at ``manifest_path``, by default the project's (parsed when stale)."""
    if manifest_path is None:
        from dagster_project.warehouse.dbt_runner import ensure_dbt_manifest

        manifest_path = ensure_dbt_manifest()
    return checks_from_manifest(json.loads(Path(manifest_path).read_text(encoding="utf-8")))
