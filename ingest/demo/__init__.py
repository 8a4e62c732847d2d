"""The demo region: a builder of realistic input files for every channel (used by
`painmap demo`, `make run` and the tests)."""

from ingest.demo.builder import DemoManifest, build_demo, load_region

__all__ = ["DemoManifest", "build_demo", "load_region"]
