"""5. Bad parameters: 400 with {"error": {"code", "message", "field"}}, field
naming the parameter at fault."""

from __future__ import annotations

import urllib.parse

import pytest

HEX = "/api/v1/hexagons"
AGG = "/api/v1/aggregate"

CASES = [
    # (path, params, fields accepted)
    (HEX, {"res": "16"}, {"res"}),
    (HEX, {"res": "abc"}, {"res"}),
    (HEX, {"res": "-1"}, {"res"}),
    (HEX, {"res": "5.5"}, {"res"}),
    (HEX, {"res": "5", "bbox": "37.5,55.7,37.7"}, {"bbox"}),
    (HEX, {"res": "5", "bbox": "37.5,55.7,37.7,55.8,1"}, {"bbox"}),
    (HEX, {"res": "5", "bbox": "0,0,10,95"}, {"bbox"}),
    (HEX, {"res": "5", "bbox": "0,-95,10,10"}, {"bbox"}),
    (HEX, {"res": "5", "bbox": "0,0,181,10"}, {"bbox"}),
    (HEX, {"res": "5", "bbox": "a,b,c,d"}, {"bbox"}),
    (HEX, {"res": "5", "bbox": "0,10,10,0"}, {"bbox"}),          # minLat > maxLat
    (HEX, {"res": "5", "sector": "bogus"}, {"sector"}),
    (HEX, {"res": "5", "sector": "roads,bogus"}, {"sector"}),
    (HEX, {"res": "5", "from": "2025-13-01"}, {"from"}),
    (HEX, {"res": "5", "to": "2025-02-30"}, {"to"}),
    (HEX, {"res": "5", "from": "yesterday"}, {"from"}),
    (HEX, {"res": "5", "from": "2025-03-01T10:00:00"}, {"from"}),  # no offset
    (HEX, {"res": "5", "from": "2025-03-01", "to": "2025-02-01"}, {"to", "from"}),
    (HEX, {"res": "5", "from": "2025-03-01T00:00:00Z", "to": "2025-02-28T23:59:59Z"}, {"to", "from"}),
    (AGG, {"res": "16", "period": "month"}, {"res"}),
    (AGG, {"res": "abc", "period": "month"}, {"res"}),
    (AGG, {"res": "5", "period": "decade"}, {"period"}),
    (AGG, {"res": "5", "period": "month", "format": "xml"}, {"format"}),
    (AGG, {"res": "5", "period": "month", "bbox": "1,2,3"}, {"bbox"}),
    (AGG, {"res": "5", "period": "month", "bbox": "0,0,10,95"}, {"bbox"}),
    (AGG, {"res": "5", "period": "month", "sector": "bogus"}, {"sector"}),
    (AGG, {"res": "5", "period": "month", "from": "2025-13-01"}, {"from"}),
    (AGG, {"res": "5", "period": "month", "from": "2025-03-01", "to": "2025-02-01"}, {"to", "from"}),
]


@pytest.mark.parametrize("path,params,fields", CASES,
                         ids=[f"{p.rsplit('/', 1)[1]}:{urllib.parse.urlencode(q)}" for p, q, _ in CASES])
def test_bad_parameter(server, path, params, fields):
    r = server.get(path, params)
    what = f"GET {path}?{urllib.parse.urlencode(params)}"
    assert r.status == 400, f"{what}: status {r.status}, expected 400; body {r.body[:300]!r}"
    assert r.content_type.startswith("application/json"), f"{what}: Content-Type {r.content_type}"
    body = r.json()
    err = body.get("error")
    assert isinstance(err, dict), f"{what}: {body}"
    assert isinstance(err.get("code"), str) and err["code"], f"{what}: {body}"
    assert isinstance(err.get("message"), str) and err["message"], f"{what}: {body}"
    assert err.get("field") in fields, f"{what}: field {err.get('field')!r}, expected one of {sorted(fields)}"
