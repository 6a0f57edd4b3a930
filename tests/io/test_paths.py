"""Safe names and paths: slugs for folder names, paths that stay inside their root."""

from __future__ import annotations

import os
import unicodedata

import pytest

from satisfaction.errors import ParameterError
from satisfaction.io.paths import file_mode, safe_output_path, slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Thành phố Hồ Chí Minh", "thanh-pho-ho-chi-minh"),
        ("Đắk Lắk", "dak-lak"),
        ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
        ("Thừa Thiên Huế", "thua-thien-hue"),
        ("đất đai", "dat-dai"),
        ("../../etc/passwd", "etc-passwd"),
        ("__import__('os').system('x')", "import-os-system-x"),
        ('Hà Nội"; rm -rf /', "ha-noi-rm-rf"),
        ("C:\\Windows", "c-windows"),
        ("CON", "con-1"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug
    assert slugify(unicodedata.normalize("NFD", name)) == slug


@pytest.mark.parametrize("name", ["..", "/", "'\"", "   ", "…"])
def test_slugify_refuses_names_with_nothing_left(name):
    with pytest.raises(ParameterError, match="gives an empty folder name"):
        slugify(name)


def test_safe_output_path_stays_inside_root(tmp_path):
    root = tmp_path / "outputs"
    root.mkdir()
    assert safe_output_path(root, "a", "b.html") == (root / "a" / "b.html").resolve()
    assert safe_output_path(root, "a/../b") == (root / "b").resolve()
    for parts in [("..", "x"), ("a/../../x",), ("/etc/passwd",), ("a\x00",)]:
        with pytest.raises(ParameterError):
            safe_output_path(root, *parts)
    os.symlink(tmp_path, root / "link")
    with pytest.raises(ParameterError, match="resolves outside"):
        safe_output_path(root, "link", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]  # nothing created
    assert [p.name for p in root.iterdir()] == ["link"]


def test_file_mode_is_the_umask_default():
    import os

    old = os.umask(0o027)
    try:
        assert file_mode() == 0o640
    finally:
        os.umask(old)
    assert file_mode() == 0o666 & ~old
