"""docs/PRIVACY.md's retention table states the data map's rules, row for
row, as the server publishes them."""
import re

from conftest import REPO

KEPT = {"account_cancelled": "until the account is cancelled",
        "purpose_done": "until its purpose is achieved"}


def test_the_retention_table_matches_the_published_data_map(shared_server):
    doc = (REPO / "docs" / "PRIVACY.md").read_text()
    section = doc.split("## Retention table", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| [^|]+ \| ([^|]+) \| ([a-z]+) \|$", section, re.M)
    datamap = shared_server.get("/v1/privacy/policy").json()["datamap"]
    want = []
    for e in datamap:
        r = e["retention"]
        kept = f"{r['days']} days from collection" if r["until"] == "collected" else KEPT[r["until"]]
        want.append((e["id"], kept, r["action"]))
    assert [(i, k.strip(), a) for i, k, a in rows] == want
