"""pyiceberg's view of partitioned tables, for iceberg-writes.test.ts:

    python partitions.py transforms < CASES        # pyiceberg's transforms of values
    python partitions.py check METADATA_LOCATION   # each data file's partition vs pyiceberg's per-row transforms
    python partitions.py compare METADATA_LOCATION WORK_DIR
    python partitions.py make WAREHOUSE_DIR        # tables pyiceberg partitions (and evolves)

transforms: CASES is a JSON list of [transform, type, value]: transform as Iceberg spells it
("bucket[16]", "truncate[4]", "year", …), type an Iceberg type, value in Iceberg's internal
form as text (ints, days, microseconds, decimal text, uuid text, hex bytes); prints the list
of results as text (ints in decimal, decimals and strings as is, bytes as hex); dates, times
and timestamps in partition tuples below are given the same way, as days or microseconds.

check: for every live data file of the current snapshot, the partition tuple in its manifest
entry and the tuples pyiceberg computes from the file's rows (read back by field id); prints
{"files": n, "specs": [spec ids], "mismatches": [...]}.

compare: writes the table's rows with pyiceberg into a new table (SqlCatalog in WORK_DIR)
with the same schema and partition spec, and prints both tables' `inspect.partitions()` as
sorted [partition, record_count] pairs: {"ours": [...], "theirs": [...]}.

make: in namespace "ext" of a SqlCatalog warehouse, "events" partitioned by identity, hour,
month, truncate and bucket (one row appended), and "evolved": bucket[4](id) and day(ts), two rows appended, then the spec
evolved to identity(region) and month(ts) (bucket and day dropped, so spec 1 is the default).
"""

import datetime as dt
import decimal
import json
import os
import sys
import uuid

EPOCH = dt.datetime(1970, 1, 1)
EPOCH_TZ = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def transform_of(text):
    from pyiceberg.transforms import parse_transform

    return parse_transform(text)


def type_of(text):
    from pyiceberg.types import (
        BinaryType, BooleanType, DateType, DecimalType, DoubleType, FixedType, FloatType, IntegerType, LongType,
        StringType, TimestampType, TimestamptzType, TimeType, UUIDType,
    )

    simple = {
        "boolean": BooleanType(), "int": IntegerType(), "long": LongType(), "float": FloatType(), "double": DoubleType(),
        "date": DateType(), "time": TimeType(), "timestamp": TimestampType(), "timestamptz": TimestamptzType(),
        "string": StringType(), "uuid": UUIDType(), "binary": BinaryType(),
    }
    if text in simple:
        return simple[text]
    if text.startswith("decimal("):
        p, s = text[len("decimal("):-1].split(",")
        return DecimalType(int(p), int(s))
    if text.startswith("fixed["):
        return FixedType(int(text[len("fixed["):-1]))
    raise ValueError(text)


def internal(type_text, v):
    if v is None:
        return None
    if type_text in ("int", "long", "date", "time", "timestamp", "timestamptz"):
        return int(v)
    if type_text.startswith("decimal("):
        return decimal.Decimal(v)
    if type_text == "uuid":
        return uuid.UUID(v)
    if type_text == "binary" or type_text.startswith("fixed["):
        return bytes.fromhex(v)
    return v


