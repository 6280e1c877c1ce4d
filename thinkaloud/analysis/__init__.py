"""From a transcript, its speech spans and the detectors' findings to a `Report`.

`signals` places findings in time, `metrics` measures the delivery,
`coaching` turns both into the checklist and tips.  Nothing here touches
audio, models or spaCy objects, so all of it is tested with plain data.
"""
