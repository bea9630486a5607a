"""Calibration of the yente routes' threshold and cutoff against yente.

Scores the development sets twice: with yente's default matcher (yente 5.5.0
answers `/match` with its `best` algorithm, which is nomenklatura's logic-v2,
at threshold 0.70 and cutoff 0.50) and with a running `screener serve` through
its yente route `POST /match/default`, and prints how well their alert
decisions agree.

nomenklatura scores pairs only; it does not search. So the candidates are the
same for both sides:
- positives (`positives_ofac.csv`, `positives_typos.csv`, `cross_script.csv`):
  the expected OFAC record, as screener serves it (`GET /entities/{id}`: the
  party with the properties every list gives it, as yente's index merges
  them). screener's score is the score `/match` gives that party (0 when it
  is not among the results);
- negatives (every n-th row of `negatives_faker.csv`): the first candidates
  screener's `/match` returns. A party that yente's own search would find and
  screener's does not is not scored: the yente alert rate on negatives is a
  lower bound;
- `pairs_nomenklatura_checks.jsonl`: the two records of each pair; screener's
  score from `POST /v1/compare`.

A decision is "alert" when a query's best score is at or above the
threshold, and "returned" when a candidate's score is above the cutoff. For
each yente value theta the table gives the screener value that agrees best
with yente at theta (the mean agreement over the sets, so the largest set
does not decide alone) and the agreement at theta itself, unmapped.

Usage:
  yente_calibration.py --base http://127.0.0.1:8080 --dev ../shared/eval/dev \
      [--negatives-every 18] [--limit-rows N] [--scores FILE] [--json] \
      [--apply 0.7=0.77 ...]
"""

import argparse
import csv
import http.client
import itertools
import json
import sys
import urllib.parse

from followthemoney import ValueEntity, model, registry
from followthemoney.helpers import combine_names
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig

YENTE_ALGORITHM = "logic-v2"
YENTE_THRESHOLD = 0.70
YENTE_CUTOFF = 0.50
# The yente values a client may send, for which the table is printed.
THETAS = [0.5, 0.6, 0.7, 0.8, 0.9]
# The screener values tried.
GRID = [round(0.30 + 0.01 * i, 2) for i in range(71)]
# Candidates per negative query (yente's default /match limit).
TOP = 5
BATCH = 20


class Screener:
    """A kept-alive HTTP connection to `screener serve`."""

    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=120)

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"} if data else {}
        self.conn.request(method, path, body=data, headers=headers)
        answer = self.conn.getresponse()
        text = answer.read()
        if answer.status in (301, 302, 307, 308):
            location = urllib.parse.urlparse(answer.getheader("location")).path
            return self.call(method, location, body)
        if answer.status != 200:
            sys.exit(f"{method} {path}: HTTP {answer.status}: {text[:300]!r}")
        return json.loads(text)

    def match(self, examples):
        """`/match/default` with no threshold and no cutoff: every result."""
        queries = {str(i): ex for i, ex in enumerate(examples)}
        path = f"/match/default?threshold=0&cutoff=0&limit={TOP}"
        out = self.call("POST", path, {"queries": queries})["responses"]
        return [out[str(i)]["results"] for i in range(len(examples))]

    def match_all(self, examples, limit=TOP):
        answers = []
        for start in range(0, len(examples), BATCH):
            answers.extend(self.match(examples[start : start + BATCH]))
        return answers


def example(schema, name, birth_date=None):
    """A yente /match example. The dev sets say `Aircraft`, FtM `Airplane`."""
    schema = "Airplane" if schema == "Aircraft" else schema
    props = {"name": [name]}
    if birth_date:
        props["birthDate"] = [birth_date]
    return {"schema": schema, "properties": props}


QUERIES = itertools.count()


def query_entity(ex):
    """The query entity as yente makes it from a /match example. Each gets
    its own id: nomenklatura keeps what it derives from an entity's names
    under the entity's id (yente gives a query the checksum of its
    content)."""
    schema = model.get(ex["schema"])
    ent = ValueEntity(schema, {"id": f"query-{next(QUERIES)}"})
    for prop_name, values in ex["properties"].items():
        prop = schema.get(prop_name)
        for v in values if isinstance(values, list) else [values]:
            if prop is not None and isinstance(v, str) and v.strip():
                ent.unsafe_add(prop, v, cleaned=False, fuzzy=True)
    if not ent.get_type_values(registry.name, matchable=True):
        combine_names(ent)
    return ent


