"""The functions the agent's SQL may call: an explicit allow-list, checked by `data.sql_guard`.

Contract: a function (scalar, aggregate, window, table) that is not named here is refused,
so a DuckDB upgrade that adds functions adds nothing the agent can reach. Left out on purpose:
settings, variables and session state (`current_setting`, `getvariable`, `current_query`,
`version`, `duckdb_*`, `pg_*`, `has_*_privilege`, `txid_current`); anything that reads or
writes outside the query (`read_*`, `glob`, `query`, `query_table`, `json_execute_…`,
`write_log`, `setseed`, `nextval`/`setval`, `sleep_ms`, `pg_sleep`); SQL-from-strings
(`json_serialize_sql`, `json_deserialize_sql`, `list_aggregate` and `aggregate`, which call
a function named by a string); and functions that build a value whose size is an argument
(`range` / `generate_series` as values, `list_resize`, `array_resize`, `bar`, `fill`): one call
`range(100000000)` took 28 s and 2.3 GB of memory and ignored the connection's memory limit
and interrupt, because the whole list is built inside one function call.
`repeat`, `lpad`, `rpad`, `format` and `printf` are allowed with literal sizes up to
`MAX_SIZE_ARGUMENT` (see `SIZE_ARGUMENTS`).
"""

from __future__ import annotations

MAX_SIZE_ARGUMENT = 10_000
"""Largest literal repeat count / pad width / format width the guard accepts."""

SIZE_ARGUMENTS: dict[str, int] = {"repeat": 1, "lpad": 1, "rpad": 1}
"""Function → position of its size argument, which must be an integer literal
<= MAX_SIZE_ARGUMENT."""

FORMAT_FUNCTIONS = frozenset({"format", "printf"})
"""Their first argument must be a string literal without a width of four digits or more."""

TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
"""Table functions allowed in FROM (they stream rows, so the time limit stops them)."""

_MATH = """
abs acos acosh asin asinh atan atan2 atanh cbrt ceil ceiling cos cosh cot degrees even exp
factorial floor gamma gcd greatest greatest_common_divisor isfinite isinf isnan lcm
least least_common_multiple lgamma ln log log10 log2 mod nextafter pi pow power radians
random round round_even roundbankers sign signbit sin sinh sqrt tan tanh trunc xor
bit_count divide add subtract multiply fdiv fmod
"""
_TEXT = """
ascii bit_length char_length character_length chr concat concat_ws contains
damerau_levenshtein ends_with hamming ilike_escape instr jaccard jaro_similarity
jaro_winkler_similarity lcase left left_grapheme len length length_grapheme levenshtein
like_escape lower ltrim md5 md5_number mismatches nfc_normalize not_ilike_escape
not_like_escape octet_length ord position prefix regexp_escape regexp_extract
regexp_extract_all regexp_full_match regexp_matches regexp_replace regexp_split_to_array
replace reverse right right_grapheme rtrim sha1 sha256 split split_part starts_with
str_split str_split_regex string_split string_split_regex string_to_array strip_accents
strlen strpos substr substring substring_grapheme suffix translate trim ucase unicode upper
url_decode url_encode hash hex unhex to_hex from_hex bin unbin base64 to_base64 from_base64
encode decode uuid gen_random_uuid uuidv4 array_to_string
repeat lpad rpad format printf format_bytes formatreadablesize formatreadabledecimalsize
"""
_DATES = """
age century current_date current_localtime current_localtimestamp date_add date_diff
date_part date_sub date_trunc datediff datepart datesub datetrunc day dayname dayofmonth
dayofweek dayofyear days_in_month decade epoch epoch_ms epoch_ns epoch_us era
get_current_time get_current_timestamp hour isodow isoyear julian last_day make_date
make_time make_timestamp make_timestamp_ms make_timestamp_ns make_timestamptz microsecond
millennium millisecond minute month monthname nanosecond normalized_interval now quarter
second strftime strptime time_bucket timezone timezone_hour timezone_minute to_centuries
to_days to_decades to_hours to_microseconds to_millennia to_milliseconds to_minutes
to_months to_quarters to_seconds to_timestamp to_weeks to_years today
transaction_timestamp try_strptime week weekday weekofyear year yearweek
"""
_CONDITIONAL = """
coalesce ifnull nullif if typeof cast try_cast
"""
_NESTED = """
array_append array_apply array_cat array_concat array_contains array_cosine_similarity
array_distinct array_dot_product array_extract array_filter array_grade_up array_has
array_has_all array_has_any array_indexof array_inner_product array_intersect array_length
array_pop_back array_pop_front array_position array_prepend array_push_back
array_push_front array_reduce array_reverse array_reverse_sort array_select array_slice
array_sort array_transform array_unique array_value array_where array_zip apply
cardinality element_at filter flatten len list_any_value list_append list_apply list_avg
list_cat list_concat list_contains list_count list_distinct list_element list_extract
list_filter list_first list_grade_up list_has list_has_all list_has_any list_indexof
list_intersect list_last list_max list_median list_min list_mode list_pack list_position
list_prepend list_product list_reduce list_reverse list_reverse_sort list_select
list_slice list_sort list_stddev_samp list_string_agg list_sum list_transform list_unique
list_value list_where list_zip reduce map map_concat map_contains map_entries map_extract
map_extract_value map_from_entries map_keys map_values row struct_concat struct_extract
struct_extract_at struct_insert struct_keys struct_pack struct_values unnest
json_array json_array_length json_contains json_exists json_extract json_extract_path
json_extract_path_text json_extract_string json_keys json_object json_quote json_type
json_valid json_value to_json
"""
_AGGREGATES = """
any_value approx_count_distinct approx_quantile approx_top_k arbitrary arg_max arg_min
argmax argmin array_agg avg bit_and bit_or bit_xor bool_and bool_or corr count count_if
count_star countif covar_pop covar_samp entropy favg first fsum geomean geometric_mean
group_concat histogram kahan_sum kurtosis kurtosis_pop last list listagg mad max max_by
mean median min min_by mode product quantile quantile_cont quantile_disc regr_avgx
regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy
reservoir_quantile sem skewness stddev stddev_pop stddev_samp string_agg sum sumkahan
var_pop var_samp variance wavg weighted_avg json_group_array json_group_object
"""
_WINDOW = """
cume_dist dense_rank first_value lag last_value lead nth_value ntile percent_rank rank
rank_dense row_number
"""

SCALAR_AND_AGGREGATE_FUNCTIONS = frozenset(
    " ".join((_MATH, _TEXT, _DATES, _CONDITIONAL, _NESTED, _AGGREGATES, _WINDOW)).split()
)
"""Every function name (lower case, as DuckDB's own parser reports it) a query may call."""

__all__ = [
    "FORMAT_FUNCTIONS",
    "MAX_SIZE_ARGUMENT",
    "SCALAR_AND_AGGREGATE_FUNCTIONS",
    "SIZE_ARGUMENTS",
    "TABLE_FUNCTIONS",
]
