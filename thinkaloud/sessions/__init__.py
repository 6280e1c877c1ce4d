"""Sessions: every take kept on disk, indexed for history and comparison.

`layout` owns the on-disk shape of one session folder; the folders are the
source of truth, and the SQLite index (`database`, `store`) can always be
rebuilt from them.  `record` writes every take (analyze, live and recover go
through its `TakeWriter`); `recovery` finds and repairs interrupted ones; `compare`
and `trends` say what changed between takes; `render` shows all of it as
text or Markdown (HTML lives in `thinkaloud.report.html`).
"""
