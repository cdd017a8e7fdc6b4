"""Writes the Iceberg test tables with pyiceberg (SqlCatalog on SQLite) into a warehouse
laid out as <warehouse>/<namespace>/<table>, and prints one JSON object describing them
(snapshot ids, commit times, expected rows) for connectors/iceberg/iceberg.test.ts.

    python make_tables.py WAREHOUSE_DIR
"""

import datetime as dt
import decimal
import json
import os
import sys
import time
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import LessThan
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat, ManifestContent, ManifestWriter, ManifestWriterV2
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import BucketTransform, DayTransform, IdentityTransform
from pyiceberg.typedef import Record
from pyiceberg.types import (
    BinaryType, BooleanType, DateType, DecimalType, DoubleType, FixedType, FloatType, IntegerType, ListType, LongType,
    MapType, NestedField, StringType, StructType, TimestampType, TimestamptzType, TimeType, UUIDType,
)

warehouse = os.path.abspath(sys.argv[1])
os.makedirs(warehouse, exist_ok=True)
catalog = SqlCatalog("test", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=f"file://{warehouse}")
catalog.create_namespace("shop")
out = {}


def create(name, schema, spec=PartitionSpec(), version=2):
    return catalog.create_table(
        f"shop.{name}", schema, partition_spec=spec, location=f"file://{warehouse}/shop/{name}",
        properties={"format-version": str(version), "owner": "tests"},
    )


def wait_tick():
    # snapshot commit times are in milliseconds: keep commits apart
    time.sleep(0.05)


# ---- orders: identity + day + bucket partitions, two snapshots, a tag and a branch --------
orders_schema = Schema(
    NestedField(1, "order_id", LongType(), required=True),
    NestedField(2, "customer", StringType()),
    NestedField(3, "amount", DecimalType(10, 2)),
    NestedField(4, "ts", TimestamptzType()),
    NestedField(5, "category", StringType()),
)
orders_spec = PartitionSpec(
    PartitionField(source_id=5, field_id=1000, transform=IdentityTransform(), name="category"),
    PartitionField(source_id=4, field_id=1001, transform=DayTransform(), name="ts_day"),
    PartitionField(source_id=1, field_id=1002, transform=BucketTransform(4), name="order_id_bucket"),
)
orders = create("orders", orders_schema, orders_spec)
arrow_orders = pa.schema([
    pa.field("order_id", pa.int64(), nullable=False), pa.field("customer", pa.string()), pa.field("amount", pa.decimal128(10, 2)),
    pa.field("ts", pa.timestamp("us", tz="UTC")), pa.field("category", pa.string()),
])


def order_rows(start, n):
    base = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
    return pa.Table.from_pylist([
        {"order_id": i, "customer": f"c{i % 7}", "amount": decimal.Decimal(i) + decimal.Decimal("0.25"),
         "ts": base + dt.timedelta(hours=5 * i), "category": ["books", "games", "tools"][i % 3]}
        for i in range(start, start + n)
    ], schema=arrow_orders)


orders.append(order_rows(0, 40))
first = orders.current_snapshot()
wait_tick()
orders.append(order_rows(40, 20))
orders = catalog.load_table("shop.orders")
second = orders.current_snapshot()
orders.manage_snapshots().create_tag(first.snapshot_id, "first_load").create_branch(first.snapshot_id, "dev").commit()
out["orders"] = {
    "snapshots": [str(first.snapshot_id), str(second.snapshot_id)],
    "times": [first.timestamp_ms, second.timestamp_ms],
    "manifest_lists": [first.manifest_list, second.manifest_list],
    "files": len(orders.inspect.files()),
    "partitions": len(orders.inspect.partitions()),
    "manifests": len(orders.inspect.manifests()),
}

# ---- evolve: rename, drop, add, promote between appends ------------------------------------
evolve = create("evolve", Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "name", StringType()),
    NestedField(3, "score", IntegerType()),
    NestedField(4, "qty", IntegerType()),
))
evolve.append(pa.Table.from_pylist(
    [{"id": i, "name": f"n{i}", "score": i * 10, "qty": i} for i in range(3)],
    schema=pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string()), pa.field("score", pa.int32()), pa.field("qty", pa.int32())]),
))
with evolve.update_schema() as u:
    u.rename_column("name", "full_name")
    u.delete_column("score")
    u.add_column("note", StringType())
    u.update_column("qty", LongType())
evolve = catalog.load_table("shop.evolve")
evolve.append(pa.Table.from_pylist(
    [{"id": 3, "full_name": "n3", "qty": 5_000_000_000, "note": "new"}],
    schema=pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("full_name", pa.string()), pa.field("qty", pa.int64()), pa.field("note", pa.string())]),
))
with evolve.update_schema() as u:
    u.add_column("score", DoubleType())  # a new column reusing a dropped column's name: a new field id

# ---- deletes: copy-on-write delete, then position and equality delete files ----------------
deletes = create("deletes", Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "v", StringType())))
deletes.append(pa.Table.from_pylist(
    [{"id": i, "v": f"v{i}"} for i in range(100)],
    schema=pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("v", pa.string())]),
))
deletes.delete(LessThan("id", 10))  # pyiceberg rewrites the file (copy-on-write)
deletes = catalog.load_table("shop.deletes")
data_path = deletes.inspect.files().column("file_path")[0].as_py()
# the rewritten file holds ids 10..99 in order: delete positions 0 and 5 (ids 10 and 15)


