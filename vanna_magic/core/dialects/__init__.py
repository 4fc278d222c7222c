"""What differs per database engine: read-only sessions, time limits, bulk catalog queries.

One module per engine; :mod:`vanna_magic.core.db` and :mod:`vanna_magic.core.catalog` call into them.
"""
