"""Writes the Parquet files the reader's tests decode, with pyarrow, and the values pyarrow
wrote as JSON. Usage: python make_fixtures.py OUT_DIR

OUT_DIR/expected.json  {"columns": {name: [canonical value, ...]}, "stats": {...}}
OUT_DIR/<variant>.parquet, and OUT_DIR/variants.json listing each file with its options.

Canonical values: booleans, numbers for 32-bit integers and dates (days since 1970), strings of
integers for 64-bit values and times/timestamps (microseconds), strings for decimals ("12.50"),
hex for binary, text for strings and UUIDs, lists of those, null for NULL.
"""
import datetime as dt
import decimal
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)

N = 2500
rnd_state = 12345


def rnd():
    global rnd_state
    rnd_state = (rnd_state * 1103515245 + 12345) % (2**31)
    return rnd_state


def maybe_null(i, v, every=7):
    return None if i % every == 3 else v


WORDS = ["alpha", "beta", "gamma", "delta", "épsilon", "ζeta", "eta😀", "", "theta theta theta", "iota"]

cols = {}
cols["b"] = pa.array([maybe_null(i, i % 3 == 0) for i in range(N)], pa.bool_())
cols["b_req"] = pa.array([i % 5 < 2 for i in range(N)], pa.bool_())
cols["i8"] = pa.array([maybe_null(i, (i * 37) % 256 - 128) for i in range(N)], pa.int8())
cols["i16"] = pa.array([(i * 997) % 65536 - 32768 for i in range(N)], pa.int16())
cols["i32"] = pa.array([maybe_null(i, (rnd() - 2**30) * (1 if i % 2 else -1)) for i in range(N)], pa.int32())
cols["i32_sorted"] = pa.array([i * 3 - 1000 for i in range(N)], pa.int32())
cols["i64"] = pa.array([maybe_null(i, ((rnd() * rnd() * 4099) % 2**63 - 2**62) if i % 5 else i - 100) for i in range(N)], pa.int64())
cols["i64_small"] = pa.array([i * 1000 + (i % 13) for i in range(N)], pa.int64())
cols["u8"] = pa.array([(i * 7) % 256 for i in range(N)], pa.uint8())
cols["u16"] = pa.array([(i * 7919) % 65536 for i in range(N)], pa.uint16())
cols["u32"] = pa.array([maybe_null(i, (rnd() * 2 + i) % 2**32) for i in range(N)], pa.uint32())
cols["u64"] = pa.array([(rnd() * rnd() * 8191 + i) % 2**64 for i in range(N)], pa.uint64())
cols["f32"] = pa.array([maybe_null(i, (i - 1000) * 0.25 + 0.125) for i in range(N)], pa.float32())
cols["f64"] = pa.array([maybe_null(i, (rnd() - 2**30) / 7.0) for i in range(N)], pa.float64())
cols["d"] = pa.array([maybe_null(i, dt.date(1992, 1, 1) + dt.timedelta(days=(i * 13) % 2500)) for i in range(N)], pa.date32())
cols["d_old"] = pa.array([dt.date(1800 + i % 300, 1 + i % 12, 1 + i % 28) for i in range(N)], pa.date32())
base_us = [(rnd() - 2**30) * 1_000_003 + i for i in range(N)]
cols["ts_ms"] = pa.array([maybe_null(i, v // 1000) for i, v in enumerate(base_us)], pa.timestamp("ms"))
cols["ts_us"] = pa.array([v for v in base_us], pa.timestamp("us"))
cols["ts_ns"] = pa.array([maybe_null(i, v * 1000 + (i * 7) % 1000) for i, v in enumerate(base_us)], pa.timestamp("ns"))
cols["ts_us_tz"] = pa.array([v for v in base_us], pa.timestamp("us", tz="UTC"))
cols["t_ms"] = pa.array([maybe_null(i, (i * 3_600_007) % 86_400_000) for i in range(N)], pa.time32("ms"))
cols["t_us"] = pa.array([(i * 3_600_000_007) % 86_400_000_000 for i in range(N)], pa.time64("us"))
cols["t_ns"] = pa.array([(i * 3_600_000_000_007) % 86_400_000_000_000 for i in range(N)], pa.time64("ns"))
cols["s"] = pa.array([maybe_null(i, f"{WORDS[i % 10]}-{rnd() % 100000}") for i in range(N)], pa.string())
cols["s_dict"] = pa.array([maybe_null(i, WORDS[(i * 3) % 10], 11) for i in range(N)], pa.string())
cols["s_ascii"] = pa.array([f"Customer#{i:09d} furiously regular" for i in range(N)], pa.string())
cols["bin"] = pa.array([maybe_null(i, bytes([(i + k) % 256 for k in range(i % 9)])) for i in range(N)], pa.binary())
cols["fixed4"] = pa.array([bytes([i % 256, (i >> 8) % 256, 255, 0]) for i in range(N)], pa.binary(4))
cols["dec_9_2"] = pa.array([maybe_null(i, decimal.Decimal(rnd() % 10**9 - 5 * 10**8).scaleb(-2)) for i in range(N)], pa.decimal128(9, 2))
cols["dec_15_2"] = pa.array([decimal.Decimal((rnd() * rnd()) % 10**15 - 5 * 10**14).scaleb(-2) for i in range(N)], pa.decimal128(15, 2))
cols["dec_4_2"] = pa.array([decimal.Decimal(i % 11 - 5).scaleb(-2) for i in range(N)], pa.decimal128(4, 2))
cols["dec_30_5"] = pa.array([maybe_null(i, decimal.Decimal((rnd() * rnd() * rnd() * rnd()) % 10**30 * (1 if i % 2 else -1)).scaleb(-5)) for i in range(N)], pa.decimal128(30, 5))
cols["dec_38_0"] = pa.array([decimal.Decimal(10**37 + i if i % 2 else -(10**37) - i) for i in range(N)], pa.decimal128(38, 0))
cols["uuid"] = pa.array([maybe_null(i, bytes((i * 31 + k * 17) % 256 for k in range(16))) for i in range(N)], pa.uuid())
cols["js"] = pa.array([maybe_null(i, json.dumps({"k": i, "v": WORDS[i % 10]})) for i in range(N)], pa.json_())
cols["l_i32"] = pa.array(
    [None if i % 11 == 5 else [] if i % 11 == 6 else [None if (i + k) % 5 == 0 else i * 10 + k for k in range(i % 4 + 1)] for i in range(N)],
    pa.list_(pa.int32()),
)
cols["l_s"] = pa.array([None if i % 9 == 2 else [WORDS[(i + k) % 10] for k in range(i % 3)] for i in range(N)], pa.list_(pa.string()))
cols["l_ts"] = pa.array([[base_us[(i + k) % N] for k in range(i % 3)] for i in range(N)], pa.list_(pa.timestamp("us")))
cols["l_b"] = pa.array([[k % 2 == 0 for k in range(i % 3)] for i in range(N)], pa.list_(pa.bool_()))
cols["st"] = pa.array([{"x": i, "y": str(i)} for i in range(N)], pa.struct([("x", pa.int32()), ("y", pa.string())]))
cols["m"] = pa.array([[("a", i)] for i in range(N)], pa.map_(pa.string(), pa.int64()))

schema_fields = []
for name, arr in cols.items():
    nullable = name not in ("b_req", "i16", "ts_us", "s_ascii", "dec_15_2")
    schema_fields.append(pa.field(name, arr.type, nullable=nullable))
table = pa.Table.from_arrays(list(cols.values()), schema=pa.schema(schema_fields))

# ---- expected values ----------------------------------------------------------------------

UNITS = {"s": 1_000_000, "ms": 1000, "us": 1, "ns": None}


def micros(v, unit):
    return str(v // 1000) if unit == "ns" else str(v * UNITS[unit])


def canonical(typ, v):
    if v is None:
        return None
    if pa.types.is_boolean(typ):
        return bool(v)
    if pa.types.is_date32(typ):
        return (v - dt.date(1970, 1, 1)).days
    if pa.types.is_integer(typ):
        return str(v) if typ.bit_width == 64 or typ == pa.uint32() else v
    if pa.types.is_floating(typ):
        return float(v)
    if pa.types.is_decimal(typ):
        return format(v, "f")
    if pa.types.is_string(typ) or isinstance(typ, pa.JsonType):
        return v
    if isinstance(typ, pa.UuidType):
        h = v.hex()
        return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    if pa.types.is_binary(typ) or pa.types.is_fixed_size_binary(typ):
        return v.hex()
    raise TypeError(typ)


def raw_values(arr):
    """Python values, with timestamps/times as integers in their unit."""
    typ = arr.type
    if pa.types.is_timestamp(typ) or pa.types.is_time(typ):
        ints = arr.cast(pa.int64() if typ.bit_width == 64 else pa.int32()).to_pylist()
        return [None if x is None else micros(x, typ.unit) for x in ints]
    if isinstance(typ, (pa.UuidType, pa.JsonType)):
        return [canonical(typ, x) for x in arr.storage.to_pylist()] if isinstance(typ, pa.UuidType) else arr.storage.to_pylist()
    return [canonical(typ, x) for x in arr.to_pylist()]


expected = {}
for name, arr in cols.items():
    typ = arr.type
    if pa.types.is_list(typ):
        flat = raw_values(arr.values)
        offsets = arr.offsets.to_pylist()
        expected[name] = [None if not arr[i].is_valid else flat[offsets[i] : offsets[i + 1]] for i in range(N)]
    elif pa.types.is_struct(typ) or pa.types.is_map(typ):
        continue
    else:
        expected[name] = raw_values(arr)

with open(os.path.join(out_dir, "expected.json"), "w") as f:
    json.dump({"rows": N, "columns": expected}, f)

# ---- variants -----------------------------------------------------------------------------

variants = []


def write(name, tbl=table, **opts):
    path = os.path.join(out_dir, name + ".parquet")
    opts.setdefault("row_group_size", 1000)
    opts.setdefault("data_page_size", 2048)
    opts.setdefault("write_batch_size", 128)  # pages are cut between write batches
    opts.setdefault("write_statistics", True)
    pq.write_table(tbl, path, **opts)
    desc = {k: v for k, v in opts.items() if isinstance(v, (str, int, bool, dict, list))}
    variants.append({"name": name, "file": path, "options": desc})


for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]:
    for version in ["1.0", "2.0"]:
        write(f"plain-{codec}-v{version}", compression=codec, data_page_version=version, use_dictionary=False)
        write(f"dict-{codec}-v{version}", compression=codec, data_page_version=version, use_dictionary=True)

ints = ["i8", "i16", "i32", "i32_sorted", "i64", "i64_small", "u8", "u16", "u32", "u64", "d", "d_old", "ts_ms", "ts_us", "ts_ns", "ts_us_tz", "t_ms", "t_us", "t_ns", "dec_9_2", "dec_15_2", "dec_4_2"]
strings = ["s", "s_dict", "s_ascii", "bin", "js"]
for version in ["1.0", "2.0"]:
    for codec in ["none", "zstd"]:
        common = dict(compression=codec, data_page_version=version, use_dictionary=False, store_decimal_as_integer=True)
        write(f"delta-binary-{codec}-v{version}", column_encoding={c: "DELTA_BINARY_PACKED" for c in ints}, **common)
        write(f"delta-length-{codec}-v{version}", column_encoding={c: "DELTA_LENGTH_BYTE_ARRAY" for c in strings}, **common)
        write(f"delta-bytes-{codec}-v{version}", column_encoding={c: "DELTA_BYTE_ARRAY" for c in strings + ["fixed4", "uuid", "dec_30_5", "dec_38_0"]}, **common)
        write(
            f"byte-stream-split-{codec}-v{version}",
            column_encoding={c: "BYTE_STREAM_SPLIT" for c in ["f32", "f64", "i32", "i64", "d", "ts_us", "fixed4", "dec_30_5", "uuid"]},
            **common,
        )

# decimals on INT32 / INT64 (store_decimal_as_integer), dictionary and plain
write("decimal-int-dict", store_decimal_as_integer=True, use_dictionary=True, compression="snappy")
write("decimal-int-plain", store_decimal_as_integer=True, use_dictionary=False, compression="snappy")
# dictionaries that overflow: the chunk continues with PLAIN pages
write("dict-fallback", use_dictionary=True, dictionary_pagesize_limit=400, compression="snappy")
# page index (ColumnIndex / OffsetIndex) and many row groups (a footer larger than 64 KiB)
write("page-index", write_page_index=True, use_dictionary=False, compression="snappy")
write("many-groups", row_group_size=20, compression="none")
# INT96 timestamps
write("int96", use_deprecated_int96_timestamps=True, compression="snappy")
# one row group, big pages
write("one-group", row_group_size=N, data_page_size=1 << 20, compression="snappy")
# the exact PostgreSQL types recorded by the writer
pg_types = {"s_ascii": "character varying(40)", "dec_15_2": "numeric(15,2)", "s_dict": "character(9)", "i16": "integer", "ts_us": "timestamp with time zone", "d": "text", "l_i32": "smallint[]"}
meta_table = table.replace_schema_metadata({"lakegate.pg_types": json.dumps(pg_types)})
write("pg-types", tbl=meta_table, compression="snappy")

# page skipping: small pages of varying row counts, with and without a page index
for version in ["1.0", "2.0"]:
    for codec, dictionary in [("none", False), ("snappy", True), ("zstd", True), ("gzip", False)]:
        for index in [True, False]:
            name = f"pages-{'index' if index else 'noindex'}-{'dict' if dictionary else 'plain'}-{codec}-v{version}"
            write(name, compression=codec, data_page_version=version, use_dictionary=dictionary, write_page_index=index, data_page_size=400, write_batch_size=37)
# a dictionary that overflows into PLAIN pages, with a page index
write("pages-index-dict-fallback", use_dictionary=True, dictionary_pagesize_limit=400, write_page_index=True, data_page_size=400, write_batch_size=37, compression="snappy")
# one large row group (a chunk of several MiB) with a page index: which pages a read touches
BIG = 400_000
big = pa.table({
    "id": pa.array([maybe_null(i, i) for i in range(BIG)], pa.int64()),
    "k": pa.array([WORDS[(i // 1000) % 10] for i in range(BIG)], pa.string()),
})
write("pages-big", tbl=big, row_group_size=BIG, data_page_size=16384, write_batch_size=1024, write_page_index=True, use_dictionary=["k"], compression="none")

with open(os.path.join(out_dir, "variants.json"), "w") as f:
    json.dump(variants, f)

# ---- raw codec blocks for the codec tests -------------------------------------------------
payload = ("lakegate " * 50 + "".join(WORDS) * 20).encode() + bytes(range(256)) * 4
blocks = {"payload": payload.hex()}
for codec in ["snappy", "lz4_raw"]:
    blocks[codec] = pa.compress(payload, codec=codec, asbytes=True).hex()
with open(os.path.join(out_dir, "codec-blocks.json"), "w") as f:
    json.dump(blocks, f)
print(len(variants), "files")
