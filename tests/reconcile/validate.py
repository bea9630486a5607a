"""Validates JSON documents against JSON Schemas (draft 7).

Usage: validate.py SCHEMA_DIR NAME=DOCUMENT.json ...
Each NAME is a schema file in SCHEMA_DIR (without .json). Prints one line
per problem and exits 1 when there is any.
"""

import json
import pathlib
import sys

from jsonschema import Draft7Validator
from referencing import Registry, Resource


def main() -> int:
    schema_dir = pathlib.Path(sys.argv[1])
    resources = []
    for path in sorted(schema_dir.glob("*.json")):
        schema = json.loads(path.read_text())
        resources.append((path.name, Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    problems = 0
    for arg in sys.argv[2:]:
        name, _, doc_path = arg.partition("=")
        schema = json.loads((schema_dir / f"{name}.json").read_text())
        validator = Draft7Validator(schema, registry=registry)
        document = json.loads(pathlib.Path(doc_path).read_text())
        for error in validator.iter_errors(document):
            problems += 1
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{name}: {doc_path}: at '{where}': {error.message}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
