"""Dagster resources: the refresh's settings, the engine that reads and parses, the refresh lock, dbt
run in process, and the Great Expectations worker."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, ConfigurableResource, Failure, InitResourceContext, Output
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets, get_subset_selection_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from pydantic import PrivateAttr

from dagster_project.quality.spec import QualitySummary
from dagster_project.quality.worker import QualityWorker
from dagster_project.warehouse.build_db import build_connection, record_dbt_tests
from dagster_project.warehouse.dbt_runner import run_dbt
from dagster_project.warehouse.publish import RefreshLock
from dagster_project.warehouse.settings import DEFAULT_LOCK_WAIT_SECONDS, Settings, engine_setting
from ingest.runtime.limits import DEFAULT_PARSE_LIMITS, DEFAULT_READ_LIMITS
from ingest.runtime.pool import Engine, Limits, using_engine

PROGRESS = "progress: "
"""Prefix of step log lines that a refresh on a terminal shows as progress."""
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


class GovperfResource(ConfigurableResource):
    """Paths and limits of a refresh (see :class:`dagster_project.warehouse.settings.Settings`), as
    resolved once by the CLI or the definitions; the steps read them from here, never from the environment."""

    raw_dir: str
    warehouse: str
    build_db: str
    max_file_bytes: int
    storage_version: str
    max_scan_bytes: int
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
    parse_seconds: float = DEFAULT_PARSE_LIMITS.seconds
    parse_memory_mb: int = DEFAULT_PARSE_LIMITS.memory_mb
    read_seconds: float = DEFAULT_READ_LIMITS.seconds
    read_memory_mb: int = DEFAULT_READ_LIMITS.memory_mb

    @classmethod
    def from_settings(cls, settings: Settings) -> GovperfResource:
        """The resource for resolved :class:`Settings`."""
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse=str(settings.warehouse),
            build_db=str(settings.build_db),
            max_file_bytes=settings.max_file_bytes,
            storage_version=settings.storage_version,
            lock_wait_seconds=settings.lock_wait_seconds,
            max_scan_bytes=settings.max_scan_bytes,
            parse_seconds=settings.parse_limits.seconds,
            parse_memory_mb=settings.parse_limits.memory_mb,
            read_seconds=settings.read_limits.seconds,
            read_memory_mb=settings.read_limits.memory_mb,
        )

    @property
    def settings(self) -> Settings:
        """The resource as :class:`Settings`."""
        return Settings(
            Path(self.raw_dir),
            Path(self.warehouse),
            Path(self.build_db),
            self.max_file_bytes,
            self.storage_version,
            self.lock_wait_seconds,
            max_scan_bytes=self.max_scan_bytes,
            parse_limits=Limits(self.parse_seconds, self.parse_memory_mb),
            read_limits=Limits(self.read_seconds, self.read_memory_mb),
        )


class EngineResource(ConfigurableResource):
    """Where documents are read (OCR included) and reports parsed: ``local`` (this machine's worker
    processes, ``ingest.runtime.pool``) or ``ray`` (tasks on the Ray cluster at ``ray_address``,
    ``ingest.runtime.ray_engine``). Set from ``GOVPERF_ENGINE`` / ``GOVPERF_RAY_ADDRESS`` when the definitions
    load (UI, schedule, sensor) or from ``govperf refresh --engine``; the facts are the same either way.

    A run connects to the cluster when it first has work for it and disconnects when it ends; a
    ``local`` run imports no Ray.
    """

    engine: str = "local"
    ray_address: str | None = None
    _engine: Engine | None = PrivateAttr(default=None)

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineResource:
        """The resource for resolved :class:`Settings`."""
        return cls(engine=settings.engine, ray_address=settings.ray_address)

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[EngineResource]:
        """Check the setting, yield, and disconnect from the cluster when the run ends."""
        engine, address = engine_setting(self.engine, self.ray_address, {})
        if engine == "ray" and address is not None:
            from ingest.runtime.ray_engine import RayEngine

            self._engine = RayEngine(address)
        try:
            yield self
        finally:
            if self._engine is not None:
                self._engine.close()
                self._engine = None

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Within the block, reading and parsing run on this engine."""
        with using_engine(self._engine):
            yield


class RefreshLockResource(ConfigurableResource):
    """Holds ``<build dir>/refresh.lock`` for the whole run: two refreshes of one warehouse never interleave.

    Every asset of the refresh job requires it, so it is taken when the run starts and released when
    the run ends (the in-process executor initialises resources once per run).
    """

    build_dir: str
    timeout_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[RefreshLockResource]:
        """Take the lock for the run (logging when another refresh holds it) and yield."""

        with RefreshLock(Path(self.build_dir), self.timeout_seconds, on_wait=context.log.warning):
            yield self