def out_value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).hex()
    if isinstance(v, dt.datetime):
        base = EPOCH_TZ if v.tzinfo else EPOCH
        return str((v - base) // dt.timedelta(microseconds=1))
    if isinstance(v, dt.date):
        return str((v - EPOCH.date()).days)
    if isinstance(v, dt.time):
        return str(((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    return str(v)


def transforms():
    cases = json.load(sys.stdin)
    out = []
    for transform, type_text, value in cases:
        fn = transform_of(transform).transform(type_of(type_text))
        out.append(out_value(fn(internal(type_text, value))))
    print(json.dumps(out))


def load(location):
    from pyiceberg.table import StaticTable

    return StaticTable.from_metadata(location)


def source_internal(field_type, v):
    """A value pyarrow read → pyiceberg's internal form for transforms."""
    from pyiceberg.types import DateType, TimestampType, TimestamptzType, TimeType, UUIDType

    if v is None:
        return None
    if isinstance(field_type, (DateType, TimestampType, TimestamptzType, TimeType)):
        return int(out_value(v))
    if isinstance(field_type, UUIDType):
        return v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=bytes(v))
    return v


def check(location):
    import pyarrow.parquet as pq

    table = load(location)
    metadata = table.metadata
    fields_by_id = {}
    for schema in metadata.schemas:
        for f in schema.fields:
            fields_by_id[f.field_id] = f
    specs = {s.spec_id: s for s in metadata.partition_specs}
    mismatches = []
    files = 0
    seen_specs = set()
    snapshot = table.current_snapshot()
    for manifest in snapshot.manifests(table.io) if snapshot else []:
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            f = entry.data_file
            if int(getattr(f.content, "value", f.content)) != 0:
                continue
            files += 1
            spec = specs[manifest.partition_spec_id]
            seen_specs.add(spec.spec_id)
            recorded = [out_value(f.partition[i]) for i in range(len(spec.fields))]
            path = f.file_path.removeprefix("file://")
            pf = pq.read_table(path)
            by_id = {}
            for i, field in enumerate(pf.schema):
                fid = (field.metadata or {}).get(b"PARQUET:field_id")
                if fid is not None:
                    by_id[int(fid)] = pf.column(i).to_pylist()
            computed = set()
            for row in range(pf.num_rows):
                tuple_ = []
                for pfield in spec.fields:
                    src = fields_by_id[pfield.source_id]
                    value = by_id[pfield.source_id][row]
                    tuple_.append(out_value(pfield.transform.transform(src.field_type)(source_internal(src.field_type, value))))
                computed.add(json.dumps(tuple_))
            if computed != {json.dumps(recorded)}:
                mismatches.append({"file": f.file_path, "recorded": recorded, "computed": sorted(computed)})
    print(json.dumps({"files": files, "specs": sorted(seen_specs), "mismatches": mismatches}))


def partitions_of(table):
    rows = table.inspect.partitions().to_pylist()
    out = []
    for r in rows:
        p = r.get("partition") or {}
        out.append([{k: out_value(v) for k, v in p.items()}, r["record_count"]])
    out.sort(key=lambda x: json.dumps(x, sort_keys=True))
    return out


def compare(location, work):
    from pyiceberg.catalog.sql import SqlCatalog

    ours = load(location)
    os.makedirs(work, exist_ok=True)
    catalog = SqlCatalog("cmp", uri=f"sqlite:///{work}/catalog.db", warehouse=f"file://{work}")
    catalog.create_namespace_if_not_exists("cmp")
    name = f"cmp.t{uuid.uuid4().hex[:8]}"
    theirs = catalog.create_table(name, ours.schema(), partition_spec=ours.spec(), properties={"format-version": str(ours.format_version)})
    theirs.append(ours.scan().to_arrow())
    print(json.dumps({"ours": partitions_of(ours), "theirs": partitions_of(theirs)}))


def make(warehouse):
    import pyarrow as pa
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import (
        BucketTransform, DayTransform, HourTransform, IdentityTransform, MonthTransform, TruncateTransform,
    )
    from pyiceberg.types import DateType, DecimalType, LongType, NestedField, StringType, TimestamptzType, UUIDType

    warehouse = os.path.abspath(warehouse)
    catalog = SqlCatalog("ext", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=f"file://{warehouse}")
    catalog.create_namespace_if_not_exists("ext")
    schema = Schema(
        NestedField(1, "id", LongType()),
        NestedField(2, "region", StringType()),
        NestedField(3, "ts", TimestamptzType()),
        NestedField(4, "d", DateType()),
        NestedField(5, "amount", DecimalType(12, 3)),
        NestedField(6, "u", UUIDType()),
    )
    spec = PartitionSpec(
        PartitionField(2, 1000, IdentityTransform(), "region_x"),
        PartitionField(3, 1001, HourTransform(), "ts_hour"),
        PartitionField(4, 1002, MonthTransform(), "d_month"),
        PartitionField(5, 1003, TruncateTransform(100), "amount_trunc"),
        PartitionField(6, 1004, BucketTransform(7), "u_bucket"),
        PartitionField(1, 1005, BucketTransform(5), "id_bucket"),
        spec_id=0,
    )
    arrow_schema = schema.as_arrow()
    row = {
        "id": 1, "region": "emea", "ts": dt.datetime(2024, 5, 1, 10, 30, tzinfo=dt.timezone.utc), "d": dt.date(2024, 5, 1),
        "amount": decimal.Decimal("12.345"), "u": uuid.UUID("12345678-1234-5678-1234-567812345678").bytes,
    }
    events = catalog.create_table("ext.events", schema, partition_spec=spec, location=f"file://{warehouse}/ext/events", properties={"format-version": "2"})
    events.append(pa.Table.from_pylist([row], schema=arrow_schema))

    evolved = catalog.create_table(
        "ext.evolved", schema, location=f"file://{warehouse}/ext/evolved", properties={"format-version": "2"},
        partition_spec=PartitionSpec(PartitionField(1, 1000, BucketTransform(4), "id_bucket"), PartitionField(3, 1001, DayTransform(), "ts_day"), spec_id=0),
    )
    evolved.append(pa.Table.from_pylist([row, {**row, "id": 2, "region": "apac", "ts": dt.datetime(2024, 6, 2, tzinfo=dt.timezone.utc)}], schema=arrow_schema))
    with evolved.update_spec() as update:
        update.remove_field("id_bucket")
        update.remove_field("ts_day")
        update.add_identity("region")
        update.add_field("ts", MonthTransform(), "ts_month")
    print(json.dumps({"events": events.metadata_location, "evolved": catalog.load_table("ext.evolved").metadata_location}))


def main():
    mode = sys.argv[1]
    if mode == "transforms":
        transforms()
    elif mode == "check":
        check(sys.argv[2])
    elif mode == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif mode == "make":
        make(sys.argv[2])
    else:
        raise SystemExit(f"unknown mode {mode}")


main()
