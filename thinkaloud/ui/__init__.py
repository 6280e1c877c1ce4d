"""The Textual rehearsal app: the live screen, the summary screen and their dialogs.

This is the only package that imports Textual.  It is a pure consumer: the
live engine runs in a worker thread and its events reach widgets as
messages; every number, checklist tick and highlight it shows is computed by
core modules (`thinkaloud.rehearsal_state`, `thinkaloud.annotation`,
`thinkaloud.analysis`), and widgets only render them.  Styles live in
`thinkaloud.tcss`.
"""
