"""Operating a session: health (circuit breakers, metrics, modes), the store (history, audit, rate
limits), recording each attempt, the rate limit of model calls, the probes behind the status, the
metrics snapshot, the CSV export, a question in flight (progress, cancel), memory (backup, restore,
cleanup). Each module takes the parts it needs; none knows the Session."""
