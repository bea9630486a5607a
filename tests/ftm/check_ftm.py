"""Checks screener's entities against the followthemoney library's model.

    check_ftm.py --nested FILE --flat FILE

FILE holds one JSON entity per line. `--nested` is the form the API returns
and the store keeps: linked entities (Sanction, CryptoWallet) nested under
the party's reverse property, without their back-reference. `--flat` is the
FtM export: every entity on its own line, references by id.

For every entity: the schema exists and is not abstract; every property
exists on that schema; every value is valid for the property's type by the
library's own validation (with the property's format and length limit); and
a round trip through the library's entity proxy keeps every property and
value. In the flat form every reference names an entity of the file. In the
nested form every nested entity sits under a property of the party that
FtM defines for entities of its schema.

Prints a JSON report on stdout; exits 1 when it found any problem.
"""

import argparse
import collections
import json
import sys

import followthemoney
from followthemoney import model
from followthemoney.types import registry
from followthemoney.types.common import PropertyType

MAX_PROBLEMS = int(__import__("os").environ.get("FTM_MAX_PROBLEMS", "200"))


class Report:
    def __init__(self):
        self.problems = []
        self.problem_count = 0
        self.entities = collections.Counter()
        self.values = 0
        self.reformatted = collections.Counter()
        self.examples = {}

    def problem(self, where, message):
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {message}")


def valid(prop, value):
    """The library's validation of the value for the property. The type's
    check holds values to the type's length; a property that sets its own
    limit (CryptoWallet.publicKey: 512) is held to that instead, as the
    entity proxy does."""
    if prop.type.validate(value, format=prop.format):
        return True
    if type(prop.type).validate is not PropertyType.validate:
        return False
    cleaned = prop.type.clean_text(value, format=prop.format)
    return cleaned is not None and 0 < len(cleaned) <= prop.max_length


def check_entity(data, report, where, skip_props=()):
    """Checks one entity whose property values are all strings."""
    schema = model.get(data.get("schema") or "")
    if schema is None:
        report.problem(where, f"unknown schema {data.get('schema')!r}")
        return
    if schema.abstract:
        report.problem(where, f"abstract schema {schema.name}")
        return
    report.entities[schema.name] += 1
    props = data.get("properties") or {}
    for name, values in props.items():
        if name in skip_props:
            continue
        prop = schema.get(name)
        if prop is None:
            report.problem(where, f"{schema.name} has no property {name!r}")
            continue
        if prop.stub:
            report.problem(where, f"{schema.name}.{name} is a reverse property")
            continue
        for value in values:
            report.values += 1
            if not isinstance(value, str):
                report.problem(where, f"{name}: {value!r} is not a string")
                continue
            if not valid(prop, value):
                report.problem(where, f"{name} ({prop.type.name}): invalid value {value!r}")
                continue
            cleaned = prop.type.clean_text(value, format=prop.format)
            if cleaned is None or len(cleaned) > prop.max_length:
                report.problem(
                    where,
                    f"{name}: {value!r} is longer than {prop.max_length} characters",
                )
                continue
            if cleaned != value:
                key = f"{schema.name}.{name}"
                report.reformatted[key] += 1
                report.examples.setdefault(key, [value, cleaned])
    # Round trip through the library: nothing may be lost.
    kept = {k: v for k, v in props.items() if k not in skip_props}
    proxy = model.get_proxy(
        {"id": data.get("id"), "schema": schema.name, "properties": kept},
        cleaned=False,
    )
    back = proxy.to_dict().get("properties", {})
    for name, values in kept.items():
        prop = schema.get(name)
        if prop is None or prop.stub:
            continue
        for value in values:
            if not isinstance(value, str):
                continue
            cleaned = prop.type.clean_text(value, format=prop.format)
            if cleaned is None or cleaned not in back.get(name, []):
                report.problem(where, f"{name}: {value!r} lost in a round trip")


def check_nested(path, report):
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            data = json.loads(line)
            where = f"{path}:{n} {data.get('id')}"
            parent = model.get(data.get("schema") or "")
            plain = {}
            for name, values in (data.get("properties") or {}).items():
                texts = [v for v in values if not isinstance(v, dict)]
                nested = [v for v in values if isinstance(v, dict)]
                if texts:
                    plain[name] = texts
                for child in nested:
                    prop = parent.get(name) if parent is not None else None
                    child_schema = model.get(child.get("schema") or "")
                    if prop is None or prop.type != registry.entity or child_schema is None:
                        report.problem(where, f"nested {child.get('schema')} under {name!r}")
                        continue
                    if not child_schema.is_a(prop.range):
                        report.problem(where, f"a {child_schema.name} cannot sit under {name!r}")
                        continue
                    # The back-reference is implied by the nesting, as in yente.
                    back = prop.reverse.name if prop.reverse is not None else None
                    check_entity(child, report, f"{where} > {child.get('id')}", skip_props=(back,))
            check_entity(dict(data, properties=plain), report, where)


def check_flat(path, report):
    ids = set()
    refs = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            data = json.loads(line)
            where = f"{path}:{n} {data.get('id')}"
            if data.get("id") in ids:
                report.problem(where, "id appears twice")
            ids.add(data.get("id"))
            check_entity(data, report, where)
            schema = model.get(data.get("schema") or "")
            if schema is None:
                continue
            for name, values in (data.get("properties") or {}).items():
                prop = schema.get(name)
                if prop is not None and prop.type == registry.entity:
                    refs.extend((where, name, v) for v in values)
    for where, name, value in refs:
        if value not in ids:
            report.problem(where, f"{name} refers to {value!r}, which is not in the file")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nested", action="append", default=[])
    parser.add_argument("--flat", action="append", default=[])
    args = parser.parse_args()
    report = Report()
    for path in args.nested:
        check_nested(path, report)
    for path in args.flat:
        check_flat(path, report)
    out = {
        "followthemoney": followthemoney.__version__,
        "entities": dict(sorted(report.entities.items())),
        "values": report.values,
        "problem_count": report.problem_count,
        "problems": report.problems,
        "reformatted": dict(sorted(report.reformatted.items())),
        "reformatted_examples": report.examples,
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 1 if report.problem_count else 0


if __name__ == "__main__":
    sys.exit(main())
