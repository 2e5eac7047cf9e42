"""Vendor the map's browser libraries and basemap into the site's static files.

    python tools/vendor_map.py

Fetches pinned packages with `npm pack` (the npm registry) and copies the few files the map uses,
with their licences, into src/newsdesk/site/static/newsdesk/vendor/. The site then draws its maps
with nothing fetched from another server. Run it again after changing a version below.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "src/newsdesk/site/static/newsdesk/vendor"

# package, version, {file in the package: name under vendor/<package>/}
PACKAGES = [
    ("leaflet", "1.9.4", {"dist/leaflet.js": "leaflet.js", "dist/leaflet.css": "leaflet.css", "LICENSE": "LICENSE",
                          # leaflet.css names these; the static files' manifest needs them present.
                          **{f"dist/images/{n}": f"images/{n}" for n in (
                              "layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
                              "marker-shadow.png")}}),
    ("leaflet.markercluster", "1.5.3", {
        "dist/leaflet.markercluster.js": "leaflet.markercluster.js", "dist/MarkerCluster.css": "MarkerCluster.css",
        "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css", "MIT-LICENCE.txt": "LICENSE"}),
    ("topojson-client", "3.1.0", {"dist/topojson-client.min.js": "topojson-client.min.js", "LICENSE": "LICENSE"}),
    # Natural Earth's 1:110m countries (public domain) as TopoJSON.
    ("world-atlas", "2.0.2", {"countries-110m.json": "countries-110m.json", "LICENSE": "LICENSE"}),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        for package, version, files in PACKAGES:
            result = subprocess.run(["npm", "pack", "--silent", f"{package}@{version}"], cwd=work, check=True,
                                    capture_output=True, text=True)
            archive = Path(work) / result.stdout.strip().splitlines()[-1]
            out = TARGET / package
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            with tarfile.open(archive) as tar:
                for inner, name in files.items():
                    data = tar.extractfile(f"package/{inner}").read()
                    if name.endswith((".js", ".css")):
                        # Source maps are not shipped; the static files' manifest would look for them.
                        data = re.sub(rb"\n?//# sourceMappingURL=\S+\s*$", b"\n", data)
                    (out / name).parent.mkdir(parents=True, exist_ok=True)
                    (out / name).write_bytes(data)
            print(f"{package} {version}: {', '.join(files.values())}")


if __name__ == "__main__":
    main()
