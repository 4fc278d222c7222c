"""The data layer: connections (named, ``${ENV}``, ``ENC()``), read-only execution with time limits and
cancel (``database``), what differs per engine (``dialects``), the catalog, the Arrow fast path and the
embedded demo database."""