def commit_delete_file(table, content, arrow_table, name, equality_ids=None):
    """Adds a delete file through a delete manifest (pyiceberg writes no delete files itself)."""
    path = f"{warehouse}/shop/{table.name()[-1]}/data/{name}.parquet"
    pq.write_table(arrow_table, path)
    data_file = DataFile.from_args(
        content=content, file_path=f"file://{path}", file_format=FileFormat.PARQUET, partition=Record(),
        record_count=arrow_table.num_rows, file_size_in_bytes=os.path.getsize(path),
        equality_ids=equality_ids,
    )
    data_file.spec_id = 0
    content_of, meta_of = ManifestWriterV2.content, ManifestWriterV2._meta
    ManifestWriterV2.content = lambda self: ManifestContent.DELETES
    ManifestWriterV2._meta = property(lambda self: {**ManifestWriter._meta.fget(self), "content": "deletes"})
    try:
        with table.transaction() as tx:
            with tx.update_snapshot().fast_append() as append:
                append.append_data_file(data_file)
    finally:
        ManifestWriterV2.content, ManifestWriterV2._meta = content_of, meta_of


commit_delete_file(deletes, DataFileContent.POSITION_DELETES, pa.table({
    "file_path": pa.array([data_path, data_path, "file:///elsewhere.parquet"], pa.string()),
    "pos": pa.array([0, 5, 1], pa.int64()),
}, schema=pa.schema([
    pa.field("file_path", pa.string(), nullable=False, metadata={b"PARQUET:field_id": b"2147483546"}),
    pa.field("pos", pa.int64(), nullable=False, metadata={b"PARQUET:field_id": b"2147483545"}),
])), "pos-deletes")
deletes = catalog.load_table("shop.deletes")
after_positions = sorted(r["id"] for r in deletes.scan().to_arrow().to_pylist())
commit_delete_file(deletes, DataFileContent.EQUALITY_DELETES, pa.table({"id": pa.array([50, 51, 1000], pa.int64())}, schema=pa.schema([
    pa.field("id", pa.int64(), nullable=False, metadata={b"PARQUET:field_id": b"1"}),
])), "eq-deletes", equality_ids=[1])
deletes = catalog.load_table("shop.deletes")
# rows appended after the equality delete are not deleted by it (sequence numbers)
deletes.append(pa.Table.from_pylist([{"id": 50, "v": "again"}], schema=pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("v", pa.string())])))
out["deletes"] = {"after_positions": after_positions}

# ---- types: every primitive, a list, and nested types that are hidden ----------------------
types_schema = Schema(
    NestedField(1, "b", BooleanType()), NestedField(2, "i", IntegerType()), NestedField(3, "l", LongType()),
    NestedField(4, "f", FloatType()), NestedField(5, "d", DoubleType()), NestedField(6, "dec", DecimalType(38, 4)),
    NestedField(7, "dt", DateType()), NestedField(8, "t", TimeType()), NestedField(9, "ts", TimestampType()),
    NestedField(10, "tstz", TimestamptzType()), NestedField(11, "s", StringType()), NestedField(12, "u", UUIDType()),
    NestedField(13, "fx", FixedType(3)), NestedField(14, "bin", BinaryType()),
    NestedField(15, "li", ListType(16, IntegerType(), element_required=False)),
    NestedField(17, "st", StructType(NestedField(18, "x", IntegerType()))),
    NestedField(19, "m", MapType(20, StringType(), 21, LongType(), value_required=False)),
)
types = create("types", types_schema)
types.append(pa.Table.from_pylist([
    {"b": True, "i": 1, "l": 2**40, "f": 1.5, "d": 2.25, "dec": decimal.Decimal("12345.6789"), "dt": dt.date(2024, 2, 29),
     "t": dt.time(13, 14, 15, 123456), "ts": dt.datetime(2024, 1, 2, 3, 4, 5), "tstz": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
     "s": "héllo", "u": uuid.UUID("12345678-1234-5678-1234-567812345678").bytes, "fx": b"abc", "bin": b"\x00\xff", "li": [1, None, 3],
     "st": {"x": 1}, "m": [("a", 1)]},
    {k: None for k in ["b", "i", "l", "f", "d", "dec", "dt", "t", "ts", "tstz", "s", "u", "fx", "bin", "li", "st", "m"]},
], schema=types.schema().as_arrow()))

# ---- v1: a format-version 1 table -----------------------------------------------------------
v1 = create("legacy", Schema(NestedField(1, "k", StringType()), NestedField(2, "n", IntegerType())),
            PartitionSpec(PartitionField(source_id=1, field_id=1000, transform=IdentityTransform(), name="k")), version=1)
v1.append(pa.Table.from_pylist([{"k": "a", "n": 1}, {"k": "b", "n": 2}, {"k": "a", "n": 3}],
                                schema=pa.schema([pa.field("k", pa.string()), pa.field("n", pa.int32())])))

print(json.dumps(out))
