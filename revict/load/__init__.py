"""Loading register extracts into DuckDB (read-only inputs, typed views)."""

from revict.load.loader import SourceInfo, Sources, find_source_file, load_sources, typed_expression

__all__ = ["SourceInfo", "Sources", "find_source_file", "load_sources", "typed_expression"]