class GreatExpectationsResource(ConfigurableResource):
    """Runs the quality step (:func:`dagster_project.quality.suite.validate_build`) in a worker process
    that ``prepare`` starts when the dbt step begins, so ``import great_expectations`` (seconds of
    one core) overlaps the dbt build (and the worker's memory is not held through the parse).

    The step runs in this process instead when no worker was prepared (a run of the quality step
    alone), when the worker is gone (with a warning), or always with ``use_worker=False``.
    """

    use_worker: bool = True
    _worker: QualityWorker | None = PrivateAttr(default=None)

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[GreatExpectationsResource]:
        """Yield the resource; stop its worker, if one was started, when the run ends."""
        try:
            yield self
        finally:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None

    def prepare(self) -> None:
        """Start the worker (once per run; nothing with ``use_worker=False``)."""
        if self.use_worker and self._worker is None:
            self._worker = QualityWorker.start()

    @property
    def worker(self) -> QualityWorker | None:
        """The run's worker (None outside a run)."""
        return self._worker

    def validate(self, context: AssetExecutionContext, build_db: Path, docs_dir: Path) -> QualitySummary:
        """The quality step on ``build_db``, its Data Docs under ``docs_dir``."""
        if self._worker is not None:
            try:
                return self._worker.validate(str(build_db), str(docs_dir))
            except ConnectionError as exc:
                context.log.warning(f"{exc}; running the quality step in the refresh process")
        from dagster_project.quality.suite import validate_build

        return validate_build(str(build_db), str(docs_dir))


class DbtInProcessResource(ConfigurableResource):
    """dbt run in this process with ``dbtRunner`` (no executable on PATH, no interpreter start-up per invocation).

    Its events are turned into Dagster events by dagster-dbt's own translation, so models become
    materialisations and dbt tests asset checks exactly as with ``DbtCliResource``.
    """

    project_dir: str
    build_db: str
    quiet: bool = True
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    def build(self, context: AssetExecutionContext) -> Iterator[Any]:
        """``dbt build`` (without unit tests, which run in the test suite) of the context's selection.

        Test outcomes are stored in ``ops.dbt_tests``; a model or seed that does not build fails the
        step after its events are reported, so an incomplete warehouse is never published.
        """
        from dbt_common.events.functions import msg_to_dict

        manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
        selection, indirect = get_subset_selection_for_context(
            context=context,
            manifest=manifest,
            select=context.op_execution_context.op.tags.get("dagster_dbt/select"),
            exclude=context.op_execution_context.op.tags.get("dagster_dbt/exclude"),
            selector=context.op_execution_context.op.tags.get("dagster_dbt/selector"),
            dagster_dbt_translator=translator,
            current_dbt_indirect_selection_env=os.getenv("DBT_INDIRECT_SELECTION"),
        )
        events: list[dict[str, Any]] = []

        def collect(msg: Any) -> None:
            if msg.info.name in RESULT_EVENTS:
                events.append(msg_to_dict(msg))

        build_db = Path(self.build_db)
        target_path = build_db.parent / "dbt"
        args = ["build", "--exclude-resource-type", "unit_test", *selection]
        args += ["--target-path", str(target_path), "--log-path", str(target_path)]
        result = run_dbt(args, Path(self.project_dir), callbacks=[collect], quiet=self.quiet, build_db=build_db,
                         env={"DBT_INDIRECT_SELECTION": indirect} if indirect else None)
        if result.exception is not None:
            raise RuntimeError(f"dbt build could not run: {result.exception}")
        results = [node_result(raw) for raw in events]
        with build_connection(build_db, context.log.warning, self.lock_wait_seconds) as con:
            record_dbt_tests(con, results)
            counts = row_counts(con, events)
        for raw in events:
            event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
            count = counts.get(raw["data"]["node_info"]["unique_id"])
            for dagster_event in event.to_default_asset_events(
                manifest=manifest, dagster_dbt_translator=translator, context=context, target_path=target_path
            ):
                if isinstance(dagster_event, Output) and count is not None:
                    dagster_event = dagster_event.with_metadata({**dagster_event.metadata, "dagster/row_count": count})
                yield dagster_event
        broken = [
            f"{r['unique_id']}: {r['status']} {r['message'] or ''}".strip()
            for r in results
            if not r["unique_id"].startswith(("test.", "unit_test.")) and r["status"] not in ("success", "pass")
        ]
        tests = [r for r in results if r["unique_id"].startswith("test.")]
        failing = [r for r in tests if r["status"] not in ("pass", "success")]
        context.log.info(
            f"{PROGRESS}dbt built {len(results) - len(tests)} models and seeds, ran {len(tests)} tests "
            f"({len(failing)} failing)"
        )
        if broken:
            raise Failure("dbt could not build every model:\n" + "\n".join(broken))


def row_counts(con: Any, events: list[dict[str, Any]]) -> dict[str, int]:
    """Rows of every model and seed the build made (unique id → count), for the asset catalog."""
    counts = {}
    for event in events:
        node = event["data"]["node_info"]
        relation = (node.get("node_relation") or {}).get("relation_name")
        if relation and node["unique_id"].startswith(("model.", "seed.")) and node.get("node_status") == "success":
            counts[node["unique_id"]] = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    return counts


def node_result(event: dict[str, Any]) -> dict[str, Any]:
    """``unique_id``, ``status``, ``message`` and ``failures`` of a dbt result event (as a dict)."""
    node = event["data"]["node_info"]
    return {
        "unique_id": node["unique_id"],
        "status": node.get("node_status") or str(event["data"].get("status", "")).lower(),
        "message": event["info"].get("msg"),
        "failures": event["data"].get("num_failures"),
    }
