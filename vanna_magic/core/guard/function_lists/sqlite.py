"""SQLite's reviewed functions: core scalar, date and time, math, JSON, aggregate and window functions.

Left out on purpose: ``load_extension``, the file and archive functions of the shell
(``readfile``, ``writefile``, ``fsdir``, ``zipfile``...), ``sqlite_dbpage`` and the
``pragma_*`` table-valued functions.
"""

NAMES = """
abs char coalesce concat concat_ws format glob hex ifnull iif if instr length like likelihood likely lower ltrim
max min nullif octet_length printf quote random randomblob replace round rtrim sign soundex substr substring trim
typeof unhex unicode unlikely upper zeroblob
date time datetime julianday unixepoch strftime timediff
acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi pow power
radians sin sinh sqrt tan tanh trunc
avg count group_concat string_agg sum total
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
json jsonb json_array jsonb_array json_array_length json_extract jsonb_extract json_insert jsonb_insert json_object
jsonb_object json_patch jsonb_patch json_remove jsonb_remove json_replace jsonb_replace json_set jsonb_set json_type
json_valid json_quote json_group_array jsonb_group_array json_group_object jsonb_group_object json_each json_tree
json_pretty
"""
