"""Dagster resources: where the pipeline reads raw reports and writes the build and published databases."""

from __future__ import annotations

from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging.version import Version

from ingest.raw import DEFAULT_MAX_FILE_BYTES
from ingest.warehouse import Settings


class GovperfResource(ConfigurableResource):
    """Paths and limits of a refresh (see :class:`ingest.warehouse.Settings`)."""

    raw_dir: str
    warehouse: str
    build_db: str
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    @classmethod
    def from_settings(cls, settings: Settings) -> GovperfResource:
        """The resource for resolved :class:`Settings`."""
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse=str(settings.warehouse),
            build_db=str(settings.build_db),
            max_file_bytes=settings.max_file_bytes,
        )

    @property
    def settings(self) -> Settings:
        """The resource as :class:`Settings`."""
        return Settings(Path(self.raw_dir), Path(self.warehouse), Path(self.build_db), self.max_file_bytes)


class GovperfDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource, reading dbt's version from the installed package.

    The stock resource runs ``dbt --version`` (about 7 s of start-up here, and a look-up of the
    latest release) twice per invocation; the dbt executable is the one of this environment.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))
