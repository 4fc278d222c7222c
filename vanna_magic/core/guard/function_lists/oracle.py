"""Oracle's reviewed functions: numeric, character, conversion, date, conditional, JSON, aggregate and
analytic functions.

Left out on purpose: the system packages (``DBMS_*``, ``UTL_*``, ``OWA_*``, ``CTX_*``), the URI
types (``HTTPURITYPE``, ``DBURITYPE``, ``XDBURITYPE``), XML parsing (``XMLTYPE``, ``XMLPARSE``,
``EXTRACTVALUE``, ``EXISTSNODE``, ``XMLQUERY``, ``XMLTABLE``), whose parser resolves external
entities, and object methods (``XMLTYPE(...).EXTRACT(...)``).  A sequence's ``NEXTVAL`` is not a
function call; the firewall refuses it on its own.
"""

NAMES = """
abs acos asin atan atan2 bitand ceil cos cosh exp floor ln log mod nanvl power remainder round sign sin sinh sqrt
tan tanh trunc width_bucket greatest least
ascii asciistr chr concat initcap instr length lengthb lower lpad ltrim nls_initcap nls_lower nls_upper
regexp_count regexp_instr regexp_like regexp_replace regexp_substr replace rpad rtrim soundex substr translate
trim upper
to_char to_date to_number to_timestamp to_timestamp_tz to_dsinterval to_yminterval numtodsinterval numtoyminterval
add_months current_date current_timestamp extract last_day localtimestamp months_between new_time next_day sysdate
systimestamp
coalesce decode lnnvl nullif nvl nvl2
avg count listagg max median min stddev stddev_pop stddev_samp sum variance var_pop var_samp corr covar_pop
covar_samp percentile_cont percentile_disc approx_count_distinct
rank dense_rank cume_dist percent_rank row_number ntile lag lead first_value last_value nth_value ratio_to_report
json_value json_query json_object json_array json_objectagg json_arrayagg
sys_context ora_hash standard_hash
"""
