"""Writes a few rows into an Iceberg table through the REST catalog with
pyiceberg (data files into the S3 store), then reads them back in a new
catalog session.  Run by conformance/lake/services.test.ts:

    python conformance/lake/pyiceberg_roundtrip.py [NAMESPACE]

Needs ICEBERG_REST_URI; the storage settings (s3.endpoint, keys, path-style)
come from the catalog itself (/v1/config defaults and the table config), and
only S3_TEST_ENDPOINT is checked against them.  Prints one JSON line.
"""

import json
import os
import sys
import uuid

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import DoubleType, LongType, NestedField, StringType


def catalog():
    return load_catalog("lake", type="rest", uri=os.environ["ICEBERG_REST_URI"])


def main() -> None:
    namespace = sys.argv[1] if len(sys.argv) > 1 else f"py_{uuid.uuid4().hex[:8]}"
    ident = f"{namespace}.rows"

    cat = catalog()
    cat.create_namespace_if_not_exists(namespace)
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "score", DoubleType(), required=False),
    )
    table = cat.create_table(ident, schema=schema)
    rows = pa.Table.from_pylist(
        [
            {"id": 1, "name": "ada", "score": 1.5},
            {"id": 2, "name": "grace", "score": None},
            {"id": 3, "name": None, "score": -2.25},
        ],
        schema=schema.as_arrow(),
    )
    table.append(rows)
    table.append(pa.Table.from_pylist([{"id": 4, "name": "edsger", "score": 0.0}], schema=schema.as_arrow()))

    # a fresh session: everything comes back from the catalog and the store
    again = catalog().load_table(ident)
    got = sorted(again.scan().to_arrow().to_pylist(), key=lambda r: r["id"])
    files = [t.file.file_path for t in again.scan().plan_files()]
    endpoint = again.io.properties.get("s3.endpoint")
    print(
        json.dumps(
            {
                "table": ident,
                "location": again.metadata.location,
                "metadata_location": again.metadata_location,
                "snapshots": len(again.metadata.snapshots),
                "data_files": files,
                "s3_endpoint": endpoint,
                "rows": got,
            }
        )
    )
    expected_endpoint = os.environ.get("S3_TEST_ENDPOINT")
    if expected_endpoint and endpoint != expected_endpoint:
        sys.exit(f"table io s3.endpoint {endpoint!r}, expected {expected_endpoint!r}")


if __name__ == "__main__":
    main()
