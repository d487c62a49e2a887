"""Quality: the warehouse's invariants checked by Great Expectations, outside the pure layers.

The invariants are dbt models (``dbt/models/quality/qc_*``, one view per check, its rows to validate);
each model's ``meta.quality_check`` names the mart it guards, its severity and the GX expectation.
:mod:`.spec` reads those checks from the dbt manifest, :mod:`.suite` validates them with Great
Expectations and stores the outcomes in ``raw.quality_results`` (read by the marts ``quality_checks``,
``quality_issues`` and ``quality_status``), :mod:`.worker` runs that step in a process that imports
Great Expectations while the refresh does other work, and :mod:`.checks` shows the outcomes as Dagster
asset checks. Importing this package imports none of them.
"""
