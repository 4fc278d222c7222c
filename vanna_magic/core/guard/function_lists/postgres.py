"""PostgreSQL's reviewed functions: string, math, date and time, range, array, JSON, text search,
aggregate, window and set-returning functions that compute from their arguments.

Left out on purpose: everything that runs SQL given as text (``query_to_xml``,
``query_to_xml_and_xmlschema``, ``cursor_to_xml``, ``table_to_xml``, ``database_to_xml``,
``ts_stat``, ``ts_rewrite``, ``dblink*``), reads server files (``pg_read_file``, ``pg_ls_*``,
``lo_*``), sleeps, locks, signals, advances sequences (``nextval``, ``setval``), changes settings
(``set_config``, ``setseed``) or reports on other sessions (``pg_stat_*``).
"""

NAMES = """
ascii bit_length btrim char_length character_length chr concat concat_ws convert_from format initcap left length
lower lpad ltrim md5 normalize octet_length overlay position quote_ident quote_literal quote_nullable
regexp_count regexp_instr regexp_like regexp_match regexp_matches regexp_replace regexp_split_to_array
regexp_split_to_table regexp_substr repeat replace reverse right rpad rtrim sha224 sha256 sha384 sha512 split_part
starts_with string_to_array string_to_table strpos substr substring to_hex translate trim unistr upper encode decode
abs acos acosd acosh asin asind asinh atan atan2 atan2d atand atanh cbrt ceil ceiling cos cosd cosh cot cotd degrees
div exp factorial floor gcd lcm ln log log10 min_scale mod pi power radians random round scale sign sin sind sinh
sqrt tan tand tanh trim_scale trunc width_bucket greatest least coalesce nullif
age clock_timestamp current_date date_add date_bin date_part date_subtract date_trunc extract isfinite
justify_days justify_hours justify_interval localtime localtimestamp make_date make_interval make_time
make_timestamp make_timestamptz now statement_timestamp timeofday transaction_timestamp to_char to_date to_number
to_timestamp timezone
daterange int4range int8range numrange tsrange tstzrange isempty lower_inc upper_inc lower_inf upper_inf range_merge
array_append array_cat array_dims array_fill array_length array_lower array_ndims array_position array_positions
array_prepend array_remove array_replace array_to_string array_upper cardinality trim_array unnest
generate_series generate_subscripts
to_json to_jsonb row_to_json array_to_json json_build_array json_build_object jsonb_build_array jsonb_build_object
json_object jsonb_object json_array_length jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text
json_extract_path json_extract_path_text jsonb_extract_path jsonb_extract_path_text json_object_keys
jsonb_object_keys json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text
json_typeof jsonb_typeof json_strip_nulls jsonb_strip_nulls jsonb_pretty jsonb_set jsonb_insert jsonb_path_exists
jsonb_path_match jsonb_path_query jsonb_path_query_array jsonb_path_query_first
to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd ts_headline
setweight
array_agg avg bit_and bit_or bit_xor bool_and bool_or count every json_agg jsonb_agg json_object_agg
jsonb_object_agg max min string_agg sum corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept
regr_r2 regr_slope regr_sxx regr_sxy regr_syy stddev stddev_pop stddev_samp variance var_pop var_samp mode
percentile_cont percentile_disc grouping any_value
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
pg_typeof num_nulls num_nonnulls current_setting current_database current_schema gen_random_uuid
"""
