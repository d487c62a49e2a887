"""Imported by the fork server that parse workers fork from (``ingest.pool.start_fork_server``): loads
what the parser reads once per process, so that no worker pays for it within a report's time budget
and the refresh process, which does not parse, does not load it at all."""

from ingest import parse  # noqa: F401  (the parser's modules, imported once in the fork server)
from ingest.gazetteer import gazetteer

gazetteer()
