"""What differs per database engine: read-only sessions, time limits, bulk catalog queries.

One module per engine; :mod:`vanna_magic.core.data.database` and :mod:`vanna_magic.core.data.catalog` call into them.
"""