def listed_entity(data):
    """A served entity (yente shape) as an FtM entity; nested entities and
    properties the schema lacks are left out."""
    schema = model.get(data["schema"])
    ent = ValueEntity(schema, {"id": data["id"]})
    for prop_name, values in data.get("properties", {}).items():
        prop = schema.get(prop_name)
        if prop is None or prop.stub or prop.type.name == "entity":
            continue
        for v in values:
            if isinstance(v, str) and v.strip():
                ent.unsafe_add(prop, v, cleaned=False, fuzzy=True)
    return ent


ALGORITHM = get_algorithm(YENTE_ALGORITHM)


def yente_score(query, listed):
    return ALGORITHM.compare(query, listed, ScoringConfig.defaults()).score


def read_csv(path, limit):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows[:limit] if limit else rows


def positives(srv, path, limit):
    """One record per row: the expected record's score on both sides."""
    rows = read_csv(path, limit)
    exs = [example(r["schema"], r["query_name"], r.get("birth_date")) for r in rows]
    answers = srv.match_all(exs)
    out = []
    cache = {}
    for r, ex, results in zip(rows, exs, answers):
        want = r["expected_id"]
        s_score = 0.0
        for res in results:
            if res["id"] == want or want in (res.get("referents") or []):
                s_score = max(s_score, res["score"])
        if want not in cache:
            cache[want] = listed_entity(srv.call("GET", f"/entities/{urllib.parse.quote(want)}"))
        y = yente_score(query_entity(ex), cache[want])
        out.append({"query": r["query_name"], "candidate": want, "yente": y, "screener": s_score})
    return out


def negatives(srv, path, every, limit):
    """One record per row: the best score among screener's first candidates,
    with each candidate's scores for the cutoff."""
    rows = read_csv(path, None)[::every]
    rows = rows[:limit] if limit else rows
    exs = [example(r["schema"], r["query_name"]) for r in rows]
    answers = srv.match_all(exs)
    out = []
    for r, ex, results in zip(rows, exs, answers):
        q = query_entity(ex)
        pairs = [(yente_score(q, listed_entity(res)), res["score"]) for res in results]
        out.append(
            {
                "query": r["query_name"],
                "yente": max((p[0] for p in pairs), default=0.0),
                "screener": max((p[1] for p in pairs), default=0.0),
                "candidates": pairs,
            }
        )
    return out


def screen_record(schema, rec):
    """A nomenklatura pair record in screener's compare shape."""
    out = {"schema": schema}
    parts = {"firstName": "firstName", "middleName": "middleName", "fatherName": "fatherName", "lastName": "lastName"}
    for k, v in parts.items():
        if rec.get(k):
            out[v] = rec[k]
    out["name"] = rec.get("name") or " ".join(
        rec[k] for k in ("firstName", "middleName", "fatherName", "lastName") if rec.get(k)
    )
    return out


def pairs(srv, path, limit):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = rows[:limit] if limit else rows
    out = []
    for r in rows:
        props = lambda rec: {k: [v] for k, v in rec.items()}
        q = query_entity({"schema": r["schema"], "properties": props(r["query"])})
        c = query_entity({"schema": r["schema"], "properties": props(r["candidate"])})
        s = srv.call(
            "POST",
            "/v1/compare",
            {"a": screen_record(r["schema"], r["query"]), "b": screen_record(r["schema"], r["candidate"])},
        )["score"]
        out.append({"query": r["query"], "candidate": r["candidate"], "label": r["match"], "yente": yente_score(q, c), "screener": s})
    return out


def agreement(records, theta, t):
    """Share of records where yente at theta and screener at t decide alike."""
    if not records:
        return 0.0
    same = sum((r["yente"] >= theta) == (r["screener"] >= t) for r in records)
    return same / len(records)


def cutoff_agreement(pairs_, theta, c):
    """Share of candidates that both return, or both drop (yente drops a
    score at or below its cutoff)."""
    if not pairs_:
        return 0.0
    return sum((y > theta) == (s >= c) for y, s in pairs_) / len(pairs_)


def best(values, score):
    """The value of the grid with the highest score; the lowest on a tie."""
    top = max(score(v) for v in values)
    return next(v for v in values if score(v) == top)


