"""Measuring thinkaloud against references: word error rate, detection precision and recall.

Used by `thinkaloud eval`, the benchmarks and the regression tests; never on a
user's hot path.
"""
