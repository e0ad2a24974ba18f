#!/usr/bin/env python3
"""Writes python.safetensors with the Python safetensors package (PyPI; run in a virtual
environment: pip install safetensors numpy). tests/test_serialize.cpp recomputes each tensor.
safetensors.numpy cannot write bfloat16 (NumPy has none), so BF16 is not in this file."""
import numpy as np
from safetensors.numpy import save_file

a = np.arange(6).reshape(2, 3)
tensors = {
    "f64": a * 0.5 - 1.25,
    "f32": (a * 0.5 - 1.25).astype(np.float32),
    "f16": (a * 0.5 - 1.25).astype(np.float16),
    "i64": (a * 37 - 100).astype(np.int64),
    "i32": (a * 37 - 100).astype(np.int32),
    "i16": (a * 37 - 100).astype(np.int16),
    "i8": (a * 37 - 100).astype(np.int8),
    "u8": (a * 40 + 7).astype(np.uint8),
    "bool": a % 2 == 0,
    "scalar": np.array(2.5, dtype=np.float32),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
save_file(tensors, "python.safetensors", metadata={"writer": "safetensors (Python)"})
