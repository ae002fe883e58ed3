"""The tabular import engine: one engine for every importer (schools, deliveries, class lists, ...).

readers   CSV (any delimiter, UTF-8 with or without BOM, UTF-16, Windows-1252) and XLSX, streamed
profiles  named column mappings with conversions (code lists, types, coordinates)
parsing   row by row validation into typed values, with line, column and reason for every error
engine    preview and atomic commit through a target's importer; the one entry point
transforms, merging, codelists   value transforms, merged rows, shared code lists and grade tables
preview   the first rows of a file read by a profile, for the profile editor
profile.schema.json   the published JSON Schema of a profile
"""
