"""Operating a session: health (circuit breakers, metrics, modes), the store (history, audit, rate
limits), a question in flight (progress, cancel), memory (backup, restore, cleanup)."""
