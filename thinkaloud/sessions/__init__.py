"""Sessions: every take kept on disk, indexed for history and comparison.

`layout` owns the on-disk shape of one session folder; the folders are the
source of truth, and the SQLite index can always be rebuilt from them.
"""
