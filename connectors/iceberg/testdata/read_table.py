"""Reads an Iceberg table with pyiceberg and prints it as one JSON object, so tests can check
that tables Lakegate writes are readable by another engine:

    python read_table.py METADATA_LOCATION            # a metadata file (Hadoop warehouse)
    python read_table.py --rest URI NAMESPACE.TABLE   # through a REST catalog

{"fields": [[id, name, type, required], ...], "rows": [[value, ...], ...] (sorted),
 "snapshots": [[operation, summary], ...]}; values are text: decimals and numbers as str(),
dates and times in ISO form, bytes as hex, lists as JSON lists of such text, NULL as null.
"""

import base64
import datetime as dt
import decimal
import json
import sys
import uuid


def text(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, (bytes, bytearray)):
        return "\\x" + bytes(v).hex()
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [text(x) for x in v]
    if isinstance(v, uuid.UUID):
        return str(v)
    return str(v)


def main():
    if sys.argv[1] == "--rest":
        from pyiceberg.catalog.rest import RestCatalog

        table = RestCatalog("rest", uri=sys.argv[2]).load_table(sys.argv[3])
    else:
        from pyiceberg.table import StaticTable

        table = StaticTable.from_metadata(sys.argv[1])
    schema = table.schema()
    rows = table.scan().to_arrow().to_pylist()
    names = [f.name for f in schema.fields]
    out_rows = [[text(r[n]) for n in names] for r in rows]
    out_rows.sort(key=lambda r: json.dumps(r))
    snapshots = [[s.summary.operation.value if s.summary else None, dict(s.summary.additional_properties) if s.summary else {}] for s in table.snapshots()]
    print(json.dumps({
        "fields": [[f.field_id, f.name, str(f.field_type), f.required] for f in schema.fields],
        "rows": out_rows,
        "snapshots": snapshots,
    }))


main()
