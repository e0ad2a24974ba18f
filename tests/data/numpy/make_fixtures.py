#!/usr/bin/python3
"""Writes the .npy/.npz files tests/test_numpy_io.cpp reads, with NumPy itself (Debian's
python3-numpy). Each array is a formula the test recomputes in ember; rerun to regenerate."""
import numpy as np

def values(dtype):
    a = np.arange(6).reshape(2, 3)
    if dtype == np.bool_:
        return a % 2 == 0
    if np.dtype(dtype).kind == "f":
        return (a * 0.5 - 1.25).astype(dtype)
    if np.dtype(dtype).kind == "u":
        return (a * 40 + 7).astype(dtype)
    return (a * 37 - 100).astype(dtype)  # negative and positive

for name in ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]:
    np.save(f"{name}.npy", values(getattr(np, name if name != "bool" else "bool_")))
np.save("big_endian_int32.npy", values(np.int32).astype(">i4"))
np.save("big_endian_float64.npy", values(np.float64).astype(">f8"))
np.save("fortran_float32.npy", np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)))
np.save("scalar_float64.npy", np.float64(2.5))
np.save("empty_int64.npy", np.zeros((0, 3), dtype=np.int64))
for version in [(2, 0), (3, 0)]:
    with open(f"version{version[0]}_float32.npy", "wb") as f:
        np.lib.format.write_array(f, values(np.float32), version=version)
members = dict(weight=values(np.float32), index=values(np.int64), mask=values(np.bool_))
np.savez("stored.npz", **members)
np.savez_compressed("compressed.npz", **members)
