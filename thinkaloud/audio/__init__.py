"""Audio in: decoding recordings and finding where there is speech.

Everything downstream works on 16 kHz mono float32 samples, the rate the
speech models were trained on.
"""

SAMPLE_RATE = 16_000
