"""Language analysis: spaCy components that find reasoning signals in a transcript.

Detectors are registered spaCy factories (see `components`), their cue
patterns live in `patterns/*.jsonl`, and their results are written to
`doc.spans[kind]`.  Nothing outside this package touches a spaCy `Doc`:
`analysis` receives plain `Signal`s from `extract`.
"""
