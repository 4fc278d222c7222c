"""DuckDB's reviewed functions, for data already in the notebook: string, math, date, list and struct,
aggregate and window functions.

Left out on purpose: every function that reads files or the network (``read_csv``,
``read_parquet``, ``read_json``, ``read_text``, ``glob``, ``sniff_csv``...), ``getenv`` and the
scanners of other databases (``sqlite_scan``, ``postgres_scan``, ``mysql_scan``).
"""

NAMES = """
ascii bit_length chr concat concat_ws contains ends_with format initcap instr left length lower lpad ltrim md5
position prefix printf regexp_extract regexp_full_match regexp_matches regexp_replace regexp_split_to_array repeat
replace reverse right rpad rtrim sha256 split_part starts_with string_split strip_accents strlen strpos substr
substring suffix translate trim upper
abs acos asin atan atan2 cbrt ceil ceiling cos cot degrees even exp factorial floor gcd greatest lcm least ln log
log10 log2 mod pi pow power radians random round sign sin sqrt tan trunc coalesce nullif ifnull
age current_date date_add date_diff date_part date_sub date_trunc datediff datepart datesub datetrunc dayname epoch
epoch_ms extract last_day make_date make_time make_timestamp monthname now strftime strptime time_bucket to_timestamp
today
array_length cardinality flatten list_aggregate list_concat list_contains list_distinct list_extract list_filter
list_position list_sort list_transform list_value struct_extract struct_pack unnest range generate_series
any_value approx_count_distinct arg_max arg_min array_agg avg bool_and bool_or count count_star first fsum histogram
last list max median min mode quantile quantile_cont quantile_disc stddev stddev_pop stddev_samp string_agg sum
var_pop var_samp variance
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
typeof
"""
