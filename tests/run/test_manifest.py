"""Hashes that decide whether a rerun may skip a unit."""

from __future__ import annotations

import hashlib

from satisfaction.run.manifest import hash_inputs


def test_hash_inputs_is_the_sha256_of_the_content(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"abc")
    file_hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    combined, per_file = hash_inputs([tmp_path / "a.csv"])
    assert per_file == {str(tmp_path / "a.csv"): file_hash}
    assert combined == hashlib.sha256(f"\0{file_hash}\n".encode()).hexdigest()
