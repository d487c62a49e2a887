"""Imported by parse workers before they take a report (``run_limited(..., preload=["ingest.warm"])``),
and by the fork server they fork from (``start_fork_server``), once: loads what the parser reads once
per process, so that no report pays for it within its time budget and the refresh process, which
does not parse, does not load it at all."""

from ingest import parse  # noqa: F401  (the parser's modules, imported once in the fork server)
from ingest.vocab.gazetteer import gazetteer

gazetteer()
