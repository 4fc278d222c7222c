"""MySQL's and MariaDB's reviewed functions: string, math, date and time, JSON, aggregate and window functions.

Left out on purpose: ``SLEEP``, ``BENCHMARK``, the lock functions (``GET_LOCK``,
``RELEASE_LOCK``, ``IS_FREE_LOCK``...), the replication waits (``MASTER_POS_WAIT``,
``SOURCE_POS_WAIT``, ``MASTER_GTID_WAIT``, ``WAIT_FOR_EXECUTED_GTID_SET``,
``WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS``), MariaDB's sequence functions (``NEXTVAL``, ``SETVAL``,
``LASTVAL``), ``LOAD_FILE`` and the XML functions (``EXTRACTVALUE``, ``UPDATEXML``).
"""

NAMES = """
ascii bin bit_length char char_length character_length concat concat_ws elt export_set field find_in_set format
from_base64 to_base64 hex unhex insert instr lcase left length locate lower lpad ltrim make_set mid oct
octet_length ord position quote regexp_instr regexp_like regexp_replace regexp_substr repeat replace reverse right
rpad rtrim soundex space strcmp substr substring substring_index trim ucase upper md5 sha sha1 sha2 crc32
abs acos asin atan atan2 ceil ceiling conv cos cot degrees exp floor ln log log10 log2 mod pi pow power radians rand
round sign sin sqrt tan truncate greatest least
adddate addtime convert_tz curdate current_date current_time current_timestamp curtime date date_add date_format
date_sub datediff day dayname dayofmonth dayofweek dayofyear extract from_days from_unixtime get_format hour last_day
localtime localtimestamp makedate maketime microsecond minute month monthname now period_add period_diff quarter
sec_to_time second str_to_date subdate subtime sysdate time time_format time_to_sec timediff timestamp timestampadd
timestampdiff to_days to_seconds unix_timestamp utc_date utc_time utc_timestamp week weekday weekofyear year yearweek
if ifnull nullif coalesce isnull interval
avg bit_and bit_or bit_xor count group_concat json_arrayagg json_objectagg max min std stddev stddev_pop stddev_samp
sum var_pop var_samp variance
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
json_array json_object json_quote json_contains json_contains_path json_extract json_keys json_overlaps json_search
json_value json_unquote json_depth json_length json_type json_valid json_pretty json_merge_patch json_merge_preserve
json_set json_insert json_replace json_remove json_array_append json_array_insert json_table
"""
