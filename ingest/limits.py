"""Limits on what one input may cost (kept import-free: the CLI reads them before loading the parser)."""

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
"""Files larger than this are recorded as failed without being read (``GOVPERF_MAX_FILE_MB``)."""