def calibrate(sets, default_threshold, applied):
    """Per yente value theta: the screener threshold and cutoff that agree
    best with yente at theta, the agreement there, at theta itself
    (unmapped) and at the value `applied` maps theta to (the product's)."""
    cand = [(r["yente"], r["screener"]) for recs in sets.values() for r in recs if "candidates" not in r]
    cand += [tuple(p) for recs in sets.values() for r in recs for p in r.get("candidates", [])]
    thresholds, cutoffs = [], []
    for theta in THETAS:
        mean = lambda t: sum(agreement(recs, theta, t) for recs in sets.values()) / len(sets)
        cut = lambda c: cutoff_agreement(cand, theta, c)
        for rows, score, extra in (
            (thresholds, mean, {"agreement_screener_default": round(mean(default_threshold), 4)}),
            (cutoffs, cut, {}),
        ):
            t_star = best(GRID, score)
            row = {
                "yente": theta,
                "screener": t_star,
                "agreement_best": round(score(t_star), 4),
                "agreement_unmapped": round(score(theta), 4),
                **extra,
            }
            if theta in applied:
                row["applied"] = applied[theta]
                row["agreement_applied"] = round(score(applied[theta]), 4)
            rows.append(row)
    return thresholds, cutoffs


def per_set(sets, screener_t):
    """Alert rate of yente at 0.70 and of screener at each given threshold,
    and agreement, per set."""
    rows = []
    for name, recs in sets.items():
        row = {"set": name, "n": len(recs), "yente_0.70": rate(recs, "yente", YENTE_THRESHOLD)}
        for label, t in screener_t.items():
            row[label] = rate(recs, "screener", t)
            row[f"agree {label}"] = round(agreement(recs, YENTE_THRESHOLD, t), 3)
        rows.append(row)
    return rows


def rate(recs, side, t):
    return round(sum(r[side] >= t for r in recs) / len(recs), 3) if recs else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--negatives-every", type=int, default=18)
    ap.add_argument("--limit-rows", type=int, default=0, help="first N rows of each set (0: all)")
    ap.add_argument("--default-threshold", type=float, default=0.82)
    ap.add_argument("--scores", help="write every scored record here (JSON lines)")
    ap.add_argument("--json", action="store_true", help="print the tables as one JSON object")
    ap.add_argument(
        "--apply",
        action="append",
        default=[],
        metavar="THETA=T",
        help="the screener value the product maps yente's THETA to: reported beside the best (repeatable)",
    )
    a = ap.parse_args()
    srv = Screener(a.base)
    n = a.limit_rows or None
    sets = {
        "positives_ofac": positives(srv, f"{a.dev}/positives_ofac.csv", n),
        "positives_typos": positives(srv, f"{a.dev}/positives_typos.csv", n),
        "cross_script": positives(srv, f"{a.dev}/cross_script.csv", n),
        "negatives_faker": negatives(srv, f"{a.dev}/negatives_faker.csv", a.negatives_every, n),
        "pairs_nomenklatura": pairs(srv, f"{a.dev}/pairs_nomenklatura_checks.jsonl", n),
    }
    if a.scores:
        with open(a.scores, "w", encoding="utf-8") as f:
            for name, recs in sets.items():
                for r in recs:
                    f.write(json.dumps({"set": name, **r}, ensure_ascii=False) + "\n")
    applied = {float(k): float(v) for k, v in (x.split("=", 1) for x in a.apply)}
    thresholds, cutoffs = calibrate(sets, a.default_threshold, applied)
    t70 = next(r["screener"] for r in thresholds if r["yente"] == YENTE_THRESHOLD)
    sets_table = per_set(sets, {"screener_0.70": 0.70, f"screener_{a.default_threshold:.2f}": a.default_threshold, f"screener_{t70:.2f}": t70})
    report = {"thresholds": thresholds, "cutoffs": cutoffs, "sets": sets_table}
    if a.json:
        print(json.dumps(report))
        return
    print("threshold: yente theta -> screener t (mean agreement over the sets)")
    for r in thresholds:
        print(json.dumps(r))
    print("cutoff: yente theta -> screener c (agreement over every scored candidate)")
    for r in cutoffs:
        print(json.dumps(r))
    print("per set: alert rate (recall on positives, alert rate on negatives) and agreement with yente at 0.70")
    for r in sets_table:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
