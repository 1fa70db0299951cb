import collections
import json
import re
import sys
from pathlib import Path

import duckdb

from domain import LEAKAGE_TYPES, RISK_LEVELS, TIERS

TOOLS = {
    "portfolio_summary": set(),
    "score_leakage": {"account_id", "tier", "risk_level", "leakage_type", "top_n"},
    "explain_risk_factors": {"account_id"},
    "detect_leakage": {"leakage_type", "account_id", "top_n"},
    "decompose_trend": {"account_id"},
    "find_declining_customers": {"decline_level", "segment_id", "top_n"},
    "list_segments": {"segment_id"},
    "segment_report": {"segment_id", "decline_level"},
    "query_duckdb": {"sql"},
    "score_file": {"file_path", "risk_level", "top_n"},
}
LT = set(LEAKAGE_TYPES)
KEYS = {"tools", "tools_not_called", "args", "no_tool", "refuse", "clarify", "answer_contains"}
c = duckdb.connect(sys.argv[1] if len(sys.argv) > 1 else "/tmp/h6/demo.duckdb", read_only=True)
ids = {r[0] for r in c.execute("select account_id from accounts").fetchall()}
seen = set()
nt = 0
cat = collections.Counter()
catt = collections.Counter()
for i, line in enumerate(open(Path(__file__).with_name("holdout6.jsonl")), 1):
    case = json.loads(line)
    assert set(case) == {"id", "db", "tags", "turns"}, case["id"]
    assert case["id"] not in seen
    seen.add(case["id"])
    assert case["db"] == {"accounts": 2000, "seed": 7}
    cat[case["tags"][0]] += 1
    catt[case["tags"][0]] += len(case["turns"])
    for t in case["turns"]:
        nt += 1
        e = t["expect"]
        assert set(t) <= {"user", "expect", "note"} and t["user"].strip()
        assert set(e) <= KEYS, e
        for tn in e.get("tools", []) + e.get("tools_not_called", []):
            assert tn in TOOLS, tn
        for tn, a in e.get("args", {}).items():
            assert tn in TOOLS and set(a) <= TOOLS[tn], (tn, a)
            assert tn in e.get("tools", []), (case["id"], "args tool not in tools")
            if "account_id" in a:
                assert re.fullmatch(r"ACC\d{6}", a["account_id"]) and a["account_id"] in ids, a
            if "leakage_type" in a:
                assert a["leakage_type"] in LT
            if "risk_level" in a:
                assert a["risk_level"] in RISK_LEVELS
            if "tier" in a:
                assert a["tier"] in TIERS
        if e.get("tools"):
            assert not (e.get("no_tool") or e.get("refuse") or e.get("clarify")), case["id"]
        if e.get("answer_contains"):
            assert "<-" in t["note"], case["id"]
        for s in e.get("answer_contains", []):
            for m in re.findall(r"ACC\d{6}", s):
                assert m in ids
        assert e, (case["id"], t["user"])
print("ok", len(seen), nt)
print(cat)
print(catt)
