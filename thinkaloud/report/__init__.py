"""Reports out: the versioned JSON contract and the human-readable renderings.

`serialize` owns the JSON shape (`thinkaloud.report/1`, with its JSON Schema
in `schema/`); `text` and `markdown` render the same report for people.
"""

from thinkaloud.report.serialize import (
    SCHEMA_ID,
    report_from_dict,
    report_to_dict,
    schema,
)

__all__ = ["SCHEMA_ID", "report_from_dict", "report_to_dict", "schema"]
