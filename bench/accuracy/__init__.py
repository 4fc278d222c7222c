"""Text-to-SQL accuracy: the real pipeline (``Session.ask``) beside a plain-prompt baseline, scored by execution.

Run ``python -m bench.accuracy --help``. The parts: :mod:`.datasets` (defog and Spider layouts),
:mod:`.databases` (SQLite files and PostgreSQL databases built once), :mod:`.warehouse`
(``--warehouse``: asked through a warehouse of thousands of tables), :mod:`.conditions` (baseline,
zero-shot, leave-one-out knowledge), :mod:`.runner` (resumable runs) and :mod:`.report` (Markdown and
JSON); answers are judged by the product's execution match (:mod:`vanna_magic.core.evaluate.scorer`).
"""
