"""Reads a Parquet file with pyarrow and with DuckDB and prints values and metadata as JSON.

Usage: python read-parquet.py FILE
Values are normalised so they compare with the engine's: integers as strings, decimals as
their text, dates as days and times/timestamps as microseconds since the epoch / midnight,
bytes as "hex:…", UUIDs as text, NaN/±Infinity as strings.
"""
import datetime as dt
import decimal
import json
import math
import sys
import uuid

try:
    import duckdb
    import pyarrow.parquet as pq
except ImportError as err:  # reported by the test with the install hint
    print(json.dumps({"missing": str(err)}))
    sys.exit(3)

EPOCH_DATE = dt.date(1970, 1, 1)
EPOCH = dt.datetime(1970, 1, 1)
EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
US = dt.timedelta(microseconds=1)


def norm(v, uuid_like=False):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        return str((v - (EPOCH_UTC if v.tzinfo else EPOCH)) // US)
    if isinstance(v, dt.date):
        return str((v - EPOCH_DATE).days)
    if isinstance(v, dt.time):
        return str(((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
        return str(uuid.UUID(bytes=b)) if uuid_like and len(b) == 16 else "hex:" + b.hex()
    if isinstance(v, (list, tuple)):
        return [norm(x, uuid_like) for x in v]
    return repr(v)


def main(path):
    out = {}
    table = pq.read_table(path)
    cols = {}
    types = {}
    for field in table.schema:
        t = str(field.type)
        types[field.name] = t
        uuid_like = "uuid" in t or t == "fixed_size_binary[16]"
        cols[field.name] = [norm(x, uuid_like) for x in table.column(field.name).to_pylist()]
    out["pyarrow"] = {"columns": cols, "types": types}

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.execute("SELECT * FROM read_parquet(?)", [path])
    names = [d[0] for d in rel.description]
    rows = rel.fetchall()
    uuids = {d[0] for d in rel.description if str(d[1]) == "UUID"}
    out["duckdb"] = {"columns": {n: [norm(r[i], n in uuids) for r in rows] for i, n in enumerate(names)},
                     "types": {d[0]: str(d[1]) for d in rel.description}}
    stats = con.execute(
        "SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count "
        "FROM parquet_metadata(?) ORDER BY row_group_id, column_id", [path]).fetchall()
    schema = con.execute("SELECT name, type, converted_type, logical_type FROM parquet_schema(?)", [path]).fetchall()
    out["duckdb_schema"] = {r[0]: [r[1], r[2], None if r[3] is None else str(r[3])] for r in schema}
    out["duckdb_stats"] = [[str(r[0]), r[1], r[2], r[3], None if r[4] is None else str(r[4])] for r in stats]

    f = pq.ParquetFile(path)
    md = f.metadata
    groups = []
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        columns = []
        for c in range(rg.num_columns):
            cc = rg.column(c)
            s = cc.statistics
            uuid_like = "uuid" in str(cc.physical_type).lower() or (
                str(md.schema.column(c).logical_type) == "UUID")
            stat = None
            if s is not None:
                stat = {
                    "has_min_max": s.has_min_max,
                    "min": norm(s.min, uuid_like) if s.has_min_max else None,
                    "max": norm(s.max, uuid_like) if s.has_min_max else None,
                    "null_count": s.null_count if s.has_null_count else None,
                }
            columns.append({
                "path": cc.path_in_schema,
                "physical_type": cc.physical_type,
                "logical_type": str(md.schema.column(c).logical_type),
                "converted_type": str(md.schema.column(c).converted_type),
                "compression": cc.compression,
                "encodings": list(cc.encodings),
                "has_dictionary_page": cc.has_dictionary_page,
                "has_column_index": cc.has_column_index,
                "has_offset_index": cc.has_offset_index,
                "num_values": cc.num_values,
                "stats": stat,
            })
        groups.append({"num_rows": rg.num_rows, "columns": columns})
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    out["meta"] = {
        "num_rows": md.num_rows,
        "num_row_groups": md.num_row_groups,
        "created_by": md.created_by,
        "format_version": md.format_version,
        "kv": kv,
        "row_groups": groups,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
